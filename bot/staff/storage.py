"""What the bot keeps about questions, votes and reminders, behind a small storage interface.

What is kept, and what never is
-------------------------------
* **Interactions worth keeping** — a question that ended ``unknown`` or ``clarify``, and any
  answer that got a 👍/👎 vote: the question text, when it was asked (UTC), the guild and channel
  ids, the reply's status, intent, topics and confidence, and the knowledge-base version.
* **Votes** — 👍 or 👎 on an answer id, with the time of the vote.
* **Question counts** — how many questions were asked per UTC day, status and set of topics, with
  no text at all: what the report's counts by topic and phase are built from.
* **Reminders** — which deadline reminders were sent (or skipped in favour of a later one).
* **Hand-offs** — which kept questions a teacher passed to the hub team ("Ask the hub team"), when,
  and whether staff answered (or the teacher could no longer be reached). Who asked, and where to
  deliver the answer, are known only to the running bot, in memory.

Never a user id, user name or message link: these are teachers' messages and the hub is the data
controller. A question's mentions of other people, roles and channels, its email addresses and phone
numbers are replaced by placeholders (:func:`~bot.staff.privacy.scrub_identity`) before it is kept. ``tests/staff/test_storage.py`` inspects the schema and fails on such a column.
Everything but reminders of deadlines still to come is deleted by :meth:`Storage.purge_older_than`
once older than the retention period (``retention_days``, default 180).

The interface and its implementations
-------------------------------------
:class:`Storage` is the interface the bot and the report use. :class:`SQLiteStorage` is the
embedded implementation that ships: one file, WAL journal, foreign keys on, every write in one
transaction, and the schema created and upgraded by :data:`MIGRATIONS` when the file is opened.
When several bot processes need to share records, a PostgreSQL implementation would implement the
same :class:`Storage` methods over the same tables (``TEXT`` times become ``timestamptz``, the
migrations list gets a PostgreSQL twin); nothing outside this module needs to change.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from bot.reply import Reply, Status
from bot.staff.privacy import scrub_identity

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

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
    """How many questions on one UTC day got ``status`` and drew on exactly ``topics``."""

    day: dt.date
    status: Status
    topics: tuple[str, ...]
    questions: int


@dataclass(frozen=True)
class ReminderMark:
    """A reminder that was sent, or skipped because a nearer one was sent instead."""

    entry_id: str
    deadline_date: dt.date
    lead_days: int
    outcome: Outcome
    at: dt.datetime


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
    handoffs: int = 0

    @property
    def total(self) -> int:
        return self.interactions + self.votes + self.question_counts + self.reminders + self.handoffs


# ----- the interface ------------------------------------------------------------------------------
@runtime_checkable
class Storage(Protocol):
    """Where the bot's records live. Times are timezone-aware; they are stored as UTC.

    Every method that writes does so in a single transaction: it happens completely or not at all.
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

    def handoffs(self, since: dt.datetime) -> list[Handoff]:
        """Hand-offs made at or after ``since``, and every one still open, oldest first."""
        ...

    def interactions(self, since: dt.datetime, statuses: Sequence[str] | None = None) -> list[InteractionRecord]:
        """Kept interactions asked at or after ``since`` (optionally of some statuses), oldest first."""
        ...

    def voted_answers(self, since: dt.datetime) -> list[VotedAnswer]:
        """Answers with votes cast at or after ``since``, with their 👍 and 👎 counts."""
        ...

    def question_counts(self, since: dt.date) -> list[QuestionCount]:
        """Question counts of ``since`` and later days."""
        ...

    def reminder_leads_done(self, entry_id: str, deadline_date: dt.date) -> set[int]:
        """Lead times (days) already sent or skipped for one deadline."""
        ...

    def mark_reminders(self, marks: Sequence[ReminderMark]) -> None:
        """Record reminders as sent or skipped (a mark already present is left as it is)."""
        ...

    def purge_older_than(self, days: int, now: dt.datetime) -> PurgeResult:
        """Delete what is older than ``days`` before ``now``, and nothing else."""
        ...

    def close(self) -> None: ...


# ----- time and topics as stored ------------------------------------------------------------------
def _stamp(moment: dt.datetime) -> str:
    """A UTC time as fixed-width text, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _unstamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _topics_key(topics: Sequence[str]) -> str:
    return json.dumps(sorted(set(topics)))


# ----- schema migrations --------------------------------------------------------------------------
@dataclass(frozen=True)
class Migration:
    """One schema version: the statements that take the schema from the version before to this one."""

    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "interactions, votes, question counts and sent reminders",
        (
            """
            CREATE TABLE interactions (
                answer_id   TEXT PRIMARY KEY,
                asked_at    TEXT NOT NULL,
                guild_id    INTEGER,
                channel_id  INTEGER,
                question    TEXT NOT NULL,
                status      TEXT NOT NULL CHECK (status IN ('answered', 'clarify', 'unknown')),
                intent      TEXT NOT NULL,
                topics      TEXT NOT NULL DEFAULT '[]',
                confidence  REAL NOT NULL,
                kb_version  TEXT NOT NULL
            )
            """,
            "CREATE INDEX interactions_by_time ON interactions (asked_at)",
            """
            CREATE TABLE votes (
                vote_id     INTEGER PRIMARY KEY,
                answer_id   TEXT NOT NULL REFERENCES interactions (answer_id) ON DELETE CASCADE,
                vote        INTEGER NOT NULL CHECK (vote IN (-1, 1)),
                voted_at    TEXT NOT NULL
            )
            """,
            "CREATE INDEX votes_by_answer ON votes (answer_id)",
            "CREATE INDEX votes_by_time ON votes (voted_at)",
            """
            CREATE TABLE question_counts (
                day         TEXT NOT NULL,
                status      TEXT NOT NULL CHECK (status IN ('answered', 'clarify', 'unknown')),
                topics      TEXT NOT NULL,
                questions   INTEGER NOT NULL CHECK (questions > 0),
                PRIMARY KEY (day, status, topics)
            )
            """,
            """
            CREATE TABLE sent_reminders (
                entry_id      TEXT NOT NULL,
                deadline_date TEXT NOT NULL,
                lead_days     INTEGER NOT NULL CHECK (lead_days >= 0),
                sent_at       TEXT NOT NULL,
                outcome       TEXT NOT NULL CHECK (outcome IN ('sent', 'skipped')),
                PRIMARY KEY (entry_id, deadline_date, lead_days)
            )
            """,
        ),
    ),
    Migration(
        2,
        "questions handed off to the hub team",
        (
            """
            CREATE TABLE handoffs (
                answer_id      TEXT PRIMARY KEY REFERENCES interactions (answer_id) ON DELETE CASCADE,
                handed_off_at  TEXT NOT NULL,
                closed_at      TEXT,
                outcome        TEXT CHECK (outcome IN ('answered', 'unreachable')),
                CHECK ((closed_at IS NULL) = (outcome IS NULL))
            )
            """,
            "CREATE INDEX handoffs_by_time ON handoffs (handed_off_at)",
        ),
    ),
)


def schema_version(connection: sqlite3.Connection) -> int:
    """The highest migration applied to the database (0 for a new one)."""
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(connection: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Apply the migrations the database has not had yet, in order, each in its own transaction.

    ``connection`` must be in autocommit mode (``isolation_level=None``). Safe to call again and
    from several processes at once: the version is read again under the write lock. Returns the
    versions applied.
    """
    versions = [migration.version for migration in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] != 1):
        raise ValueError(f"migrations must be numbered 1, 2, … in order, got {versions}")
    applied: list[int] = []
    if versions and schema_version(connection) >= versions[-1]:
        return applied  # up to date: no write lock needed, so another writer cannot hold up the start
    for migration in migrations:
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            current = schema_version(connection)
            if migration.version <= current:
                connection.execute("COMMIT")
                continue
            if migration.version != current + 1:
                raise RuntimeError(f"database is at schema version {current}; cannot apply {migration.version}")
            for statement in migration.statements:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (migration.version, _stamp(dt.datetime.now(dt.UTC))),
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    if applied:  # one line however many were applied, so a first start stays quiet
        described = "; ".join(m.description for m in migrations if m.version in applied)
        log.info("database schema migrated to version %d: %s", applied[-1], described)
    return applied


# ----- SQLite ----------------------------------------------------------------------------------------
def is_busy(error: BaseException) -> bool:
    """Whether ``error`` means another connection holds the database (SQLITE_BUSY or SQLITE_LOCKED)."""
    return isinstance(error, sqlite3.OperationalError) and (
        getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        or "locked" in str(error)
    )


DEFAULT_BUSY_TIMEOUT = 10.0


class SQLiteStorage:
    """:class:`Storage` in one SQLite file (the embedded default).

    Safe to share between threads: writes go through one connection behind a lock, reads through a
    second one, so a write waiting for another program's lock (at most ``busy_timeout`` seconds,
    then :class:`sqlite3.OperationalError`) never holds up a read — WAL lets reads go on meanwhile.
    The bot calls it off the event loop.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        in_memory = str(path) == ":memory:"
        if not in_memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            str(path), isolation_level=None, timeout=busy_timeout, check_same_thread=False
        )
        self._read_lock = self._lock
        self._reader = self._db
        try:
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal" and str(path) != ":memory:":
                log.warning("SQLite refused WAL mode for %s (journal mode %s)", path, mode)
            self._db.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL survives a crashed or killed process; only a power cut can lose
            # the last commits (never corrupt the file).
            self._db.execute("PRAGMA synchronous = NORMAL")
            migrate(self._db, migrations)
            if not in_memory:  # a second connection to ":memory:" would be another database
                self._reader = sqlite3.connect(
                    str(path), isolation_level=None, timeout=busy_timeout, check_same_thread=False
                )
                self._read_lock = threading.Lock()
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def from_settings(cls, settings: Settings) -> SQLiteStorage:
        """The database named by the settings' ``database_path`` (created on first use), whose writes
        wait at most ``database_wait_seconds`` for another program's lock.
        """
        return cls(settings.database_path, busy_timeout=settings.database_wait_seconds)

    def __enter__(self) -> SQLiteStorage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._reader is not self._db:
            with self._read_lock:
                self._reader.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection, for inspection (tests, integrity checks)."""
        return self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._read_lock:
            cursor = self._reader.execute(sql, tuple(parameters))
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    # ----- writes --------------------------------------------------------------------------------------
    def record_answer(self, record: InteractionRecord) -> None:
        with self._transaction() as db:
            db.execute(
                """
                INSERT INTO question_counts (day, status, topics, questions) VALUES (?, ?, ?, 1)
                ON CONFLICT (day, status, topics) DO UPDATE SET questions = questions + 1
                """,
                (record.asked_at.astimezone(dt.UTC).date().isoformat(), record.status, _topics_key(record.topics)),
            )
            if record.worth_keeping:
                self._insert_interaction(db, record)

    def record_vote(self, answer_id: str, up: bool, at: dt.datetime, record: InteractionRecord | None = None) -> bool:
        if record is not None and record.answer_id != answer_id:
            raise ValueError("the record is of another answer")
        with self._transaction() as db:
            if record is not None:
                self._insert_interaction(db, record)
            if db.execute("SELECT 1 FROM interactions WHERE answer_id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute(
                "INSERT INTO votes (answer_id, vote, voted_at) VALUES (?, ?, ?)",
                (answer_id, 1 if up else -1, _stamp(at)),
            )
            return True

    def record_handoff(self, answer_id: str, at: dt.datetime, record: InteractionRecord | None = None) -> bool:
        if record is not None and record.answer_id != answer_id:
            raise ValueError("the record is of another answer")
        with self._transaction() as db:
            if record is not None:
                self._insert_interaction(db, record)
            if db.execute("SELECT 1 FROM interactions WHERE answer_id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute(
                "INSERT INTO handoffs (answer_id, handed_off_at) VALUES (?, ?) ON CONFLICT (answer_id) DO NOTHING",
                (answer_id, _stamp(at)),
            )
            return True

    def close_handoff(self, answer_id: str, outcome: HandoffOutcome, at: dt.datetime) -> bool:
        with self._transaction() as db:
            closed = db.execute(
                "UPDATE handoffs SET closed_at = ?, outcome = ? WHERE answer_id = ? AND outcome IS NULL",
                (_stamp(at), outcome, answer_id),
            ).rowcount
        return bool(closed)

    @staticmethod
    def _insert_interaction(db: sqlite3.Connection, record: InteractionRecord) -> None:
        db.execute(
            """
            INSERT INTO interactions
                (answer_id, asked_at, guild_id, channel_id, question, status, intent, topics, confidence, kb_version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (answer_id) DO NOTHING
            """,
            (
                record.answer_id,
                _stamp(record.asked_at),
                record.guild_id,
                record.channel_id,
                record.question,
                record.status,
                record.intent,
                json.dumps(list(record.topics)),
                record.confidence,
                record.kb_version,
            ),
        )

    def mark_reminders(self, marks: Sequence[ReminderMark]) -> None:
        with self._transaction() as db:
            db.executemany(
                """
                INSERT INTO sent_reminders (entry_id, deadline_date, lead_days, sent_at, outcome)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (entry_id, deadline_date, lead_days) DO NOTHING
                """,
                [(m.entry_id, m.deadline_date.isoformat(), m.lead_days, _stamp(m.at), m.outcome) for m in marks],
            )

    def purge_older_than(self, days: int, now: dt.datetime) -> PurgeResult:
        if days < 1:
            raise ValueError("the retention period must be at least one day")
        cutoff = now.astimezone(dt.UTC) - dt.timedelta(days=days)
        stamp, day = _stamp(cutoff), cutoff.date().isoformat()
        with self._transaction() as db:
            # Votes go with their interaction (ON DELETE CASCADE); count them for the result.
            votes = db.execute(
                "SELECT COUNT(*) FROM votes WHERE voted_at < ? "
                "OR answer_id IN (SELECT answer_id FROM interactions WHERE asked_at < ?)",
                (stamp, stamp),
            ).fetchone()[0]
            db.execute("DELETE FROM votes WHERE voted_at < ?", (stamp,))
            # Hand-offs go with their interaction too.
            handoffs = db.execute(
                "SELECT COUNT(*) FROM handoffs WHERE answer_id IN (SELECT answer_id FROM interactions WHERE asked_at < ?)",
                (stamp,),
            ).fetchone()[0]
            interactions = db.execute("DELETE FROM interactions WHERE asked_at < ?", (stamp,)).rowcount
            # A day's count is due once the whole day is older than the cut-off.
            counts = db.execute("DELETE FROM question_counts WHERE day < ?", (day,)).rowcount
            # A reminder mark is due once its deadline is older than the cut-off too, so it can
            # never be sent again.
            reminders = db.execute(
                "DELETE FROM sent_reminders WHERE deadline_date < ? AND sent_at < ?", (day, stamp)
            ).rowcount
        result = PurgeResult(interactions, votes, counts, reminders, handoffs)
        if result.total:
            log.info("retention: deleted %s (older than %d days)", result, days)
        return result

    # ----- reads ---------------------------------------------------------------------------------------
    @staticmethod
    def _interaction(row: sqlite3.Row) -> InteractionRecord:
        return InteractionRecord(
            answer_id=row["answer_id"],
            asked_at=_unstamp(row["asked_at"]),
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            question=row["question"],
            status=row["status"],
            intent=row["intent"],
            topics=tuple(json.loads(row["topics"])),
            confidence=row["confidence"],
            kb_version=row["kb_version"],
        )

    def interactions(self, since: dt.datetime, statuses: Sequence[str] | None = None) -> list[InteractionRecord]:
        sql = "SELECT * FROM interactions WHERE asked_at >= ?"
        parameters: list[object] = [_stamp(since)]
        if statuses is not None:
            sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
            parameters += list(statuses)
        rows = self._read(sql + " ORDER BY asked_at, rowid", parameters)
        return [self._interaction(row) for row in rows]

    def handoffs(self, since: dt.datetime) -> list[Handoff]:
        rows = self._read(
            """
            SELECT i.*, h.handed_off_at, h.closed_at, h.outcome
            FROM handoffs AS h JOIN interactions AS i ON i.answer_id = h.answer_id
            WHERE h.handed_off_at >= ? OR h.outcome IS NULL
            ORDER BY h.handed_off_at, i.answer_id
            """,
            [_stamp(since)],
        )
        return [
            Handoff(
                self._interaction(row),
                _unstamp(row["handed_off_at"]),
                _unstamp(row["closed_at"]) if row["closed_at"] else None,
                row["outcome"],
            )
            for row in rows
        ]

    def voted_answers(self, since: dt.datetime) -> list[VotedAnswer]:
        rows = self._read(
            """
            SELECT i.*, SUM(v.vote = 1) AS up, SUM(v.vote = -1) AS down
            FROM interactions AS i JOIN votes AS v ON v.answer_id = i.answer_id
            WHERE v.voted_at >= ?
            GROUP BY i.answer_id
            ORDER BY down DESC, i.asked_at
            """,
            [_stamp(since)],
        )
        return [VotedAnswer(self._interaction(row), int(row["up"]), int(row["down"])) for row in rows]

    def question_counts(self, since: dt.date) -> list[QuestionCount]:
        rows = self._read(
            "SELECT day, status, topics, questions FROM question_counts WHERE day >= ? ORDER BY day, status, topics",
            [since.isoformat()],
        )
        return [
            QuestionCount(dt.date.fromisoformat(row["day"]), row["status"], tuple(json.loads(row["topics"])), row["questions"])
            for row in rows
        ]

    def reminder_leads_done(self, entry_id: str, deadline_date: dt.date) -> set[int]:
        rows = self._read(
            "SELECT lead_days FROM sent_reminders WHERE entry_id = ? AND deadline_date = ?",
            [entry_id, deadline_date.isoformat()],
        )
        return {int(row["lead_days"]) for row in rows}

    def reminder_marks(self) -> list[ReminderMark]:
        """Every reminder mark (for staff and tests), oldest deadline first."""
        rows = self._read("SELECT * FROM sent_reminders ORDER BY deadline_date, entry_id, lead_days DESC")
        return [
            ReminderMark(
                row["entry_id"], dt.date.fromisoformat(row["deadline_date"]), row["lead_days"],
                row["outcome"], _unstamp(row["sent_at"]),
            )
            for row in rows
        ]

    def integrity_problems(self) -> list[str]:
        """What ``PRAGMA integrity_check`` and ``foreign_key_check`` report; empty when all is well."""
        with self._lock:
            integrity = [row[0] for row in self._db.execute("PRAGMA integrity_check")]
            foreign = [str(tuple(row)) for row in self._db.execute("PRAGMA foreign_key_check")]
        return [line for line in integrity if line != "ok"] + foreign
