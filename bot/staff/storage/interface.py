"""The records the bot keeps, the :class:`Storage` interface both backends implement, and what a
failure of either backend means (busy, unreachable, or a real fault), in plain words.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bot.config import DEFAULT_HUB_ID
from bot.reply import Reply, Status
from bot.staff.privacy import scrub_identity

DEFAULT_RETENTION_DAYS = 180
STATUSES: tuple[Status, ...] = ("answered", "clarify", "unknown")
KEPT_STATUSES: frozenset[str] = frozenset({"clarify", "unknown"})
Outcome = Literal["sent", "skipped"]
HandoffOutcome = Literal["answered", "unreachable"]


# ----- records ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InteractionRecord:
    """One question and how the bot replied, as kept for the staff report (no personal data)."""

    answer_id: str
    asked_at: dt.datetime
    guild_id: int | None
    channel_id: int | None
    question: str
    status: Status
    intent: str
    topics: tuple[str, ...]
    confidence: float
    kb_version: str
    hub_id: str = DEFAULT_HUB_ID  # the hub whose knowledge base answered

    def __post_init__(self) -> None:
        # The one gate every question passes before it is kept: nobody else's identity gets in.
        object.__setattr__(self, "question", scrub_identity(self.question))

    @classmethod
    def from_reply(
        cls,
        reply: Reply,
        *,
        answer_id: str,
        asked_at: dt.datetime,
        guild_id: int | None,
        channel_id: int | None,
        kb_version: str,
        hub_id: str = DEFAULT_HUB_ID,
    ) -> InteractionRecord:
        return cls(
            answer_id=answer_id,
            asked_at=asked_at,
            guild_id=guild_id,
            channel_id=channel_id,
            question=reply.question,
            status=reply.status,
            intent=reply.intent,
            topics=tuple(reply.topics),
            confidence=float(reply.confidence),
            kb_version=kb_version,
            hub_id=hub_id,
        )

    @property
    def worth_keeping(self) -> bool:
        """Whether the question text is kept without a vote (the bot could not answer it outright)."""
        return self.status in KEPT_STATUSES


@dataclass(frozen=True)
class VotedAnswer:
    """An interaction with the votes cast on it in a period."""

    interaction: InteractionRecord
    up: int
    down: int


@dataclass(frozen=True)
class QuestionCount:
    """How many questions to one hub on one UTC day got ``status`` and drew on exactly ``topics``."""

    day: dt.date
    status: Status
    topics: tuple[str, ...]
    questions: int
    hub_id: str = DEFAULT_HUB_ID


@dataclass(frozen=True)
class ReminderMark:
    """A reminder that was sent, or skipped because a nearer one was sent instead — for one hub's
    entry (two hubs may each have an entry of the same id, and each its own reminder).
    """

    entry_id: str
    deadline_date: dt.date
    lead_days: int
    outcome: Outcome
    at: dt.datetime
    hub_id: str = DEFAULT_HUB_ID


@dataclass(frozen=True)
class Handoff:
    """A question passed to the hub team: open until ``outcome`` says how it was closed."""

    interaction: InteractionRecord
    handed_off_at: dt.datetime
    closed_at: dt.datetime | None = None
    outcome: HandoffOutcome | None = None

    @property
    def is_open(self) -> bool:
        return self.outcome is None


@dataclass(frozen=True)
class PurgeResult:
    """How many rows of each kind :meth:`Storage.purge_older_than` deleted."""

    interactions: int = 0
    votes: int = 0
    question_counts: int = 0
    reminders: int = 0
    reminder_claims: int = 0
    handoffs: int = 0

    @property
    def total(self) -> int:
        return (
            self.interactions + self.votes + self.question_counts + self.reminders + self.reminder_claims + self.handoffs
        )


# ----- the interface ------------------------------------------------------------------------------
@runtime_checkable
class Storage(Protocol):
    """Where the bot's records live. Times are timezone-aware; they are stored as UTC.

    Every method that writes does so in a single transaction: it happens completely or not at all,
    and once it has returned the write survives the process being killed.
    """

    def record_answer(self, record: InteractionRecord) -> None:
        """Count a question (always) and keep its text if :attr:`~InteractionRecord.worth_keeping`."""
        ...

    def record_vote(self, answer_id: str, up: bool, at: dt.datetime, record: InteractionRecord | None = None) -> bool:
        """Record 👍 (``up``) or 👎 on an answer; ``record`` is kept first if it is not stored yet.

        Returns False (and records nothing) when the answer is neither stored nor given.
        """
        ...

    def record_handoff(self, answer_id: str, at: dt.datetime, record: InteractionRecord | None = None) -> bool:
        """Note that a kept question was passed to the hub team (once; later calls change nothing);
        ``record`` is kept first if it is not stored yet. False when the question is neither.
        """
        ...

    def close_handoff(self, answer_id: str, outcome: HandoffOutcome, at: dt.datetime) -> bool:
        """Close an open hand-off as answered or unreachable; False if there is no open one."""
        ...

    # Every read takes ``hub_id``: only that hub's records, or (None) every hub's.
    def handoffs(self, since: dt.datetime, hub_id: str | None = None) -> list[Handoff]:
        """Hand-offs made at or after ``since``, and every one still open, oldest first."""
        ...

    def interactions(
        self, since: dt.datetime, statuses: Sequence[str] | None = None, hub_id: str | None = None
    ) -> list[InteractionRecord]:
        """Kept interactions asked at or after ``since`` (optionally of some statuses), oldest first."""
        ...

    def voted_answers(self, since: dt.datetime, hub_id: str | None = None) -> list[VotedAnswer]:
        """Answers with votes cast at or after ``since``, with their 👍 and 👎 counts."""
        ...

    def question_counts(self, since: dt.date, hub_id: str | None = None) -> list[QuestionCount]:
        """Question counts of ``since`` and later days."""
        ...

    def reminder_leads_done(self, entry_id: str, deadline_date: dt.date, hub_id: str = DEFAULT_HUB_ID) -> set[int]:
        """Lead times (days) already sent or skipped for one deadline of one hub."""
        ...

    def claim_reminder(self, mark: ReminderMark, stale_before: dt.datetime) -> bool:
        """Claim the right to post the reminder ``mark`` records as sent, before posting it.

        True for exactly one caller across every process sharing the database: the reminder is
        still due (no mark for its lead time or a nearer one) and nobody holds a claim on it, or
        the claim held was made before ``stale_before`` by a process that never posted it.
        """
        ...

    def release_reminder(self, mark: ReminderMark) -> None:
        """Give up a claim whose post failed, so that the next check (of any process) tries again."""
        ...

    def mark_reminders(self, marks: Sequence[ReminderMark]) -> None:
        """Record reminders as sent or skipped (a mark already present is left as it is)."""
        ...

    def purge_older_than(self, days: int, now: dt.datetime) -> PurgeResult:
        """Delete what is older than ``days`` before ``now``, and nothing else."""
        ...

    def close(self) -> None: ...


# ----- failures -----------------------------------------------------------------------------------
class StorageError(Exception):
    """The database could not do what was asked; the message says why in plain words.

    ``busy``: another connection held a lock longer than the bounded wait. ``transient``: the
    database may well work again later (busy, or the server cannot be reached now); a fault that
    will not go away by itself (a wrong password, a missing database) is not transient.
    """

    def __init__(self, message: str, *, busy: bool = False, transient: bool = False) -> None:
        super().__init__(message)
        self.busy = busy
        self.transient = transient or busy


#: What the storage backends raise when the database fails: SQLite's own errors, or a
#: :class:`StorageError` (the PostgreSQL backend turns every driver error into one).
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, StorageError)


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` means another connection holds the database (SQLite's SQLITE_BUSY or
    SQLITE_LOCKED, or a PostgreSQL lock wait that ran out).
    """
    if isinstance(error, StorageError):
        return error.busy
    return isinstance(error, sqlite3.OperationalError) and (
        getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        or "locked" in str(error)
    )


def is_transient(error: BaseException) -> bool:
    """Whether the database may work again by itself: busy, or a server that cannot be reached now."""
    return is_busy(error) or (isinstance(error, StorageError) and error.transient)


def describe_failure(error: BaseException) -> str:
    """The reason a write failed, in one line for the log."""
    if isinstance(error, StorageError):
        return str(error)
    if is_busy(error):
        return "the database is locked by another program"
    return f"{type(error).__name__}: {error}"
