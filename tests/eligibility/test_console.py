"""`/eligibility <name>` in `python -m bot console`: one question per line, answered y / n / ?."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from bot.console import Console
from tests.conftest import ROOT

APRIL = dt.date(2025, 4, 22)


def test_a_whole_check_at_the_console(engine) -> None:
    console = Console(engine, today=APRIL)
    first = console.respond("/eligibility EEF trial")
    assert "question 1 of 4" in first
    assert "state-funded secondary school or college in England?" in first
    assert "y (yes), n (no) or ? (not sure)" in first
    assert "question 2 of 4" in console.respond("y")
    assert "question 3 of 4" in console.respond("not sure")
    assert "question 4 of 4" in console.respond("yes")
    end = console.respond("n")
    assert "You may be eligible" in end
    assert "Check the teacher's ITT subject" in end
    assert "EEF trial expression of interest form — ask the hub for the form" in end
    assert "Contact the Kent & Medway Maths Hub team" in end
    assert console.flow is None
    # With the check over, a plain line is a question for the engine again.
    assert "question" not in console.respond("what is teaching for mastery?").lower()[:40]


def test_the_first_answer_not_met_stops_the_check(engine) -> None:
    console = Console(engine, today=APRIL)
    console.respond("/eligibility mastering number ks2")
    end = console.respond("y")
    assert "question 2 of 2" in end
    end = console.respond("n")
    assert "don't meet the published criteria" in end
    assert "Mastering Number at Reception and KS1" in end
    assert console.flow is None


def test_something_else_than_an_answer_is_asked_again(engine) -> None:
    console = Console(engine, today=APRIL)
    console.respond("/eligibility mastering number ks2")
    assert "Please answer y (yes), n (no) or ?" in console.respond("maybe later")
    assert console.flow is not None
    assert "question 2 of 2" in console.respond("?")


def test_a_command_leaves_the_check(engine) -> None:
    console = Console(engine, today=APRIL)
    console.respond("/eligibility mastering number ks2")
    assert "Deadlines" in console.respond("/deadlines")
    assert console.flow is None
    assert "question" not in console.respond("y")


def test_names_that_are_unknown_ambiguous_or_missing(engine) -> None:
    console = Console(engine, today=APRIL)
    assert "Which programme?" in console.respond("/eligibility")
    assert "don't know a programme" in console.respond("/eligibility zzzz qqqq xxxx")
    ambiguous = console.respond("/eligibility sktm")
    assert "Which programme do you mean?" in ambiguous
    assert console.flow is None


def test_a_programme_without_checks_and_a_past_one(engine) -> None:
    console = Console(engine, today=APRIL)
    no_checks = console.respond("/eligibility secondary mastery specialist programme")
    assert "don't list eligibility criteria" in no_checks  # the subject-leadership expectation is the school's, not a criterion
    assert "Applications close on Monday 28 April 2025" in no_checks
    assert console.flow is None
    past = console.respond("/eligibility NCP17-14")
    assert "not a current offer" in past


def test_help_lists_the_command(engine) -> None:
    assert "/eligibility <name>" in Console(engine).respond("/help")


def test_python_m_bot_console_runs_a_check() -> None:
    typed = "/eligibility EEF trial\ny\ny\ny\nn\n"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--today", "2025-04-22", "console"],
        input=typed, capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )
    assert "question 4 of 4" in done.stdout
    assert "You meet the published criteria for the EEF trial" in done.stdout
    assert "next step: EEF trial expression of interest form" in done.stdout
