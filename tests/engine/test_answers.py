"""The answer engine, one kind of question at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.render import render_text
from tests.conftest import TODAY


def ask(engine, question: str, today: dt.date = TODAY):
    reply = engine.answer(question, today)
    return reply, render_text(reply)


class TestDeadlines:
    def test_closed_deadline_is_said_to_have_passed(self, engine) -> None:
        reply, text = ask(engine, "when do applications close for the secondary mastery specialist programme")
        assert reply.status == "answered"
        assert reply.topics[0] == "secondary-mastery-specialist"
        assert "Monday 28 April 2025" in text
        assert "passed" in text and "next round" in text

    def test_open_deadline_counts_days(self, engine) -> None:
        _, text = ask(engine, "secondary mastery specialist deadline", dt.date(2025, 4, 22))
        assert "close on Monday 28 April 2025" in text
        assert "in 6 days" in text

    @pytest.mark.parametrize(("today", "phrase"), [(dt.date(2025, 4, 27), "tomorrow"), (dt.date(2025, 4, 28), "today")])
    def test_deadline_tomorrow_and_today(self, engine, today: dt.date, phrase: str) -> None:
        _, text = ask(engine, "secondary MS closing date", today)
        assert phrase in text
        assert "passed" not in text

    def test_day_after_deadline(self, engine) -> None:
        _, text = ask(engine, "secondary MS closing date", dt.date(2025, 4, 29))
        assert "closed on Monday 28 April 2025" in text

    def test_missing_deadline_is_unknown_not_borrowed(self, engine) -> None:
        reply, text = ask(engine, "when's the deadline for the primary mastery specialist programme?")
        assert reply.status == "unknown"
        assert "28 April" not in text
        assert reply.topics == ("primary-mastery-specialist",)

    def test_deadline_for_a_family_gives_the_one_that_has_it_and_names_the_others(self, engine) -> None:
        reply, text = ask(engine, "what's the closing date for the mastery specialist programme?")
        assert reply.status in {"answered", "clarify"}
        assert {"secondary-mastery-specialist", "primary-mastery-specialist"} <= set(reply.topics)
        assert "28 April 2025" in text and "closed" in text  # the fact asked about, worded as closed
        assert "Primary Mastery Specialist Programme" in text


    @pytest.mark.parametrize(
        "question",
        ["how do I apply for the secondary mastery specialist programme", "secondary MS closing date"],
    )
    def test_a_closed_rounds_form_is_not_offered_beside_closed(self, engine, question: str) -> None:
        form = "Secondary Mastery Specialist Programme application form (needs an Axis account)"
        open_reply, _ = ask(engine, question, dt.date(2025, 4, 22))
        assert [link.label for link in open_reply.links] == [form]
        closed_reply, text = ask(engine, question)
        assert not closed_reply.links and form not in text
        assert "closed" in text

    def test_the_full_description_keeps_pages_but_not_a_closed_rounds_form(self, engine) -> None:
        labels = [link.label for link in engine.describe("secondary-mastery-specialist", TODAY).links]
        assert labels == ["Secondary Mastery Specialist Programme 2025/26 information sheet"]
        before = [link.kind for link in engine.describe("secondary-mastery-specialist", dt.date(2025, 4, 22)).links]
        assert "application" in before


class TestPrecision:
    def test_time_commitment_is_not_borrowed_from_another_programme(self, engine) -> None:
        reply, text = ask(engine, "how many days is the post-16 mastery specialist programme?")
        assert "7.5" not in text
        assert reply.status == "unknown"

    def test_secondary_time_commitment(self, engine) -> None:
        reply, text = ask(engine, "time commitment for secondary mastery specialists")
        assert reply.status == "answered"
        assert "7.5" in text and "5.5" in text


class TestUnderstanding:
    @pytest.mark.parametrize(
        "question",
        [
            "wen do aplications close for the secondary mastery specalist programme",
            "SMS deadline 25/26",
            "cut-off for secondary mastery specialist apps",
        ],
    )
    def test_typos_abbreviations_and_synonyms(self, engine, question: str) -> None:
        reply, text = ask(engine, question)
        assert reply.status == "answered", text
        assert "28 April 2025" in text

    def test_eligibility_lists_every_criterion(self, engine) -> None:
        reply, text = ask(engine, "who is eligible for the sktm eef trial?")
        assert reply.status == "answered"
        for fact in ("state-funded", "Year 8", "release", "Peer to Peer Coaching"):
            assert fact in text

    def test_stated_situation_that_rules_a_school_out(self, engine) -> None:
        reply, text = ask(engine, "our non-specialist only teaches year 7 - can we do the sktm eef trial?")
        assert reply.status == "answered"
        assert text.startswith("**") or "No" in text
        assert "Year 8" in text

    def test_teaching_assistant_is_pointed_to_the_ta_programme(self, engine) -> None:
        reply, text = ask(engine, "can a teaching assistant do the EEF SKTM trial?")
        assert "No" in text
        assert "sktm-secondary-teaching-assistants" in reply.topics

    def test_stages_and_next_stage(self, engine) -> None:
        _, text = ask(engine, "tfm: we're in development, what's next?")
        assert "Embedding" in text

    def test_figures_by_number(self, engine) -> None:
        reply, text = ask(engine, "is the 2,000 figure for LLMEs per hub?")
        assert reply.status == "answered"
        assert "50" in text

    def test_phase_listing(self, engine) -> None:
        reply, text = ask(engine, "what is there for early years?")
        assert reply.status == "answered"
        assert "Early Years" in text
        assert len(reply.topics) >= 2

    def test_clarify_names_the_family(self, engine) -> None:
        reply, text = ask(engine, "info on mastering number pls")
        assert reply.status == "clarify"
        assert "Reception" in text and "KS2" in text

    def test_contact(self, engine) -> None:
        reply, text = ask(engine, "who do I contact about the secondary mastery specialist programme?")
        assert reply.status == "answered"
        assert "Maths Hub" in text


class TestDeclining:
    @pytest.mark.parametrize(
        "question",
        [
            "what's the weather in margate",
            "can you write a starter on ratio",
            "when are the KS2 SATs",
            "how much is a maths teacher paid",
            "@everyone free nitro",
        ],
    )
    def test_out_of_scope_is_declined_with_contact(self, engine, question: str) -> None:
        reply, text = ask(engine, question)
        assert reply.status == "unknown"
        assert "only help with" in text
        assert reply.topics == ()

    def test_empty_question_gets_help(self, engine) -> None:
        reply, text = ask(engine, "   ")
        assert reply.status == "unknown"
        assert "Ask me" in text

    def test_user_text_is_never_echoed(self, engine) -> None:
        question = "@everyone <@123> **bold** what's the deadline for zzyzx?"
        _, text = ask(engine, question)
        assert "@everyone" not in text and "<@123>" not in text and "zzyzx" not in text


@pytest.mark.parametrize(
    "question",
    [
        "where is the form for the secondary mastery specialist programme",
        "What did the Walford headteacher say about the cost of getting involved in teaching for mastery?",
    ],
)
def test_no_reply_says_the_same_thing_twice(engine, question: str) -> None:
    reply, _ = ask(engine, question)
    bodies = [reply.headline, *(section.body for section in reply.sections)]
    assert len(bodies) == len(set(bodies)), [section.title for section in reply.sections]
    titles = [section.title for section in reply.sections]
    assert len(titles) == len(set(titles)), titles
