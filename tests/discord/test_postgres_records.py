"""The running bot over the fake Discord with its records in PostgreSQL (a real server, see
``postgres_server``): answers, votes and hand-offs land there, and a database server out of reach at start
delays no answer — the bot records once it can reach it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from bot.config import Settings
from bot.discord_app.feedback import VOTE_ID
from bot.staff.storage.postgres import PostgresStorage
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import APP_ID, STAFF_CHANNEL_ID, STAFF_ID, STAFF_ROLE_ID, FakeDiscord
from tests.discord.test_handoff import STAFF_POSTS, ask_button, button, posted_message
from tests.staff.tcp_proxy import TcpProxy

UNKNOWN = "is anyone going to the football tonight?"
STAFF = {"user_id": STAFF_ID, "roles": (STAFF_ROLE_ID,)}
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit(":", 1)[0] + f":{proxy.port}"))


def ask(question: str) -> list[dict]:
    return [{"name": "question", "type": 3, "value": question}]


def vote_ids(body: dict) -> list[str]:
    return [
        item["custom_id"]
        for row in body["data"].get("components", [])
        for item in row["components"]
        if VOTE_ID.fullmatch(item.get("custom_id") or "")
    ]


async def test_answers_and_votes_are_recorded_in_postgresql(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord, postgres_url: str
) -> None:
    bot = await start_bot(settings_for(database_url=postgres_url))
    assert isinstance(bot.staff.storage, PostgresStorage)
    payload, response = await fake_discord.slash("ask", ask(UNKNOWN))
    down = next(i for i in vote_ids(response.body) if i.endswith(":down"))
    after = fake_discord.mark()
    await fake_discord.click(fake_discord.response_message(payload), down)
    await fake_discord.request("POST", rf"/webhooks/{APP_ID}/.*", after=after)  # thanked: the vote is queued
    await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    await bot.staff.written()
    with PostgresStorage(postgres_url) as storage:  # as another process (or `python -m bot report`) sees it
        assert [r.question for r in storage.interactions(LONG_AGO)] == [UNKNOWN]
        assert sum(c.questions for c in storage.question_counts(LONG_AGO.date())) == 2
        assert [(v.up, v.down) for v in storage.voted_answers(LONG_AGO)] == [(0, 1)]


async def test_a_hand_off_is_recorded_and_closed_in_postgresql(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord, postgres_url: str
) -> None:
    bot = await start_bot(settings_for(database_url=postgres_url, ephemeral_replies=False))
    payload, response = await fake_discord.slash("ask", ask(UNKNOWN))
    after = fake_discord.mark()
    await fake_discord.click(fake_discord.response_message(payload), ask_button(response.body["data"])["custom_id"])
    post = await fake_discord.request("POST", STAFF_POSTS, after=after)
    await bot.staff.written()
    with PostgresStorage(postgres_url) as storage:
        [handoff] = storage.handoffs(LONG_AGO)
        assert handoff.is_open and handoff.interaction.question == UNKNOWN

    done = button(post.body, "Mark answered")["custom_id"]
    await fake_discord.click(posted_message(fake_discord, STAFF_CHANNEL_ID), done, **STAFF)
    await bot.staff.written()
    with PostgresStorage(postgres_url) as storage:
        [closed] = storage.handoffs(LONG_AGO)
        assert closed.outcome == "answered" and closed.closed_at is not None


async def test_a_database_server_out_of_reach_at_start_delays_no_answer(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord, postgres_url: str
) -> None:
    proxy = TcpProxy(urlsplit(postgres_url).port or 5432)
    try:
        proxy.cut()  # the network to the database server is down
        settings = settings_for(
            database_url=through(proxy, postgres_url), database_wait_seconds=0.5, database_retry_seconds=0.2
        )
        started = time.monotonic()
        bot = await start_bot(settings)
        assert time.monotonic() - started < 10 and not bot.staff.recording
        started = time.monotonic()
        _, response = await fake_discord.slash("ask", ask(UNKNOWN))
        assert time.monotonic() - started < 3.0 and response.body["data"]["embeds"]
        _, status = await fake_discord.slash("kb", [{"name": "status", "type": 1, "options": []}], **STAFF)
        assert "**Records** off: the database could not be reached when the bot started" in (
            status.body["data"]["embeds"][0]["description"]
        )
        proxy.restore()
        async with asyncio.timeout(20):
            while not bot.staff.recording:
                await asyncio.sleep(0.05)
        _, response = await fake_discord.slash("ask", ask(UNKNOWN))
        assert vote_ids(response.body)
        await bot.staff.written()
        with PostgresStorage(postgres_url) as storage:
            assert sum(c.questions for c in storage.question_counts(LONG_AGO.date())) == 1
    finally:
        proxy.close()
