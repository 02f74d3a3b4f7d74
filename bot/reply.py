"""The structured reply the answer engine produces, before it is rendered as text or an embed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["answered", "clarify", "unknown"]


@dataclass(frozen=True)
class ReplyLink:
    """A form or page the user can act on; ``url`` is None when the hub has not published it."""

    label: str
    kind: str
    url: str | None


@dataclass(frozen=True)
class ReplySection:
    """A titled block under the headline, e.g. ("Eligibility", "• …")."""

    title: str
    body: str


@dataclass(frozen=True)
class Candidate:
    """One option offered by a clarifying reply."""

    entry_id: str
    name: str
    hint: str = ""


@dataclass(frozen=True)
class Reply:
    """What the bot says: the fact asked for first, then what the user needs to act.

    ``headline`` is the direct answer; ``sections`` add detail; ``links`` are forms to act on;
    ``candidates`` are the options of a clarifying reply; ``sources`` name the documents the
    facts come from; ``topics`` are the ids of the entries drawn on.
    """

    question: str
    status: Status
    headline: str
    intent: str = "unknown"
    sections: tuple[ReplySection, ...] = ()
    links: tuple[ReplyLink, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    topics: tuple[str, ...] = ()
    confidence: float = 0.0
    title: str | None = None
    sources: tuple[str, ...] = ()
    last_reviewed: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
