"""The knowledge base answers its own FAQ phrasings, and `validate` names each one that goes astray."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.engine.selfcheck import faq_reach
from bot.validate import validate_command
from tests.conftest import KNOWLEDGE, TODAY

REQUIRED_SHARE = 0.97


def test_faq_questions_reach_their_own_entry(engine) -> None:
    reaches = list(faq_reach(engine, TODAY))
    reached = [r for r in reaches if r.reached]
    assert len(reaches) > 300
    missed = "\n".join(f"{r.entry_id}: {r.question!r} → {r.status} {r.topics[:2]}" for r in reaches if not r.reached)
    assert len(reached) / len(reaches) >= REQUIRED_SHARE, missed


def test_validate_warns_about_an_faq_question_that_reaches_another_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    path = root / "entries" / "riwg.yaml"
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))
    astray = "When is the Secondary Mastery Specialist Programme deadline?"
    entry["faqs"][0]["questions"].append(astray)
    path.write_text(yaml.safe_dump(entry, sort_keys=False, allow_unicode=True), encoding="utf-8")

    assert validate_command(root, None, TODAY, verbose=True) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if astray in line)
    assert "riwg.yaml" in line
    assert "answered from secondary-mastery-specialist" in line and "not from riwg" in line

    assert validate_command(root, None, TODAY) == 0  # without --verbose: listed, or one line for the kind
    short = capsys.readouterr().out
    assert astray in short or "FAQ questions that reach another entry or none" in short
