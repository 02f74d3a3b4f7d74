"""The storage, on both backends (each test runs on SQLite and on PostgreSQL): schema, migrations,
transactions, retention, hand-offs, reminder claims, processes killed mid-write, and no personal data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.staff.storage import DATABASE_ERRORS, MIGRATIONS, Migration, ReminderMark, SQLStorage, Storage
from tests.staff.conftest import NOW, Database, record

ROOT = Path(__file__).resolve().parents[2]
PERSONAL = ("user", "author", "member", "name", "nick", "link", "message", "email", "ip_address", "avatar")
EVER = dt.datetime.min.replace(tzinfo=dt.UTC)
TABLES = {"interactions", "votes", "question_counts", "sent_reminders", "handoffs", "reminder_claims", "schema_version"}


def test_storage_implements_the_interface(storage: SQLStorage) -> None:
    assert isinstance(storage, Storage)


def test_no_column_can_hold_personal_data(storage: SQLStorage) -> None:
    columns = {(table, column) for table, names in storage.schema_columns().items() for column in names}
    assert ("interactions", "question") in columns  # the inspection sees the real schema
    offending = [(table, column) for table, column in columns if any(word in column.lower() for word in PERSONAL)]
    assert not offending, f"columns that could hold personal data: {offending}"


def test_migrations_apply_from_empty_and_are_idempotent(database: Database) -> None:
    with database.open() as first:
        assert first.schema_version() == len(MIGRATIONS)
        created = first.schema_columns()
        assert set(created) == TABLES
        assert first.migrate() == []
    with database.open() as again:
        assert again.schema_columns() == created
        assert again.schema_version() == len(MIGRATIONS)


def test_a_later_migration_is_applied_on_open_and_only_once(database: Database) -> None:
    database.open().close()
    later = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "notes", ("CREATE TABLE staff_notes (note TEXT, at {time})",)))
    with database.open(migrations=later) as upgraded:
        assert upgraded.schema_version() == len(later)
        assert "staff_notes" in upgraded.schema_columns()
        assert upgraded.migrate(later) == []


def test_a_failing_migration_changes_nothing(database: Database) -> None:
    database.open().close()
    broken = (
        *MIGRATIONS,
        Migration(len(MIGRATIONS) + 1, "half", ("CREATE TABLE half_done (x TEXT)", "CREATE TABLE oops (")),
    )
    with pytest.raises(DATABASE_ERRORS):
        database.open(migrations=broken)
    with database.open() as reopened:
        assert reopened.schema_version() == len(MIGRATIONS)
        assert "half_done" not in reopened.schema_columns()


def test_migrations_must_be_numbered_in_order(storage: SQLStorage) -> None:
    with pytest.raises(ValueError, match="in order"):
        storage.migrate((Migration(2, "two", ()), Migration(1, "one", ())))


def test_answered_questions_are_counted_but_their_text_is_not_kept(storage: SQLStorage) -> None:
    storage.record_answer(record("a1", "How much is SKTM?", status="answered", topics=("sktm",)))
    storage.record_answer(record("u1", "Is there a maths trip?", status="unknown"))
    storage.record_answer(record("c1", "Mastering Number?", status="clarify", topics=("mn-ks2", "mn-ks1")))
    kept = storage.interactions(NOW - dt.timedelta(days=1))
    assert [r.answer_id for r in kept] == ["u1", "c1"]  # asked at the same moment: in the order recorded
    assert kept[1].topics == ("mn-ks2", "mn-ks1")
    assert kept[1] == record("c1", "Mastering Number?", status="clarify", topics=("mn-ks2", "mn-ks1"))
    assert kept[1].asked_at.tzinfo is not None and kept[1].asked_at.utcoffset() == dt.timedelta(0)
    counts = storage.question_counts(NOW.date())
    assert sorted((c.status, c.topics, c.questions) for c in counts) == [
        ("answered", ("sktm",), 1), ("clarify", ("mn-ks1", "mn-ks2"), 1), ("unknown", (), 1),
    ]
    assert storage.interactions(NOW - dt.timedelta(days=1), statuses=[]) == []
    assert [r.answer_id for r in storage.interactions(NOW - dt.timedelta(days=1), statuses=["clarify"])] == ["c1"]


def test_what_is_stored_reads_back_exactly(storage: SQLStorage) -> None:
    snowflake = 1_234_567_890_123_456_789  # Discord ids need 64 bits
    moment = dt.datetime(2026, 3, 31, 13, 14, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    kept = record("x", "Is there a trip? 🚌 ‘quotes’ 'and' \"more\" ?", asked_at=moment, confidence=0.1 + 0.2)
    kept = dataclasses.replace(kept, guild_id=snowflake, channel_id=snowflake + 1)
    storage.record_answer(kept)
    [back] = storage.interactions(moment - dt.timedelta(microseconds=1))
    assert back == kept
    assert back.confidence == 0.1 + 0.2
    assert storage.interactions(moment + dt.timedelta(microseconds=1)) == []


def test_a_vote_keeps_the_answer_it_is_about(storage: SQLStorage) -> None:
    answered = record("a1", "How much is SKTM?", status="answered", topics=("sktm",))
    storage.record_answer(answered)
    assert storage.record_vote("a1", False, NOW) is False  # text not kept, and not given
    assert storage.record_vote("a1", False, NOW, answered) is True
    assert storage.record_vote("a1", True, NOW) is True
    voted = storage.voted_answers(NOW - dt.timedelta(hours=1))
    assert [(v.interaction.answer_id, v.up, v.down) for v in voted] == [("a1", 1, 1)]
    assert [r.answer_id for r in storage.interactions(NOW - dt.timedelta(days=1))] == ["a1"]


def test_most_disliked_answers_come_first(storage: SQLStorage) -> None:
    for answer_id, downs in (("liked", 0), ("disliked", 2), ("mixed", 1)):
        storage.record_answer(record(answer_id))
        storage.record_vote(answer_id, True, NOW)
        for _ in range(downs):
            storage.record_vote(answer_id, False, NOW)
    voted = storage.voted_answers(NOW - dt.timedelta(hours=1))
    assert [(v.interaction.answer_id, v.up, v.down) for v in voted] == [("disliked", 1, 2), ("mixed", 1, 1), ("liked", 1, 0)]


def test_a_vote_for_an_unknown_answer_is_not_recorded(storage: SQLStorage) -> None:
    assert storage.record_vote("nope", True, NOW) is False
    assert storage.voted_answers(EVER) == []
    assert storage.orphan_votes() == 0


def test_times_must_carry_a_zone(storage: SQLStorage) -> None:
    with pytest.raises(ValueError, match="timezone"):
        storage.record_answer(record("x", asked_at=dt.datetime(2026, 1, 1)))


def test_retention_removes_what_is_due_and_nothing_else(storage: SQLStorage) -> None:
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
    past, future = (cutoff - dt.timedelta(days=2)).date(), (NOW + dt.timedelta(days=30)).date()
    storage.mark_reminders([
        ReminderMark("past", past, 7, "sent", cutoff - dt.timedelta(days=9)),
        ReminderMark("future", future, 7, "sent", cutoff - dt.timedelta(days=9)),
        ReminderMark("recent", past, 1, "sent", cutoff + second),
    ])
    assert storage.claim_reminder(ReminderMark("past", past, 1, "sent", cutoff - dt.timedelta(days=9)), EVER)
    assert storage.claim_reminder(ReminderMark("future", future, 1, "sent", cutoff - dt.timedelta(days=9)), EVER)
    counts_before = {(c.day, c.status): c.questions for c in storage.question_counts(dt.date.min)}

    result = storage.purge_older_than(days, NOW)

    kept = [r.answer_id for r in storage.interactions(EVER)]
    assert kept == ["edge", "new", "recent"]
    assert (result.interactions, result.votes) == (1, 1)
    assert [(v.interaction.answer_id, v.up) for v in storage.voted_answers(cutoff - dt.timedelta(days=9))] == [("new", 1)]
    counts_after = {(c.day, c.status): c.questions for c in storage.question_counts(dt.date.min)}
    assert counts_after == {key: n for key, n in counts_before.items() if key[0] >= cutoff.date()}
    assert result.question_counts == len(counts_before) - len(counts_after) == 1
    assert sorted(m.entry_id for m in storage.reminder_marks()) == ["future", "recent"]
    assert (result.reminders, result.reminder_claims) == (1, 1)
    # The claim on the deadline still to come was kept (a claim made before it still holds).
    assert not storage.claim_reminder(ReminderMark("future", future, 1, "sent", NOW), cutoff - dt.timedelta(days=10))
    assert storage.purge_older_than(days, NOW).total == 0  # nothing more is due


def test_a_handoff_is_noted_once_and_closed_once(storage: SQLStorage) -> None:
    storage.record_answer(record("h1", "Who runs the conference?"))
    assert storage.record_handoff("h1", NOW) is True
    assert storage.record_handoff("h1", NOW + dt.timedelta(hours=1)) is True  # repeated: nothing changes
    [handoff] = storage.handoffs(NOW - dt.timedelta(days=1))
    assert (handoff.interaction.question, handoff.handed_off_at, handoff.is_open) == ("Who runs the conference?", NOW, True)

    assert storage.close_handoff("h1", "answered", NOW + dt.timedelta(hours=2)) is True
    assert storage.close_handoff("h1", "unreachable", NOW + dt.timedelta(hours=3)) is False  # already closed
    [closed] = storage.handoffs(NOW - dt.timedelta(days=1))
    assert (closed.outcome, closed.closed_at, closed.is_open) == ("answered", NOW + dt.timedelta(hours=2), False)
    assert closed.closed_at is not None and closed.closed_at.utcoffset() == dt.timedelta(0)


def test_a_handoff_of_an_unstored_question_keeps_the_record_given(storage: SQLStorage) -> None:
    assert storage.record_handoff("nope", NOW) is False
    assert storage.handoffs(EVER) == []
    assert storage.record_handoff("late", NOW, record("late", "Is there a conference?")) is True
    [handoff] = storage.handoffs(NOW - dt.timedelta(days=1))
    assert handoff.interaction.question == "Is there a conference?"
    assert storage.close_handoff("never-handed-off", "answered", NOW) is False
    with pytest.raises(ValueError, match="another answer"):
        storage.record_handoff("late", NOW, record("other"))


def test_open_handoffs_are_listed_whatever_the_period(storage: SQLStorage) -> None:
    for answer_id, days_ago in (("old-open", 60), ("old-answered", 60), ("new", 1)):
        asked = NOW - dt.timedelta(days=days_ago)
        storage.record_answer(record(answer_id, asked_at=asked))
        storage.record_handoff(answer_id, asked)
    storage.close_handoff("old-answered", "answered", NOW - dt.timedelta(days=59))
    listed = [h.interaction.answer_id for h in storage.handoffs(NOW - dt.timedelta(days=30))]
    assert listed == ["old-open", "new"]


def test_retention_removes_handoffs_with_their_question(storage: SQLStorage) -> None:
    old = NOW - dt.timedelta(days=200)
    storage.record_answer(record("old", asked_at=old))
    storage.record_handoff("old", old)
    storage.record_answer(record("new"))
    storage.record_handoff("new", NOW)
    result = storage.purge_older_than(180, NOW)
    assert (result.interactions, result.handoffs) == (1, 1)
    assert [h.interaction.answer_id for h in storage.handoffs(EVER)] == ["new"]
    assert storage.purge_older_than(180, NOW).total == 0


def test_retention_period_must_be_positive(storage: SQLStorage) -> None:
    with pytest.raises(ValueError):
        storage.purge_older_than(0, NOW)


def test_storage_can_be_shared_between_threads(storage: SQLStorage) -> None:
    def write(number: int) -> None:
        storage.record_answer(record(f"t{number}", f"question {number}"))
        storage.record_vote(f"t{number}", number % 2 == 0, NOW)
        assert storage.interactions(NOW, statuses=["unknown"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(200)))
    assert len(storage.interactions(NOW - dt.timedelta(days=1))) == 200
    assert sum(c.questions for c in storage.question_counts(NOW.date())) == 200
    assert sum(v.up + v.down for v in storage.voted_answers(EVER)) == 200
    assert storage.integrity_problems() == []


def test_two_connections_see_each_others_writes(database: Database) -> None:
    with database.open() as one, database.open() as two:
        one.record_answer(record("from-one"))
        two.record_answer(record("from-two", status="clarify"))
        assert two.record_vote("from-one", False, NOW)
        for storage in (one, two):
            assert [r.answer_id for r in storage.interactions(EVER)] == ["from-one", "from-two"]
            assert sum(c.questions for c in storage.question_counts(dt.date.min)) == 2
            assert [v.interaction.answer_id for v in storage.voted_answers(EVER)] == ["from-one"]


def test_reminder_marks_are_not_overwritten(storage: SQLStorage) -> None:
    day = dt.date(2026, 4, 28)
    storage.mark_reminders([ReminderMark("e", day, 7, "skipped", NOW)])
    storage.mark_reminders([ReminderMark("e", day, 7, "sent", NOW), ReminderMark("e", day, 1, "sent", NOW)])
    assert storage.reminder_leads_done("e", day) == {7, 1}
    assert [(m.lead_days, m.outcome) for m in storage.reminder_marks()] == [(7, "skipped"), (1, "sent")]


# ----- claims: one process of several posts each reminder ------------------------------------------
DAY = dt.date(2026, 4, 28)
HOUR = dt.timedelta(hours=1)


def sent(lead: int, at: dt.datetime = NOW, entry: str = "e") -> ReminderMark:
    return ReminderMark(entry, DAY, lead, "sent", at)


def test_a_reminder_is_claimed_once(storage: SQLStorage) -> None:
    assert storage.claim_reminder(sent(7), NOW - HOUR) is True
    assert storage.claim_reminder(sent(7, NOW + dt.timedelta(minutes=5)), NOW - HOUR) is False
    assert storage.claim_reminder(sent(7, entry="other"), NOW - HOUR) is True  # another deadline
    assert storage.claim_reminder(sent(1), NOW - HOUR) is True  # another lead time


def test_a_claim_given_up_after_a_failed_post_can_be_taken_again(storage: SQLStorage) -> None:
    assert storage.claim_reminder(sent(7), NOW - HOUR)
    storage.release_reminder(sent(7))
    assert storage.claim_reminder(sent(7, NOW + dt.timedelta(minutes=15)), NOW - HOUR)


def test_an_abandoned_claim_is_taken_over_once_it_is_stale(storage: SQLStorage) -> None:
    assert storage.claim_reminder(sent(7), NOW - HOUR)  # then the process died before posting
    later = NOW + dt.timedelta(minutes=30)
    assert not storage.claim_reminder(sent(7, later), later - HOUR)
    later = NOW + dt.timedelta(minutes=61)
    assert storage.claim_reminder(sent(7, later), later - HOUR)
    assert not storage.claim_reminder(sent(7, later), later - HOUR)  # and now it is the new owner's


def test_a_posted_reminder_is_never_claimed_again(storage: SQLStorage) -> None:
    assert storage.claim_reminder(sent(7), NOW - HOUR)
    storage.mark_reminders([sent(7), ReminderMark("e", DAY, 14, "skipped", NOW)])
    much_later = NOW + dt.timedelta(days=3)
    assert not storage.claim_reminder(sent(7, much_later), much_later)
    storage.release_reminder(sent(7))  # a late release of a posted claim changes nothing
    assert not storage.claim_reminder(sent(7, much_later), much_later)
    assert not storage.claim_reminder(sent(14, much_later), much_later)  # larger than one sent: too late
    assert storage.claim_reminder(sent(1, much_later), much_later)  # nearer: still to come


def test_a_reminder_marked_without_a_claim_is_not_claimed(storage: SQLStorage) -> None:
    storage.mark_reminders([sent(7)])  # e.g. marked by a version of the bot before claims
    assert not storage.claim_reminder(sent(7), NOW)


def test_threads_racing_for_one_claim_get_it_once(database: Database) -> None:
    connections = [database.open() for _ in range(6)]
    start = threading.Barrier(len(connections))

    def race(storage: SQLStorage) -> bool:
        start.wait()
        return storage.claim_reminder(sent(7), NOW - HOUR)

    try:
        with ThreadPoolExecutor(max_workers=len(connections)) as pool:
            results = list(pool.map(race, connections))
    finally:
        for storage in connections:
            storage.close()
    assert sorted(results) == [False] * 5 + [True]


# ----- processes opening, and processes killed in the middle of writing ------------------------------
OPENER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from bot.staff.storage import open_database
    print("ready", flush=True)
    sys.stdin.readline()
    with open_database({target!r}) as storage:
        print(storage.schema_version(), flush=True)
    """
)


def test_processes_starting_at_once_migrate_the_database_once(database: Database) -> None:
    script = OPENER.format(root=str(ROOT), target=str(database.target))
    children = [
        subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        for child in children:  # as close together as a parent can start them
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = [child.communicate(timeout=60)[0].strip() for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert [child.returncode for child in children] == [0] * 4
    assert outputs == [str(len(MIGRATIONS))] * 4
    with database.open() as storage:
        assert storage.migrate() == []
        assert set(storage.schema_columns()) == TABLES


WRITER = textwrap.dedent(
    """
    import datetime as dt, itertools, sys
    sys.path.insert(0, {root!r})
    from bot.staff.storage import InteractionRecord, ReminderMark, open_database

    storage = open_database({target!r})
    now = dt.datetime.now(dt.UTC)
    prefix = "p{round}"
    for i in itertools.count():
        answer_id = f"{{prefix}}-{{i}}"
        storage.record_answer(InteractionRecord(
            answer_id=answer_id, asked_at=now, guild_id=1, channel_id=2,
            question=(answer_id + " ") * 400, status="unknown", intent="unknown",
            topics=("t",), confidence=0.0, kb_version="v",
        ))
        print(f"answer {{answer_id}}", flush=True)  # acknowledged: the write has returned
        storage.mark_reminders([
            ReminderMark(answer_id, dt.date(2026, 1, 1), lead, "sent", now) for lead in range(50)
        ])
        print(f"marks {{answer_id}}", flush=True)
    """
)


def test_a_process_killed_mid_write_loses_nothing_acknowledged(database: Database) -> None:
    database.open().close()
    acknowledged: dict[str, set[str]] = {"answer": set(), "marks": set()}
    for round_number in range(4):
        script = WRITER.format(root=str(ROOT), target=str(database.target), round=round_number)
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        lines: list[str] = []
        assert child.stdout is not None
        reader = threading.Thread(target=lines.extend, args=(child.stdout,), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 30
            while sum(line.startswith("marks") for line in lines) < 20 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.05 + 0.07 * round_number)
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
        reader.join(timeout=10)
        assert child.returncode == -signal.SIGKILL
        for line in lines:
            if not line.endswith("\n"):
                continue  # cut off by the kill: not a complete acknowledgement
            kind, answer_id = line.split()
            acknowledged[kind].add(answer_id)
        assert len(acknowledged["marks"]) > 20 * (round_number + 1)

    with database.open() as reopened:
        assert reopened.integrity_problems() == []
        rows = reopened.interactions(EVER)
        ids = {row.answer_id for row in rows}
        assert acknowledged["answer"] <= ids  # nothing acknowledged was lost
        assert len(ids - acknowledged["answer"]) <= 4  # at most the last write of each killed run
        for row in rows:  # every row complete
            assert row.question == (row.answer_id + " ") * 400
            assert row.topics == ("t",)
        # The count and the kept question were written in one transaction: both or neither.
        assert sum(c.questions for c in reopened.question_counts(dt.date.min)) == len(rows)
        # Each batch of 50 reminder marks is all there or not at all, and every acknowledged one is.
        batches: dict[str, int] = {}
        for mark in reopened.reminder_marks():
            batches[mark.entry_id] = batches.get(mark.entry_id, 0) + 1
        assert set(batches.values()) == {50}
        assert acknowledged["marks"] <= set(batches) <= ids
        # The database still takes writes.
        reopened.record_answer(record("after", asked_at=NOW))
