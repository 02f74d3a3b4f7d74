"""Loopback tests of the bot's settings-dependent behaviour: staff reload, cooldown, unprompted
answers, the error handler and when commands are registered."""

from __future__ import annotations

import json
from collections.abc import Callable
from unittest.mock import MagicMock

from bot.config import Settings
from bot.discord_app.knowledge import KnowledgeService, Snapshot
from bot.discord_app.sync import command_digest
from bot.engine.engine import Engine
from tests.discord.conftest import ErrorRecords, StartBot
from tests.discord.fake_discord import (
    APP_ID,
    CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    STAFF_CHANNEL_ID,
    STAFF_ID,
    STAFF_ROLE_ID,
    FakeDiscord,
)

DEFERRED = 5
RELOAD = [{"name": "reload", "type": 1, "options": []}]
MESSAGE_CONTENT_INTENT = 1 << 15


def ask(question: str) -> list[dict]:
    return [{"name": "question", "type": 3, "value": question}]


async def test_reload_refuses_a_broken_knowledge_base_and_keeps_serving(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    small_knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    bot = await start_bot(settings_for(), small_knowledge)
    version = small_knowledge.current.kb.version
    broken = small_knowledge.directory / "entries" / "number-club.yaml"
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("phases: [primary]", "phases: [tertiary]"), encoding="utf-8")

    payload, response = await fake_discord.slash("kb", RELOAD, user_id=STAFF_ID, roles=(STAFF_ROLE_ID,))
    assert response.body["type"] == DEFERRED
    assert response.body["data"]["flags"] & EPHEMERAL
    followup = await fake_discord.request("POST", rf"/webhooks/{APP_ID}/{payload['token']}")
    [embed] = followup.body["embeds"]
    assert embed["title"] == "Reload refused"
    assert "number-club.yaml:4" in embed["description"]
    assert version in embed["description"]
    staff_post = await fake_discord.request("POST", rf"/channels/{STAFF_CHANNEL_ID}/messages")
    assert "number-club.yaml" in staff_post.body["embeds"][0]["description"]
    assert bot.hubs.only.knowledge.current.kb.version == version

    _, answer = await fake_discord.slash("ask", ask("how do I apply for number club?"))
    assert answer.body["data"]["embeds"][0]["title"] == "Number Club Programme"

    broken.write_text(good.replace("Three half-day sessions", "Four half-day sessions"), encoding="utf-8")
    payload, _ = await fake_discord.slash("kb", RELOAD, user_id=STAFF_ID, roles=(STAFF_ROLE_ID,))
    followup = await fake_discord.request("POST", rf"/webhooks/{APP_ID}/{payload['token']}")
    assert followup.body["embeds"][0]["title"] == "Reloaded"
    assert bot.hubs.only.knowledge.current.kb.version != version


async def test_reload_is_refused_to_a_teacher(bot: object, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("kb", RELOAD)
    assert "staff" in response.body["data"]["content"]
    assert not fake_discord.requests_to("POST", rf"/webhooks/{APP_ID}/.*")


async def test_a_staff_role_in_another_guild_setting_is_not_enough(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(staff_role_ids=[]))
    _, response = await fake_discord.slash("kb", RELOAD, user_id=STAFF_ID, roles=(STAFF_ROLE_ID,))
    assert "staff" in response.body["data"]["content"]


async def test_cooldown_answers_privately_instead(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(cooldown_rate=1, cooldown_seconds=60))
    _, first = await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    assert first.body["data"]["embeds"]
    _, second = await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    assert "try again in" in second.body["data"]["content"]
    assert second.body["data"]["flags"] & EPHEMERAL


async def test_public_replies_when_configured(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(ephemeral_replies=False))
    _, response = await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    assert not response.body["data"].get("flags", 0) & EPHEMERAL


async def test_unprompted_answers_only_confident_questions_in_listed_channels(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    bot = await start_bot(settings_for(unprompted_channel_ids=[CHANNEL_ID], unprompted_min_confidence=0.9))
    identify = next(p for p in fake_discord.received if p["op"] == 2)
    assert identify["d"]["intents"] & MESSAGE_CONTENT_INTENT

    confident = "how do I apply for the secondary mastery specialist programme?"
    question = await fake_discord.say(confident, mention_bot=False)
    reply = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert reply.body["message_reference"]["message_id"] == int(question["id"])

    after = fake_discord.mark()
    await fake_discord.say("is anyone going to the football tonight?", mention_bot=False)  # unknown
    await fake_discord.say("when do mastering number applications close?", mention_bot=False)  # clarify
    await fake_discord.say("the secondary mastery specialist programme", mention_bot=False)  # no question
    mention = await fake_discord.say(f"<@{bot.user.id}> is anyone going to the football tonight?")
    answered = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    assert answered.body["message_reference"]["message_id"] == int(mention["id"])
    assert len(fake_discord.requests_to("POST", rf"/channels/{CHANNEL_ID}/messages")) == 2


async def test_without_unprompted_channels_the_privileged_intent_is_not_requested(
    bot: object, fake_discord: FakeDiscord
) -> None:
    identify = next(p for p in fake_discord.received if p["op"] == 2)
    assert not identify["d"]["intents"] & MESSAGE_CONTENT_INTENT


async def test_a_failing_command_is_answered_privately_and_logged(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
    logged_errors: ErrorRecords,
) -> None:
    engine = MagicMock(spec=Engine)
    engine.answer.side_effect = RuntimeError("engine broke")
    failing = KnowledgeService(knowledge.directory, Snapshot(kb=knowledge.current.kb, engine=engine))
    await start_bot(settings_for(), failing)
    logged_errors.expect(1)
    _, response = await fake_discord.slash("ask", ask("anything"))
    assert response.body["data"]["flags"] & EPHEMERAL
    assert "something went wrong" in response.body["data"]["content"]
    [record] = logged_errors.records
    assert record.exc_info and "engine broke" in str(record.exc_info[1])


async def test_global_commands_are_registered_only_when_they_change(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    settings = settings_for(guild_ids=[])
    first = await start_bot(settings)
    assert first.synced_to == ["global"]
    assert len(fake_discord.requests_to("PUT", rf"/applications/{APP_ID}/commands")) == 1
    assert not fake_discord.requests_to("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    state = json.loads(settings.command_sync_state.read_text(encoding="utf-8"))
    assert state == {str(APP_ID): command_digest(first.tree)}
    await first.close()

    second = await start_bot(settings)
    assert second.synced_to == []
    assert len(fake_discord.requests_to("PUT", rf"/applications/{APP_ID}/commands")) == 1

    settings.command_sync_state.write_text(json.dumps({str(APP_ID): "an older command set"}), encoding="utf-8")
    await second.close()
    await start_bot(settings)
    assert len(fake_discord.requests_to("PUT", rf"/applications/{APP_ID}/commands")) == 2


async def test_choosing_from_the_programmes_select_answers(bot: object, fake_discord: FakeDiscord) -> None:
    payload, response = await fake_discord.slash("programmes", [{"name": "phase", "type": 3, "value": "secondary"}])
    [row] = response.body["data"]["components"]
    [select] = row["components"]
    assert select["custom_id"] == "hubbot:pick"
    assert 6 <= len(select["options"]) <= 25
    chosen = next(o for o in select["options"] if o["value"] == "secondary-mastery-specialist")
    clicked = await fake_discord.click(
        fake_discord.response_message(payload), "hubbot:pick", values=["secondary-mastery-specialist"]
    )
    assert clicked.body["data"]["embeds"][0]["title"] == chosen["label"]


async def test_a_guild_that_refuses_the_commands_is_logged_and_the_rest_still_work(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord, logged_errors: ErrorRecords
) -> None:
    logged_errors.expect(1)
    elsewhere = GUILD_ID + 1
    bot = await start_bot(settings_for(guild_ids=[elsewhere, GUILD_ID]))
    assert bot.synced_to == [str(GUILD_ID)]
    [record] = logged_errors.records
    assert str(elsewhere) in record.getMessage() and "applications.commands" in record.getMessage()
    _, response = await fake_discord.slash("help")
    assert response.body["data"]["embeds"]
