"""Where Discord offers "Ask the hub team", the console and the CLI say how to reach the hub — when
hub.yaml gives an email, website or phone — and say nothing extra when it gives none."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console import Console
from bot.engine.engine import Engine
from bot.knowledge.loader import load_knowledge
from tests.conftest import KNOWLEDGE, ROOT, TODAY

EMAIL = "maths.hub@example.org"
NOT_ANSWERED = [
    "tell me about mastering number",  # which one?
    "is anyone going to the football tonight?",  # I don't know
    "/programme qwertyuiop",  # no programme by that name
    "/programme NCP17-99",  # no programme by that name, with near-misses
    "/eligibility xyz",  # no programme to check
    "/deadlines",  # no open deadline
]


@pytest.fixture(scope="module")
def reachable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled knowledge base with an email address in hub.yaml."""
    root = tmp_path_factory.mktemp("reachable") / "knowledge"
    shutil.copytree(KNOWLEDGE, root, ignore=shutil.ignore_patterns("schema"))
    hub = root / "hub.yaml"
    hub.write_text(hub.read_text(encoding="utf-8") + f"email: {EMAIL}\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("line", NOT_ANSWERED)
def test_the_console_says_how_to_reach_the_hub_when_it_cannot_answer(reachable: Path, engine, line: str) -> None:
    with_email = Console(Engine(load_knowledge(reachable, today=TODAY)), today=TODAY).respond(line)
    assert with_email.rstrip().endswith(f"Email: {EMAIL}"), with_email
    assert with_email.count(EMAIL) == 1
    without = Console(engine, today=TODAY).respond(line)
    assert "Email:" not in without


def test_an_answer_needs_no_contact(reachable: Path) -> None:
    console = Console(Engine(load_knowledge(reachable, today=TODAY)), today=TODAY)
    assert EMAIL not in console.respond("how many days is the secondary mastery specialist programme?")
    assert EMAIL not in console.respond("/programme NCP17-09")


def test_the_command_line_says_it_too(reachable: Path) -> None:
    def hubbot(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(reachable), *args], input=stdin,
                              capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
        return done.stdout

    assert f"Email: {EMAIL}" in hubbot("ask", "--today", TODAY.isoformat(), "tell me about mastering number")
    assert f"Email: {EMAIL}" in hubbot("programme", "banana")
    [row] = [json.loads(line) for line in hubbot("ask", "--jsonl", stdin="football tonight?\n").splitlines()]
    assert row["text"].endswith(f"Email: {EMAIL}")
