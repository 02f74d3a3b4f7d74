"""Loopback tests of the staff workflow in Discord: 👍/👎 on answers, ``/kb report`` and
``/kb status``, live reloads told to the staff channel, deadline reminders and the ``.ics`` file.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from unittest.mock import MagicMock

import discord
import pytest
from icalendar import Calendar

from bot.config import Settings
from bot.discord_app.client import HubBot
from bot.discord_app.feedback import THANKS, TOO_OLD, VOTE_ID, add_votes
from bot.discord_app.knowledge import KnowledgeService
from bot.discord_app.replies import EntryButton
from bot.discord_app.staff_wiring import reminder_message
from bot.engine.dates import LONDON
from bot.knowledge.schema import Deadline
from bot.reply import ReplyLink
from bot.staff.calendar import FILENAME, calendar_deadlines, event_uid
from bot.staff.reminders import Reminder
from bot.staff.storage import SQLiteStorage
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import (
    APP_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    REMINDER_CHANNEL_ID,
    STAFF_CHANNEL_ID,
    STAFF_ID,
    STAFF_ROLE_ID,
    TEACHER_ID,
    FakeDiscord,
    Request,
)

CHANNEL_MESSAGE = 4
UPDATE_MESSAGE = 7
LINK_BUTTON = 5
PRIMARY = 1
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
STAFF = {"user_id": STAFF_ID, "roles": (STAFF_ROLE_ID,)}
UNKNOWN = "is anyone going to the football tonight?"
CLARIFY = "tell me about mastering number"


def ask(question: str) -> list[dict]:
    return [{"name": "question", "type": 3, "value": question}]


def kb_command(name: str, **options: str) -> list[dict]:
    return [{"name": name, "type": 1, "options": [{"name": k, "type": 3, "value": v} for k, v in options.items()]}]


def components_of(body: dict) -> list[dict]:
    return [item for row in body.get("components", []) for item in row["components"]]


def votes_of(body: dict) -> dict[str, dict]:
    """The vote buttons of a message body by vote ("up"/"down"), all for one answer."""
    votes = {}
    for item in components_of(body):
        match = VOTE_ID.fullmatch(item.get("custom_id") or "")
        if match:
            votes[match["vote"]] = item
    assert len({VOTE_ID.fullmatch(item["custom_id"])["answer_id"] for item in votes.values()}) <= 1
    return votes


def answer_id_of(body: dict) -> str:
    return VOTE_ID.fullmatch(votes_of(body)["up"]["custom_id"])["answer_id"]


async def storage_of(bot: HubBot) -> SQLiteStorage:
    """The bot's storage once the records queued so far are written (they are written after replying)."""
    await bot.staff.written()
    storage = bot.staff.storage
    assert isinstance(storage, SQLiteStorage)
    return storage


def database_text(storage: SQLiteStorage) -> str:
    """Every value in every table, as one string (to look for personal data)."""
    db = storage.connection
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return "\n".join(str(row) for table in tables for row in db.execute(f"SELECT * FROM {table}"))


async def followup_of(fake_discord: FakeDiscord, token: str, after: int = 0) -> Request:
    return await fake_discord.request("POST", rf"/webhooks/{APP_ID}/{token}", after=after)


# ----- 👍/👎 -----------------------------------------------------------------------------------------
async def test_an_answer_carries_votes_and_a_click_records_the_vote_and_disables_them(
    bot: HubBot, fake_discord: FakeDiscord
) -> None:
    payload, response = await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    data = response.body["data"]
    votes = votes_of(data)
    assert set(votes) == {"up", "down"}
    assert [votes["up"]["emoji"]["name"], votes["down"]["emoji"]["name"]] == ["👍", "👎"]
    answer_id = answer_id_of(data)
    assert re.fullmatch(r"[0-9a-f]{16}", answer_id)

    after = fake_discord.mark()
    clicked = await fake_discord.click(fake_discord.response_message(payload), votes["up"]["custom_id"])
    assert clicked.body["type"] == UPDATE_MESSAGE
    updated = votes_of(clicked.body["data"])
    assert updated["up"]["disabled"] and updated["down"]["disabled"]
    assert updated["up"]["style"] == PRIMARY and updated["down"]["style"] != PRIMARY
    thanks = await followup_of(fake_discord, clicked_token(fake_discord, after))
    assert thanks.body["flags"] & EPHEMERAL
    assert thanks.body["content"] == THANKS.format(emoji="👍")
    assert thanks.body["allowed_mentions"]["parse"] == []

    storage = await storage_of(bot)
    [voted] = storage.voted_answers(LONG_AGO)
    assert (voted.interaction.answer_id, voted.up, voted.down) == (answer_id, 1, 0)
    assert voted.interaction.question == "what is teaching for mastery?"
    assert (voted.interaction.guild_id, voted.interaction.channel_id) == (GUILD_ID, CHANNEL_ID)
    assert voted.interaction.kb_version == bot.hubs.only.knowledge.current.kb.version
    stored = database_text(storage)
    assert str(TEACHER_ID) not in stored and "user07" not in stored


def clicked_token(fake_discord: FakeDiscord, after: int) -> str:
    """The token of the component interaction whose callback came after ``after``."""
    callback = next(r for r in fake_discord.requests[after:] if r.path.startswith("/interactions/"))
    return callback.path.split("/")[3]


async def test_votes_on_a_kept_question_still_count_after_a_restart(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    settings = settings_for()
    first = await start_bot(settings)
    clarify_payload, clarify = await fake_discord.slash("ask", ask(CLARIFY))
    answer_payload, answered = await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    await first.close()

    second = await start_bot(settings)
    after = fake_discord.mark()
    clicked = await fake_discord.click(
        fake_discord.response_message(clarify_payload), votes_of(clarify.body["data"])["down"]["custom_id"]
    )
    assert clicked.body["type"] == UPDATE_MESSAGE
    thanks = await followup_of(fake_discord, clicked_token(fake_discord, after))
    assert thanks.body["content"] == THANKS.format(emoji="👎")
    kept_components = [c for c in components_of(clicked.body["data"]) if not VOTE_ID.fullmatch(c["custom_id"])]
    candidates = [c for c in components_of(clarify.body["data"]) if not VOTE_ID.fullmatch(c["custom_id"])]
    assert kept_components == candidates, "the candidates stay as they were"
    [voted] = (await storage_of(second)).voted_answers(LONG_AGO)
    assert (voted.interaction.answer_id, voted.interaction.status) == (answer_id_of(clarify.body["data"]), "clarify")

    # An answer's text is held only in memory until someone votes: after a restart it is gone.
    after = fake_discord.mark()
    await fake_discord.click(
        fake_discord.response_message(answer_payload), votes_of(answered.body["data"])["up"]["custom_id"]
    )
    thanks = await followup_of(fake_discord, clicked_token(fake_discord, after))
    assert thanks.body["content"] == TOO_OLD
    assert len((await storage_of(second)).voted_answers(LONG_AGO)) == 1


async def test_every_kind_of_answer_is_recorded_with_votes(
    start_bot: StartBot, settings_for: Callable[..., Settings], fake_discord: FakeDiscord
) -> None:
    bot = await start_bot(settings_for(unprompted_channel_ids=[CHANNEL_ID], unprompted_min_confidence=0.5))
    answered: list[dict] = []

    _, described = await fake_discord.slash("programme", [{"name": "name", "type": 3, "value": "secondary-mastery-specialist"}])
    answered.append(described.body["data"])
    payload, clarify = await fake_discord.slash("ask", ask(CLARIFY))
    answered.append(clarify.body["data"])
    candidate = next(c for c in components_of(clarify.body["data"]) if c.get("custom_id", "").startswith("hubbot:entry:"))
    chosen = await fake_discord.click(fake_discord.response_message(payload), candidate["custom_id"])
    answered.append(chosen.body["data"])
    after = fake_discord.mark()
    await fake_discord.say("how do I apply for the secondary mastery specialist programme?", mention_bot=False)
    unprompted = await fake_discord.request("POST", rf"/channels/{CHANNEL_ID}/messages", after=after)
    answered.append(unprompted.body)

    ids = [answer_id_of(body) for body in answered]
    assert len(set(ids)) == len(ids), "each answer has its own id"
    for body in answered:
        assert len(body["components"]) <= 5 and all(len(row["components"]) <= 5 for row in body["components"])
    counts = (await storage_of(bot)).question_counts(dt.date(2000, 1, 1))
    assert sum(count.questions for count in counts) == len(answered)
    [kept] = (await storage_of(bot)).interactions(LONG_AGO)
    assert kept.status == "clarify" and kept.question == CLARIFY


async def test_a_direct_message_is_recorded_without_its_channel(bot: HubBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.say(UNKNOWN, mention_bot=False, direct=True)
    reply = await fake_discord.request("POST", rf"/channels/{DM_CHANNEL_ID}/messages")
    assert votes_of(reply.body)
    [kept] = (await storage_of(bot)).interactions(LONG_AGO)
    assert (kept.question, kept.guild_id, kept.channel_id) == (UNKNOWN, None, None)
    assert str(DM_CHANNEL_ID) not in database_text(await storage_of(bot))


async def test_an_answer_goes_out_even_when_its_record_cannot_be_written(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    fake_discord: FakeDiscord,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = MagicMock(spec=SQLiteStorage)
    broken.record_answer.side_effect = sqlite3.OperationalError("database or disk is full")
    bot = await start_bot(settings_for(), storage=broken)
    _, response = await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    data = response.body["data"]
    assert data["embeds"][0]["description"]
    await bot.staff.written()
    [dropped] = [r for r in caplog.records if r.getMessage().startswith("record dropped")]
    assert "database or disk is full" in dropped.getMessage() and dropped.exc_info is None
    _, status = await fake_discord.slash("kb", kb_command("status"), **STAFF)
    assert "1 record not written since the bot started" in status.body["data"]["embeds"][0]["description"]
    await bot.close()
    broken.close.assert_called_once_with()


def test_votes_take_the_row_after_the_answers_own_components() -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Form", url="https://forms.example.org/a", row=0))
    for number in range(5):
        view.add_item(EntryButton(f"entry-{number}", f"Entry {number}", row=1))
    add_votes(view, "0123456789abcdef")
    rows = view.to_components()
    assert [len(row["components"]) for row in rows] == [1, 5, 2]
    assert add_votes(None, "0123456789abcdef").to_components()[0]["components"][0]["custom_id"].startswith(
        "hubbot:vote:0123456789abcdef:"
    )


# ----- /kb report and /kb status ----------------------------------------------------------------------
async def test_report_is_refused_to_a_teacher(bot: HubBot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("kb", kb_command("report"))
    data = response.body["data"]
    assert data["flags"] & EPHEMERAL
    assert "staff" in data["content"]
    assert "Staff report" not in data["content"]


async def test_report_shows_staff_the_unanswered_questions_and_the_votes(
    bot: HubBot, fake_discord: FakeDiscord
) -> None:
    for _ in range(2):
        await fake_discord.slash("ask", ask(UNKNOWN))
    payload, answered = await fake_discord.slash("ask", ask("what is teaching for mastery?"))
    await fake_discord.click(fake_discord.response_message(payload), votes_of(answered.body["data"])["down"]["custom_id"])
    await bot.staff.written()

    _, response = await fake_discord.slash("kb", kb_command("report", since="7d"), **STAFF)
    data = response.body["data"]
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"]["parse"] == []
    report = data["content"]
    assert report.startswith("**Staff report")
    assert "3 questions" in report
    assert "×2" in report and "football tonight" in report
    assert "1 👎" in report
    assert len(report) <= 2000

    _, default = await fake_discord.slash("kb", kb_command("report"), **STAFF)
    assert "3 questions" in default.body["data"]["content"]


async def test_report_explains_a_period_it_cannot_read(bot: HubBot, fake_discord: FakeDiscord) -> None:
    for since in ("last month", "99999999w", "**bold** <@400000000000000007>"):
        _, response = await fake_discord.slash("kb", kb_command("report", since=since), **STAFF)
        content = response.body["data"]["content"]
        assert content.startswith("I couldn't read"), content
        assert "30d" in content
    assert "<@400000000000000007>" not in content and "**bold**" not in content


async def test_status_shows_version_load_time_counts_and_warnings(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    small_knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    bot = await start_bot(settings_for(), small_knowledge)
    kb = small_knowledge.current.kb
    _, response = await fake_discord.slash("kb", kb_command("status"), **STAFF)
    [embed] = response.body["data"]["embeds"]
    status = embed["description"]
    assert f"**Version** {kb.version}, loaded <t:{int(kb.loaded_at.timestamp())}:f>" in status
    assert "**Entries** 2 (0 historical): 1 programme, 1 work-group" in status
    assert f"**Warnings** {len(kb.warnings)}" in status
    assert kb.warnings, "the small knowledge base has a form without an address"
    assert f"• {kb.warnings[0]}" in status
    assert "Live reload** off" in status
    assert "refused" not in status

    broken = small_knowledge.directory / "entries" / "number-club.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("phases: [primary]", "phases: [tertiary]"))
    await fake_discord.slash("kb", kb_command("reload"), **STAFF)
    await fake_discord.request("POST", rf"/channels/{STAFF_CHANNEL_ID}/messages")
    _, response = await fake_discord.slash("kb", kb_command("status"), **STAFF)
    status = response.body["data"]["embeds"][0]["description"]
    assert "**Last reload refused**" in status and "number-club.yaml:4" in status
    assert f"**Version** {kb.version}" in status
    assert bot.hubs.only.refused is not None


# ----- live reloads ---------------------------------------------------------------------------------
async def staff_post_after_editing(
    fake_discord: FakeDiscord, path: Path, content: str, title: str, tries: int = 20
) -> Request:
    """Write ``content`` to ``path`` until the watcher reacts with a staff-channel post titled ``title``
    (the watcher may not be listening yet when the first write happens).
    """
    for _ in range(tries):
        after = fake_discord.mark()
        path.write_text(content, encoding="utf-8")
        try:
            post = await fake_discord.request(
                "POST", rf"/channels/{STAFF_CHANNEL_ID}/messages", after=after, timeout=1.5
            )
        except TimeoutError:
            continue
        if post.body["embeds"][0]["title"] == title:
            return post
    raise AssertionError(f"no {title!r} post in the staff channel")


async def test_a_broken_edit_is_told_to_staff_and_the_last_good_version_keeps_answering(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    small_knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    bot = await start_bot(settings_for(watch_knowledge_dir=True), small_knowledge)
    assert bot.hubs.only.watcher is not None and bot.hubs.only.watcher.running
    version = small_knowledge.current.kb.version
    entry = small_knowledge.directory / "entries" / "number-club.yaml"
    good = entry.read_text(encoding="utf-8")

    post = await staff_post_after_editing(
        fake_discord, entry, good.replace("phases: [primary]", "phases: [tertiary]"), "Knowledge-base reload refused"
    )
    assert "number-club.yaml:4" in post.body["embeds"][0]["description"]
    assert version in post.body["embeds"][0]["description"]
    assert post.body["allowed_mentions"]["parse"] == []
    assert bot.hubs.only.knowledge.current.kb.version == version
    _, answer = await fake_discord.slash("ask", ask("what is the time commitment for number club?"))
    assert "Three half-day sessions" in str(answer.body["data"]["embeds"][0])

    # Putting the file back is news after a refusal (the same version, but the files are fine again)...
    post = await staff_post_after_editing(fake_discord, entry, good, "Knowledge base reloaded")
    assert f"Version {version} is in service (was {version})" in post.body["embeds"][0]["description"]
    assert bot.hubs.only.refused is None
    # ... but a reload that changes nothing is not.
    after = fake_discord.mark()
    await bot.staff.reload_and_tell_staff(bot.hubs.only)
    assert not [r for r in fake_discord.requests[after:] if r.path == f"/channels/{STAFF_CHANNEL_ID}/messages"]

    post = await staff_post_after_editing(
        fake_discord, entry, good.replace("Three half-day sessions", "Four half-day sessions"), "Knowledge base reloaded"
    )
    new_version = bot.hubs.only.knowledge.current.kb.version
    assert new_version != version
    assert f"Version {new_version} is in service (was {version})" in post.body["embeds"][0]["description"]
    assert bot.hubs.only.refused is None
    _, answer = await fake_discord.slash("ask", ask("what is the time commitment for number club?"))
    assert "Four half-day sessions" in str(answer.body["data"]["embeds"][0])

    await bot.close()
    assert bot.hubs.only.watcher is None


# ----- reminders ------------------------------------------------------------------------------------
def frozen(moment: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: moment


async def test_a_due_reminder_is_posted_with_the_form_button_once(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    small_knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    week_before = dt.datetime(2099, 4, 21, 10, 0, tzinfo=LONDON).astimezone(dt.UTC)
    settings = settings_for(reminder_channel_id=REMINDER_CHANNEL_ID)
    bot = await start_bot(settings, small_knowledge, clock=frozen(week_before))
    post = await fake_discord.request("POST", rf"/channels/{REMINDER_CHANNEL_ID}/messages")
    assert post.body["content"] == "Applications for Number Club Programme close on Tuesday 28 April 2099 — in 7 days"
    [button] = components_of(post.body)
    assert (button["style"], button["url"], button["label"]) == (
        LINK_BUTTON,
        "https://forms.example.org/number-club",
        "Number Club application form",
    )
    assert post.body["allowed_mentions"]["parse"] == []

    await bot.close()  # waits for the reminder pass to finish, which records what it sent
    assert len(fake_discord.requests_to("POST", rf"/channels/{REMINDER_CHANNEL_ID}/messages")) == 1
    with SQLiteStorage(settings.database_path) as storage:
        marks = storage.reminder_marks()
    assert {(mark.entry_id, mark.lead_days, mark.outcome, mark.at) for mark in marks} == {
        ("number-club", 7, "sent", week_before),
        ("number-club", 14, "skipped", week_before),
    }


def test_a_reminder_without_a_form_address_carries_the_note_and_no_button() -> None:
    reminder = Reminder(
        entry_id="algebra-circle",
        programme="Algebra Circle",
        deadline=Deadline.model_validate(
            {"label": "Applications close", "date": "2099-05-01", "source": {"file": "a.txt", "quote": "close"}}
        ),
        lead_days=1,
        days_left=1,
        skipped_leads=(),
        text="Applications for Algebra Circle close on Friday 1 May 2099 — tomorrow",
        form=ReplyLink(label="Algebra Circle form", kind="application", url=None),
        form_note="The hub will share the form (Algebra Circle form). Contact @everyone at the hub.",
    )
    content, view = reminder_message(reminder)
    assert view is None
    assert content.startswith(reminder.text + "\n")
    assert "The hub will share the form" in content
    assert "@everyone" not in content


# ----- the calendar file ----------------------------------------------------------------------------
async def test_deadlines_attach_a_calendar_that_parses_and_matches_the_knowledge_base(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    small_knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    now = dt.datetime(2099, 3, 1, 12, 0, tzinfo=dt.UTC)
    await start_bot(settings_for(), small_knowledge, clock=frozen(now))
    _, response = await fake_discord.slash("deadlines")
    assert response.body["data"]["embeds"][0]["title"].startswith("Deadlines")
    [upload] = response.files
    assert upload.filename == FILENAME
    assert [a["filename"] for a in response.body["data"]["attachments"]] == [FILENAME]

    events = list(Calendar.from_ical(upload.data).walk("VEVENT"))
    expected = calendar_deadlines(small_knowledge.current.kb)
    assert len(events) == len(expected) == 1
    [event], [item] = events, expected
    assert str(event["UID"]) == event_uid(item.entry.id, item.deadline.label, item.deadline.date)
    assert event.decoded("DTSTART") == dt.date(2099, 4, 28)
    assert str(event["SUMMARY"]) == "Applications close: Number Club Programme"
    assert str(event["URL"]) == "https://forms.example.org/number-club"
    assert event.decoded("DTSTAMP") == now

    _, secondary = await fake_discord.slash("deadlines", [{"name": "phase", "type": 3, "value": "secondary"}])
    assert not secondary.files, "no file when the phase has no deadlines"
