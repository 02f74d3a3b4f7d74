"""Nobody else's identity is stored: the bytes of the SQLite file after questions that name people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.discord_app.feedback import VOTE_ID
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import CHANNEL_ID, STAFF_ROLE_ID, TEACHER_ID, FakeDiscord

COLLEAGUE_ID = 400000000000000077
EMAIL = "jo.bloggs@school.kent.sch.uk"
PHONE = "07700 900123"


def stored_bytes(database: Path) -> bytes:
    """The database file and its write-ahead log, as on disk."""
    return b"".join(path.read_bytes() for path in (database, database.with_name(database.name + "-wal")) if path.exists())


async def test_mentions_emails_and_phone_numbers_never_reach_the_database_file(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    settings = settings_for()
    bot = await start_bot(settings)
    hostile = (
        f"<@{COLLEAGUE_ID}> <@!{COLLEAGUE_ID}> <@&{STAFF_ROLE_ID}> <#{CHANNEL_ID}> is anyone going to the "
        f"football tonight? mail {EMAIL} or ring {PHONE}"
    )
    after = fake_discord.mark()
    await fake_discord.say(f"<@{bot.user.id}> {hostile}")  # unknown: its text is kept
    reply = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    assert "allowed_mentions" in reply.body and reply.body["allowed_mentions"]["parse"] == []

    answered = f"<@{COLLEAGUE_ID}> what is teaching for mastery? {EMAIL}"
    payload, response = await fake_discord.slash("ask", [{"name": "question", "type": 3, "value": answered}])
    up = next(
        item["custom_id"]
        for row in response.body["data"]["components"]
        for item in row["components"]
        if VOTE_ID.fullmatch(item.get("custom_id") or "") and item["custom_id"].endswith(":up")
    )
    await fake_discord.click(fake_discord.response_message(payload), up)  # a vote keeps the answered text
    await bot.staff.written()
    kept = sorted(record.question for record in bot.staff.storage.interactions(dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    await bot.close()

    assert kept == [
        "@someone @someone @role #channel is anyone going to the football tonight? mail [email] or ring [number]",
        "@someone what is teaching for mastery? [email]",
    ]
    raw = stored_bytes(settings.database_path)
    assert b"football tonight" in raw, "the question itself is kept"
    for secret in (str(COLLEAGUE_ID), str(STAFF_ROLE_ID), str(TEACHER_ID), EMAIL, PHONE, "900123", "<@", "<#"):
        assert secret.encode() not in raw, secret
