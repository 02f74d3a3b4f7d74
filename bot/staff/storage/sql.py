"""The :class:`Storage` methods written once, in the SQL both SQLite and PostgreSQL understand.

A backend subclasses :class:`SQLStorage` and supplies only what differs: how a transaction starts
(:meth:`SQLStorage._transaction`, :meth:`SQLStorage._schema_transaction`), how a read runs, and how
times and dates travel to and from the database. Queries use ``?`` placeholders; a backend whose
driver wants another style converts them in its executor (so no statement, migrations included,
may hold a literal ``?``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, Self

from bot.config import DEFAULT_HUB_ID
from bot.staff.storage.interface import (
    Handoff,
    HandoffOutcome,
    InteractionRecord,
    PurgeResult,
    QuestionCount,
    ReminderMark,
    VotedAnswer,
)
from bot.staff.storage.migrations import MIGRATIONS, SCHEMA_VERSION_TABLE, Dialect, Migration, check_numbering

log = logging.getLogger("bot.staff.storage")

Row = Mapping[str, Any]


class Result(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Executor(Protocol):
    """Runs statements inside one transaction; rows are read by column name."""

    def run(self, sql: str, parameters: Sequence[object] = ()) -> Result: ...

    def run_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...


def topics_key(topics: Sequence[str]) -> str:
    """The topics of a question count as stored: sorted, without repeats, as JSON."""
    return json.dumps(sorted(set(topics)))


def utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a time without a zone is refused (it would be ambiguous)."""
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(dt.UTC)


def _of_hub(column: str, hub_id: str | None) -> str:
    """The condition that keeps one hub's rows (none: every hub's), to follow a WHERE clause."""
    return "" if hub_id is None else f" AND {column} = ?"


def _hub_parameter(hub_id: str | None) -> list[object]:
    return [] if hub_id is None else [hub_id]


class SQLStorage:
    """:class:`~bot.staff.storage.interface.Storage` over a SQL database; see the module docstring."""

    dialect: Dialect
    label: str  # where the records are, for log lines and messages (never a password)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----- what a backend supplies --------------------------------------------------------------
    def _transaction(self) -> AbstractContextManager[Executor]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        raise NotImplementedError

    def _schema_transaction(self) -> AbstractContextManager[Executor]:
        """A write transaction that also holds the schema lock (one migrating process at a time)."""
        raise NotImplementedError

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        raise NotImplementedError

    def _time(self, moment: dt.datetime) -> object:
        raise NotImplementedError

    def _day(self, day: dt.date) -> object:
        raise NotImplementedError

    def _read_time(self, value: Any) -> dt.datetime:
        raise NotImplementedError

    def _read_day(self, value: Any) -> dt.date:
        raise NotImplementedError

    def _table_exists_sql(self) -> str:
        """A query of one row (column ``present``) when the table named by its parameter exists."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # ----- schema -------------------------------------------------------------------------------
    def _version_in(self, db: Executor | None) -> int:
        query = "SELECT MAX(version) AS version FROM schema_version"
        if db is None:
            if not self._read(self._table_exists_sql(), ["schema_version"]):
                return 0
            rows = self._read(query)
        else:
            if db.run(self._table_exists_sql(), ["schema_version"]).fetchone() is None:
                return 0
            rows = [db.run(query).fetchone()]
        return int(rows[0]["version"] or 0)

    def schema_version(self) -> int:
        """The highest migration applied to the database (0 for a new one)."""
        return self._version_in(None)

    def migrate(self, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
        """Apply the migrations the database has not had yet, in order, each in its own transaction.

        Safe to call again and from several processes at once: the version is read again under the
        schema lock. Returns the versions applied.
        """
        check_numbering(tuple(migrations))
        applied: list[int] = []
        if migrations and self.schema_version() >= migrations[-1].version:
            return applied  # up to date: no lock needed, so another writer cannot hold up the start
        try:
            for migration in migrations:
                with self._schema_transaction() as db:
                    db.run(self.dialect.render(SCHEMA_VERSION_TABLE))
                    current = self._version_in(db)
                    if migration.version <= current:
                        continue
                    if migration.version != current + 1:
                        raise RuntimeError(f"database is at schema version {current}; cannot apply {migration.version}")
                    for statement in migration.statements:
                        db.run(self.dialect.render(statement))
                    db.run(
                        "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                        (migration.version, self._time(dt.datetime.now(dt.UTC))),
                    )
                applied.append(migration.version)
        finally:
            if applied:  # one line, however many versions
                done = "; ".join(f"{m.version}: {m.description}" for m in migrations if m.version in applied)
                log.info("database schema of %s migrated to version %d (%s)", self.label, applied[-1], done)
        return applied

    # ----- writes -------------------------------------------------------------------------------
    def record_answer(self, record: InteractionRecord) -> None:
        with self._transaction() as db:
            db.run(
                """
                INSERT INTO question_counts (hub_id, day, status, topics, questions) VALUES (?, ?, ?, ?, 1)
                ON CONFLICT (hub_id, day, status, topics) DO UPDATE SET questions = question_counts.questions + 1
                """,
                (record.hub_id, self._day(utc(record.asked_at).date()), record.status, topics_key(record.topics)),
            )
            if record.worth_keeping:
                self._insert_interaction(db, record)

    def record_vote(self, answer_id: str, up: bool, at: dt.datetime, record: InteractionRecord | None = None) -> bool:
        if record is not None and record.answer_id != answer_id:
            raise ValueError("the record is of another answer")
        voted_at = self._time(at)
        with self._transaction() as db:
            if record is not None:
                self._insert_interaction(db, record)
            if db.run("SELECT 1 AS known FROM interactions WHERE answer_id = ?", (answer_id,)).fetchone() is None:
                return False
            db.run("INSERT INTO votes (answer_id, vote, voted_at) VALUES (?, ?, ?)", (answer_id, 1 if up else -1, voted_at))
            return True

    def record_handoff(self, answer_id: str, at: dt.datetime, record: InteractionRecord | None = None) -> bool:
        if record is not None and record.answer_id != answer_id:
            raise ValueError("the record is of another answer")
        handed_off_at = self._time(at)
        with self._transaction() as db:
            if record is not None:
                self._insert_interaction(db, record)
            if db.run("SELECT 1 AS known FROM interactions WHERE answer_id = ?", (answer_id,)).fetchone() is None:
                return False
            db.run(
                "INSERT INTO handoffs (answer_id, handed_off_at) VALUES (?, ?) ON CONFLICT (answer_id) DO NOTHING",
                (answer_id, handed_off_at),
            )
            return True

    def close_handoff(self, answer_id: str, outcome: HandoffOutcome, at: dt.datetime) -> bool:
        closed_at = self._time(at)
        with self._transaction() as db:
            closed = db.run(
                "UPDATE handoffs SET closed_at = ?, outcome = ? WHERE answer_id = ? AND outcome IS NULL",
                (closed_at, outcome, answer_id),
            ).rowcount
        return closed == 1

    def _insert_interaction(self, db: Executor, record: InteractionRecord) -> None:
        db.run(
            """
            INSERT INTO interactions
                (answer_id, asked_at, guild_id, channel_id, question, status, intent, topics, confidence, kb_version,
                 hub_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (answer_id) DO NOTHING
            """,
            (
                record.answer_id,
                self._time(record.asked_at),
                record.guild_id,
                record.channel_id,
                record.question,
                record.status,
                record.intent,
                json.dumps(list(record.topics)),
                record.confidence,
                record.kb_version,
                record.hub_id,
            ),
        )

    def claim_reminder(self, mark: ReminderMark, stale_before: dt.datetime) -> bool:
        key = (mark.hub_id, mark.entry_id, self._day(mark.deadline_date), mark.lead_days)
        claimed_at, stale = self._time(mark.at), self._time(stale_before)
        with self._transaction() as db:
            done = [
                int(row["lead_days"])
                for row in db.run(
                    "SELECT lead_days FROM sent_reminders WHERE hub_id = ? AND entry_id = ? AND deadline_date = ?",
                    key[:3],
                ).fetchall()
            ]
            if done and min(done) <= mark.lead_days:
                return False  # this one, or a nearer one, is already out
            # A fresh claim (or a posted one) stays; in PostgreSQL a concurrent claim waits for the
            # row and then finds it taken.
            taken = db.run(
                """
                INSERT INTO reminder_claims (hub_id, entry_id, deadline_date, lead_days, claimed_at, posted)
                VALUES (?, ?, ?, ?, ?, 0)
                ON CONFLICT (hub_id, entry_id, deadline_date, lead_days) DO UPDATE SET claimed_at = excluded.claimed_at
                WHERE reminder_claims.posted = 0 AND reminder_claims.claimed_at < ?
                """,
                (*key, claimed_at, stale),
            )
            return taken.rowcount == 1

    def release_reminder(self, mark: ReminderMark) -> None:
        with self._transaction() as db:
            db.run(
                "DELETE FROM reminder_claims "
                "WHERE hub_id = ? AND entry_id = ? AND deadline_date = ? AND lead_days = ? AND posted = 0",
                (mark.hub_id, mark.entry_id, self._day(mark.deadline_date), mark.lead_days),
            )

    def mark_reminders(self, marks: Sequence[ReminderMark]) -> None:
        rows = [
            (m.hub_id, m.entry_id, self._day(m.deadline_date), m.lead_days, self._time(m.at), m.outcome) for m in marks
        ]
        with self._transaction() as db:
            db.run_many(
                """
                INSERT INTO sent_reminders (hub_id, entry_id, deadline_date, lead_days, sent_at, outcome)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (hub_id, entry_id, deadline_date, lead_days) DO NOTHING
                """,
                rows,
            )
            posted = [row[:4] for row, mark in zip(rows, marks, strict=True) if mark.outcome == "sent"]
            if posted:
                db.run_many(
                    "UPDATE reminder_claims SET posted = 1 "
                    "WHERE hub_id = ? AND entry_id = ? AND deadline_date = ? AND lead_days = ?",
                    posted,
                )

    def purge_older_than(self, days: int, now: dt.datetime) -> PurgeResult:
        if days < 1:
            raise ValueError("the retention period must be at least one day")
        cutoff = utc(now) - dt.timedelta(days=days)
        stamp, day = self._time(cutoff), self._day(cutoff.date())
        with self._transaction() as db:
            # Votes go with their interaction (ON DELETE CASCADE); count them for the result.
            votes = db.run(
                "SELECT COUNT(*) AS n FROM votes WHERE voted_at < ? "
                "OR answer_id IN (SELECT answer_id FROM interactions WHERE asked_at < ?)",
                (stamp, stamp),
            ).fetchone()["n"]
            db.run("DELETE FROM votes WHERE voted_at < ?", (stamp,))
            # Hand-offs go with their interaction too (made after it was asked, so never older).
            handoffs = db.run(
                "SELECT COUNT(*) AS n FROM handoffs WHERE answer_id IN (SELECT answer_id FROM interactions WHERE asked_at < ?)",
                (stamp,),
            ).fetchone()["n"]
            interactions = db.run("DELETE FROM interactions WHERE asked_at < ?", (stamp,)).rowcount
            # A day's count is due once the whole day is older than the cut-off.
            counts = db.run("DELETE FROM question_counts WHERE day < ?", (day,)).rowcount
            # A reminder mark (and claim) is due once its deadline is older than the cut-off too,
            # so it can never be sent again.
            reminders = db.run("DELETE FROM sent_reminders WHERE deadline_date < ? AND sent_at < ?", (day, stamp)).rowcount
            claims = db.run("DELETE FROM reminder_claims WHERE deadline_date < ? AND claimed_at < ?", (day, stamp)).rowcount
        result = PurgeResult(
            interactions=interactions,
            votes=int(votes),
            question_counts=counts,
            reminders=reminders,
            reminder_claims=claims,
            handoffs=int(handoffs),
        )
        if result.total:
            log.info("retention: deleted %s (older than %d days)", result, days)
        return result

    # ----- reads --------------------------------------------------------------------------------
    def _interaction(self, row: Row) -> InteractionRecord:
        return InteractionRecord(
            answer_id=row["answer_id"],
            asked_at=self._read_time(row["asked_at"]),
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            question=row["question"],
            status=row["status"],
            intent=row["intent"],
            topics=tuple(json.loads(row["topics"])),
            confidence=row["confidence"],
            kb_version=row["kb_version"],
            hub_id=row["hub_id"],
        )

    def interactions(
        self, since: dt.datetime, statuses: Sequence[str] | None = None, hub_id: str | None = None
    ) -> list[InteractionRecord]:
        sql = "SELECT * FROM interactions WHERE asked_at >= ?"
        parameters: list[object] = [self._time(since)]
        sql += _of_hub("hub_id", hub_id)
        parameters += _hub_parameter(hub_id)
        if statuses is not None:
            if not statuses:
                return []
            sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
            parameters += list(statuses)
        rows = self._read(sql + self.dialect.render(" ORDER BY asked_at, {insertion_order}"), parameters)
        return [self._interaction(row) for row in rows]

    def handoffs(self, since: dt.datetime, hub_id: str | None = None) -> list[Handoff]:
        sql = """
            SELECT i.*, h.handed_off_at, h.closed_at, h.outcome
            FROM handoffs AS h JOIN interactions AS i ON i.answer_id = h.answer_id
            WHERE (h.handed_off_at >= ? OR h.outcome IS NULL)"""
        sql += _of_hub("i.hub_id", hub_id) + " ORDER BY h.handed_off_at, i.answer_id"
        rows = self._read(sql, [self._time(since), *_hub_parameter(hub_id)])
        return [
            Handoff(
                self._interaction(row),
                self._read_time(row["handed_off_at"]),
                self._read_time(row["closed_at"]) if row["closed_at"] is not None else None,
                row["outcome"],
            )
            for row in rows
        ]

    def voted_answers(self, since: dt.datetime, hub_id: str | None = None) -> list[VotedAnswer]:
        sql = """
            SELECT i.*, SUM(CASE WHEN v.vote = 1 THEN 1 ELSE 0 END) AS up,
                        SUM(CASE WHEN v.vote = -1 THEN 1 ELSE 0 END) AS down
            FROM interactions AS i JOIN votes AS v ON v.answer_id = i.answer_id
            WHERE v.voted_at >= ?"""
        sql += _of_hub("i.hub_id", hub_id) + " GROUP BY i.answer_id ORDER BY down DESC, i.asked_at, i.{insertion_order}"
        rows = self._read(self.dialect.render(sql), [self._time(since), *_hub_parameter(hub_id)])
        return [VotedAnswer(self._interaction(row), int(row["up"]), int(row["down"])) for row in rows]

    def question_counts(self, since: dt.date, hub_id: str | None = None) -> list[QuestionCount]:
        rows = self._read(
            "SELECT hub_id, day, status, topics, questions FROM question_counts "  # noqa: S608 - constants only
            "WHERE day >= ?" + _of_hub("hub_id", hub_id) + " ORDER BY day, status, topics, hub_id",
            [self._day(since), *_hub_parameter(hub_id)],
        )
        return [
            QuestionCount(
                self._read_day(row["day"]), row["status"], tuple(json.loads(row["topics"])), row["questions"], row["hub_id"]
            )
            for row in rows
        ]

    def reminder_leads_done(self, entry_id: str, deadline_date: dt.date, hub_id: str = DEFAULT_HUB_ID) -> set[int]:
        rows = self._read(
            "SELECT lead_days FROM sent_reminders WHERE hub_id = ? AND entry_id = ? AND deadline_date = ?",
            [hub_id, entry_id, self._day(deadline_date)],
        )
        return {int(row["lead_days"]) for row in rows}

    def reminder_marks(self) -> list[ReminderMark]:
        """Every reminder mark (for staff and tests), oldest deadline first."""
        rows = self._read("SELECT * FROM sent_reminders ORDER BY deadline_date, hub_id, entry_id, lead_days DESC")
        return [
            ReminderMark(
                row["entry_id"], self._read_day(row["deadline_date"]), row["lead_days"],
                row["outcome"], self._read_time(row["sent_at"]), row["hub_id"],
            )
            for row in rows
        ]

    def orphan_votes(self) -> int:
        """Votes whose answer is not stored (the foreign key should make this 0)."""
        rows = self._read(
            "SELECT COUNT(*) AS n FROM votes AS v WHERE NOT EXISTS "
            "(SELECT 1 FROM interactions AS i WHERE i.answer_id = v.answer_id)"
        )
        return int(rows[0]["n"])

