"""The loader and validator: every mistake staff can make is reported with file, line and a plain message."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from bot.knowledge.problems import KnowledgeError
from tests.conftest import FIXTURES, KNOWLEDGE, TODAY

BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))
SOURCES = FIXTURES / "sources"


def _base_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", target)
    return target


def _expected(path: Path) -> tuple[str, int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    pattern = re.match(r"# expect: (.*)", lines[0]).group(1)
    marked = next(number for number, line in enumerate(lines, start=1) if "# <- error" in line)
    return pattern, marked


def test_base_fixture_loads(tmp_path: Path) -> None:
    kb = load_knowledge(_base_copy(tmp_path), today=TODAY, sources_dir=SOURCES)
    assert list(kb.entries) == ["example-programme"]
    assert kb.hub.name == "Example Maths Hub"


def test_there_is_a_fixture_for_every_kind_of_mistake() -> None:
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("fixture", BROKEN, ids=[path.stem for path in BROKEN])
def test_broken_fixture_reports_message_at_line(tmp_path: Path, fixture: Path) -> None:
    root = _base_copy(tmp_path)
    shutil.copy(fixture, root / "entries" / fixture.name)
    pattern, line = _expected(fixture)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root, today=TODAY, sources_dir=SOURCES)
    problems = [p for p in caught.value.problems if p.file.endswith(fixture.name)]
    assert problems, f"no problem reported in {fixture.name}: {caught.value}"
    assert any(re.search(pattern, p.message) and p.line == line for p in problems), (
        f"expected /{pattern}/ at line {line}, got: " + "; ".join(f"{p.line}: {p.message}" for p in problems)
    )


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    root = _base_copy(tmp_path)
    for fixture in BROKEN[:5]:
        shutil.copy(fixture, root / "entries" / fixture.name)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root, today=TODAY, sources_dir=SOURCES)
    files = {Path(p.file).name for p in caught.value.problems}
    assert {fixture.name for fixture in BROKEN[:5]} <= files


def test_problem_text_names_file_line_and_column(tmp_path: Path) -> None:
    root = _base_copy(tmp_path)
    shutil.copy(FIXTURES / "broken" / "unknown_field.yaml", root / "entries" / "unknown_field.yaml")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root, today=TODAY)
    text = str(caught.value.problems[0])
    assert re.search(r"unknown_field\.yaml:\d+:\d+: error: unknown field 'deadlnes'", text)


def test_warnings_for_passed_deadline_stale_review_and_missing_url(tmp_path: Path) -> None:
    root = _base_copy(tmp_path)
    entry = root / "entries" / "example-programme.yaml"
    text = entry.read_text()
    text = text.replace("date: 2027-04-28", "date: 2025-04-28").replace("last_reviewed: 2026-09-01", "last_reviewed: 2024-01-01")
    text = text.replace("    url: https://example.org/apply\n", "")
    text = text.replace("academic_year: 2026/27", "academic_year: 2024/25")
    entry.write_text(text)
    kb = load_knowledge(root, today=TODAY)
    messages = [w.message for w in kb.warnings]
    assert any("has passed" in m for m in messages)
    assert any("more than a year ago" in m for m in messages)
    assert any("has no url" in m for m in messages)
    assert any("academic year 2024/25 is over" in m for m in messages)


def test_vocabulary_and_hub_files_are_checked_too(tmp_path: Path) -> None:
    root = _base_copy(tmp_path)
    (root / "vocabulary.yaml").write_text("synonyms:\n  - canonical: x\n    variant: [y]\n")
    (root / "hub.yaml").write_text((root / "hub.yaml").read_text().replace("https://example.org", "http://example.org"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root, today=TODAY)
    messages = [(Path(p.file).name, p.line, p.message) for p in caught.value.problems]
    assert any(name == "vocabulary.yaml" and line == 3 and "did you mean 'variants'" in m for name, line, m in messages)
    assert any(name == "hub.yaml" and "https://" in m for name, line, m in messages)


def test_missing_directory_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge(tmp_path / "nowhere")
    root = _base_copy(tmp_path)
    (root / "entries" / "empty.yaml").write_text("")
    with pytest.raises(KnowledgeError, match="the file is empty"):
        load_knowledge(root)


def test_non_utf8_file(tmp_path: Path) -> None:
    root = _base_copy(tmp_path)
    (root / "entries" / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(KnowledgeError, match="not UTF-8"):
        load_knowledge(root)


def test_bundled_knowledge_base_loads_without_errors() -> None:
    sources = KNOWLEDGE.parent.parent / "shared" / "seeds"
    kb = load_knowledge(KNOWLEDGE, today=TODAY, sources_dir=sources if sources.is_dir() else None)
    assert len(kb.current_entries()) >= 30
    assert "secondary-mastery-specialist" in kb.entries
    deadline = kb.entries["secondary-mastery-specialist"].deadlines[0]
    assert deadline.date == dt.date(2025, 4, 28)


def test_every_fact_in_the_bundled_knowledge_base_has_a_source(kb) -> None:
    for entry in kb:
        assert entry.summary.source.quote
        for fact in entry.facts:
            assert fact.source.file and fact.source.quote, entry.id
        for link in entry.links:
            assert link.url is None or link.url.startswith("https://"), entry.id


def test_an_alias_worded_as_a_list_question_is_a_warning(tmp_path: Path) -> None:
    root = _base_copy(tmp_path)
    entry = root / "entries" / "example-programme.yaml"
    text = entry.read_text()
    entry.write_text(re.sub(r"aliases: \[", "aliases: [every Example programme, ", text, count=1))
    kb = load_knowledge(root, today=TODAY)
    found = [w for w in kb.warnings if "worded as a list question" in w.message]
    assert len(found) == 1 and found[0].file.endswith("example-programme.yaml") and found[0].line > 1
