"""Messages that ask more than one thing get each question answered."""

from __future__ import annotations

import pytest

from bot.engine.parts import question_parts
from bot.render import render_text
from tests.conftest import TODAY


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        ("sms deadline?", ["sms deadline?"]),
        ("how many days is it, and is it free?", ["how many days is it", "is it free?"]),
        ("When the Maths Hubs programme has started and when NCETM was set up? I must write a paragraph",
         ["When the Maths Hubs programme has started", "when NCETM was set up?"]),
        ("If we join, what does it cost?", ["If we join, what does it cost?"]),  # a condition, not a question
    ],
)
def test_the_questions_of_a_message(message: str, parts: list[str]) -> None:
    assert question_parts(message) == parts


def test_a_bare_request_is_not_a_question_of_its_own() -> None:
    assert "Can you tell me?" not in question_parts("My head asked me to find out the SMS deadline. Can you tell me?")


def test_two_questions_in_one_message_get_both_answers(engine) -> None:
    text = render_text(engine.answer("When the Maths Hubs programme has started and when NCETM was set up? "
                                     "I must write small paragraph for my induction portfolio", TODAY))
    assert "2014" in text and "2006" in text


def test_a_second_question_naming_nothing_is_answered_only_about_the_first_answer_s_offer(engine) -> None:
    # "is it free?" of the Secondary Mastery Specialist Programme: no other programme's cost
    text = render_text(engine.answer("how many days is the secondary mastery specialist programme, and is it free?", TODAY))
    assert "7.5 days" in text and "headteacher" not in text
