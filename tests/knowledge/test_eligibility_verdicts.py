"""Eligibility rules of the real knowledge base: a stated situation in, a verdict out.

Each case is a situation a teacher might describe and what it decides for one criterion: met,
not met, or still to check (the criterion is neither). The cases that must stay "still to check"
are the ones the first version got wrong: words that mention a criterion without deciding it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.engine.eligibility import Situation, assess_situation, lesson_shares
from bot.engine.engine import Engine
from bot.engine.index import KnowledgeIndex
from bot.engine.understand import understand
from bot.knowledge.base import KnowledgeBase

EEF = "sktm-secondary-nonspecialist-eef-trial"
TODAY = dt.date(2026, 12, 1)
MET, NOT_MET, OPEN = "met", "not met", "still to check"


@pytest.fixture(scope="module")
def index(kb: KnowledgeBase) -> KnowledgeIndex:
    return KnowledgeIndex(kb)


def verdicts(kb: KnowledgeBase, index: KnowledgeIndex, entry_id: str, question: str) -> dict[str, str]:
    """Each criterion's verdict, keyed by the start of its text."""
    entry = kb.entries[entry_id]
    situation: Situation = assess_situation(entry, understand(question, index).terms, index)
    found = {}
    for criterion in entry.eligibility:
        verdict = MET if criterion in situation.met else NOT_MET if criterion in situation.not_met else OPEN
        found[criterion.text[:40]] = verdict
    return found


def verdict(kb: KnowledgeBase, index: KnowledgeIndex, entry_id: str, question: str, criterion: int) -> str:
    return list(verdicts(kb, index, entry_id, question).values())[criterion]


# (entry, criterion number, situation, verdict)
CASES = [
    # EEF trial, criterion 1: state-funded secondary school or college in England
    (EEF, 0, "We're an independent school, can we join the EEF trial?", NOT_MET),
    (EEF, 0, "I'm head of maths at an independent girls' school; could we join the EEF evaluation?", NOT_MET),
    (EEF, 0, "welsh secondary - can we join the sktm trial", NOT_MET),
    (EEF, 0, "We are not an independent school - can we do the EEF trial?", OPEN),  # negated
    (EEF, 0, "the EEF funded independent evaluation - is our academy eligible?", OPEN),  # 'independent' is the evaluation
    (EEF, 0, "our teacher trained in Wales; we are in Kent. EEF trial?", OPEN),
    # criterion 2: a non-specialist (no ITT in maths) teaching Year 8, at least half the lessons if shared
    (EEF, 1, "I'm a non-specialist teaching Year 8 and Year 9, am I eligible for the EEF trial?", MET),  # Year 9 as well
    (EEF, 1, "Our non-specialist teaches Year 8, and Year 9 as well - EEF trial?", MET),
    (EEF, 1, "our non-specialist wants teacher training next year - EEF trial?", OPEN),  # wanting ITT is not having done it
    (EEF, 1, "our non-specialist wants a PGCE in maths next year - EEF trial?", OPEN),
    (EEF, 1, "She did a PGCE in secondary maths years ago but now teaches a Year 8 class. EEF trial?", NOT_MET),
    (EEF, 1, "our non-specialist only teaches Year 7 - can we do the EEF trial?", NOT_MET),
    (EEF, 1, "our history teacher teaches a Year 8 class, EEF trial?", MET),
    (EEF, 1, "trained in science, teaching maths - EEF trial?", OPEN),  # no Year 8 class stated
    (EEF, 1, "non specialist only teaches 1/3 of the yr8 lessons, eligible for the EEF trial?", NOT_MET),
    (EEF, 1, "Our biology teacher shares a Year 8 class and teaches two of its five lessons. EEF trial?", NOT_MET),
    (EEF, 1, "Our geography teacher takes three of the five lessons of a shared Year 8 set. EEF trial?", MET),
    (EEF, 1, "our non-specialist shares a year 8 class 50/50, ok for the EEF trial?", MET),
    (EEF, 1, "our non-specialist teaches a shared Year 8 class - EEF trial?", OPEN),  # the share is not stated
    (EEF, 1, "our non-specialist doesn't teach half the lessons of a shared year 8 class. EEF trial?", OPEN),
    # criterion 3: release for all training sessions
    (EEF, 2, "we could release him for most of the training but probably not every session", NOT_MET),
    (EEF, 2, "we can release her for every training session", MET),
    # criterion 4: not in the Peer to Peer Coaching or HFL calculations trials
    (EEF, 3, "we use HFL planning resources - can we do the EEF trial?", OPEN),  # HFL resources are not the HFL trial
    (EEF, 3, "We're in the EEF's Peer to Peer Coaching trial this year. SKTM trial?", NOT_MET),
    (EEF, 3, "we're in the HFL fluent and flexible calculations trial, can we still join?", NOT_MET),
    (EEF, 3, "we are not in the Peer to Peer Coaching trial", OPEN),
    # Mastering Number at KS2: Sustaining Work Group; Mastering Number at Reception and KS1 first
    ("mastering-number-ks2", 0, "We're a Sustaining school. Could we do Mastering Number at KS2?", MET),
    ("mastering-number-ks2", 0, "We're in the Embedding stage of Teaching for Mastery. MN KS2?", NOT_MET),
    ("mastering-number-ks2", 0, "our department does the maths and science Sustaining theme - MN KS2?", OPEN),
    ("mastering-number-ks2", 0, "We did Mastery Readiness years ago and are in a Sustaining Work Group now", MET),
    ("mastering-number-ks2", 1, "We did Mastering Number in Reception and KS1 last year. MN KS2?", MET),
    ("mastering-number-ks2", 1, "We never did Mastering Number lower down the school. MN KS2?", NOT_MET),
    ("mastering-number-ks2", 1, "can we do mn ks2 if we never did mn reception", NOT_MET),
    # Problem Solving Matters: aimed at Year 12 students who want to study maths at university
    ("problem-solving-matters", 0, "my Year 12 student wants a maths degree - Problem Solving Matters?", MET),
    ("problem-solving-matters", 0, "an independent-school Year 12 student who wants to study maths at university - PSM?", MET),
    ("problem-solving-matters", 0, "is Problem Solving Matters ok for Year 13?", OPEN),  # aimed at, not a rule
]


@pytest.mark.parametrize(("entry_id", "criterion", "question", "expected"), CASES, ids=[c[2][:50] for c in CASES])
def test_a_situation_decides_only_what_its_words_decide(
    kb: KnowledgeBase, index: KnowledgeIndex, entry_id: str, criterion: int, question: str, expected: str
) -> None:
    assert verdict(kb, index, entry_id, question, criterion) == expected


def test_the_cost_of_problem_solving_matters_is_not_an_eligibility_rule(kb: KnowledgeBase, index: KnowledgeIndex) -> None:
    entry = kb.entries["problem-solving-matters"]
    assert all("free" not in criterion.text.lower() for criterion in entry.eligibility)
    assert verdicts(kb, index, "problem-solving-matters", "an independent school student in Year 12, can she do PSM?") == {
        entry.eligibility[0].text[:40]: OPEN
    }


def test_targeted_support_is_never_decided_by_an_example_of_a_barrier(kb: KnowledgeBase, index: KnowledgeIndex) -> None:
    for question in ("we have a new head and a new maths lead", "we're already in a Sustaining Work Group"):
        assert set(verdicts(kb, index, "targeted-support", question).values()) == {OPEN}


def test_nothing_in_the_question_leaves_every_criterion_to_check(kb: KnowledgeBase, index: KnowledgeIndex) -> None:
    assert set(verdicts(kb, index, EEF, "who is the EEF trial for?").values()) == {OPEN}


@pytest.mark.parametrize(
    ("words", "share", "how"),
    [
        ("teaches two of its five lessons", 0.4, "exact"),
        ("takes 3 out of 5 lessons", 0.6, "exact"),
        ("teaches 1 3 of the year 8 lessons", 1 / 3, "exact"),
        ("teaches less than half the lessons", 0.5, "below"),
        ("teaches at least half the lessons", 0.5, "at least"),
        ("shares the class 50 50", 0.5, "exact"),
    ],
)
def test_shares_of_lessons_are_read(words: str, share: float, how: str) -> None:
    [(found, qualifier, _, _)] = lesson_shares(words.split())
    assert float(found) == pytest.approx(share)
    assert qualifier == how


def test_no_share_is_read_from_numbers_that_are_not_lessons() -> None:
    assert lesson_shares("year 8 and year 9 two of our five teachers".split()) == []


# ----- through the engine's public API ----------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "I'm a non-specialist teaching Year 8 and Year 9, am I eligible for the EEF trial?",
        "we use HFL planning resources - are we eligible for the EEF trial?",
        "our non-specialist wants teacher training next year, are we eligible for the EEF trial?",
        "an independent school student wants to do Problem Solving Matters, is she eligible?",
    ],
)
def test_no_reply_rules_out_on_words_that_do_not_decide(engine: Engine, question: str) -> None:
    reply = engine.answer(question, today=TODAY)
    text = reply.headline if hasattr(reply, "headline") else str(reply)
    assert "rules you out" not in text


def test_a_criterion_really_not_met_is_said_so(engine: Engine) -> None:
    reply = engine.answer("We're an independent school. Are we eligible for the EEF trial of SKTM?", today=TODAY)
    assert "rules you out" in reply.headline
    assert "state-funded" in reply.headline
