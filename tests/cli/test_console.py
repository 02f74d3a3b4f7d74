"""The console does what the Discord bot does, with numbered options instead of buttons, and looks right
on a terminal (rich) while staying plain text through a pipe."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest

from bot.console import Console, terminal_printer
from tests.conftest import ROOT, TODAY


@pytest.fixture
def console(engine) -> Console:
    return Console(engine, today=TODAY)


def test_slash_ask_is_the_same_as_asking(console) -> None:
    question = "who is the secondary mastery specialist programme for?"
    assert console.respond(f"/ask {question}") == console.respond(question)
    assert "What would you like to ask?" in console.respond("/ask")


@pytest.mark.parametrize(("word", "heading"), [
    ("ks2", "**Primary**"), ("y7", "**Secondary**"), ("ks3", "**Secondary**"), ("eyfs", "**Early Years**"),
    ("sixth form", "**Post-16**"), ("year 12", "**Post-16**"), ("leadership", "**Cross-phase and leadership**"),
])
def test_phase_words_work_in_programmes_and_deadlines(console, word, heading) -> None:
    assert console.respond(f"/programmes {word}").startswith(heading)
    assert console.respond(f"/deadlines {word}").startswith(f"**Deadlines for {heading.strip('*')}**")


def test_an_unknown_phase_says_which_words_work(console) -> None:
    for command in ("/programmes bananas", "/deadlines bananas"):
        text = console.respond(command)
        assert "ks2" in text and "sixth form" in text


def test_a_clarifying_answer_is_numbered_and_a_number_picks(console) -> None:
    text = console.respond("tell me about the mastery specialist programme")
    assert "1. **Primary Mastery Specialist Programme**" in text
    assert "2. **Secondary Mastery Specialist Programme**" in text
    count = len([line for line in text.splitlines() if line[:1].isdigit()])
    assert f"Type a number (1–{count})" in text
    picked = console.respond("2")
    assert picked.startswith("**Secondary Mastery Specialist Programme**")
    assert "Applications closed" in picked
    assert not console.respond("2").startswith("**Secondary Mastery")  # the choice is used up: "2" is a question now


def test_programme_choices_are_numbered(console) -> None:
    text = console.respond("/programme sktm")
    options = [line for line in text.splitlines() if line[:1].isdigit()]
    assert len(options) >= 5  # the SKTM family
    assert f"Type a number from 1 to {len(options)}" in text or f"Type a number (1–{len(options)})" in text
    third = options[2].split("**")[1]
    assert console.respond("3").startswith(f"**{third}**")


def test_a_number_out_of_range_asks_again(console) -> None:
    text = console.respond("/programme sktm")
    options = [line for line in text.splitlines() if line[:1].isdigit()]
    first = options[0].split("**")[1]
    assert console.respond("12") == f"Type a number from 1 to {len(options)}, or ask something else."
    assert console.respond("1").startswith(f"**{first}**")


def test_eligibility_choices_are_numbered_and_answers_can_be_numbers(console) -> None:
    text = console.respond("/eligibility sktm")
    assert "Which programme do you mean?" in text and "1. **" in text
    first = console.respond("5")
    assert "Primary Teaching Assistants** — question 1 of 1" in first
    assert "or 1, 2 or 3" in first
    done = console.respond("2")  # no
    assert "don't meet the published criteria" in done
    near = console.respond("/eligibility mastering number secondary")
    assert "Did you mean one of these?" in near and "1. **Mastering Number at KS2**" in near
    assert "Mastering Number at KS2** — question 1 of 2" in console.respond("1")


def _terminal_session(typed: bytes, tmp_path) -> bytes:
    """Run `python -m bot console` on a pseudo-terminal, type ``typed``, return everything it wrote."""
    main, child = pty.openpty()
    env = {**os.environ, "HOME": str(tmp_path), "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "bot", "--today", "2026-11-22", "console"],
                               stdin=child, stdout=child, stderr=child, cwd=ROOT, env=env)
    os.close(child)
    os.write(main, typed)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if not ready:
            if process.poll() is not None:
                break
            continue
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(main)
    return output


def test_on_a_terminal_replies_are_styled_not_raw_markdown(tmp_path) -> None:
    output = _terminal_session(b"/programme NCP17-09\n/quit\n", tmp_path).decode("utf-8", errors="replace")
    assert "Mathematical Thinking and the new GCSE" in output
    assert "\x1b[1m" in output  # bold, as a terminal shows it
    assert "**Mathematical Thinking" not in output and "_Source:" not in output


def test_through_a_pipe_replies_stay_plain_text() -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "--today", "2026-11-22", "console"], input="/programme NCP17-09\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    assert done.stdout.startswith("**Mathematical Thinking and the new GCSE**")
    assert "\x1b[" not in done.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_lines_keep_their_breaks_and_a_list_ends_where_it_ends(console, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # wide enough that rich wraps nothing
    screen = _Terminal()
    reply = console.respond("/programme sktm")
    count = len([line for line in reply.splitlines() if line[:1].isdigit()])
    terminal_printer(screen)(reply)
    shown = [re.sub(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\", "", line).strip() for line in screen.getvalue().splitlines()]
    assert "Which programme do you mean?" in shown
    assert any(line.startswith(f"Type a number (1–{count})") for line in shown)
    assert not any("project Type a number" in line for line in shown)
    assert not any("**" in line for line in shown)
