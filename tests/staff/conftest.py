"""Fixtures for the staff workflow: storage on either backend, and small knowledge bases written on the fly.

``database`` (and ``storage``, opened on it) is parametrised over both backends, so every test that
takes it runs once on a SQLite file and once on a real PostgreSQL server (see ``postgres_server``
in ``tests/conftest.py``): the two must behave the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.knowledge.base import KnowledgeBase
from bot.knowledge.loader import load_knowledge
from bot.staff.storage import MIGRATIONS, InteractionRecord, Migration, SQLiteStorage, SQLStorage, open_database

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


@dataclass(frozen=True)
class Database:
    """One database of either backend, which a test may open (again) as storage."""

    kind: str  # "sqlite" or "postgresql"
    target: str | Path  # the SQLite file, or the PostgreSQL address

    def open(self, *, migrations: tuple[Migration, ...] = MIGRATIONS, wait_seconds: float = 10.0) -> SQLStorage:
        if self.kind == "sqlite":
            return SQLiteStorage(self.target, migrations=migrations, busy_timeout=wait_seconds)
        from bot.staff.storage.postgres import PostgresStorage

        return PostgresStorage(str(self.target), migrations=migrations, wait_seconds=wait_seconds)

    def open_default(self) -> SQLStorage:
        """As the bot opens it (:func:`~bot.staff.storage.open_database`)."""
        return open_database(self.target)


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, db_path: Path) -> Database:
    if request.param == "sqlite":
        return Database("sqlite", db_path)
    return Database("postgresql", request.getfixturevalue("postgres_url"))


@pytest.fixture
def storage(database: Database) -> Iterator[SQLStorage]:
    with database.open() as opened:
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


def write_old_interaction(storage: SQLStorage, answer_id: str, asked_at: dt.datetime, question: str = "When is it?") -> None:
    """Keep a question (and count it) as the bot did before records carried a hub (schema versions
    1 to 3): the statements of that code, run through the backend's own transaction.
    """
    with storage._transaction() as db:
        db.run(
            "INSERT INTO question_counts (day, status, topics, questions) VALUES (?, 'unknown', '[]', 1)",
            (storage._day(asked_at.astimezone(dt.UTC).date()),),
        )
        db.run(
            "INSERT INTO interactions (answer_id, asked_at, guild_id, channel_id, question, status, intent, topics, "
            "confidence, kb_version) VALUES (?, ?, 111, 222, ?, 'unknown', 'unknown', '[]', 0.0, 'abc123')",
            (answer_id, storage._time(asked_at), question),
        )
