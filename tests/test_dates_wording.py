"""Dates and deadlines are worded without nested brackets, wherever they appear: answers, /programme,
phase and deadline lists (text and Discord), eligibility outcomes, reminders and the calendar —
even when a deadline's note or a form's label has brackets of its own."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from bot.discord_app.embeds import deadlines_embed, programmes_embed
from bot.eligibility.flow import start
from bot.eligibility.render import render_text as flow_text
from bot.engine.dates import in_brackets
from bot.engine.engine import Engine
from bot.knowledge.loader import load_knowledge
from bot.knowledge.schema import Phase
from bot.listings import deadlines_text, phase_text
from bot.render import render_text
from bot.staff.calendar import calendar_bytes
from bot.staff.reminders import due_reminders
from bot.staff.storage import SQLiteStorage
from tests.conftest import KNOWLEDGE

NESTED = re.compile(r"\([^()]*\(")
BEFORE = dt.date(2025, 4, 22)  # six days before the Secondary Mastery Specialist deadline
ENTRY = "secondary-mastery-specialist"


@pytest.fixture(scope="module")
def engine_with_a_bracketed_note(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("notes") / "knowledge"
    shutil.copytree(KNOWLEDGE, root, ignore=shutil.ignore_patterns("schema"))
    entry = root / "entries" / f"{ENTRY}.yaml"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("note: extended deadline", "note: extended deadline (it was 21 April)"), encoding="utf-8")
    return Engine(load_knowledge(root, today=BEFORE))


def test_in_brackets_never_nests() -> None:
    assert in_brackets("extended deadline") == "(extended deadline)"
    assert in_brackets("extended deadline (it was 21 April)") == "(extended deadline, it was 21 April)"
    assert not NESTED.search(in_brackets("a form (needs an Axis account (free))"))


def test_no_nested_brackets_wherever_a_deadline_is_worded(engine_with_a_bracketed_note: Engine, tmp_path: Path) -> None:
    engine = engine_with_a_bracketed_note
    kb = engine.kb
    texts = [
        render_text(engine.answer(question, BEFORE))
        for question in ("when do secondary mastery specialist applications close?", "how do I apply for the secondary MS",
                         "what is there for secondary?", "secondary MS deadline and time commitment")
    ]
    texts.append(render_text(engine.describe(ENTRY, BEFORE)))
    texts += [deadlines_text(kb, BEFORE), phase_text(engine.programmes_for_phase(Phase.SECONDARY), Phase.SECONDARY, BEFORE, kb.hub)]
    texts += [deadlines_embed(None, BEFORE, kb).description,
              programmes_embed(Phase.SECONDARY, engine.programmes_for_phase(Phase.SECONDARY), BEFORE, kb.hub).description]
    texts.append(flow_text(start(kb, ENTRY, BEFORE)))
    with SQLiteStorage(tmp_path / "records.sqlite3") as storage:
        texts += [reminder.message() for reminder in due_reminders(kb, BEFORE, storage, lead_days=(7,))]
    texts.append(calendar_bytes(kb).decode("utf-8").replace("\r\n ", "").replace("\\,", ","))
    nested = [line for text in texts for line in text.splitlines() if NESTED.search(line)]
    assert not nested, nested
    joined = "\n".join(texts)
    assert "extended deadline, it was 21 April" in joined, "the note is shown"
    assert "The hub will share the form (Secondary Mastery Specialist Programme application form, needs an Axis account)" in joined
