"""The knowledge-base format as pydantic models.

One YAML file in ``knowledge/entries/`` holds one :class:`Entry` (a programme, Work Group,
community, support offer or information topic). ``knowledge/hub.yaml`` holds :class:`HubInfo`
and ``knowledge/vocabulary.yaml`` holds :class:`Vocabulary`. Every fact carries a
:class:`Source`: the seed document it was written from and a short quote of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
AcademicYear = Annotated[str, StringConstraints(pattern=r"^\d{4}/\d{2}$")]


class Phase(str, Enum):
    """School phases an offer is for; ``cross-phase`` covers leadership and all-phase offers."""

    EARLY_YEARS = "early-years"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    POST_16 = "post-16"
    CROSS_PHASE = "cross-phase"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {
    Phase.EARLY_YEARS: "Early Years",
    Phase.PRIMARY: "Primary",
    Phase.SECONDARY: "Secondary",
    Phase.POST_16: "Post-16",
    Phase.CROSS_PHASE: "Cross-phase and leadership",
}


class _Strict(BaseModel):
    """Base for every model: unknown fields are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """Where a fact comes from: a seed document's file name and a short quote from it."""

    file: Text = Field(description="File name of the source document, e.g. 000_bb433dde9d683882.txt")
    quote: Text = Field(description="A short verbatim quote from that document supporting the fact")


class SourcedText(_Strict):
    """A piece of text written in the project's own words, with its source."""

    text: Text
    source: Source


class Deadline(_Strict):
    """A dated deadline, e.g. when applications close."""

    label: Text = Field(description="What closes, e.g. 'Applications close'")
    date: dt.date = Field(description="The real date, YYYY-MM-DD")
    note: str | None = Field(default=None, description="e.g. 'extended deadline'")
    source: Source


class LinkKind(str, Enum):
    APPLICATION = "application"
    EXPRESSION_OF_INTEREST = "expression-of-interest"
    INFORMATION = "information"
    REQUEST = "request"
    SURVEY = "survey"


class Link(_Strict):
    """A form or page. ``url`` stays empty when the source names the form without its address."""

    label: Text
    kind: LinkKind
    url: str | None = Field(default=None, description="https address; leave empty if unknown")
    source: Source

    @field_validator("url")
    @classmethod
    def _https_only(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https://[^\s/]+\.[^\s]+$", url):
            raise ValueError(f"link url must start with https:// and be a web address, got {url!r}")
        return url


class HowToApply(_Strict):
    """How to take part: the steps in order and anything needed beforehand."""

    steps: list[Text] = Field(default_factory=list)
    prerequisites: list[Text] = Field(default_factory=list)
    source: Source


class EligibilityCheck(_Strict):
    """A yes/no check that turns a criterion into one step of an eligibility flow."""

    question: Text = Field(description="The yes/no question to ask the teacher")
    meets: Literal["yes", "no"] = Field(default="yes", description="The answer that meets the criterion")
    not_met: Text = Field(description="What to say when the criterion is not met")
    suggest: list[Slug] = Field(default_factory=list, description="Ids of entries to suggest instead")
    unsure: str | None = Field(default=None, description="What to check when the teacher is not sure")
    met_when: list[Text] = Field(
        default_factory=list, description="Phrases in a question that show the criterion is met"
    )
    not_met_when: list[Text] = Field(
        default_factory=list, description="Phrases in a question that show the criterion is not met"
    )
    minimum_share: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="For a share of lessons (0.5 for 'at least 50% of the lessons'): shares a question "
        "states, such as 'two of its five lessons', are compared with it",
    )


class Criterion(_Strict):
    """One eligibility criterion, with an optional structured yes/no check."""

    text: Text
    check: EligibilityCheck | None = None
    source: Source


class Stage(_Strict):
    """One step of an ordered structure (e.g. Teaching for Mastery's Readiness → Sustaining)."""

    name: Text
    summary: Text
    source: Source


class Fact(_Strict):
    """A fact or figure that fits no other field."""

    text: Text
    source: Source


class FAQ(_Strict):
    """A question in the ways teachers ask it, and its answer."""

    questions: list[Text] = Field(min_length=1)
    answer: Text
    source: Source


EntryKind = Literal["programme", "work-group", "community", "support", "project", "information"]


class Entry(_Strict):
    """One offer or topic the bot can answer about."""

    id: Slug
    name: Text
    kind: EntryKind
    status: Literal["current", "historical"] = "current"
    group: Slug | None = Field(
        default=None, description="Family of related entries, e.g. 'mastering-number'"
    )
    aliases: list[Text] = Field(default_factory=list, description="Other names and abbreviations")
    keywords: list[Text] = Field(
        default_factory=list, description="Words that point to this entry without naming it"
    )
    codes: list[Text] = Field(default_factory=list, description="Programme codes such as NCP17-10a")
    phases: list[Phase] = Field(min_length=1)
    academic_year: AcademicYear | None = None
    summary: SourcedText
    who_for: SourcedText | None = None
    eligibility: list[Criterion] = Field(default_factory=list)
    time_commitment: SourcedText | None = None
    cost: SourcedText | None = None
    deadlines: list[Deadline] = Field(default_factory=list)
    how_to_apply: HowToApply | None = None
    links: list[Link] = Field(default_factory=list)
    stages: list[Stage] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    faqs: list[FAQ] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list)
    last_reviewed: dt.date


class Document(_Strict):
    """A source document the knowledge base is written from, with a title teachers recognise."""

    file: Text
    title: Text


RECENTLY_CLOSED_DAYS = 90  # a closed deadline is listed as "recently closed" for about a school term


class HubInfo(_Strict):
    """The hub itself: name, how teachers reach it, and the documents the answers come from."""

    name: Text
    contact: Text = Field(description="How to contact the hub, in a sentence")
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    documents: list[Document] = Field(default_factory=list)
    recently_closed_days: int = Field(
        default=RECENTLY_CLOSED_DAYS, ge=1, le=3650,
        description="How many days a closed deadline is still listed as 'recently closed' (default 90)",
    )
    last_reviewed: dt.date

    def document_title(self, file: str) -> str:
        """The title of a source document, or its file name if it has none."""
        return next((doc.title for doc in self.documents if doc.file == file), file)

    def document_titles(self, sources: Iterable[Source]) -> tuple[str, ...]:
        """The titles of the documents behind some facts, each once, in order."""
        titles: list[str] = []
        for source in sources:
            title = self.document_title(source.file)
            if title not in titles:
                titles.append(title)
        return tuple(titles)

    def contact_line(self) -> str:
        """The contact sentence, with the email and website when the hub has given them."""
        parts = [self.contact.rstrip(".") + "."]
        if self.email:
            parts.append(f"Email: {self.email}")
        if self.website:
            parts.append(f"Website: {self.website}")
        if self.phone:
            parts.append(f"Phone: {self.phone}")
        return " ".join(parts)

    @property
    def has_contact_detail(self) -> bool:
        """Whether teachers can be given a way to reach the hub (an email, website or phone)."""
        return bool(self.email or self.website or self.phone)

    @field_validator("website")
    @classmethod
    def _https_only(cls, url: str | None) -> str | None:
        return Link._https_only(url)


class Synonym(_Strict):
    """Phrases that mean the same; every variant is read as the canonical phrase."""

    canonical: Text
    variants: list[Text] = Field(min_length=1)


class Vocabulary(_Strict):
    """Abbreviations and synonyms shared by every entry."""

    synonyms: list[Synonym] = Field(default_factory=list)


class OutsideTopic(_Strict):
    """Something teachers ask about that is not a Maths Hub offer, and what the bot says about it."""

    id: Slug
    name: Text  # e.g. "National Professional Qualifications (NPQs)"
    variants: list[Text] = Field(min_length=1)  # phrases that name it: "npq", "npqs", "npqlt", ...
    reply: Text  # one or two sentences the bot says, e.g. "NPQs are not a Maths Hub offer: ..."
    source: Source | None = None  # when a source mentions it (e.g. NPQ providers in the strategic goals)


class OutsideTopics(_Strict):
    """``knowledge/outside.yaml``: topics outside the hub's offer, so the bot can say so honestly."""

    topics: list[OutsideTopic] = Field(default_factory=list)
