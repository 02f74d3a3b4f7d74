"""End-to-end: the real bot, over real HTTP and WebSocket, against the fake Discord.

Each test asserts on the JSON Discord would receive.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest

from bot.config import Settings
from bot.discord_app.client import HubBot
from bot.discord_app.knowledge import KnowledgeService
from bot.knowledge.schema import PHASE_LABELS, Phase
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import (
    APP_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    STAFF_ID,
    STAFF_ROLE_ID,
    FakeDiscord,
)

pytestmark = pytest.mark.asyncio

LINK_BUTTON = 5
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8


def components_of(body: dict) -> list[dict]:
    """Every component (button, select) in a message body, rows flattened."""
    return [item for row in body.get("components", []) for item in row["components"]]


def link_buttons(body: dict) -> list[dict]:
    return [item for item in components_of(body) if item.get("style") == LINK_BUTTON]


def assert_pings_nobody(body: dict) -> None:
    allowed = body["allowed_mentions"]
    assert allowed["parse"] == []
    assert not allowed.get("replied_user") and not allowed.get("users") and not allowed.get("roles")


def option(name: str, value: str) -> dict:
    return {"name": name, "type": 3, "value": value}


async def test_login_and_gateway_session(bot: HubBot, fake_discord: FakeDiscord) -> None:
    assert fake_discord.requests_to("GET", "/users/@me")
    assert fake_discord.requests_to("GET", "/oauth2/applications/@me")
    identify = next(p for p in fake_discord.received if p["op"] == 2)
    assert identify["d"]["token"] == "fake-token"
    assert bot.application_id == APP_ID
    assert bot.get_guild(GUILD_ID) is not None


async def test_commands_are_registered_in_the_configured_guild(bot: HubBot, fake_discord: FakeDiscord) -> None:
    [sync] = fake_discord.requests_to("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    assert not fake_discord.requests_to("PUT", rf"/applications/{APP_ID}/commands")
    commands = {command["name"]: command for command in sync.body}
    assert set(commands) == {"ask", "programmes", "programme", "deadlines", "eligibility", "help", "kb"}

    [question] = commands["ask"]["options"]
    assert (question["name"], question["type"], question["required"]) == ("question", 3, True)
    assert commands["ask"]["description"]

    [phase] = commands["programmes"]["options"]
    assert phase["required"] is True
    assert [choice["name"] for choice in phase["choices"]] == [PHASE_LABELS[p] for p in Phase]
    assert [choice["value"] for choice in phase["choices"]] == [p.value for p in Phase]

    [name] = commands["programme"]["options"]
    assert name["autocomplete"] is True
    assert "choices" not in name or not name["choices"]

    [deadline_phase] = commands["deadlines"]["options"]
    assert deadline_phase["required"] is False
    assert len(deadline_phase["choices"]) == len(Phase)

    kb = commands["kb"]
    assert {sub["name"] for sub in kb["options"]} == {"status", "reload", "report"}
    assert int(kb["default_member_permissions"]) == 32  # manage server: a hint; the real check is the role
    assert kb["contexts"] == [0]  # guild only


async def test_ask_answers_with_an_embed_privately(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash(
        "ask", [option("question", "Who is the Secondary Mastery Specialist programme for?")]
    )
    assert response.body["type"] == CHANNEL_MESSAGE
    data = response.body["data"]
    assert data["flags"] & EPHEMERAL
    assert_pings_nobody(data)
    [embed] = data["embeds"]
    assert embed["description"]
    assert "secondary" in (embed.get("title", "") + embed["description"]).lower()
    assert "Source" in embed["footer"]["text"]


async def test_a_form_with_an_address_is_a_link_button(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    small_knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    await start_bot(settings_for(), small_knowledge)
    _, response = await fake_discord.slash("ask", [option("question", "how do I apply for number club?")])
    data = response.body["data"]
    [button] = link_buttons(data)
    assert button["url"] == "https://forms.example.org/number-club"
    assert button["label"] == "Number Club application form"
    assert "Number Club application form" not in str(data["embeds"][0].get("fields"))


async def test_once_the_round_has_closed_its_form_is_no_button(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    small_knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    after_deadline = dt.datetime(2099, 5, 1, 12, 0, tzinfo=dt.UTC)
    await start_bot(settings_for(), small_knowledge, clock=lambda: after_deadline)
    _, response = await fake_discord.slash("ask", [option("question", "how do I apply for number club?")])
    data = response.body["data"]
    assert not link_buttons(data)
    assert "Number Club application form" not in json.dumps(data)
    assert "closed" in data["embeds"][0]["description"]


async def test_a_form_without_an_address_says_to_ask_the_hub(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    small_knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    await start_bot(settings_for(), small_knowledge)
    _, response = await fake_discord.slash("ask", [option("question", "where is the algebra circle form?")])
    data = response.body["data"]
    assert not link_buttons(data)
    forms = next(f for f in data["embeds"][0]["fields"] if f["name"] == "Forms")
    assert "Algebra Circle expression of interest form: ask the hub for the form" in forms["value"]
    assert "hub@example.org" in forms["value"]


async def test_pages_without_an_address_are_not_called_forms(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("programme", [option("name", "ncetm-resources")])
    [embed] = response.body["data"]["embeds"]
    [links] = [f for f in embed.get("fields", []) if "ask the hub" in f["value"]]
    assert links["name"] == "Links"
    assert "The NCETM Maths Podcast: ask the hub for the link" in links["value"]
    assert "for the form" not in json.dumps(embed)


async def test_programmes_lists_a_phase_with_deadlines(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("programmes", [option("phase", "secondary")])
    data = response.body["data"]
    assert data["flags"] & EPHEMERAL
    [embed] = data["embeds"]
    assert embed["title"].startswith("Secondary")
    assert "Secondary Mastery Specialist Programme" in embed["description"]
    assert components_of(data), "a way to pick one offer for details"


async def test_programme_autocomplete_offers_at_most_25_short_choices(bot: HubBot, fake_discord: FakeDiscord) -> None:
    response = await fake_discord.autocomplete("programme", "name", "mastering num")
    assert response.body["type"] == AUTOCOMPLETE_RESULT
    choices = response.body["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    assert "mastering number" in choices[0]["name"].lower()

    everything = await fake_discord.autocomplete("programme", "name", "")
    assert len(everything.body["data"]["choices"]) <= 25


async def test_programme_revalidates_a_typed_value(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, by_id = await fake_discord.slash("programme", [option("name", "secondary-mastery-specialist")])
    _, by_alias = await fake_discord.slash("programme", [option("name", "Secondary MS")])
    assert by_id.body["data"]["embeds"][0]["title"] == by_alias.body["data"]["embeds"][0]["title"]
    _, nonsense = await fake_discord.slash("programme", [option("name", "zzzz qqqq")])
    assert nonsense.body["data"]["embeds"][0]["description"]


async def test_deadlines_soonest_first(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("deadlines")
    [embed] = response.body["data"]["embeds"]
    assert embed["title"].startswith("Deadlines")
    assert "Upcoming" in embed["description"]

    _, primary = await fake_discord.slash("deadlines", [option("phase", "primary")])
    assert "Primary" in primary.body["data"]["embeds"][0]["title"]


async def test_mention_gets_a_public_reply_to_that_message(bot: HubBot, fake_discord: FakeDiscord) -> None:
    after = fake_discord.mark()
    message = await fake_discord.say(f"<@{bot.user.id}> who is the secondary mastery specialist programme for?")
    reply = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    assert reply.body["message_reference"]["message_id"] == int(message["id"])
    assert_pings_nobody(reply.body)
    assert not reply.body.get("flags", 0) & EPHEMERAL
    assert reply.body["embeds"][0]["description"]


async def test_message_without_a_mention_is_ignored(bot: HubBot, fake_discord: FakeDiscord) -> None:
    after = fake_discord.mark()
    await fake_discord.say("when do applications close?", mention_bot=False)
    # A mention sent after it is answered first and alone: the first message made no request.
    await fake_discord.say(f"<@{bot.user.id}> help", mention_bot=True)
    await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    assert len(fake_discord.requests_to("POST", rf"/channels/{CHANNEL_ID}/messages")) == 1


async def test_clarify_buttons_answer_when_clicked(bot: HubBot, fake_discord: FakeDiscord) -> None:
    payload, response = await fake_discord.slash("ask", [option("question", "tell me about mastering number")])
    data = response.body["data"]
    buttons = [c for c in components_of(data) if c.get("custom_id", "").startswith("hubbot:entry:")]
    assert len(buttons) >= 2, data
    chosen = buttons[0]
    clicked = await fake_discord.click(fake_discord.response_message(payload), chosen["custom_id"])
    assert clicked.body["type"] == UPDATE_MESSAGE  # the private question is replaced by the answer
    [embed] = clicked.body["data"]["embeds"]
    assert embed["title"] == chosen["label"]


async def test_clarify_on_a_public_reply_answers_the_clicker_privately(bot: HubBot, fake_discord: FakeDiscord) -> None:
    after = fake_discord.mark()
    await fake_discord.say(f"<@{bot.user.id}> mastering number")
    reply = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    button = next(c for c in components_of(reply.body) if c.get("custom_id", "").startswith("hubbot:entry:"))
    clicked = await fake_discord.click(fake_discord.posted[-1], button["custom_id"])
    assert clicked.body["type"] == CHANNEL_MESSAGE
    assert clicked.body["data"]["flags"] & EPHEMERAL


async def test_staff_command_refused_for_a_teacher(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("kb", [{"name": "status", "type": 1, "options": []}])
    data = response.body["data"]
    assert data["flags"] & EPHEMERAL
    assert "staff" in data["content"].lower()
    assert "embeds" not in data or not data["embeds"]


async def test_staff_status_for_a_staff_member(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash(
        "kb", [{"name": "status", "type": 1, "options": []}], user_id=STAFF_ID, roles=(STAFF_ROLE_ID,)
    )
    [embed] = response.body["data"]["embeds"]
    assert "Version" in embed["description"]


async def test_answers_again_after_the_gateway_asks_to_reconnect(bot: HubBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.request_reconnect()
    assert fake_discord.resumed == 1
    _, response = await fake_discord.slash("help")
    assert response.body["data"]["embeds"]


async def test_help_is_private(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("help")
    assert response.body["data"]["flags"] & EPHEMERAL
    assert "/ask" in response.body["data"]["embeds"][0]["description"]


async def test_user_text_is_never_echoed_as_a_ping_or_markdown(bot: HubBot, fake_discord: FakeDiscord) -> None:
    hostile = "@everyone <@400000000000000007> **what** is [teaching for mastery](https://evil.example)?"
    _, response = await fake_discord.slash("ask", [option("question", hostile)])
    sent = json.dumps(response.body, ensure_ascii=False)
    assert "@everyone" not in sent
    assert "<@400000000000000007>" not in sent
    assert "evil.example" not in sent
    assert_pings_nobody(response.body["data"])


async def test_a_bare_mention_gets_a_hint(bot: HubBot, fake_discord: FakeDiscord) -> None:
    after = fake_discord.mark()
    await fake_discord.say(f"<@{bot.user.id}>")
    reply = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    assert "/ask" in reply.body["content"]
    assert_pings_nobody(reply.body)


async def test_a_direct_message_is_answered_without_a_mention(bot: HubBot, fake_discord: FakeDiscord) -> None:
    message = await fake_discord.say("what is teaching for mastery?", mention_bot=False, direct=True)
    reply = await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages")
    assert reply.body["message_reference"]["message_id"] == int(message["id"])
    assert reply.body["embeds"][0]["description"]
