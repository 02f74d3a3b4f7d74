"""Answers first, records after: with the database held by another program, every reply still
meets Discord's 3-second deadline; records wait a bounded time and are dropped (and counted) if
they cannot be written; a bot started on a locked database answers and starts recording later.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.config import Settings
from bot.discord_app.client import HubBot
from bot.discord_app.feedback import THANKS, VOTE_ID
from bot.staff.storage import SQLiteStorage
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import APP_ID, STAFF_ID, STAFF_ROLE_ID, FakeDiscord

DEADLINE = 3.0
UNKNOWN = "is anyone going to the football tonight?"
STAFF = {"user_id": STAFF_ID, "roles": (STAFF_ROLE_ID,)}
LOCK_HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process holds ``path`` with ``BEGIN EXCLUSIVE`` (as a backup or an sqlite3 shell may)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)


def ask(question: str) -> list[dict]:
    return [{"name": "question", "type": 3, "value": question}]


def status_command() -> list[dict]:
    return [{"name": "status", "type": 1, "options": []}]


async def timed_ask(fake_discord: FakeDiscord, question: str) -> tuple[float, dict, dict]:
    started = time.monotonic()
    payload, response = await fake_discord.slash("ask", ask(question))
    return time.monotonic() - started, payload, response.body


def vote_ids(body: dict) -> list[str]:
    return [
        item["custom_id"]
        for row in body["data"].get("components", [])
        for item in row["components"]
        if VOTE_ID.fullmatch(item.get("custom_id") or "")
    ]


def stored_questions(path: Path) -> int:
    with SQLiteStorage(path) as storage:
        return sum(count.questions for count in storage.question_counts(dt.date(2000, 1, 1)))


async def test_answers_and_votes_do_not_wait_for_a_locked_database(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    # Each record may wait longer than Discord's deadline: a reply that waited for it would miss it.
    settings = settings_for(database_wait_seconds=DEADLINE + 2)
    bot = await start_bot(settings)
    with locked(settings.database_path):
        timings = []
        for question in (UNKNOWN, "what is teaching for mastery?", UNKNOWN):
            elapsed, payload, body = await timed_ask(fake_discord, question)
            assert body["data"]["embeds"][0]["description"]
            timings.append(elapsed)
        up = next(i for i in vote_ids(body) if i.endswith(":up"))
        after = fake_discord.mark()
        started = time.monotonic()
        await fake_discord.click(fake_discord.response_message(payload), up)
        thanks = await fake_discord.request("POST", rf"/webhooks/{APP_ID}/.*", after=after)
        timings.append(time.monotonic() - started)
        assert thanks.body["content"] == THANKS.format(emoji="👍")
        assert max(timings) < 1.0, timings  # well inside the 3 s deadline; the records are still waiting
        assert bot.staff.writer is not None and bot.staff.writer.pending >= 1
    # Released before the records' bounded wait ran out: they are written, none lost.
    await bot.staff.written()
    assert bot.staff.dropped == 0
    assert stored_questions(settings.database_path) == 3


async def test_a_record_that_cannot_be_written_is_dropped_logged_once_and_counted(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    fake_discord: FakeDiscord,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(database_wait_seconds=0.2)
    bot = await start_bot(settings)
    with locked(settings.database_path):
        for _ in range(2):
            elapsed, _, body = await timed_ask(fake_discord, UNKNOWN)
            assert elapsed < DEADLINE and body["data"]["embeds"]
        await bot.staff.written()
    dropped = [r for r in caplog.records if r.levelno == logging.WARNING and r.getMessage().startswith("record dropped")]
    assert len(dropped) == 2 and all(r.exc_info is None for r in dropped)
    assert "locked by another program" in dropped[0].getMessage()
    _, status = await fake_discord.slash("kb", status_command(), **STAFF)
    assert "**Records** on. 2 records not written since the bot started" in status.body["data"]["embeds"][0]["description"]

    await timed_ask(fake_discord, UNKNOWN)  # the lock is gone: recording goes on by itself
    await bot.staff.written()
    assert stored_questions(settings.database_path) == 1


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_a_bot_started_on_a_locked_database_answers_and_records_once_it_is_free(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    settings = settings_for(database_wait_seconds=0.3, database_retry_seconds=0.2)
    settings.database_path.touch()  # a new database another program holds before the bot made its tables
    with locked(settings.database_path):
        started = time.monotonic()
        bot: HubBot = await start_bot(settings)
        assert time.monotonic() - started < 5
        assert not bot.staff.recording
        elapsed, _, body = await timed_ask(fake_discord, UNKNOWN)
        assert elapsed < DEADLINE and body["data"]["embeds"]
        assert not vote_ids(body), "no vote buttons while votes cannot be recorded"
        _, status = await fake_discord.slash("kb", status_command(), **STAFF)
        description = status.body["data"]["embeds"][0]["description"]
        assert "**Records** off: the database was locked" in description and "1 record not written" in description
        _, report = await fake_discord.slash("kb", [{"name": "report", "type": 1, "options": []}], **STAFF)
        assert "nothing is being recorded" in report.body["data"]["content"]
    await until(lambda: bot.staff.recording)
    _, _, body = await timed_ask(fake_discord, UNKNOWN)
    assert vote_ids(body)
    await bot.staff.written()
    assert stored_questions(settings.database_path) == 1
