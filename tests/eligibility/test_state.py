"""The flow state and its token: small, reversible, and never applied to questions it was not made for."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.eligibility.state import (
    MAX_CHECKS,
    MAX_TOKEN,
    Answer,
    FlowState,
    StateError,
    checked,
    checks_version,
    decode,
    parse_answer,
)
from bot.knowledge.schema import Criterion, EligibilityCheck, Entry, Source, SourcedText

SOURCE = Source(file="newsletter.txt", quote="a quote")


def entry(entry_id: str = "example-programme", questions: int = 3) -> Entry:
    criteria = [
        Criterion(
            text=f"Criterion {n}",
            check=EligibilityCheck(question=f"Is criterion {n} met?", not_met=f"Criterion {n} is needed."),
            source=SOURCE,
        )
        for n in range(questions)
    ]
    return Entry(
        id=entry_id,
        name="Example Programme",
        kind="programme",
        phases=["primary"],
        summary=SourcedText(text="An example.", source=SOURCE),
        eligibility=[*criteria, Criterion(text="A criterion without a check.", source=SOURCE)],
        last_reviewed=dt.date(2026, 9, 1),
    )


answers = st.lists(st.sampled_from(list(Answer)), max_size=3).map(tuple)


@given(answers)
def test_a_token_decodes_to_the_same_state(given_answers: tuple[Answer, ...]) -> None:
    example = entry()
    state = FlowState(example.id, checks_version(example), given_answers)
    token = state.encode()
    assert len(token) <= MAX_TOKEN
    assert decode(token, [example]) == state


def test_the_token_is_readable() -> None:
    example = entry()
    state = FlowState.start(example).answer(Answer.YES).answer(Answer.UNSURE)
    assert state.encode() == f"example-programme.{checks_version(example)}.yu"


def test_a_long_id_is_replaced_by_its_digest_and_still_decodes() -> None:
    long_id = "-".join(["programme"] * 8)[:80].rstrip("-")
    example = entry(long_id, questions=MAX_CHECKS)
    state = FlowState.start(example)
    for _ in range(MAX_CHECKS):
        state = state.answer(Answer.NO)
    token = state.encode()
    assert token.startswith("~") and len(token) <= MAX_TOKEN
    assert decode(token, [entry(), example]) == state


def test_every_bundled_entry_fits_with_every_question_answered(kb) -> None:
    for item in kb:
        state = FlowState.start(item)
        for _ in checked(item):
            state = state.answer(Answer.UNSURE)
        assert len(state.encode()) <= MAX_TOKEN
        assert decode(state.encode(), kb) == state


def test_changed_questions_make_an_old_token_stale() -> None:
    old = entry()
    token = FlowState.start(old).answer(Answer.YES).encode()
    reworded = entry()
    first = reworded.eligibility[0]
    assert first.check is not None
    changed = first.model_copy(update={"check": first.check.model_copy(update={"question": "Is it reworded?"})})
    reworded = reworded.model_copy(update={"eligibility": [changed, *reworded.eligibility[1:]]})
    with pytest.raises(StateError, match="changed") as caught:
        decode(token, [reworded])
    assert caught.value.entry_id == "example-programme"


def test_criteria_without_checks_do_not_change_the_version() -> None:
    example = entry()
    fewer = example.model_copy(update={"eligibility": example.eligibility[:-1]})
    assert checks_version(example) == checks_version(fewer)


@pytest.mark.parametrize(
    "token",
    ["", "example-programme", "example-programme.zzzz.", "Example-Programme.0000.", "example-programme.0000.yx",
     "unknown-entry.0000.", "~0123456789.0000.", "example-programme.0000." + "y" * (MAX_CHECKS + 1)],
)
def test_broken_tokens_are_refused(token: str) -> None:
    with pytest.raises(StateError):
        decode(token, [entry()])


def test_more_answers_than_questions_are_refused() -> None:
    example = entry(questions=1)
    token = FlowState(example.id, checks_version(example), (Answer.YES, Answer.YES)).encode()
    with pytest.raises(StateError, match="more answers"):
        decode(token, [example])


@given(st.text(max_size=120))
def test_any_text_is_either_a_state_or_a_state_error(text: str) -> None:
    try:
        state = decode(text, [entry()])
    except StateError:
        return
    assert state.encode() == text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("y", Answer.YES), ("Yes", Answer.YES), (" YES. ", Answer.YES), ("n", Answer.NO), ("no", Answer.NO),
     ("?", Answer.UNSURE), ("not sure", Answer.UNSURE), ("Don’t know", Answer.UNSURE), ("unsure", Answer.UNSURE),
     ("yes please sign me up", None), ("", None), ("maybe later", None)],
)
def test_console_answers(typed: str, expected: Answer | None) -> None:
    assert parse_answer(typed) is expected


def test_an_answer_meets_a_check_by_its_expected_answer() -> None:
    yes_check = EligibilityCheck(question="Is it?", not_met="No.")
    no_check = EligibilityCheck(question="Is it excluded?", meets="no", not_met="Excluded.")
    assert Answer.YES.meets(yes_check) and not Answer.NO.meets(yes_check)
    assert Answer.NO.meets(no_check) and not Answer.YES.meets(no_check)
    assert not Answer.UNSURE.meets(yes_check) and not Answer.UNSURE.meets(no_check)
