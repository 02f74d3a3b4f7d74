"""`validate` checks eligibility flows: answerable questions, every criterion reachable, sound suggestions.

Each kind of mistake also has a broken fixture (tests/fixtures/broken/eligibility_*.yaml) that
test_loader.py loads and expects at its marked line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.knowledge.checks import _negated
from bot.knowledge.loader import load_knowledge
from bot.validate import validate_command
from tests.conftest import FIXTURES, KNOWLEDGE, TODAY

BROKEN = FIXTURES / "broken"
SOURCES = FIXTURES / "sources"


def _with(tmp_path: Path, *fixtures: str) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", root)
    for name in fixtures:
        shutil.copy(BROKEN / name, root / "entries" / name)
    return root


def test_there_is_a_broken_fixture_for_each_flow_mistake() -> None:
    names = {path.stem for path in BROKEN.glob("eligibility_*.yaml")}
    assert names >= {
        "eligibility_question_not_yes_no",
        "eligibility_duplicate_question",
        "eligibility_unreachable_criterion",
        "eligibility_meets_contradicts_question",
        "eligibility_suggests_itself",
        "eligibility_unknown_suggestion",
        "eligibility_phrase_both_ways",
        "eligibility_too_many_checks",
    }


def test_validate_prints_each_flow_mistake_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _with(tmp_path, "eligibility_unreachable_criterion.yaml")
    assert validate_command(root, SOURCES, TODAY) == 1
    out = capsys.readouterr().out
    assert "eligibility_unreachable_criterion.yaml:19:17: error: criterion 1 asks the same question" in out
    assert "unreachable" in out
    assert "1 error" in out


def test_the_bundled_flows_pass_without_flow_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_command(KNOWLEDGE, None, TODAY) == 0
    out = capsys.readouterr().out
    for phrase in ("yes or no", "asks the same question", "already asks", "contradicts the wording", "suggest", "met_when"):
        assert phrase not in out


def test_suggesting_a_past_offer_is_a_warning(tmp_path: Path) -> None:
    root = _with(tmp_path)
    entry = (BROKEN / "eligibility_suggests_itself.yaml").read_text(encoding="utf-8")
    entry = entry.replace("        - second-group  # <- error\n", "")
    (root / "entries" / "second-group.yaml").write_text(entry, encoding="utf-8")
    example = root / "entries" / "example-programme.yaml"
    example.write_text(example.read_text(encoding="utf-8").replace("kind: programme", "kind: programme\nstatus: historical"))
    kb = load_knowledge(root, today=TODAY, sources_dir=SOURCES)
    [warning] = [w for w in kb.warnings if "past offer" in w.message]
    assert warning.file.endswith("second-group.yaml") and warning.line == 17


@pytest.mark.parametrize(
    ("text", "negative"),
    [
        ("Be a state-funded secondary school or college within England", False),
        ("Not be taking part in EEF's trials in the same period.", True),
        ("Have a teacher who has not done Initial Teacher Training in maths", True),
        ("Do you have a teacher who didn't do ITT in maths and who does not teach Year 7?", False),
        ("Can't release the teacher", True),
        ("Is your school taking part in another trial?", False),
    ],
)
def test_how_negative_wording_is_read(text: str, negative: bool) -> None:
    assert _negated(text) is negative
