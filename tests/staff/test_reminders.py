"""Deadline reminders with a frozen clock: once each, across restarts, and late but never after —
on both backends (``database`` runs each test on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.dates import LONDON
from bot.knowledge.base import KnowledgeBase
from bot.staff.reminders import (
    CLAIM_STALE_AFTER,
    Reminder,
    due_reminders,
    reminder_loop,
    reminder_text,
    send_due_reminders,
)
from bot.staff.storage import SQLiteStorage
from tests.staff.conftest import Database, Offer, make_kb

CLOSE = dt.date(2026, 4, 28)  # a Tuesday, in British Summer Time
LATER = dt.date(2026, 5, 10)
OFFERS = [
    Offer("number-club", "Number Club", deadlines=(("Applications close", CLOSE),), form_url="https://forms.example.org/nc"),
    Offer("algebra-circle", "Algebra Circle", deadlines=(("Expressions of interest close", LATER),)),
    Offer("old-course", "Old Course", deadlines=(("Applications close", CLOSE),), status="historical"),
]


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return make_kb(tmp_path / "knowledge", OFFERS)


def london(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment in the hub's time, as the UTC time the clock returns."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON).astimezone(dt.UTC)


class Channel:
    """Stands in for the reminder channel: keeps what was posted, and can fail on demand."""

    def __init__(self) -> None:
        self.posted: list[tuple[dt.date, Reminder]] = []
        self.fail = False
        self.today = dt.date.min

    async def send(self, reminder: Reminder) -> None:
        if self.fail:
            raise ConnectionError("Discord is down")
        self.posted.append((self.today, reminder))


async def run_days(kb: KnowledgeBase, db: Database, channel: Channel, days: list[dt.date], restart_every: int = 1) -> None:
    """One pass per day at 10:00 and another at 15:00, with a fresh Storage (a restart) every few days."""
    storage = db.open()
    try:
        for number, day in enumerate(days):
            if number and number % restart_every == 0:
                storage.close()
                storage = db.open()
            channel.today = day
            for hour in (10, 15):
                await send_due_reminders(kb, storage, channel.send, now=london(day, hour))
    finally:
        storage.close()


def daterange(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def posted(channel: Channel) -> list[tuple[str, int, dt.date]]:
    return [(reminder.entry_id, reminder.lead_days, day) for day, reminder in channel.posted]


async def test_each_reminder_is_posted_once_across_restarts(kb: KnowledgeBase, database: Database) -> None:
    channel = Channel()
    db = database
    days = daterange(dt.date(2026, 4, 1), dt.date(2026, 5, 20))
    await run_days(kb, db, channel, days[:20], restart_every=1)
    await run_days(kb, db, channel, days[20:], restart_every=3)
    assert posted(channel) == [
        ("number-club", 14, dt.date(2026, 4, 14)),
        ("number-club", 7, dt.date(2026, 4, 21)),
        ("algebra-circle", 14, dt.date(2026, 4, 26)),
        ("number-club", 1, dt.date(2026, 4, 27)),
        ("algebra-circle", 7, dt.date(2026, 5, 3)),
        ("algebra-circle", 1, dt.date(2026, 5, 9)),
    ]


async def test_after_a_long_downtime_only_the_nearest_reminder_is_sent(kb: KnowledgeBase, database: Database) -> None:
    channel = Channel()
    db = database
    await run_days(kb, db, channel, [dt.date(2026, 4, 10)])  # nothing due yet
    await run_days(kb, db, channel, [dt.date(2026, 4, 25)])  # back after 15 days down: 3 days left
    assert posted(channel) == [("number-club", 7, dt.date(2026, 4, 25))]
    late = channel.posted[0][1]
    assert late.days_left == 3 and late.skipped_leads == (14,)
    assert late.text == "Applications for Number Club close on Tuesday 28 April 2026 — in 3 days"
    with db.open() as storage:
        marks = [(m.entry_id, m.lead_days, m.outcome) for m in storage.reminder_marks()]
    assert marks == [("number-club", 14, "skipped"), ("number-club", 7, "sent")]
    await run_days(kb, db, channel, daterange(dt.date(2026, 4, 26), dt.date(2026, 4, 28)))
    assert [entry for entry in posted(channel) if entry[0] == "number-club"] == [
        ("number-club", 7, dt.date(2026, 4, 25)),
        ("number-club", 1, dt.date(2026, 4, 27)),
    ]


async def test_a_missed_reminder_is_skipped_once_the_deadline_has_passed(kb: KnowledgeBase, database: Database) -> None:
    channel = Channel()
    db = database
    await run_days(kb, db, channel, [dt.date(2026, 4, 10), dt.date(2026, 4, 28), dt.date(2026, 4, 29), dt.date(2026, 6, 1)])
    assert posted(channel) == [
        ("number-club", 1, dt.date(2026, 4, 28)),  # deadline day: still open, sent late
        ("algebra-circle", 14, dt.date(2026, 4, 28)),
    ]
    assert channel.posted[0][1].text.endswith("— today")


async def test_nothing_is_posted_before_nine_in_the_morning(kb: KnowledgeBase, database: Database) -> None:
    channel = Channel()
    with database.open() as storage:
        day = dt.date(2026, 4, 14)
        assert await send_due_reminders(kb, storage, channel.send, now=london(day, 8, 59)) == []
        assert len(await send_due_reminders(kb, storage, channel.send, now=london(day, 9, 0))) == 1


async def test_a_failed_post_is_not_recorded_and_is_retried(kb: KnowledgeBase, database: Database) -> None:
    channel = Channel()
    day = dt.date(2026, 4, 14)
    with database.open() as storage:
        channel.fail = True
        assert await send_due_reminders(kb, storage, channel.send, now=london(day)) == []
        assert storage.reminder_marks() == []
        channel.fail = False
        assert [r.entry_id for r in await send_due_reminders(kb, storage, channel.send, now=london(day, 11))] == ["number-club"]


async def test_a_reminder_another_process_claimed_is_not_posted_here(
    kb: KnowledgeBase, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    channel = Channel()
    day = dt.date(2026, 4, 14)
    with database.open() as other, database.open() as storage:
        [due] = due_reminders(kb, day, other)
        assert other.claim_reminder(due.marks(london(day))[0], london(day) - CLAIM_STALE_AFTER)  # and is posting it
        with caplog.at_level(logging.INFO, logger="bot.staff.reminders"):
            assert await send_due_reminders(kb, storage, channel.send, now=london(day, 10, 1)) == []
        assert "reminder number-club 2026-04-28, 14-day lead: already posted or being posted by another process" in caplog.text
        other.mark_reminders(due.marks(london(day)))  # the other process posted it
        assert await send_due_reminders(kb, storage, channel.send, now=london(day, 15)) == []
        assert channel.posted == []


async def test_a_claim_left_by_a_process_that_died_before_posting_is_taken_over(
    kb: KnowledgeBase, database: Database
) -> None:
    channel = Channel()
    day = dt.date(2026, 4, 14)
    with database.open() as storage:
        [due] = due_reminders(kb, day, storage)
        assert storage.claim_reminder(due.marks(london(day))[0], london(day) - CLAIM_STALE_AFTER)  # then killed
        assert await send_due_reminders(kb, storage, channel.send, now=london(day, 10, 30)) == []
        [late] = await send_due_reminders(kb, storage, channel.send, now=london(day, 11, 1))
        assert (late.entry_id, late.lead_days) == ("number-club", 14)
        assert await send_due_reminders(kb, storage, channel.send, now=london(day, 15)) == []
        assert len(channel.posted) == 1


@contextlib.contextmanager
def write_locked(database: Database) -> Iterator[None]:
    """Another connection holds the reminder tables so that no write can get in."""
    if database.kind == "sqlite":
        holder = sqlite3.connect(database.target, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    import psycopg

    with psycopg.connect(str(database.target)) as holder:  # one transaction until the block ends
        holder.execute("LOCK TABLE reminder_claims, sent_reminders IN EXCLUSIVE MODE")
        yield


async def test_a_reminder_that_cannot_be_claimed_waits_for_the_next_check(
    kb: KnowledgeBase, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    channel = Channel()
    day = dt.date(2026, 4, 14)
    with database.open(wait_seconds=0.2) as storage:
        with write_locked(database):
            assert await send_due_reminders(kb, storage, channel.send, now=london(day)) == []
        [line] = [r for r in caplog.records if r.name == "bot.staff.reminders" and r.levelno == logging.WARNING]
        assert line.getMessage().startswith("reminder number-club 2026-04-28, 14-day lead waits for the next check")
        assert channel.posted == []
        assert [r.entry_id for r in await send_due_reminders(kb, storage, channel.send, now=london(day, 10, 15))] == ["number-club"]


def test_wording_and_form(kb: KnowledgeBase, database: Database) -> None:
    with database.open() as storage:
        by_id = {r.entry_id: r for r in due_reminders(kb, dt.date(2026, 4, 26), storage)}
    number_club, algebra = by_id["number-club"], by_id["algebra-circle"]
    assert number_club.text == "Applications for Number Club close on Tuesday 28 April 2026 — in 2 days"
    assert number_club.form is not None and number_club.form.url == "https://forms.example.org/nc"
    assert number_club.form.label == "Number Club application form"
    assert number_club.form_note is None
    assert number_club.message().endswith("Number Club application form: https://forms.example.org/nc")
    assert algebra.text == "Expressions of interest for Algebra Circle close on Sunday 10 May 2026 — in 14 days"
    assert algebra.form is not None and algebra.form.url is None
    assert algebra.form_note is not None and "The hub will share the form" in algebra.form_note
    assert "Contact the Test Maths Hub team." in algebra.form_note
    assert "old-course" not in by_id  # historical entries are not announced


def test_wording_of_other_labels(kb: KnowledgeBase) -> None:
    deadline = kb.entries["number-club"].deadlines[0].model_copy(update={"label": "Application deadline"})
    assert reminder_text("Number Club", deadline, 1) == "Application deadline for Number Club: Tuesday 28 April 2026 — tomorrow"


def test_larger_lead_times_added_later_are_not_sent_after_a_nearer_one(kb: KnowledgeBase, database: Database) -> None:
    day = dt.date(2026, 4, 22)
    with database.open() as storage:
        [sent] = due_reminders(kb, day, storage, (7,))
        storage.mark_reminders(sent.marks(london(day)))
        assert due_reminders(kb, day, storage, (14, 7)) == []  # the 7-day one went: 14 is too late now
        [nearer] = due_reminders(kb, day + dt.timedelta(days=1), storage, (14, 5))
        assert (nearer.entry_id, nearer.lead_days, nearer.skipped_leads) == ("number-club", 5, ())


async def test_the_loop_posts_and_stops(kb: KnowledgeBase, database: Database) -> None:
    channel = Channel()
    stop = asyncio.Event()
    clock_now = [london(dt.date(2026, 4, 14))]
    with database.open() as storage:
        task = asyncio.create_task(
            reminder_loop(lambda: kb, storage, channel.send, stop=stop, clock=lambda: clock_now[0], interval=0.01)
        )
        await asyncio.sleep(0.1)
        assert posted(channel) == [("number-club", 14, dt.date.min)]
        clock_now[0] = london(dt.date(2026, 4, 21))
        await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(task, timeout=1)
    assert [lead for _, lead, _ in posted(channel)] == [14, 7]


LEADS = (14, 7, 1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.sets(st.integers(min_value=-20, max_value=3)))
async def test_any_pattern_of_downtime(kb: KnowledgeBase, offsets: set[int]) -> None:
    """Whatever days the bot runs: each lead time is posted exactly when the bot ran in its window
    (on the first such day), at most one message a day, nothing after the deadline.
    """
    channel = Channel()
    running = sorted(CLOSE + dt.timedelta(days=offset) for offset in offsets)
    with SQLiteStorage(":memory:") as storage:
        for day in running:
            channel.today = day
            for hour in (9, 18):
                await send_due_reminders(kb, storage, channel.send, now=london(day, hour), lead_days=LEADS)
    sent = [(day, reminder.lead_days) for day, reminder in channel.posted if reminder.entry_id == "number-club"]
    days = [day for day, _ in sent]
    assert len(days) == len(set(days))  # one message a day
    assert all(day <= CLOSE for day in days)
    for lead, nearer in zip(LEADS, (*LEADS[1:], -1), strict=True):
        window = [day for day in running if nearer < (CLOSE - day).days <= lead]
        expected = [(window[0], lead)] if window else []
        assert [item for item in sent if item[1] == lead] == expected
