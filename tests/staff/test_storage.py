"""The SQLite storage: schema, migrations, transactions, retention, and no personal data."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.staff.storage import (
    MIGRATIONS,
    Migration,
    ReminderMark,
    SQLiteStorage,
    Storage,
    migrate,
    schema_version,
)
from tests.staff.conftest import NOW, record

ROOT = Path(__file__).resolve().parents[2]
PERSONAL = ("user", "author", "member", "name", "nick", "link", "message", "email", "ip_address", "avatar")


def tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return sorted(row[0] for row in rows)


def test_sqlite_storage_implements_the_interface(storage: SQLiteStorage) -> None:
    assert isinstance(storage, Storage)


def test_no_column_can_hold_personal_data(storage: SQLiteStorage) -> None:
    columns = {
        (table, row[1]) for table in tables(storage.connection)
        for row in storage.connection.execute(f"PRAGMA table_info({table})")
    }
    assert ("interactions", "question") in columns  # the inspection sees the real schema
    offending = [(table, column) for table, column in columns if any(word in column.lower() for word in PERSONAL)]
    assert not offending, f"columns that could hold personal data: {offending}"


def test_wal_mode_and_foreign_keys(storage: SQLiteStorage) -> None:
    assert storage.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert storage.connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrations_apply_from_empty_and_are_idempotent(db_path: Path) -> None:
    with SQLiteStorage(db_path) as first:
        assert schema_version(first.connection) == len(MIGRATIONS)
        created = tables(first.connection)
        assert {"interactions", "votes", "question_counts", "sent_reminders", "handoffs", "schema_version"} <= set(created)
        assert migrate(first.connection) == []
    with SQLiteStorage(db_path) as again:
        assert tables(again.connection) == created
        rows = again.connection.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        assert [row[0] for row in rows] == [m.version for m in MIGRATIONS]


def test_a_later_migration_is_applied_on_open_and_only_once(db_path: Path) -> None:
    SQLiteStorage(db_path).close()
    later = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "notes", ("CREATE TABLE staff_notes (note TEXT)",)))
    with SQLiteStorage(db_path, migrations=later) as upgraded:
        assert schema_version(upgraded.connection) == len(later)
        assert "staff_notes" in tables(upgraded.connection)
        assert migrate(upgraded.connection, later) == []


def test_a_failing_migration_changes_nothing(db_path: Path) -> None:
    SQLiteStorage(db_path).close()
    broken = (
        *MIGRATIONS,
        Migration(len(MIGRATIONS) + 1, "half", ("CREATE TABLE half_done (x TEXT)", "CREATE TABLE oops (")),
    )
    with pytest.raises(sqlite3.Error):
        SQLiteStorage(db_path, migrations=broken)
    with SQLiteStorage(db_path) as reopened:
        assert schema_version(reopened.connection) == len(MIGRATIONS)
        assert "half_done" not in tables(reopened.connection)


def test_migrations_must_be_numbered_in_order(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    with pytest.raises(ValueError, match="in order"):
        migrate(connection, (Migration(2, "two", ()), Migration(1, "one", ())))
    connection.close()


def test_answered_questions_are_counted_but_their_text_is_not_kept(storage: SQLiteStorage) -> None:
    storage.record_answer(record("a1", "How much is SKTM?", status="answered", topics=("sktm",)))
    storage.record_answer(record("u1", "Is there a maths trip?", status="unknown"))
    storage.record_answer(record("c1", "Mastering Number?", status="clarify", topics=("mn-ks2", "mn-ks1")))
    kept = storage.interactions(NOW - dt.timedelta(days=1))
    assert [r.answer_id for r in kept] == ["u1", "c1"]
    assert kept[1].topics == ("mn-ks2", "mn-ks1")
    assert kept[1] == record("c1", "Mastering Number?", status="clarify", topics=("mn-ks2", "mn-ks1"))
    counts = storage.question_counts(NOW.date())
    assert sorted((c.status, c.topics, c.questions) for c in counts) == [
        ("answered", ("sktm",), 1), ("clarify", ("mn-ks1", "mn-ks2"), 1), ("unknown", (), 1),
    ]


def test_a_vote_keeps_the_answer_it_is_about(storage: SQLiteStorage) -> None:
    answered = record("a1", "How much is SKTM?", status="answered", topics=("sktm",))
    storage.record_answer(answered)
    assert storage.record_vote("a1", False, NOW) is False  # text not kept, and not given
    assert storage.record_vote("a1", False, NOW, answered) is True
    assert storage.record_vote("a1", True, NOW) is True
    voted = storage.voted_answers(NOW - dt.timedelta(hours=1))
    assert [(v.interaction.answer_id, v.up, v.down) for v in voted] == [("a1", 1, 1)]
    assert [r.answer_id for r in storage.interactions(NOW - dt.timedelta(days=1))] == ["a1"]


def test_a_vote_for_an_unknown_answer_is_not_recorded(storage: SQLiteStorage) -> None:
    assert storage.record_vote("nope", True, NOW) is False
    assert storage.connection.execute("SELECT COUNT(*) FROM votes").fetchone()[0] == 0


def test_times_must_carry_a_zone(storage: SQLiteStorage) -> None:
    with pytest.raises(ValueError, match="timezone"):
        storage.record_answer(record("x", asked_at=dt.datetime(2026, 1, 1)))


def test_retention_removes_what_is_due_and_nothing_else(storage: SQLiteStorage) -> None:
    days = 180
    cutoff = NOW - dt.timedelta(days=days)
    second = dt.timedelta(seconds=1)
    storage.record_answer(record("old", asked_at=cutoff - second))
    storage.record_answer(record("edge", asked_at=cutoff))
    storage.record_answer(record("new", asked_at=cutoff + second))
    storage.record_answer(record("recent", asked_at=NOW - dt.timedelta(days=3)))
    storage.record_vote("old", False, cutoff)
    storage.record_vote("new", True, cutoff + dt.timedelta(days=1))
    # Counts: the day before the cut-off's day is wholly older; the cut-off's own day is not.
    storage.record_answer(record("day-before", status="answered", asked_at=cutoff - dt.timedelta(days=1)))
    storage.mark_reminders([
        ReminderMark("past", (cutoff - dt.timedelta(days=2)).date(), 7, "sent", cutoff - dt.timedelta(days=9)),
        ReminderMark("future", (NOW + dt.timedelta(days=30)).date(), 7, "sent", cutoff - dt.timedelta(days=9)),
        ReminderMark("recent", (cutoff - dt.timedelta(days=2)).date(), 1, "sent", cutoff + second),
    ])
    counts_before = {(c.day, c.status): c.questions for c in storage.question_counts(dt.date.min)}

    result = storage.purge_older_than(days, NOW)

    kept = [r.answer_id for r in storage.interactions(dt.datetime.min.replace(tzinfo=dt.UTC))]
    assert kept == ["edge", "new", "recent"]
    assert (result.interactions, result.votes) == (1, 1)
    assert [(v.interaction.answer_id, v.up) for v in storage.voted_answers(cutoff - dt.timedelta(days=9))] == [("new", 1)]
    counts_after = {(c.day, c.status): c.questions for c in storage.question_counts(dt.date.min)}
    assert counts_after == {key: n for key, n in counts_before.items() if key[0] >= cutoff.date()}
    assert result.question_counts == len(counts_before) - len(counts_after) == 1
    assert sorted(m.entry_id for m in storage.reminder_marks()) == ["future", "recent"]
    assert result.reminders == 1
    assert storage.purge_older_than(days, NOW).total == 0  # nothing more is due


def test_a_handoff_is_noted_once_and_closed_once(storage: SQLiteStorage) -> None:
    storage.record_answer(record("h1", "Who runs the conference?"))
    assert storage.record_handoff("h1", NOW) is True
    assert storage.record_handoff("h1", NOW + dt.timedelta(hours=1)) is True  # repeated: nothing changes
    [handoff] = storage.handoffs(NOW - dt.timedelta(days=1))
    assert (handoff.interaction.question, handoff.handed_off_at, handoff.is_open) == ("Who runs the conference?", NOW, True)

    assert storage.close_handoff("h1", "answered", NOW + dt.timedelta(hours=2)) is True
    assert storage.close_handoff("h1", "unreachable", NOW + dt.timedelta(hours=3)) is False  # already closed
    [closed] = storage.handoffs(NOW - dt.timedelta(days=1))
    assert (closed.outcome, closed.closed_at, closed.is_open) == ("answered", NOW + dt.timedelta(hours=2), False)


def test_a_handoff_of_an_unstored_question_keeps_the_record_given(storage: SQLiteStorage) -> None:
    assert storage.record_handoff("nope", NOW) is False
    assert storage.connection.execute("SELECT COUNT(*) FROM handoffs").fetchone()[0] == 0
    assert storage.record_handoff("late", NOW, record("late", "Is there a conference?")) is True
    [handoff] = storage.handoffs(NOW - dt.timedelta(days=1))
    assert handoff.interaction.question == "Is there a conference?"
    assert storage.close_handoff("never-handed-off", "answered", NOW) is False


def test_open_handoffs_are_listed_whatever_the_period(storage: SQLiteStorage) -> None:
    for answer_id, days_ago in (("old-open", 60), ("old-answered", 60), ("new", 1)):
        asked = NOW - dt.timedelta(days=days_ago)
        storage.record_answer(record(answer_id, asked_at=asked))
        storage.record_handoff(answer_id, asked)
    storage.close_handoff("old-answered", "answered", NOW - dt.timedelta(days=59))
    listed = [h.interaction.answer_id for h in storage.handoffs(NOW - dt.timedelta(days=30))]
    assert listed == ["old-open", "new"]


def test_retention_removes_handoffs_with_their_question(storage: SQLiteStorage) -> None:
    old = NOW - dt.timedelta(days=200)
    storage.record_answer(record("old", asked_at=old))
    storage.record_handoff("old", old)
    storage.record_answer(record("new"))
    storage.record_handoff("new", NOW)
    result = storage.purge_older_than(180, NOW)
    assert (result.interactions, result.handoffs) == (1, 1)
    assert [h.interaction.answer_id for h in storage.handoffs(dt.datetime.min.replace(tzinfo=dt.UTC))] == ["new"]


def test_retention_period_must_be_positive(storage: SQLiteStorage) -> None:
    with pytest.raises(ValueError):
        storage.purge_older_than(0, NOW)


def test_storage_can_be_shared_between_threads(storage: SQLiteStorage) -> None:
    def write(number: int) -> None:
        storage.record_answer(record(f"t{number}", f"question {number}"))
        storage.record_vote(f"t{number}", number % 2 == 0, NOW)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(200)))
    assert len(storage.interactions(NOW - dt.timedelta(days=1))) == 200
    assert storage.integrity_problems() == []


def test_reminder_marks_are_not_overwritten(storage: SQLiteStorage) -> None:
    day = dt.date(2026, 4, 28)
    storage.mark_reminders([ReminderMark("e", day, 7, "skipped", NOW)])
    storage.mark_reminders([ReminderMark("e", day, 7, "sent", NOW), ReminderMark("e", day, 1, "sent", NOW)])
    assert storage.reminder_leads_done("e", day) == {7, 1}
    assert [(m.lead_days, m.outcome) for m in storage.reminder_marks()] == [(7, "skipped"), (1, "sent")]


# ----- a process killed in the middle of writing ----------------------------------------------------
WRITER = textwrap.dedent(
    """
    import datetime as dt, itertools, os, sys
    sys.path.insert(0, {root!r})
    from bot.staff.storage import InteractionRecord, ReminderMark, SQLiteStorage

    storage = SQLiteStorage({path!r})
    now = dt.datetime.now(dt.UTC)
    prefix = "p{round}"
    for i in itertools.count():
        answer_id = f"{{prefix}}-{{i}}"
        storage.record_answer(InteractionRecord(
            answer_id=answer_id, asked_at=now, guild_id=1, channel_id=2,
            question=(answer_id + " ") * 400, status="unknown", intent="unknown",
            topics=("t",), confidence=0.0, kb_version="v",
        ))
        storage.mark_reminders([
            ReminderMark(answer_id, dt.date(2026, 1, 1), lead, "sent", now) for lead in range(50)
        ])
        if i == 20:
            print("busy", flush=True)
    """
)


def test_storage_survives_a_process_killed_mid_write(db_path: Path) -> None:
    SQLiteStorage(db_path).close()
    for round_number in range(4):
        script = WRITER.format(root=str(ROOT), path=str(db_path), round=round_number)
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "busy"
            time.sleep(0.05 + 0.07 * round_number)
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL

    with SQLiteStorage(db_path) as reopened:
        assert reopened.integrity_problems() == []
        rows = reopened.interactions(dt.datetime.min.replace(tzinfo=dt.UTC))
        assert len(rows) > 4 * 20
        for row in rows:  # every row complete
            assert row.question == (row.answer_id + " ") * 400
            assert row.topics == ("t",)
        # The count and the kept question were written in one transaction: both or neither.
        counted = sum(c.questions for c in reopened.question_counts(dt.date.min))
        assert counted == len(rows)
        # Each batch of 50 reminder marks is all there or not at all.
        batches = reopened.connection.execute(
            "SELECT entry_id, COUNT(*) FROM sent_reminders GROUP BY entry_id"
        ).fetchall()
        assert {count for _, count in batches} == {50}
        ids = {row.answer_id for row in rows}
        missing_marks = ids - {entry for entry, _ in batches}
        assert len(missing_marks) <= 4  # at most the last question of each killed run
        # The database still takes writes.
        reopened.record_answer(record("after", asked_at=NOW))
