"""Loopback tests of "Ask the hub team": a question the bot could not answer, passed to staff and
answered — with a link for a question asked in a channel, with Reply for one asked privately.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Any
from unittest.mock import MagicMock

import discord
import pytest

from bot.config import Settings
from bot.discord_app import handoff as handoff_module
from bot.discord_app.client import HubBot
from bot.discord_app.handoff import (
    ALREADY_PASSED,
    ASK_ID,
    ASK_LABEL,
    FORGOTTEN,
    NOT_SET_UP,
    NOT_YOURS,
    PASSED_LABEL,
    PASSED_PRIVATELY,
    PASSED_PUBLICLY,
    POST_TITLE,
    STAFF_ONLY,
    answer_form_id,
    form_value,
    noted,
)
from bot.discord_app.knowledge import KnowledgeService
from bot.staff.report import build_report, render_report
from bot.staff.storage import SQLiteStorage
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import (
    APP_ID,
    BOT_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    STAFF_CHANNEL_ID,
    STAFF_ID,
    TEACHER_ID,
    FakeDiscord,
    Request,
)
from tests.discord.test_records_under_lock import locked
from tests.discord.test_staff_flow import CLARIFY, LONG_AGO, STAFF, UNKNOWN, ask, components_of, kb_command

CHANNEL_MESSAGE = 4
DEFERRED_UPDATE = 6
UPDATE_MESSAGE = 7
MODAL = 9
OTHER_TEACHER = TEACHER_ID + 100
STAFF_POSTS = rf"/channels/{STAFF_CHANNEL_ID}/messages"


def ask_button(body: dict[str, Any]) -> dict[str, Any] | None:
    return next((c for c in components_of(body) if ASK_ID.fullmatch(c.get("custom_id") or "")), None)


def button(body: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for c in components_of(body) if c.get("label") == label)


async def followups(fake: FakeDiscord, token: str, after: int, count: int = 1) -> list[Request]:
    """The first ``count`` followups on the interaction ``token`` after ``after``."""
    path = rf"/webhooks/{APP_ID}/{token}"

    def found() -> list[Request] | None:
        sent = [r for r in fake.requests[after:] if r.method == "POST" and r.path == path]
        return sent[:count] if len(sent) >= count else None

    return await fake.wait_for(found)


async def staff_post(fake: FakeDiscord, after: int) -> Request:
    return await fake.request("POST", STAFF_POSTS, after=after)


def posted_message(fake: FakeDiscord, channel_id: int) -> dict[str, Any]:
    """The last message the bot posted in a channel, as Discord holds it (with its id)."""
    return next(m for m in reversed(fake.posted) if m["channel_id"] == str(channel_id))


async def storage_of(bot: HubBot) -> SQLiteStorage:
    await bot.staff.written()
    storage = bot.staff.storage
    assert isinstance(storage, SQLiteStorage)
    return storage


def report_text(bot: HubBot, storage: SQLiteStorage) -> str:
    now = dt.datetime.now(dt.UTC)
    return render_report(build_report(storage, bot.hubs.only.knowledge.current.kb, LONG_AGO, now))


def database_text(storage: SQLiteStorage) -> str:
    db = storage.connection
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return "\n".join(str(row) for table in tables for row in db.execute(f"SELECT * FROM {table}"))


# ----- asked in a channel: the jump link -----------------------------------------------------------
async def test_a_mention_is_handed_off_with_a_link_confirmed_privately_and_shown_in_the_report(
    bot: HubBot, fake_discord: FakeDiscord
) -> None:
    after = fake_discord.mark()
    asked = await fake_discord.say(f"<@{BOT_ID}> {UNKNOWN}")
    reply = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    offered = ask_button(reply.body)
    assert offered is not None and offered["label"] == ASK_LABEL
    reply_message = posted_message(fake_discord, CHANNEL_ID)

    # Someone else cannot pass the teacher's question on.
    after = fake_discord.mark()
    refused = await fake_discord.click(reply_message, offered["custom_id"], user_id=OTHER_TEACHER)
    assert refused.body["data"]["content"] == NOT_YOURS and refused.body["data"]["flags"] & EPHEMERAL
    assert not fake_discord.requests_to("POST", STAFF_POSTS)

    after = fake_discord.mark()
    payload = fake_discord.click_payload(reply_message, offered["custom_id"])
    clicked = await fake_discord.interact(payload)
    post = await staff_post(fake_discord, after)
    [embed] = post.body["embeds"]
    assert embed["title"] == POST_TITLE
    assert UNKNOWN in embed["description"] and f"<#{CHANNEL_ID}>" in embed["description"]
    assert post.body["allowed_mentions"]["parse"] == []
    jump = f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{asked['id']}"
    link = button(post.body, "Go to the question")
    assert link["url"] == jump, "the link goes to the teacher's own message"
    assert button(post.body, "Mark answered")
    assert str(TEACHER_ID) not in str(post.body), "staff see the question, not an id"

    # The clicked button now says so, the votes stay; the teacher is told privately.
    assert clicked.body["type"] == UPDATE_MESSAGE
    passed = next(c for c in components_of(clicked.body["data"]) if c.get("label") == PASSED_LABEL)
    assert passed["disabled"]
    assert {c.get("emoji", {}).get("name") for c in components_of(clicked.body["data"])} >= {"👍", "👎"}
    [confirmation] = await followups(fake_discord, payload["token"], after)
    assert confirmation.body["flags"] & EPHEMERAL
    assert confirmation.body["content"] == PASSED_PUBLICLY

    storage = await storage_of(bot)
    [handoff] = storage.handoffs(LONG_AGO)
    assert handoff.is_open and handoff.interaction.question == UNKNOWN
    assert "1 open hand-off" in report_text(bot, storage) and UNKNOWN in report_text(bot, storage)
    _, report = await fake_discord.slash("kb", kb_command("report"), **STAFF)
    assert "**Questions passed to the hub team**" in report.body["data"]["content"]
    assert "football tonight" in report.body["data"]["content"].split("passed to the hub team", 1)[1]
    stored = database_text(storage)
    assert str(TEACHER_ID) not in stored and asked["id"] not in stored and "discord.com" not in stored

    # A teacher cannot mark it answered; staff can, and it leaves the open hand-offs.
    staff_message = posted_message(fake_discord, STAFF_CHANNEL_ID)
    done = button(post.body, "Mark answered")["custom_id"]
    refused = await fake_discord.click(staff_message, done)
    assert refused.body["data"]["content"] == STAFF_ONLY
    marked = await fake_discord.click(staff_message, done, **STAFF)
    assert marked.body["type"] == UPDATE_MESSAGE
    assert button(marked.body["data"], "Mark answered")["disabled"]
    assert f"<@{STAFF_ID}>" in str(marked.body["data"]["embeds"][0]["fields"])
    storage = await storage_of(bot)
    [closed] = storage.handoffs(LONG_AGO)
    assert closed.outcome == "answered"
    assert "0 open hand-offs" in report_text(bot, storage)


async def test_repeated_and_simultaneous_clicks_hand_off_once(bot: HubBot, fake_discord: FakeDiscord) -> None:
    after = fake_discord.mark()
    await fake_discord.say(f"<@{BOT_ID}> {UNKNOWN}")
    reply = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    custom_id = ask_button(reply.body)["custom_id"]
    message = posted_message(fake_discord, CHANNEL_ID)

    after = fake_discord.mark()
    payloads = [fake_discord.click_payload(message, custom_id) for _ in range(3)]
    responses = await asyncio.gather(*(fake_discord.interact(p) for p in payloads))
    await staff_post(fake_discord, after)
    again = await fake_discord.click(message, custom_id)
    assert len(fake_discord.requests_to("POST", STAFF_POSTS)) == 1
    told = [r.body["data"].get("content") for r in (*responses, again) if r.body["type"] == CHANNEL_MESSAGE]
    assert told == [ALREADY_PASSED] * 3
    assert len((await storage_of(bot)).handoffs(LONG_AGO)) == 1


# ----- asked privately: Reply, the form, and delivery -------------------------------------------------
async def hand_off_private_ask(fake: FakeDiscord, question: str = UNKNOWN) -> tuple[dict[str, Any], dict[str, Any], Request]:
    """/ask privately, click "Ask the hub team"; returns the click's payload, the staff post as
    Discord holds it, and the post request."""
    payload, response = await fake.slash("ask", ask(question))
    assert response.body["data"]["flags"] & EPHEMERAL
    offered = ask_button(response.body["data"])
    assert offered is not None
    after = fake.mark()
    click = fake.click_payload(fake.response_message(payload), offered["custom_id"])
    clicked = await fake.interact(click)
    assert clicked.body["type"] == UPDATE_MESSAGE
    post = await staff_post(fake, after)
    [confirmation] = await followups(fake, click["token"], after)
    assert confirmation.body["content"] == PASSED_PRIVATELY and confirmation.body["flags"] & EPHEMERAL
    return click, posted_message(fake, STAFF_CHANNEL_ID), post


async def test_a_private_question_is_answered_through_reply_and_reaches_the_teacher_privately(
    bot: HubBot, fake_discord: FakeDiscord
) -> None:
    click, staff_message, post = await hand_off_private_ask(fake_discord, CLARIFY)
    assert "Asked privately" in post.body["embeds"][0]["description"]
    assert "Go to the question" not in str(post.body), "no link to a message only the teacher can see"
    reply_button = button(post.body, "Reply")

    refused = await fake_discord.click(staff_message, reply_button["custom_id"])
    assert refused.body["data"]["content"] == STAFF_ONLY
    opened = await fake_discord.click(staff_message, reply_button["custom_id"], **STAFF)
    assert opened.body["type"] == MODAL
    form = opened.body["data"]
    assert form["custom_id"] == answer_form_id(reply_button["custom_id"].rsplit(":", 1)[1])
    [field] = [c for row in form["components"] for c in row["components"]]
    assert field["placeholder"] == CLARIFY

    answer = "Mastering Number runs in primary schools; <@everyone> the next cohort opens in June."
    after = fake_discord.mark()
    submitted = await fake_discord.submit_form(staff_message, form["custom_id"], {field["custom_id"]: answer}, **STAFF)
    [delivered] = await followups(fake_discord, click["token"], after)
    assert delivered.body["flags"] & EPHEMERAL, "the teacher receives the answer privately"
    [embed] = delivered.body["embeds"]
    assert "Mastering Number runs in primary schools" in embed["description"]
    assert "<@everyone>" not in embed["description"] and delivered.body["allowed_mentions"]["parse"] == []
    assert CLARIFY in str(embed["fields"])
    assert submitted.body["type"] in (UPDATE_MESSAGE, DEFERRED_UPDATE)
    edited = await post_after_edit(fake_discord, submitted)
    assert "Answered" in str(edited["embeds"][0]["fields"]) and f"<@{STAFF_ID}>" in str(edited["embeds"][0]["fields"])
    assert button(edited, "Send another answer")

    storage = await storage_of(bot)
    [handoff] = storage.handoffs(LONG_AGO)
    assert handoff.outcome == "answered"
    assert "0 open hand-offs" in report_text(bot, storage)


async def post_after_edit(fake: FakeDiscord, response: Request) -> dict[str, Any]:
    """The staff post as edited by the response to a form (directly, or after a deferral)."""
    if response.body["type"] == UPDATE_MESSAGE:
        return response.body["data"]
    token = response.path.split("/")[3]
    edit = await fake.request("PATCH", rf"/webhooks/{APP_ID}/{token}/messages/@original")
    return edit.body


async def test_an_answer_after_the_followup_window_goes_by_direct_message(
    bot: HubBot, fake_discord: FakeDiscord
) -> None:
    click, staff_message, post = await hand_off_private_ask(fake_discord)
    fake_discord.expired_tokens.add(click["token"])  # Discord no longer accepts followups on it
    opened = await fake_discord.click(staff_message, button(post.body, "Reply")["custom_id"], **STAFF)
    form = opened.body["data"]
    after = fake_discord.mark()
    submitted = await fake_discord.submit_form(staff_message, form["custom_id"], {"answer": "No, sorry."}, **STAFF)
    dm = await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages", after=after)
    assert "No, sorry." in dm.body["embeds"][0]["description"]
    [opened_dm] = [r for r in fake_discord.requests[after:] if r.path == "/users/@me/channels"]
    assert int(opened_dm.body["recipient_id"]) == TEACHER_ID
    edited = await post_after_edit(fake_discord, submitted)
    assert "by direct message" in str(edited["embeds"][0]["fields"])


async def test_an_undeliverable_answer_is_said_plainly_in_the_staff_channel_and_stays_open(
    bot: HubBot, fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    click, staff_message, post = await hand_off_private_ask(fake_discord)
    monkeypatch.setattr(handoff_module.limits, "FOLLOWUP_WINDOW_SECONDS", 0)  # too late for a followup
    fake_discord.direct_messages_closed = True
    opened = await fake_discord.click(staff_message, button(post.body, "Reply")["custom_id"], **STAFF)
    after = fake_discord.mark()
    submitted = await fake_discord.submit_form(
        staff_message, opened.body["data"]["custom_id"], {"answer": "Yes, bring your TA."}, **STAFF
    )
    token = submitted.path.split("/")[3]
    notice, kept = await followups(fake_discord, token, after, count=2)
    assert not notice.body.get("flags", 0) & EPHEMERAL, "said in the staff channel for everyone to see"
    assert notice.body["content"].startswith("⚠ I couldn't deliver the answer")
    assert "direct messages" in notice.body["content"]
    assert kept.body["flags"] & EPHEMERAL and "Yes, bring your TA." in kept.body["embeds"][0]["description"]
    assert not [r for r in fake_discord.requests[after:] if r.path == f"/webhooks/{APP_ID}/{click['token']}"]
    [handoff] = (await storage_of(bot)).handoffs(LONG_AGO)
    assert handoff.is_open


async def test_after_a_restart_reply_says_the_teacher_can_no_longer_be_reached(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    settings = settings_for()
    first = await start_bot(settings)
    _, staff_message, post = await hand_off_private_ask(fake_discord)
    not_yet_payload, not_yet = await fake_discord.slash("ask", ask(CLARIFY))
    await first.close()

    second = await start_bot(settings)
    late = await fake_discord.click(fake_discord.response_message(not_yet_payload), ask_button(not_yet.body["data"])["custom_id"])
    assert late.body["data"]["content"] == FORGOTTEN, "who asked is forgotten too: ask again"
    clicked = await fake_discord.click(staff_message, button(post.body, "Reply")["custom_id"], **STAFF)
    assert clicked.body["type"] == UPDATE_MESSAGE, "the staff post itself says so"
    fields = str(clicked.body["data"]["embeds"][0]["fields"])
    assert "can no longer reach the teacher" in fields and "restarted" in fields
    assert button(clicked.body["data"], "Reply")["disabled"]
    [handoff] = (await storage_of(second)).handoffs(LONG_AGO)
    assert handoff.outcome == "unreachable"


async def test_a_question_in_a_direct_message_is_answered_privately(bot: HubBot, fake_discord: FakeDiscord) -> None:
    after = fake_discord.mark()
    await fake_discord.say(f"{UNKNOWN} @everyone <@{STAFF_ID}>", mention_bot=False, direct=True)
    reply = await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages", after=after)
    offered = ask_button(reply.body)
    assert offered is not None
    after = fake_discord.mark()
    click = fake_discord.click_payload(posted_message(fake_discord, DM_CHANNEL_ID), offered["custom_id"], direct=True)
    await fake_discord.interact(click)
    post = await staff_post(fake_discord, after)
    assert "Asked in a direct message" in post.body["embeds"][0]["description"]
    assert str(DM_CHANNEL_ID) not in str(post.body) and str(TEACHER_ID) not in str(post.body)
    description = post.body["embeds"][0]["description"]
    assert UNKNOWN in description and "@everyone" not in description and f"<@{STAFF_ID}>" not in description
    assert post.body["allowed_mentions"]["parse"] == []
    [confirmation] = await followups(fake_discord, click["token"], after)
    assert confirmation.body["content"] == PASSED_PRIVATELY

    staff_message = posted_message(fake_discord, STAFF_CHANNEL_ID)
    opened = await fake_discord.click(staff_message, button(post.body, "Reply")["custom_id"], **STAFF)
    after = fake_discord.mark()
    await fake_discord.submit_form(staff_message, opened.body["data"]["custom_id"], {"answer": "Not that we know of."}, **STAFF)
    [delivered] = await followups(fake_discord, click["token"], after)
    assert delivered.body["embeds"][0]["description"] == "Not that we know of."


# ----- the limits and the records that already hold -------------------------------------------------
async def test_the_hand_off_button_counts_against_the_askers_limit(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(cooldown_rate=1, cooldown_seconds=60))
    payload, response = await fake_discord.slash("ask", ask(UNKNOWN))
    clicked = await fake_discord.click(fake_discord.response_message(payload), ask_button(response.body["data"])["custom_id"])
    assert "try again in" in clicked.body["data"]["content"] and clicked.body["data"]["flags"] & EPHEMERAL
    assert not fake_discord.requests_to("POST", STAFF_POSTS)


async def test_staffs_buttons_count_against_the_click_limit(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(click_rate=1, click_seconds=60))
    _, staff_message, post = await hand_off_private_ask(fake_discord)
    reply_id = button(post.body, "Reply")["custom_id"]
    assert (await fake_discord.click(staff_message, reply_id, **STAFF)).body["type"] == MODAL
    again = await fake_discord.click(staff_message, reply_id, **STAFF)
    assert "try again in" in again.body["data"]["content"]


async def test_a_hand_off_does_not_wait_for_a_locked_database_and_is_recorded_after(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    settings = settings_for(database_wait_seconds=5)
    bot = await start_bot(settings)
    with locked(settings.database_path):
        started = time.monotonic()
        await hand_off_private_ask(fake_discord)
        assert time.monotonic() - started < 2.0, "the question and the hand-off were not held up by the records"
        assert bot.staff.writer is not None and bot.staff.writer.pending >= 1
    [handoff] = (await storage_of(bot)).handoffs(LONG_AGO)
    assert handoff.is_open and handoff.interaction.question == UNKNOWN
    assert bot.staff.dropped == 0


# ----- where it is not offered ----------------------------------------------------------------------
async def test_no_staff_channel_no_hand_off(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    with_channel = await start_bot(settings_for())
    _, help_reply = await fake_discord.slash("help")
    assert f"**{ASK_LABEL}**" in help_reply.body["data"]["embeds"][0]["description"]
    payload, response = await fake_discord.slash("ask", ask(UNKNOWN))
    old_button = ask_button(response.body["data"])
    assert old_button is not None
    old_message = fake_discord.response_message(payload)
    await with_channel.close()

    await start_bot(settings_for(staff_channel_id=None))
    _, response = await fake_discord.slash("ask", ask(UNKNOWN))
    assert response.body["data"]["embeds"] and ask_button(response.body["data"]) is None
    _, help_reply = await fake_discord.slash("help")
    assert ASK_LABEL not in help_reply.body["data"]["embeds"][0]["description"]
    after = fake_discord.mark()
    await fake_discord.say(f"<@{BOT_ID}> {UNKNOWN}")
    mention_reply = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    assert mention_reply.body["embeds"] and ask_button(mention_reply.body) is None
    # A button from before the setting changed says hand-off isn't set up.
    clicked = await fake_discord.click(old_message, old_button["custom_id"])
    assert clicked.body["data"]["content"].startswith(NOT_SET_UP)
    assert not fake_discord.requests_to("POST", STAFF_POSTS)


async def test_a_public_ask_is_handed_off_with_a_link_to_the_reply(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(ephemeral_replies=False))
    payload, response = await fake_discord.slash("ask", ask(UNKNOWN))
    assert not response.body["data"].get("flags", 0) & EPHEMERAL
    public = fake_discord.response_message(payload)
    after = fake_discord.mark()
    await fake_discord.click(public, ask_button(response.body["data"])["custom_id"])
    post = await staff_post(fake_discord, after)
    jump = f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{public['id']}"
    assert button(post.body, "Go to the question")["url"] == jump
    assert button(post.body, "Mark answered")


async def test_answered_replies_offer_no_hand_off(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    assert ask_button(response.body["data"]) is None


async def test_status_says_prominently_when_the_hub_has_no_contact_detail(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    small_knowledge: KnowledgeService,
    knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    bot = await start_bot(settings_for())
    assert not knowledge.current.kb.hub.has_contact_detail
    _, response = await fake_discord.slash("kb", kb_command("status"), **STAFF)
    status = response.body["data"]["embeds"][0]["description"]
    first = status.splitlines()[0]
    assert first.startswith("⚠") and "no email, website or phone" in first
    assert knowledge.current.kb.hub.contact_line() in first
    assert "**Staff hand-off** on" in status
    await bot.close()

    await start_bot(settings_for(staff_channel_id=None), small_knowledge)
    _, response = await fake_discord.slash("kb", kb_command("status"), **STAFF)
    status = response.body["data"]["embeds"][0]["description"]
    assert "⚠" not in status.splitlines()[0] and "no email, website or phone" not in status
    assert "**Staff hand-off** off" in status


# ----- pieces ---------------------------------------------------------------------------------------
def test_a_submitted_answer_is_read_from_an_action_row_or_a_label() -> None:
    row = {"components": [{"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "In a row"}]}]}
    label = {"components": [{"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "In a label"}}]}
    assert [form_value(row, "answer"), form_value(label, "answer"), form_value({}, "answer")] == ["In a row", "In a label", ""]


def test_notes_on_a_staff_post_stay_within_discords_limits() -> None:
    embed = discord.Embed(title=POST_TITLE, description="“q”")
    embed.add_field(name="I replied", value="Sorry.")
    embed.add_field(name="Handed off", value="<t:1:f>")
    message = MagicMock(spec=discord.Message)
    for number in range(40):
        message.embeds = [embed]
        embed = noted(message, "Answered", f"answer {number} " + "x" * 1000)
    assert len(embed.fields) <= 25 and len(embed) <= 6000
    assert [field.name for field in embed.fields[:2]] == ["I replied", "Handed off"], "the question's context stays"
    assert embed.fields[-1].value.startswith("answer 39")
