"""Reloading the knowledge base while a thousand questions are being answered.

The knowledge base is swapped repeatedly between two valid versions (the Secondary Mastery
Specialist deadline moved) and some broken ones: no question fails, every reply comes from one
complete version, and a broken version never replaces the last good one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import shutil
from pathlib import Path

import pytest

from bot.discord_app.knowledge import KnowledgeService, Snapshot
from bot.engine.dates import long_date
from bot.knowledge.problems import KnowledgeError
from bot.render import render_text
from tests.conftest import KNOWLEDGE

ENTRY = "secondary-mastery-specialist"
FILE = Path("entries") / f"{ENTRY}.yaml"
DATE_A, DATE_B = dt.date(2025, 4, 28), dt.date(2025, 5, 12)
TODAY = dt.date(2025, 4, 1)
DEADLINE_QUESTIONS = [
    "When do secondary mastery specialist applications close?",
    "what's the deadline for the secondary MS programme?",
    "how do I apply for secondary mastery specialist",
]
OTHER_QUESTIONS = [
    "What is Mastering Number?",
    "Is there a maths trip to the moon?",
    "How much does SKTM cost?",
    "Which programmes are there for primary teachers?",
    "",
]


def version_b(text: str) -> str:
    """The same entry with the deadline moved to 12 May, everywhere the file mentions it."""
    changed = text.replace("date: 2025-04-28", "date: 2025-05-12").replace("28 April 2025", "12 May 2025")
    assert changed != text
    return changed


BROKEN = {
    "yaml syntax": lambda text: text.replace("deadlines:\n", "deadlines: [\n", 1),
    "impossible date": lambda text: text.replace("date: 2025-04-28", "date: 2025-02-30"),
    "unknown field": lambda text: text + "colour: blue\n",
}


def deadline_of(snapshot: Snapshot) -> dt.date:
    return snapshot.kb.entries[ENTRY].deadlines[0].date


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, directory, ignore=shutil.ignore_patterns("schema"))
    return directory


async def test_reload_under_load(knowledge_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    path = knowledge_copy / FILE
    text_a = path.read_text(encoding="utf-8")
    text_b = version_b(text_a)
    service = KnowledgeService.load(knowledge_copy)
    versions = {service.current.kb.version: DATE_A}
    good = {"A": (text_a, DATE_A), "B": (text_b, DATE_B)}
    plan = ["B", "yaml syntax", "A", "B", "impossible date", "A", "unknown field", "B", "A", "yaml syntax", "B"]
    refused = 0
    reloading = True

    async def swap() -> None:
        nonlocal refused, reloading
        try:
            for step in plan:
                before = service.current
                if step in good:
                    content, date = good[step]
                    path.write_text(content, encoding="utf-8")
                    after = await service.reload()
                    assert service.current is after and deadline_of(after) == date
                    versions.setdefault(after.kb.version, date)
                    assert versions[after.kb.version] == date
                else:
                    path.write_text(BROKEN[step](text_a), encoding="utf-8")
                    with pytest.raises(KnowledgeError) as caught:
                        await service.reload()
                    assert any(problem.file.endswith(FILE.name) for problem in caught.value.problems)
                    assert service.current is before  # the last good version stays in service
                    refused += 1
                await asyncio.sleep(0.05)
        finally:
            reloading = False

    random.seed(5)
    questions = [random.choice(DEADLINE_QUESTIONS) if n % 2 else random.choice(OTHER_QUESTIONS) for n in range(1000)]
    seen: dict[dt.date, int] = {DATE_A: 0, DATE_B: 0}
    asked_while_reloading = 0

    async def ask(number: int, question: str) -> None:
        nonlocal asked_while_reloading
        await asyncio.sleep(random.random() * 3.0)
        snapshot = service.current  # a handler takes the snapshot once and uses only it
        if reloading:
            asked_while_reloading += 1
        if number % 3:
            reply = await asyncio.to_thread(snapshot.engine.answer, question, TODAY)
        else:
            reply = snapshot.engine.answer(question, TODAY)
        text = render_text(reply)
        assert "went wrong" not in text
        if question in DEADLINE_QUESTIONS:
            expected, other = deadline_of(snapshot), ({DATE_A, DATE_B} - {deadline_of(snapshot)}).pop()
            assert reply.status == "answered" and ENTRY in reply.topics, question
            assert f"{expected.day} {expected:%B %Y}" in text, text
            assert f"{other.day} {other:%B %Y}" not in text, text
            if reply.intent == "deadline":
                assert long_date(expected) in text
            seen[expected] += 1

    results = await asyncio.gather(swap(), *(ask(n, q) for n, q in enumerate(questions)), return_exceptions=True)
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, f"{len(errors)} failed, first: {errors[0]!r}"
    assert refused == sum(step in BROKEN for step in plan)
    assert seen[DATE_A] > 0 and seen[DATE_B] > 0, seen  # both versions answered questions
    assert asked_while_reloading > 100
    assert deadline_of(service.current) == DATE_B  # the plan ends on B
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []
