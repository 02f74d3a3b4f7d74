"""validate's checks that a text says no more than its source, the outside topics, and the house style."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.knowledge.evidence import figures
from bot.knowledge.loader import load_knowledge
from bot.knowledge.problems import KnowledgeError
from bot.knowledge.style import format_file, knowledge_files
from tests.conftest import FIXTURES, KNOWLEDGE, TODAY

SOURCES = FIXTURES / "sources"
SEEDS = KNOWLEDGE.parent.parent / "shared" / "seeds"
ENTRY = FIXTURES / "kb_base" / "entries" / "example-programme.yaml"


def _kb(tmp_path: Path, entry_text: str | None = None, outside: str | None = None) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", root)
    if entry_text is not None:
        (root / "entries" / "example-programme.yaml").write_text(entry_text, encoding="utf-8")
    if outside is not None:
        (root / "outside.yaml").write_text(outside, encoding="utf-8")
    return root


def _problems(root: Path) -> list[str]:
    try:
        kb = load_knowledge(root, today=TODAY, sources_dir=SOURCES, cache=None)
    except KnowledgeError as exc:
        return [str(problem) for problem in exc.problems]
    return [str(problem) for problem in kb.warnings]


def test_figures_are_normalised() -> None:
    assert figures("In 2023/24, 1,500 LLMEs; 7.5 days; 58%; 25/26; 28 th April; post-16; Key Stage 2") == {
        "ay2023/24", "1500", "7.5", "58", "ay2025/26", "28",
    }


def test_a_figure_not_in_its_quote_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = ENTRY.read_text(encoding="utf-8").replace("text: 7.5 days in each year.", "text: 8.5 days in each year.")
    problems = _problems(_kb(tmp_path, text))
    [problem] = [p for p in problems if "'8.5'" in p]
    assert "example-programme.yaml:11:9:" in problem
    assert "is not in this text's quote" in problem


def test_a_figure_from_the_sentence_around_the_quote_is_supported(tmp_path: Path) -> None:
    # The quote is "The form asks for Headteacher details only"; the sentence before it gives 7.5 days,
    # which is not the sentence around the quote, so it is still reported.
    text = ENTRY.read_text(encoding="utf-8").replace("label: Application form", "label: Application form (7.5 days)")
    assert any("'7.5'" in p for p in _problems(_kb(tmp_path / "a", text)))
    text = ENTRY.read_text(encoding="utf-8").replace(
        "text: 7.5 days in each year.", "text: 7.5 days in each year, as the programme helps teachers."
    )
    assert not [p for p in _problems(_kb(tmp_path / "b", text)) if "error" in p]


def test_an_academic_year_the_summary_does_not_give_is_an_error(tmp_path: Path) -> None:
    text = ENTRY.read_text(encoding="utf-8").replace("academic_year: 2026/27", "academic_year: 2027/28")
    problems = _problems(_kb(tmp_path, text))
    assert any("academic_year 2027/28 is not given by the summary's quote" in p for p in problems)


def test_relative_time_words_are_warned_about(tmp_path: Path) -> None:
    text = ENTRY.read_text(encoding="utf-8").replace(
        "text: A programme that helps teachers build subject knowledge.",
        "text: A programme that helps teachers build subject knowledge; applications are open now.",
    )
    [warning] = [p for p in _problems(_kb(tmp_path, text)) if "depends on when it is read" in p]
    assert "example-programme.yaml:8:9: warning: 'now'" in warning


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source documents are not beside the project")
def test_the_bundled_knowledge_base_passes_every_check_with_no_relative_time_words() -> None:
    kb = load_knowledge(KNOWLEDGE, today=TODAY, sources_dir=SEEDS, cache=None)
    assert not [w for w in kb.warnings if "depends on when it is read" in w.message]


# ----- outside topics ---------------------------------------------------------------------------
def test_the_bundled_outside_topics_are_loaded(kb) -> None:
    names = {topic.id: topic for topic in kb.outside}
    assert {"npq", "ofsted", "sats-and-mtc", "other-nations", "other-subjects", "tutoring", "teacher-training",
            "teaching-advice", "personal-data"} <= set(names)
    assert "npq" in names["npq"].variants
    assert names["npq"].source is not None and "NPQ providers" in names["npq"].source.quote


def test_no_outside_file_means_no_outside_topics(tmp_path: Path) -> None:
    assert load_knowledge(_kb(tmp_path), today=TODAY, cache=None).outside == ()


def test_a_mistake_in_the_outside_file_is_reported_at_its_line(tmp_path: Path) -> None:
    outside = "topics:\n  - id: npq\n    name: NPQs\n    variants: [npq]\n    reply: Not a hub offer.\n    colour: red\n"
    problems = _problems(_kb(tmp_path, outside=outside))
    assert any("outside.yaml:6:5: error: unknown field 'colour'" in p for p in problems)


def test_a_phrase_naming_two_outside_topics_is_an_error(tmp_path: Path) -> None:
    outside = (
        "topics:\n  - id: npq\n    name: NPQs\n    variants: [npq]\n    reply: Not a hub offer.\n"
        "  - id: other\n    name: Other\n    variants: [NPQ]\n    reply: Not a hub offer.\n"
    )
    assert any("'NPQ' already names topic 'npq'" in p for p in _problems(_kb(tmp_path, outside=outside)))


def test_an_outside_reply_is_checked_against_its_quote(tmp_path: Path) -> None:
    outside = (
        "topics:\n  - id: npq\n    name: NPQs\n    variants: [npq]\n    reply: 9 NPQs are not a hub offer.\n"
        "    source: {file: newsletter.txt, quote: The form asks for Headteacher details only}\n"
    )
    assert any("'9' is not in this text's quote" in p for p in _problems(_kb(tmp_path, outside=outside)))


# ----- one YAML style ---------------------------------------------------------------------------
def test_every_bundled_entry_follows_the_house_style() -> None:
    differ = [path.name for path in knowledge_files(KNOWLEDGE) if format_file(path) != path.read_text(encoding="utf-8")]
    assert not differ, f"run `python -m bot.knowledge.style` to format: {differ}"
