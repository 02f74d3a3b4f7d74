"""Rate limits that hold, over the loopback fake: every entry point is limited per person, public
replies are capped per server, and each person's vote on an answer counts once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from bot.config import Settings
from bot.discord_app.client import HubBot
from bot.discord_app.cooldown import Cooldowns, RateLimits
from bot.discord_app.feedback import ALREADY, THANKS, VOTE_ID
from bot.discord_app.vote_ledger import VoteLedger
from bot.staff.storage import SQLiteStorage
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import APP_ID, CHANNEL_ID, DM_CHANNEL_ID, EPHEMERAL, TEACHER_ID, FakeDiscord, Request

CHANNEL_MESSAGE = 4
UNKNOWN = "is anyone going to the football tonight?"
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
TRY_AGAIN = "try again in"


def ask(question: str) -> list[dict]:
    return [{"name": "question", "type": 3, "value": question}]


def channel_posts(fake_discord: FakeDiscord, after: int) -> list[Request]:
    return [r for r in fake_discord.requests[after:] if (r.method, r.path) == ("POST", f"/channels/{CHANNEL_ID}/messages")]


async def mentions_answered(fake_discord: FakeDiscord, bot: HubBot, messages: list[tuple[int, str]]) -> list[Request]:
    """Post each ``(user, text)`` mentioning the bot, then a marker from a fresh user whose reply
    proves every earlier message was handled; returns the replies to the earlier ones."""
    after = fake_discord.mark()
    for user_id, text in messages:
        await fake_discord.say(f"<@{bot.user.id}> {text}", user_id=user_id)
    marker = await fake_discord.say(f"<@{bot.user.id}> what is teaching for mastery?", user_id=TEACHER_ID + 999)

    def marker_answered() -> bool:
        return any(r.body.get("message_reference", {}).get("message_id") == int(marker["id"]) for r in channel_posts(fake_discord, after))

    await fake_discord.wait_for(marker_answered)
    return [r for r in channel_posts(fake_discord, after) if r.body["message_reference"]["message_id"] != int(marker["id"])]


def vote_button(body: dict, vote: str) -> str:
    return next(
        item["custom_id"]
        for row in body.get("components", [])
        for item in row["components"]
        if (match := VOTE_ID.fullmatch(item.get("custom_id") or "")) and match["vote"] == vote
    )


async def votes_stored(bot: HubBot) -> list[tuple[int, int]]:
    await bot.staff.written()
    storage = bot.staff.storage
    assert isinstance(storage, SQLiteStorage)
    return [(v.up, v.down) for v in storage.voted_answers(LONG_AGO)]


async def followup(fake_discord: FakeDiscord, after: int) -> Request:
    return await fake_discord.request("POST", rf"/webhooks/{APP_ID}/[^/]+", after=after)


# ----- per person, every entry point ----------------------------------------------------------------
async def test_bare_mentions_are_limited_per_person(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    bot = await start_bot(settings_for(cooldown_rate=2, cooldown_seconds=60))
    replies = await mentions_answered(fake_discord, bot, [(TEACHER_ID, "")] * 5)
    assert len(replies) == 2, "a bare mention gets the hint twice, then silence"
    assert all("/ask" in r.body["content"] for r in replies)
    others = await mentions_answered(fake_discord, bot, [(TEACHER_ID + 1, "")])
    assert len(others) == 1, "someone else is not affected"


async def test_every_slash_command_is_limited_per_person_including_help_and_staff(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(cooldown_rate=2, cooldown_seconds=60))
    _, first = await fake_discord.slash("help")
    _, second = await fake_discord.slash("programmes", [{"name": "phase", "type": 3, "value": "primary"}])
    assert first.body["data"]["embeds"] and second.body["data"]["embeds"]
    for name, options in (("help", None), ("ask", ask(UNKNOWN)), ("kb", [{"name": "status", "type": 1, "options": []}])):
        _, limited = await fake_discord.slash(name, options)
        assert TRY_AGAIN in limited.body["data"]["content"], name
        assert limited.body["data"]["flags"] & EPHEMERAL
    suggestions = await fake_discord.autocomplete("programme", "name", "mastering")
    assert suggestions.body["data"]["choices"], "autocomplete only suggests: it is not limited"


async def test_eligibility_steps_are_limited_per_person(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(click_rate=2, click_seconds=60))
    payload, started = await fake_discord.slash(
        "eligibility", [{"name": "programme", "type": 3, "value": "secondary-mastery-specialist"}]
    )
    message = fake_discord.response_message(payload)
    answer = next(item["custom_id"] for row in started.body["data"]["components"] for item in row["components"])
    responses = [await fake_discord.click(message, answer) for _ in range(3)]
    assert all(r.body["data"].get("embeds") for r in responses[:2])
    assert TRY_AGAIN in responses[2].body["data"]["content"]


async def test_answer_buttons_share_the_asking_limit(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(cooldown_rate=2, cooldown_seconds=60))
    payload, clarify = await fake_discord.slash("ask", ask("tell me about mastering number"))
    candidate = next(
        item["custom_id"]
        for row in clarify.body["data"]["components"]
        for item in row["components"]
        if item.get("custom_id", "").startswith("hubbot:entry:")
    )
    chosen = await fake_discord.click(fake_discord.response_message(payload), candidate)
    assert chosen.body["data"]["embeds"]
    again = await fake_discord.click(fake_discord.response_message(payload), candidate)
    assert TRY_AGAIN in again.body["data"]["content"]


async def test_votes_are_limited_per_person_across_answers(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    bot = await start_bot(settings_for(click_rate=1, click_seconds=60))
    answers = [await fake_discord.slash("ask", ask(question)) for question in (UNKNOWN, f"{UNKNOWN} again")]
    clicks = [
        await fake_discord.click(fake_discord.response_message(payload), vote_button(response.body["data"], "down"))
        for payload, response in answers
    ]
    assert TRY_AGAIN in clicks[1].body["data"]["content"] and clicks[1].body["data"]["flags"] & EPHEMERAL
    assert await votes_stored(bot) == [(0, 1)], "the vote over the limit is not counted"


# ----- per server ---------------------------------------------------------------------------------
async def test_a_crowd_cannot_flood_a_channel(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    # 20 people × 5 mentions, each within their own limit: the server's cap holds the channel to 10.
    bot = await start_bot(settings_for(cooldown_rate=5, cooldown_seconds=60, server_reply_rate=10, server_reply_seconds=60))
    crowd = [(TEACHER_ID + person, f"{UNKNOWN} {n}") for n in range(5) for person in range(20)]
    after = fake_discord.mark()
    for user_id, text in crowd:
        await fake_discord.say(f"<@{bot.user.id}> {text}", user_id=user_id)
    await fake_discord.wait_for(lambda: len(channel_posts(fake_discord, after)) >= 10)
    # A direct message is no channel flood: it is still answered, and proves the crowd was handled.
    await fake_discord.say("what is teaching for mastery?", mention_bot=False, direct=True, user_id=TEACHER_ID + 500)
    await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages", after=after)
    await bot.staff.written()
    assert len(channel_posts(fake_discord, after)) == 10


async def test_past_the_servers_cap_public_slash_answers_go_privately(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(ephemeral_replies=False, server_reply_rate=2, server_reply_seconds=60))
    flags = []
    for person in range(4):
        _, response = await fake_discord.slash("ask", ask("what is teaching for mastery?"), user_id=TEACHER_ID + person)
        assert response.body["data"]["embeds"]
        flags.append(bool(response.body["data"].get("flags", 0) & EPHEMERAL))
    assert flags == [False, False, True, True]


# ----- one vote per person per answer ----------------------------------------------------------------
async def test_each_persons_vote_on_a_public_answer_counts_once(bot: HubBot, fake_discord: FakeDiscord) -> None:
    after = fake_discord.mark()
    await fake_discord.say(f"<@{bot.user.id}> {UNKNOWN}")
    reply = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    message = fake_discord.posted[-1]
    down, up = vote_button(reply.body, "down"), vote_button(reply.body, "up")

    first = await fake_discord.click(message, down)
    assert first.body["type"] == CHANNEL_MESSAGE and first.body["data"]["flags"] & EPHEMERAL
    assert first.body["data"]["content"] == THANKS.format(emoji="👎")
    repeated = await fake_discord.click(message, down)
    changed_mind = await fake_discord.click(message, up)
    assert repeated.body["data"]["content"] == changed_mind.body["data"]["content"] == ALREADY
    colleague = await fake_discord.click(message, up, user_id=TEACHER_ID + 1)
    assert colleague.body["data"]["content"] == THANKS.format(emoji="👍")
    assert await votes_stored(bot) == [(1, 1)]


async def test_simultaneous_and_stale_clicks_count_once(bot: HubBot, fake_discord: FakeDiscord) -> None:
    payload, response = await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    original = fake_discord.response_message(payload)  # as a slow client still shows it, buttons on
    up = vote_button(response.body["data"], "up")
    after = fake_discord.mark()
    clicks = await asyncio.gather(*(fake_discord.click(original, up) for _ in range(5)))
    assert sorted(c.body["type"] for c in clicks).count(7) == 1, "one click turns the buttons off"
    stale = await fake_discord.click(original, up)
    assert stale.body["data"]["content"] == ALREADY
    await followup(fake_discord, after)  # the counted click's thanks
    assert await votes_stored(bot) == [(1, 0)]


def test_the_ledger_keeps_no_user_id_and_is_bounded() -> None:
    ledger = VoteLedger(size=3, key=b"k" * 32)
    assert ledger.first_vote("a1", 400000000000000007)
    assert not ledger.first_vote("a1", 400000000000000007)
    assert ledger.first_vote("a1", 400000000000000008) and ledger.first_vote("a2", 400000000000000007)
    held = b"".join(ledger._seen)
    assert b"400000000000000007" not in held and b"a1" not in held
    ledger.forget("a2", 400000000000000007)
    assert ledger.first_vote("a2", 400000000000000007)
    for n in range(5):
        ledger.first_vote(f"b{n}", 1)
    assert len(ledger) == 3
    assert ledger.first_vote("a1", 400000000000000007), "the oldest are forgotten first"


def test_limits_are_separate_buckets_and_the_server_cap_ignores_direct_messages() -> None:
    now = [0.0]
    settings = Settings(cooldown_rate=1, cooldown_seconds=10, click_rate=2, click_seconds=10, server_reply_rate=1, server_reply_seconds=10)
    limits = RateLimits.from_settings(settings, clock=lambda: now[0])
    assert limits.asks.retry_after(1) == 0 and limits.asks.retry_after(1) > 0
    assert limits.clicks.retry_after(1) == 0, "asking does not use up clicks"
    assert limits.may_post_publicly(5) and not limits.may_post_publicly(5)
    assert limits.may_post_publicly(6) and limits.may_post_publicly(None)
    now[0] = 10
    assert limits.may_post_publicly(5)
    assert isinstance(limits.server_replies, Cooldowns)
