"""One bot, two hubs, over the fake Discord: each server is answered from its own hub's knowledge
folder, staff roles, channels, reminders and records; a broken edit in one hub's folder never touches
the other; a direct message asks which hub when it is not clear.

North serves the first server (``GUILD_ID``), south the second (``GUILD2_ID``). Both have a
"Number Club Programme" of the same id, with different facts, so an answer from the wrong hub shows.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.discord_app.client import HubBot
from bot.discord_app.hub_choice import NOT_SERVED, WHICH
from bot.discord_app.knowledge import KnowledgeService
from bot.staff.storage import SQLiteStorage
from tests.discord.conftest import SMALL_KNOWLEDGE_DIR, StartBot
from tests.discord.fake_discord import (
    APP_ID,
    BOT_ID,
    CHANNEL2_ID,
    DM_CHANNEL_ID,
    GUILD2_ID,
    GUILD_ID,
    REMINDER2_CHANNEL_ID,
    REMINDER_CHANNEL_ID,
    STAFF2_CHANNEL_ID,
    STAFF2_ROLE_ID,
    STAFF_CHANNEL_ID,
    STAFF_ID,
    STAFF_ROLE_ID,
    FakeDiscord,
)

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
NORTH_STAFF = {"user_id": STAFF_ID, "roles": (STAFF_ROLE_ID,)}
SOUTH_STAFF = {"user_id": STAFF_ID, "roles": (STAFF2_ROLE_ID,)}
TIME_QUESTION = "how much time does number club take?"
NORTH_TIME = "Three half-day sessions"
SOUTH_TIME = "Five twilight sessions"
SELECT = 3


def ask(question: str) -> list[dict]:
    return [{"name": "question", "type": 3, "value": question}]


def kb(name: str) -> list[dict]:
    return [{"name": name, "type": 1, "options": []}]


def write_south(directory: Path) -> Path:
    """The small knowledge base as another hub's: its own name, its own Number Club facts, and a
    Geometry Garden where north has an Algebra Circle.
    """
    shutil.copytree(SMALL_KNOWLEDGE_DIR, directory)
    hub = directory / "hub.yaml"
    hub.write_text(hub.read_text(encoding="utf-8").replace("Test Maths Hub", "South Maths Hub"), encoding="utf-8")
    club = directory / "entries" / "number-club.yaml"
    club.write_text(
        club.read_text(encoding="utf-8")
        .replace("Three half-day sessions over the year.", "Five twilight sessions over the year.")
        .replace("quote: three half-day sessions", "quote: five twilight sessions")
        .replace("forms.example.org/number-club", "forms.example.org/south-number-club"),
        encoding="utf-8",
    )
    (directory / "entries" / "algebra-circle.yaml").unlink()
    (directory / "entries" / "geometry-garden.yaml").write_text(
        "id: geometry-garden\n"
        "name: Geometry Garden Work Group\n"
        "kind: work-group\n"
        "phases: [secondary]\n"
        "summary:\n"
        "  text: A Work Group in which secondary teachers plan geometry lessons together.\n"
        "  source: {file: newsletter.txt, quote: The Geometry Garden Work Group plans geometry lessons}\n"
        "last_reviewed: 2026-09-01\n",
        encoding="utf-8",
    )
    return directory


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    north = tmp_path / "north"
    shutil.copytree(SMALL_KNOWLEDGE_DIR, north)
    return {"north": north, "south": write_south(tmp_path / "south")}


@pytest.fixture
def services(folders: dict[str, Path]) -> dict[str, KnowledgeService]:
    return {hub: KnowledgeService.load(folder) for hub, folder in folders.items()}


@pytest.fixture
def hub_settings(
    settings_for: Callable[..., Settings], folders: dict[str, Path], fake_discord: FakeDiscord
) -> Callable[..., Settings]:
    """Settings with two hubs (the top-level hub settings left at their defaults); ``south`` and
    ``north`` override that hub's settings, anything else a top-level one.
    """
    fake_discord.serve(GUILD_ID, GUILD2_ID)

    def make(*, north: dict[str, Any] | None = None, south: dict[str, Any] | None = None, **overrides: Any) -> Settings:
        hubs = [
            {
                "id": "north", "knowledge_dir": folders["north"], "guild_ids": [GUILD_ID],
                "staff_role_ids": [STAFF_ROLE_ID], "staff_channel_id": STAFF_CHANNEL_ID, **(north or {}),
            },
            {
                "id": "south", "knowledge_dir": folders["south"], "guild_ids": [GUILD2_ID],
                "staff_role_ids": [STAFF2_ROLE_ID], "staff_channel_id": STAFF2_CHANNEL_ID, **(south or {}),
            },
        ]
        return settings_for(
            knowledge_dir=Path("knowledge"), guild_ids=[], staff_role_ids=[], staff_channel_id=None, hubs=hubs, **overrides
        )

    return make


def description(body: dict) -> str:
    data = body.get("data", body)
    return "\n".join(
        [embed.get("description") or "" for embed in data.get("embeds", [])]
        + [field["value"] for embed in data.get("embeds", []) for field in embed.get("fields", [])]
    )


async def records_of(bot: HubBot) -> SQLiteStorage:
    await bot.staff.written()
    storage = bot.staff.storage
    assert isinstance(storage, SQLiteStorage)
    return storage


# ----- each server its own hub ----------------------------------------------------------------------
async def test_each_server_is_answered_from_its_own_hubs_knowledge_folder(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    fake_discord: FakeDiscord,
) -> None:
    bot = await start_bot(hub_settings(), services)
    for guild in (GUILD_ID, GUILD2_ID):
        assert fake_discord.requests_to("PUT", rf"/applications/{APP_ID}/guilds/{guild}/commands")

    _, north = await fake_discord.slash("ask", ask(TIME_QUESTION), guild_id=GUILD_ID)
    _, south = await fake_discord.slash("ask", ask(TIME_QUESTION), guild_id=GUILD2_ID)
    assert NORTH_TIME in description(north.body) and SOUTH_TIME not in description(north.body)
    assert SOUTH_TIME in description(south.body) and NORTH_TIME not in description(south.body)

    _, north_list = await fake_discord.slash("programmes", [{"name": "phase", "type": 3, "value": "secondary"}])
    _, south_list = await fake_discord.slash(
        "programmes", [{"name": "phase", "type": 3, "value": "secondary"}], guild_id=GUILD2_ID
    )
    assert "Algebra Circle" in str(north_list.body) and "Geometry Garden" not in str(north_list.body)
    assert "Geometry Garden" in str(south_list.body) and "Algebra Circle" not in str(south_list.body)

    _, help_south = await fake_discord.slash("help", guild_id=GUILD2_ID)
    assert "South Maths Hub" in description(help_south.body)

    suggestions = await fake_discord.autocomplete("programme", "name", "geometry", guild_id=GUILD2_ID)
    assert [c["value"] for c in suggestions.body["data"]["choices"]] == ["geometry-garden"]
    nothing = await fake_discord.autocomplete("programme", "name", "geometry", guild_id=GUILD_ID)
    assert "geometry-garden" not in [c["value"] for c in nothing.body["data"]["choices"]]

    after = fake_discord.mark()
    await fake_discord.say(f"<@{BOT_ID}> {TIME_QUESTION}", guild_id=GUILD2_ID)
    mention = await fake_discord.request("POST", rf"/channels/{CHANNEL2_ID}/messages", after=after)
    assert SOUTH_TIME in description(mention.body)

    storage = await records_of(bot)
    by_hub: dict[str, int] = {}
    for count in storage.question_counts(LONG_AGO.date()):
        by_hub[count.hub_id] = by_hub.get(count.hub_id, 0) + count.questions
    assert by_hub == {"north": 1, "south": 2}  # /ask in each, and the mention in the second


async def test_eligibility_and_deadlines_are_the_servers_hubs(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    fake_discord: FakeDiscord,
) -> None:
    await start_bot(hub_settings(), services)
    _, north = await fake_discord.slash("deadlines", guild_id=GUILD_ID)
    _, south = await fake_discord.slash("deadlines", guild_id=GUILD2_ID)
    assert "Number Club" in str(north.body) and "Number Club" in str(south.body)
    # Each hub's calendar file and form are its own.
    _, north_club = await fake_discord.slash("programme", [{"name": "name", "type": 3, "value": "number-club"}])
    _, south_club = await fake_discord.slash(
        "programme", [{"name": "name", "type": 3, "value": "number-club"}], guild_id=GUILD2_ID
    )
    assert "forms.example.org/number-club" in str(north_club.body)
    assert "forms.example.org/south-number-club" in str(south_club.body)
    _, check = await fake_discord.slash(
        "eligibility", [{"name": "programme", "type": 3, "value": "geometry"}], guild_id=GUILD_ID
    )
    assert "Geometry Garden" not in str(check.body)  # north has no such programme


async def test_staff_of_one_hub_are_not_staff_of_the_other(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    fake_discord: FakeDiscord,
) -> None:
    await start_bot(hub_settings(), services)
    _, refused = await fake_discord.slash("kb", kb("status"), guild_id=GUILD2_ID, **NORTH_STAFF)
    assert refused.body["data"]["content"] == "This command is for hub staff only."
    _, status = await fake_discord.slash("kb", kb("status"), guild_id=GUILD2_ID, **SOUTH_STAFF)
    body = description(status.body)
    assert "**Hub** South Maths Hub (id `south`" in body
    assert f"<#{STAFF2_CHANNEL_ID}>" in body and f"<#{STAFF_CHANNEL_ID}>" not in body


async def test_kb_report_counts_only_the_servers_hub(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    fake_discord: FakeDiscord,
) -> None:
    bot = await start_bot(hub_settings(), services)
    await fake_discord.slash("ask", ask("is anyone going to the north football tonight?"), guild_id=GUILD_ID)
    for _ in range(2):
        await fake_discord.slash("ask", ask("is anyone going to the south football tonight?"), guild_id=GUILD2_ID)
    await bot.staff.written()
    payload, response = await fake_discord.slash(
        "kb", [{"name": "report", "type": 1, "options": []}], guild_id=GUILD2_ID, **SOUTH_STAFF
    )
    report = response.body["data"].get("content") or (
        await fake_discord.request("POST", rf"/webhooks/{APP_ID}/{payload['token']}")
    ).body["content"]
    assert report.startswith("**Staff report of South Maths Hub")
    assert "2 questions" in report and "south football" in report and "north football" not in report


# ----- reloads --------------------------------------------------------------------------------------
async def test_a_broken_reload_in_one_hub_leaves_the_other_alone(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    folders: dict[str, Path], fake_discord: FakeDiscord,
) -> None:
    bot = await start_bot(hub_settings(), services)
    north, south = bot.hubs.get("north"), bot.hubs.get("south")
    assert north is not None and south is not None
    versions = {hub.id: hub.knowledge.current.kb.version for hub in (north, south)}
    club = folders["south"] / "entries" / "number-club.yaml"
    club.write_text(club.read_text(encoding="utf-8").replace("phases: [primary]", "phases: [tertiary]"), encoding="utf-8")

    payload, _ = await fake_discord.slash("kb", kb("reload"), guild_id=GUILD2_ID, **SOUTH_STAFF)
    followup = await fake_discord.request("POST", rf"/webhooks/{APP_ID}/{payload['token']}")
    assert followup.body["embeds"][0]["title"] == "Reload refused"
    told = await fake_discord.request("POST", rf"/channels/{STAFF2_CHANNEL_ID}/messages")
    assert "number-club.yaml" in told.body["embeds"][0]["description"]
    assert not fake_discord.requests_to("POST", rf"/channels/{STAFF_CHANNEL_ID}/messages")  # north's staff: nothing
    assert south.refused is not None and north.refused is None
    assert {hub.id: hub.knowledge.current.kb.version for hub in (north, south)} == versions

    # North reloads its own (changed) files meanwhile, and both keep answering.
    north_club = folders["north"] / "entries" / "number-club.yaml"
    north_club.write_text(
        north_club.read_text(encoding="utf-8").replace("Three half-day", "Four half-day"), encoding="utf-8"
    )
    payload, _ = await fake_discord.slash("kb", kb("reload"), guild_id=GUILD_ID, **NORTH_STAFF)
    reloaded = await fake_discord.request("POST", rf"/webhooks/{APP_ID}/{payload['token']}")
    assert reloaded.body["embeds"][0]["title"] == "Reloaded"
    assert north.knowledge.current.kb.version != versions["north"]
    assert south.knowledge.current.kb.version == versions["south"] and south.refused is not None
    _, north_answer = await fake_discord.slash("ask", ask(TIME_QUESTION), guild_id=GUILD_ID)
    _, south_answer = await fake_discord.slash("ask", ask(TIME_QUESTION), guild_id=GUILD2_ID)
    assert "Four half-day sessions" in description(north_answer.body)
    assert SOUTH_TIME in description(south_answer.body)


async def test_the_watcher_of_each_hub_tells_only_that_hubs_staff(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    folders: dict[str, Path], fake_discord: FakeDiscord,
) -> None:
    bot = await start_bot(hub_settings(watch_knowledge_dir=True), services)
    assert all(hub.watcher is not None and hub.watcher.running for hub in bot.hubs)
    north = bot.hubs.get("north")
    assert north is not None
    version = north.knowledge.current.kb.version
    club = folders["south"] / "entries" / "number-club.yaml"
    club.write_text(club.read_text(encoding="utf-8").replace("phases: [primary]", "phases: [tertiary]"), encoding="utf-8")
    told = await fake_discord.request("POST", rf"/channels/{STAFF2_CHANNEL_ID}/messages", timeout=20)
    assert told.body["embeds"][0]["title"] == "Knowledge-base reload refused"
    assert not fake_discord.requests_to("POST", rf"/channels/{STAFF_CHANNEL_ID}/messages")
    assert north.knowledge.current.kb.version == version and north.refused is None


# ----- reminders ------------------------------------------------------------------------------------
def frozen(moment: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: moment


@pytest.mark.parametrize(
    ("utc_hour", "south_posts"),
    [(9, False), (18, True)],  # 10:00 in London; 02:00 or 11:00 in Los Angeles (reminders wait for 09:00)
)
async def test_each_hub_posts_its_own_reminders_in_its_own_channel_and_time_zone(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    fake_discord: FakeDiscord, utc_hour: int, south_posts: bool,
) -> None:
    now = dt.datetime(2099, 4, 21, utc_hour, 0, tzinfo=dt.UTC)
    settings = hub_settings(
        north={"reminder_channel_id": REMINDER_CHANNEL_ID},
        south={"reminder_channel_id": REMINDER2_CHANNEL_ID, "timezone": "America/Los_Angeles"},
    )
    bot = await start_bot(settings, services, clock=frozen(now))
    post = await fake_discord.request("POST", rf"/channels/{REMINDER_CHANNEL_ID}/messages")
    assert "forms.example.org/number-club" in str(post.body)
    await bot.close()  # waits for the reminder passes to finish
    north_posts = fake_discord.requests_to("POST", rf"/channels/{REMINDER_CHANNEL_ID}/messages")
    south_posts_made = fake_discord.requests_to("POST", rf"/channels/{REMINDER2_CHANNEL_ID}/messages")
    assert len(north_posts) == 1
    assert len(south_posts_made) == (1 if south_posts else 0)
    if south_posts:
        assert "forms.example.org/south-number-club" in str(south_posts_made[0].body)
    with SQLiteStorage(settings.database_path) as storage:
        sent = {(mark.hub_id, mark.entry_id, mark.lead_days) for mark in storage.reminder_marks() if mark.outcome == "sent"}
    assert sent == {("north", "number-club", 7)} | ({("south", "number-club", 7)} if south_posts else set())


# ----- direct messages ------------------------------------------------------------------------------
def select_of(body: dict) -> dict:
    [select] = [item for row in body.get("components", []) for item in row["components"] if item["type"] == SELECT]
    return select


async def test_a_direct_message_asks_which_hub_then_answers_from_the_one_chosen(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    fake_discord: FakeDiscord,
) -> None:
    await start_bot(hub_settings(), services)
    after = fake_discord.mark()
    await fake_discord.say(TIME_QUESTION, direct=True, mention_bot=False)
    prompt = await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages", after=after)
    assert WHICH in description(prompt.body)
    select = select_of(prompt.body)
    assert [(o["label"], o["value"]) for o in select["options"]] == [
        ("Test Maths Hub", "north"), ("South Maths Hub", "south"),
    ]
    chosen = await fake_discord.interact(
        fake_discord.click_payload(fake_discord.posted[-1], select["custom_id"], values=["south"], direct=True)
    )
    assert chosen.body["type"] == 7  # the question is answered in place of the choice
    assert SOUTH_TIME in description(chosen.body)

    after = fake_discord.mark()  # the choice is remembered: the next message is answered at once
    await fake_discord.say("and when do number club applications close?", direct=True, mention_bot=False)
    answer = await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages", after=after)
    assert "28 April 2099" in description(answer.body) and not select_of_or_none(answer.body)


def select_of_or_none(body: dict) -> dict | None:
    found = [item for row in body.get("components", []) for item in row["components"] if item["type"] == SELECT]
    return found[0] if found else None


async def test_a_direct_message_from_someone_seen_in_one_hubs_server_is_that_hubs(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    fake_discord: FakeDiscord,
) -> None:
    await start_bot(hub_settings(), services)
    await fake_discord.slash("help", guild_id=GUILD2_ID)
    after = fake_discord.mark()
    await fake_discord.say(TIME_QUESTION, direct=True, mention_bot=False)
    answer = await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages", after=after)
    assert SOUTH_TIME in description(answer.body) and select_of_or_none(answer.body) is None

    await fake_discord.slash("help", guild_id=GUILD_ID)  # now seen in both: ask again
    after = fake_discord.mark()
    await fake_discord.say(TIME_QUESTION, direct=True, mention_bot=False)
    prompt = await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages", after=after)
    assert select_of(prompt.body)


async def test_a_slash_command_in_a_direct_message_asks_which_hub_privately(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    fake_discord: FakeDiscord,
) -> None:
    await start_bot(hub_settings(), services)
    payload, prompt = await fake_discord.slash("ask", ask(TIME_QUESTION), direct=True)
    assert prompt.body["data"]["flags"] & 64  # only they see it
    select = select_of(prompt.body["data"])
    chosen = await fake_discord.interact(
        fake_discord.click_payload(fake_discord.response_message(payload), select["custom_id"], values=["north"], direct=True)
    )
    assert NORTH_TIME in description(chosen.body)

    payload, prompt = await fake_discord.slash("programmes", [{"name": "phase", "type": 3, "value": "secondary"}], direct=True)
    assert "Algebra Circle" in str(prompt.body)  # remembered: no question this time


async def test_with_one_hub_a_direct_message_is_answered_at_once(
    start_bot: StartBot, settings_for: Callable[..., Settings], small_knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    await start_bot(settings_for(), small_knowledge)
    after = fake_discord.mark()
    await fake_discord.say(TIME_QUESTION, direct=True, mention_bot=False)
    answer = await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages", after=after)
    assert NORTH_TIME in description(answer.body) and select_of_or_none(answer.body) is None


async def test_a_server_no_hub_lists_is_told_so(
    start_bot: StartBot, hub_settings: Callable[..., Settings], services: dict[str, KnowledgeService],
    fake_discord: FakeDiscord, logged_errors: Any,
) -> None:
    settings = hub_settings(south={"guild_ids": [GUILD2_ID + (1 << 22) * 2]})  # south serves some other server
    logged_errors.expect(1)  # registering its commands in a server the bot is not in is refused (and logged)
    await start_bot(settings, services)
    after = fake_discord.mark()
    await fake_discord.say(f"<@{BOT_ID}> {TIME_QUESTION}", guild_id=GUILD2_ID)
    reply = await fake_discord.request("POST", rf"/channels/{CHANNEL2_ID}/messages", after=after)
    assert reply.body["content"] == NOT_SERVED
    _, north = await fake_discord.slash("ask", ask(TIME_QUESTION))
    assert NORTH_TIME in description(north.body)
