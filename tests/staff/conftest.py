"""Fixtures for the staff workflow: a storage file, and small knowledge bases written on the fly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.knowledge.base import KnowledgeBase
from bot.knowledge.loader import load_knowledge
from bot.staff.storage import InteractionRecord, SQLiteStorage

HUB = """\
name: Test Maths Hub
contact: Contact the Test Maths Hub team.
email: hub@example.org
documents:
  - file: newsletter.txt
    title: Test newsletter
last_reviewed: 2026-09-01
"""


@dataclass(frozen=True)
class Offer:
    """One entry of a test knowledge base."""

    id: str
    name: str
    phases: tuple[str, ...] = ("primary",)
    deadlines: tuple[tuple[str, dt.date], ...] = ()
    form_url: str | None = None
    form: bool = True
    status: str = "current"


def entry_yaml(offer: Offer) -> str:
    source = "{file: newsletter.txt, quote: The offer}"
    lines = [
        f"id: {offer.id}",
        f"name: {offer.name}",
        "kind: programme",
        f"status: {offer.status}",
        f"phases: [{', '.join(offer.phases)}]",
        "summary:",
        f"  text: {offer.name} helps teachers.",
        f"  source: {source}",
    ]
    if offer.deadlines:
        lines.append("deadlines:")
        for label, date in offer.deadlines:
            lines += [f"  - label: {label}", f"    date: {date.isoformat()}", f"    source: {source}"]
    if offer.form:
        lines += ["links:", f"  - label: {offer.name} application form", "    kind: application"]
        if offer.form_url:
            lines.append(f"    url: {offer.form_url}")
        lines.append(f"    source: {source}")
    lines.append("last_reviewed: 2026-09-01")
    return "\n".join(lines) + "\n"


def write_kb(directory: Path, offers: list[Offer]) -> Path:
    """Write a knowledge-base directory holding ``offers``."""
    (directory / "entries").mkdir(parents=True, exist_ok=True)
    (directory / "hub.yaml").write_text(HUB, encoding="utf-8")
    for old in (directory / "entries").glob("*.yaml"):
        old.unlink()
    for offer in offers:
        (directory / "entries" / f"{offer.id}.yaml").write_text(entry_yaml(offer), encoding="utf-8")
    return directory


def make_kb(directory: Path, offers: list[Offer]) -> KnowledgeBase:
    return load_knowledge(write_kb(directory, offers), today=dt.date(2026, 9, 1))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "hubbot.sqlite3"


@pytest.fixture
def storage(db_path: Path) -> Iterator[SQLiteStorage]:
    with SQLiteStorage(db_path) as opened:
        yield opened


NOW = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


def record(
    answer_id: str,
    question: str = "When is the conference?",
    *,
    status: str = "unknown",
    asked_at: dt.datetime = NOW,
    topics: tuple[str, ...] = (),
    intent: str = "unknown",
    confidence: float = 0.0,
) -> InteractionRecord:
    return InteractionRecord(
        answer_id=answer_id,
        asked_at=asked_at,
        guild_id=111,
        channel_id=222,
        question=question,
        status=status,  # type: ignore[arg-type]
        intent=intent,
        topics=topics,
        confidence=confidence,
        kb_version="abc123",
    )
