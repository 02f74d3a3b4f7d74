"""`/eligibility`: the private step-by-step check over the fake Discord — buttons, edits, links, timeouts.

Each click is a real component interaction: the bot answers it from the button's custom_id.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from bot.discord_app.eligibility import FlowRegistry, flows_of
from bot.discord_app.knowledge import KnowledgeService
from bot.eligibility.state import Answer, FlowState
from tests.discord.conftest import SMALL_KNOWLEDGE_DIR, StartBot
from tests.discord.fake_discord import APP_ID, EPHEMERAL, FakeDiscord
from tests.discord.test_staff_flow import frozen

pytestmark = pytest.mark.asyncio

CHANNEL_MESSAGE = 4
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
LINK_BUTTON = 5
EEF = "sktm-secondary-nonspecialist-eef-trial"

NUMBER_CLUB_CHECKS = """\
eligibility:
  - text: Teach in a primary school.
    check:
      question: Do you teach in a primary school?
      not_met: Number Club is for primary teachers.
      suggest: [algebra-circle]
      unsure: Check which phase your school is registered as.
    source: {file: newsletter.txt, quote: Number Club brings primary teachers together to build number sense}
  - text: Be able to come to three half-day sessions.
    check:
      question: Can you come to all three half-day sessions?
      not_met: Number Club meets three times; each session builds on the last.
    source: {file: newsletter.txt, quote: three half-day sessions}
"""


def components_of(body: dict) -> list[dict]:
    return [item for row in body.get("components", []) for item in row["components"]]


def button(body: dict, label: str) -> dict:
    return next(c for c in components_of(body) if c.get("label") == label)


def programme(value: str) -> list[dict]:
    return [{"name": "programme", "type": 3, "value": value}]


@pytest.fixture
def club_knowledge(tmp_path: Path) -> KnowledgeService:
    """The small knowledge base with a two-question check on Number Club (whose form has an address)."""
    directory = tmp_path / "knowledge"
    shutil.copytree(SMALL_KNOWLEDGE_DIR, directory)
    club = directory / "entries" / "number-club.yaml"
    club.write_text(club.read_text(encoding="utf-8").replace("deadlines:", NUMBER_CLUB_CHECKS + "deadlines:"), encoding="utf-8")
    return KnowledgeService.load(directory)


async def start_check(fake: FakeDiscord, value: str) -> tuple[dict, dict]:
    """Run /eligibility; returns the response body and the (private) message it created."""
    payload, response = await fake.slash("eligibility", programme(value))
    return response.body, fake.response_message(payload)


async def click(fake: FakeDiscord, message: dict, label: str) -> tuple[dict, dict]:
    """Click the button with ``label``; returns the response body and the message as it is now."""
    chosen = button(message, label)
    response = await fake.click(message, chosen["custom_id"])
    token = response.path.split("/")[3]  # /interactions/{id}/{token}/callback
    return response.body, fake.response_message({"token": token})


async def test_the_command_is_registered_with_autocomplete(bot: object, fake_discord: FakeDiscord) -> None:
    command = fake_discord.commands["eligibility"]
    assert command["description"].startswith("Am I eligible?")
    [option] = command["options"]
    assert (option["name"], option["type"], option["required"], option["autocomplete"]) == ("programme", 3, True, True)


async def test_autocomplete_offers_current_programmes_with_checks_first(bot: object, fake_discord: FakeDiscord) -> None:
    response = await fake_discord.autocomplete("eligibility", "programme", "")
    assert response.body["type"] == AUTOCOMPLETE_RESULT
    choices = response.body["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    assert choices[0]["value"] in bot.hubs.only.knowledge.current.kb.entries  # type: ignore[attr-defined]
    assert EEF in [c["value"] for c in choices]
    assert not any(c["value"].startswith("ncp17-") for c in choices)  # past offers are not offered

    typed = await fake_discord.autocomplete("eligibility", "programme", "eef tri")
    assert EEF in [c["value"] for c in typed.body["data"]["choices"]]


async def test_a_check_runs_privately_one_question_at_a_time(bot: object, fake_discord: FakeDiscord) -> None:
    body, message = await start_check(fake_discord, EEF)
    assert body["type"] == CHANNEL_MESSAGE
    data = body["data"]
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"]["parse"] == []
    [embed] = data["embeds"]
    assert embed["title"] == "Am I eligible? EEF trial of SKTM for Secondary Non-specialist Teachers"
    assert embed["description"].startswith("**Question 1 of 4**\nIs your school a state-funded secondary school")
    assert [c["label"] for c in components_of(data)] == ["Yes", "No", "Not sure"]
    assert all(c["custom_id"].startswith("hubbot:elig:") and len(c["custom_id"]) <= 100 for c in components_of(data))

    body, message = await click(fake_discord, message, "Yes")
    assert body["type"] == UPDATE_MESSAGE  # the same private message, edited
    [embed] = body["data"]["embeds"]
    assert embed["description"].startswith("**Question 2 of 4**")
    assert embed["fields"][0]["name"] == "Your answers so far"
    assert "— **Yes**" in embed["fields"][0]["value"]

    body, message = await click(fake_discord, message, "No")  # a TA, not a non-specialist teacher
    assert body["type"] == UPDATE_MESSAGE
    [embed] = body["data"]["embeds"]
    assert "don't meet the published criteria" in embed["description"]
    assert "The trial needs a non-specialist teacher" in embed["description"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert "Secondary Teaching Assistants" in fields["You could look at"]
    labels = [c["label"] for c in components_of(body["data"])]
    assert "Start again" in labels
    ids = [c.get("custom_id", "") for c in components_of(body["data"])]
    assert "hubbot:entry:sktm-secondary-teaching-assistants" in ids  # details of the alternative, one click away
    assert len(flows_of(bot)) == 0  # type: ignore[arg-type]  # the finished check has no live view

    body, message = await click(fake_discord, message, "Start again")
    assert body["data"]["embeds"][0]["description"].startswith("**Question 1 of 4**")


async def test_not_sure_ends_with_what_to_check_and_the_hub(bot: object, fake_discord: FakeDiscord) -> None:
    _, message = await start_check(fake_discord, "mastering-number-ks2")
    _, message = await click(fake_discord, message, "Not sure")
    body, _ = await click(fake_discord, message, "Yes")
    [embed] = body["data"]["embeds"]
    assert embed["description"].startswith("You may be eligible for Mastering Number at KS2")
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert "Check which Teaching for Mastery stage" in fields["What to check"]
    assert "Kent & Medway Maths Hub" in fields["Contact"]


async def test_the_last_step_has_the_form_as_a_link_button(
    start_bot: StartBot, settings_for: Callable[..., Settings], club_knowledge: KnowledgeService, fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(), club_knowledge)
    _, message = await start_check(fake_discord, "number-club")
    _, message = await click(fake_discord, message, "Yes")
    body, _ = await click(fake_discord, message, "Yes")
    [embed] = body["data"]["embeds"]
    assert "You meet the published criteria for the Number Club Programme — next step: **Number Club application form**" in embed["description"]
    form = button(body["data"], "Number Club application form")
    assert form["style"] == LINK_BUTTON and form["url"] == "https://forms.example.org/number-club"
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Deadline"].startswith("Applications close on Tuesday 28 April 2099")


async def test_after_the_deadline_the_last_step_offers_no_closed_form(
    start_bot: StartBot, settings_for: Callable[..., Settings], club_knowledge: KnowledgeService, fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(), club_knowledge, clock=frozen(dt.datetime(2099, 5, 1, 12, 0, tzinfo=dt.UTC)))
    _, message = await start_check(fake_discord, "number-club")
    _, message = await click(fake_discord, message, "Yes")
    body, _ = await click(fake_discord, message, "Yes")
    [embed] = body["data"]["embeds"]
    assert embed["description"] == (
        "You meet the published criteria for the Number Club Programme — but this round has closed: "
        "ask the hub about the next one."
    )
    assert "Number Club application form" not in str(body["data"]), "no button or line for a closed round's form"
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Deadline"].startswith("Applications closed on Tuesday 28 April 2099")
    assert "hub@example.org" in fields["Contact"]


async def test_a_check_with_no_answer_times_out_politely(
    start_bot: StartBot, settings_for: Callable[..., Settings], club_knowledge: KnowledgeService, fake_discord: FakeDiscord
) -> None:
    bot = await start_bot(settings_for(eligibility_timeout_seconds=0.3), club_knowledge)
    payload, _ = await fake_discord.slash("eligibility", programme("number-club"))
    first = fake_discord.response_message(payload)
    clicked = await fake_discord.click(first, button(first, "Yes")["custom_id"])
    assert clicked.body["data"]["embeds"][0]["description"].startswith("**Question 2 of 2**")
    click_token = clicked.path.split("/")[3]

    edit = await fake_discord.request("PATCH", rf"/webhooks/{APP_ID}/{click_token}/messages/@original")
    [embed] = edit.body["embeds"]
    assert "timed out" in embed["description"] and "Run /eligibility again" in embed["description"]
    assert embed["fields"][0]["value"] == "Can you come to all three half-day sessions?"
    buttons = components_of(edit.body)
    assert [b["label"] for b in buttons] == ["Yes", "No", "Not sure"]
    assert all(b["disabled"] for b in buttons)
    assert not fake_discord.requests_to("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/messages/@original"), (
        "the answered question's view must not time out as well"
    )
    assert len(flows_of(bot)) == 0


async def test_a_check_never_answered_times_out_too(
    start_bot: StartBot, settings_for: Callable[..., Settings], club_knowledge: KnowledgeService, fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(eligibility_timeout_seconds=0.2), club_knowledge)
    payload, _ = await fake_discord.slash("eligibility", programme("number-club"))
    edit = await fake_discord.request("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/messages/@original")
    assert "timed out" in edit.body["embeds"][0]["description"]
    assert edit.body["embeds"][0]["fields"][0]["name"] == "Question 1 of 2 (unanswered)"
    assert all(b["disabled"] for b in components_of(edit.body))
    assert fake_discord.response_message(payload)["flags"] & EPHEMERAL  # still private


async def test_a_button_still_works_after_a_restart(bot: object, fake_discord: FakeDiscord) -> None:
    """The state is in the custom_id: a click on a check no view remembers is answered all the same."""
    kb = bot.hubs.only.knowledge.current.kb  # type: ignore[attr-defined]
    state = FlowState.start(kb.entries["mastering-number-ks2"]).answer(Answer.YES)
    message = {**fake_discord.response_message((await fake_discord.slash("help"))[0]), "flags": EPHEMERAL}
    message["components"] = [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "Yes", "custom_id": f"hubbot:elig:abc123:{state.encode()}"}]}]
    response = await fake_discord.click(message, f"hubbot:elig:abc123:{state.encode()}")
    assert response.body["type"] == UPDATE_MESSAGE
    assert response.body["data"]["embeds"][0]["description"].startswith("**Question 2 of 2**")


async def test_a_check_on_a_public_message_starts_privately(bot: object, fake_discord: FakeDiscord) -> None:
    kb = bot.hubs.only.knowledge.current.kb  # type: ignore[attr-defined]
    custom = f"hubbot:elig:abc123:{FlowState.start(kb.entries[EEF]).encode()}"
    public = {**fake_discord.response_message((await fake_discord.slash("help"))[0]), "flags": 0}
    public["components"] = [{"type": 1, "components": [{"type": 2, "style": 2, "label": "Am I eligible?", "custom_id": custom}]}]
    response = await fake_discord.click(public, custom)
    assert response.body["type"] == CHANNEL_MESSAGE
    assert response.body["data"]["flags"] & EPHEMERAL


async def test_a_check_made_stale_by_a_reload_starts_again(
    start_bot: StartBot, settings_for: Callable[..., Settings], club_knowledge: KnowledgeService, fake_discord: FakeDiscord
) -> None:
    await start_bot(settings_for(), club_knowledge)
    _, message = await start_check(fake_discord, "number-club")
    club = club_knowledge.directory / "entries" / "number-club.yaml"
    club.write_text(club.read_text(encoding="utf-8").replace("Do you teach in a primary school?", "Do you teach primary pupils?"))
    await club_knowledge.reload()
    body, message = await click(fake_discord, message, "Yes")
    assert body["type"] == UPDATE_MESSAGE
    assert "updated this programme's criteria" in body["data"]["embeds"][0]["description"]
    body, _ = await click(fake_discord, message, "Start again")
    assert body["data"]["embeds"][0]["description"] == "**Question 1 of 2**\nDo you teach primary pupils?"


async def test_a_typed_name_that_fits_several_programmes_asks_which(bot: object, fake_discord: FakeDiscord) -> None:
    body, message = await start_check(fake_discord, "sktm")
    data = body["data"]
    assert data["flags"] & EPHEMERAL
    assert "Which programme do you mean?" in data["embeds"][0]["description"]
    options = components_of(data)
    assert 2 <= len(options) <= 5
    assert "SKTM for Primary Teachers" in [o["label"] for o in options]
    chosen = next(o for o in options if o["label"] == "SKTM for Primary Teaching Assistants")
    response = await fake_discord.click(message, chosen["custom_id"])
    assert response.body["type"] == UPDATE_MESSAGE
    assert response.body["data"]["embeds"][0]["description"] == "**Question 1 of 1**\nAre you a teaching assistant in a primary school?"


async def test_a_typed_alias_starts_and_nonsense_is_refused(bot: object, fake_discord: FakeDiscord) -> None:
    body, _ = await start_check(fake_discord, "EEF trial")
    assert body["data"]["embeds"][0]["description"].startswith("**Question 1 of 4**")
    body, _ = await start_check(fake_discord, "zzzz qqqq xxxx")
    assert body["data"]["flags"] & EPHEMERAL
    assert "don't know a programme" in body["data"]["content"]


async def test_a_programme_without_checks_says_so(bot: object, fake_discord: FakeDiscord) -> None:
    body, _ = await start_check(fake_discord, "teaching-for-mastery")
    [embed] = body["data"]["embeds"]
    assert "don't list eligibility criteria" in embed["description"]
    assert "Who it's for" in [field["name"] for field in embed["fields"]]
    assert not [c for c in components_of(body["data"]) if c.get("label") == "Yes"]


async def test_a_page_without_checks_offers_the_related_checks(bot: object, fake_discord: FakeDiscord) -> None:
    body, message = await start_check(fake_discord, "sktm-programmes")  # the SKTM overview has no checks of its own
    offer = next(c for c in components_of(body["data"]) if str(c.get("label", "")).startswith("Check: "))
    clicked = await fake_discord.click(message, offer["custom_id"])
    assert clicked.body["type"] == UPDATE_MESSAGE
    assert clicked.body["data"]["embeds"][0]["description"].startswith("**Question 1 of ")


async def test_the_registry_stops_a_replaced_view() -> None:
    registry = FlowRegistry()

    class View:
        stopped = False

        def stop(self) -> None:
            self.stopped = True

    first, second = View(), View()
    registry.replace("abc123", first)  # type: ignore[arg-type]
    registry.replace("abc123", second)  # type: ignore[arg-type]
    assert first.stopped and not second.stopped
    assert not registry.forget("abc123", first)  # type: ignore[arg-type]  # a replaced view never times out the check
    assert registry.forget("abc123", second)  # type: ignore[arg-type]
    assert len(registry) == 0


async def test_an_answer_about_who_can_join_offers_the_check(bot: object, fake_discord: FakeDiscord) -> None:
    payload, response = await fake_discord.slash("ask", [{"name": "question", "type": 3, "value": "who is the EEF trial for?"}])
    offer = button(response.body["data"], "Am I eligible? Check step by step")
    assert offer["custom_id"].startswith("hubbot:elig:")
    clicked = await fake_discord.click(fake_discord.response_message(payload), offer["custom_id"])
    assert clicked.body["type"] == UPDATE_MESSAGE  # the private answer becomes the check
    assert clicked.body["data"]["embeds"][0]["description"].startswith("**Question 1 of 4**")


async def test_a_public_answer_starts_a_private_check_for_the_clicker(bot: object, fake_discord: FakeDiscord) -> None:
    after = fake_discord.mark()
    await fake_discord.say(f"<@{bot.user.id}> who is mastering number at ks2 for?")  # type: ignore[attr-defined]
    reply = await fake_discord.request("POST", r"/channels/\d+/messages", after=after)
    offer = button(reply.body, "Am I eligible? Check step by step")
    clicked = await fake_discord.click(fake_discord.posted[-1], offer["custom_id"])
    assert clicked.body["type"] == CHANNEL_MESSAGE
    assert clicked.body["data"]["flags"] & EPHEMERAL
    assert clicked.body["data"]["embeds"][0]["description"].startswith("**Question 1 of 2**")


async def test_answers_about_other_things_do_not_offer_the_check(bot: object, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("ask", [{"name": "question", "type": 3, "value": "what is teaching for mastery?"}])
    assert not [c for c in components_of(response.body["data"]) if c.get("label") == "Am I eligible? Check step by step"]


async def test_every_step_of_every_check_fits_discord(kb) -> None:
    """Walk every answer path of every entry: embeds within Discord's limits, custom_ids within 100."""
    import datetime as dt

    from bot.discord_app import limits
    from bot.discord_app.eligibility import QuestionView, outcome_view
    from bot.discord_app.embeds import eligibility_outcome_embed, eligibility_question_embed
    from bot.eligibility.flow import Question, step

    for entry in kb:
        pending = [FlowState.start(entry)]
        while pending:
            shown = step(kb, pending.pop(), dt.date(2025, 4, 22))
            if isinstance(shown, Question):
                embed = eligibility_question_embed(shown)
                view: object = QuestionView("abc123", shown, None, FlowRegistry(), 600)  # type: ignore[arg-type]
                pending += [shown.after(answer) for answer in Answer]
            else:
                embed = eligibility_outcome_embed(shown, link_as_button=True)
                view = outcome_view("abc123", shown, kb)
            assert len(embed) <= limits.EMBED_TOTAL and len(embed.description or "") <= limits.EMBED_DESCRIPTION
            assert all(len(field.value or "") <= limits.FIELD_VALUE for field in embed.fields)
            for item in view.children:  # type: ignore[attr-defined]
                assert len(getattr(item, "custom_id", None) or "") <= limits.CUSTOM_ID
                assert len(getattr(item, "label", None) or "") <= limits.BUTTON_LABEL
