"""Every programme's eligibility flow against its regression fixtures (tests/eligibility/flows.yaml),
and the rules of the flow itself on small made-up entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.eligibility.flow import Outcome, Question, named, start, step
from bot.eligibility.render import render_text
from bot.eligibility.state import Answer, FlowState, StateError, checked
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Criterion, Deadline, EligibilityCheck, Entry, HubInfo, Link, Source, SourcedText

FIXTURES = yaml.safe_load((Path(__file__).parent / "flows.yaml").read_text(encoding="utf-8"))
TODAY: dt.date = FIXTURES["today"]
CASES = FIXTURES["cases"]
LETTERS = {"y": Answer.YES, "n": Answer.NO, "?": Answer.UNSURE}


def state_for(kb: KnowledgeBase, entry_id: str, answers: str) -> FlowState:
    state = FlowState.start(kb.entries[entry_id])
    for letter in answers.split():
        state = state.answer(LETTERS[letter])
    return state


@pytest.mark.parametrize("case", CASES, ids=[f"{c['entry']}[{c['answers']}]" for c in CASES])
def test_flow_case(kb: KnowledgeBase, case: dict) -> None:
    shown = step(kb, state_for(kb, case["entry"], case["answers"]), TODAY)
    text = render_text(shown)
    if case["kind"] == "question":
        assert isinstance(shown, Question), text
        assert shown.number == case["asks"]
    else:
        assert isinstance(shown, Outcome), text
        assert shown.kind == case["kind"], text
    for phrase in case.get("says", []):
        assert phrase in text, f"{phrase!r} not in:\n{text}"
    for phrase in case.get("lacks", []):
        assert phrase not in text, f"{phrase!r} in:\n{text}"
    if "suggests" in case:
        assert isinstance(shown, Outcome)
        assert [a.entry_id for a in shown.alternatives] == case["suggests"]
        for alternative in shown.alternatives:
            assert alternative.name in text and alternative.line
    assert len(text) <= 4000


def _meeting(entry: Entry) -> list[str]:
    return [c.check.meets[0] for c in checked(entry) if c.check]


def test_every_flow_has_a_met_an_unsure_and_a_stop_at_each_check(kb: KnowledgeBase) -> None:
    """Each current programme with structured checks is covered: all met, each stop-early point, not sure."""
    covered: dict[str, set[str]] = {}
    for case in CASES:
        covered.setdefault(case["entry"], set()).add(f"{case['kind']}:{case['answers']}")
    missing = []
    for entry in kb.current_entries():
        meets = _meeting(entry)
        if not meets:
            continue
        kinds = covered.get(entry.id, set())
        if f"met:{' '.join(meets)}" not in kinds:
            missing.append(f"{entry.id}: all met")
        for index, expected in enumerate(meets):
            stop = " ".join([*meets[:index], "n" if expected == "y" else "y"])
            if f"not-met:{stop}" not in kinds:
                missing.append(f"{entry.id}: stops at check {index + 1} ({stop})")
        if not any(k.startswith("unsure:") for k in kinds):
            missing.append(f"{entry.id}: a 'not sure' case")
    assert not missing, "flows.yaml lacks cases: " + "; ".join(missing)


def test_every_answer_sequence_ends_well(kb: KnowledgeBase) -> None:
    """Walk every path of every flow: each step is a question or an outcome, and answers never run past a stop."""
    for entry in kb:
        pending = [FlowState.start(entry)]
        while pending:
            state = pending.pop()
            shown = step(kb, state, TODAY)
            if isinstance(shown, Question):
                assert shown.number == len(state.answers) + 1 <= shown.total
                pending += [shown.after(answer) for answer in Answer]
            else:
                assert shown.headline and shown.contact, (entry.id, state)
                assert render_text(shown)


def test_a_flow_can_be_resumed_from_its_token(kb: KnowledgeBase) -> None:
    from bot.eligibility.flow import resume

    state = state_for(kb, "mastering-number-ks2", "y")
    resumed = resume(kb, state.encode(), TODAY)
    assert isinstance(resumed, Question) and resumed.number == 2
    with pytest.raises(StateError):
        resume(kb, "mastering-number-ks2.0000.y", TODAY)


def test_start_and_names(kb: KnowledgeBase) -> None:
    first = start(kb, "targeted-support", TODAY)
    assert isinstance(first, Question) and first.total == 1
    with pytest.raises(StateError):
        start(kb, "no-such-programme", TODAY)
    assert named(kb, "EEF trial").id == "sktm-secondary-nonspecialist-eef-trial"
    assert named(kb, "mn  KS2!").id == "mastering-number-ks2"
    assert named(kb, "mastering-number-ks2").id == "mastering-number-ks2"
    assert named(kb, "mastering") is None
    assert named(kb, "") is None


# ----- the rules, on made-up entries ------------------------------------------------------------

SOURCE = Source(file="newsletter.txt", quote="a quote")
HUB = HubInfo(name="Example Maths Hub", contact="Contact the Example Maths Hub team.", email="hub@example.org",
              last_reviewed=dt.date(2026, 9, 1))


def criterion(question: str | None, meets: str = "yes", text: str = "A criterion.", **check: object) -> Criterion:
    if question is None:
        return Criterion(text=text, source=SOURCE)
    return Criterion(
        text=text,
        check=EligibilityCheck(question=question, meets=meets, not_met=f"Not met: {question}", **check),
        source=SOURCE,
    )


def made_up(*criteria: Criterion, **fields: object) -> KnowledgeBase:
    other = Entry(id="other-offer", name="Other Offer", kind="programme", phases=["primary"],
                  summary=SourcedText(text="Another offer. With more.", source=SOURCE), last_reviewed=dt.date(2026, 9, 1))
    entry = Entry(id="club", name="Number Club", kind="programme", phases=["primary"],
                  summary=SourcedText(text="A club.", source=SOURCE), eligibility=list(criteria),
                  last_reviewed=dt.date(2026, 9, 1), **fields)
    return KnowledgeBase({"club": entry, "other-offer": other}, HUB, vocabulary=None, version="test",  # type: ignore[arg-type]
                         loaded_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))


def run(kb: KnowledgeBase, answers: str, today: dt.date = TODAY) -> Question | Outcome:
    return step(kb, state_for(kb, "club", answers), today)


def test_a_no_that_meets_a_negative_check() -> None:
    kb = made_up(criterion("Is your school in another trial?", meets="no"))
    assert run(kb, "n").kind == "met"
    assert run(kb, "y").kind == "not-met"


def test_criteria_without_a_check_are_never_asked_but_listed_at_the_end() -> None:
    kb = made_up(criterion("Do you teach Year 5?"), criterion(None, text="Bring a laptop to each session."))
    first = run(kb, "")
    assert isinstance(first, Question) and first.total == 1
    end = run(kb, "y")
    assert end.kind == "met" and end.also == ("Bring a laptop to each session.",)
    assert "**Also make sure**\n• Bring a laptop to each session." in render_text(end)


def test_not_met_offers_only_current_alternatives_that_exist() -> None:
    kb = made_up(criterion("Do you teach Year 5?", suggest=["other-offer", "club", "gone-offer"]))
    end = run(kb, "n")
    assert [a.entry_id for a in end.alternatives] == ["other-offer"]
    assert end.alternatives[0].line == "Another offer."
    assert end.reason == "Not met: Do you teach Year 5?"


def test_unsure_without_an_unsure_text_names_the_criterion() -> None:
    kb = made_up(criterion("Do you teach Year 5?", text="Teach Year 5."))
    end = run(kb, "?")
    assert end.to_check == ("Check this criterion: Teach Year 5.",)
    assert "hub@example.org" in end.contact


def test_met_with_a_form_address_and_an_open_deadline() -> None:
    kb = made_up(
        criterion("Do you teach Year 5?"),
        links=[Link(label="Club application form", kind="application", url="https://forms.example.org/club", source=SOURCE)],
        deadlines=[Deadline(label="Applications close", date=dt.date(2025, 4, 28), source=SOURCE)],
    )
    end = run(kb, "y")
    text = render_text(end)
    assert end.next_step is not None and end.next_step.url == "https://forms.example.org/club"
    assert "— next step: Club application form: <https://forms.example.org/club>" in text
    assert "Applications close on Monday 28 April 2025 — in 6 days." in text
    assert "**Contact**" not in text  # the form is the next step; no need to ask the hub
    closed = render_text(run(kb, "y", today=dt.date(2025, 5, 1)))
    assert "That date has passed" in closed
    assert "— but this round has closed: ask the hub about the next one." in closed.splitlines()[1]
    assert "forms.example.org" not in closed and "next step: Club application form" not in closed
    assert "hub@example.org" in closed  # with no form to follow, the hub is the next step
    unsure = render_text(run(kb, "?", today=dt.date(2025, 5, 1)))
    assert "forms.example.org" not in unsure and "this round is closed" in unsure


def test_answers_after_a_stop_are_refused() -> None:
    kb = made_up(criterion("Do you teach Year 5?"), criterion("Can you attend every session?"))
    with pytest.raises(StateError):
        run(kb, "n y")


def test_a_past_academic_year_is_flagged() -> None:
    kb = made_up(criterion("Do you teach Year 5?"), academic_year="2023/24")
    assert "published for 2023/24" in render_text(run(kb, "y"))
    assert not run(kb, "y", today=dt.date(2024, 1, 1)).notes
