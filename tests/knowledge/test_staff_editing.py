"""What a hub staff member sees when an edit goes wrong: where the mistake starts, in plain words."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from bot.knowledge.problems import KnowledgeError
from bot.validate import validate_command
from tests.conftest import FIXTURES, KNOWLEDGE, TODAY

SOURCES = FIXTURES / "sources"
ENTRY = FIXTURES / "kb_base" / "entries" / "example-programme.yaml"


def _kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", root)
    return root


def _errors(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root, today=TODAY, sources_dir=SOURCES, cache=None)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (("name: Example Programme", 'name: "Example Programme'), ":2:7:", 'this quote ("), opened on line 2, is never closed'),
        (("name: Example Programme", "name: 'Example Programme"), ":2:7:", "this quote ('), opened on line 2, is never closed"),
        (("aliases: [EP course]", "aliases: [EP course"), ":4:10:", "this list in [brackets], opened on line 4, is not closed"),
        (("name: Example Programme", "name: Example: Programme"), ":2:14:", "put the whole value in double quotes"),
        (("kind: programme", " kind: programme"), ":3:", "indented more than the field above it"),
        (("  source: {file: newsletter.txt, quote: It runs", " source: {file: newsletter.txt, quote: It runs"), ":12:2:",
         "not indented like the lines around it"),
    ],
)
def test_a_syntax_error_is_reported_where_it_starts_in_plain_words(
    tmp_path: Path, edit: tuple[str, str], where: str, words: str
) -> None:
    root = _kb(tmp_path)
    path = root / "entries" / "example-programme.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*edit, 1), encoding="utf-8")
    [problem] = _errors(root)
    assert f"example-programme.yaml{where}" in problem and words in problem
    assert "while scanning" not in problem and "expected <block end>" not in problem


def test_a_broken_file_does_not_make_untouched_files_wrong(tmp_path: Path) -> None:
    root = _kb(tmp_path)
    (root / "entries" / "second.yaml").write_text(
        ENTRY.read_text(encoding="utf-8").replace("id: example-programme", "id: second")
        .replace("name: Example Programme", "name: Second")
        .replace("aliases: [EP course]", "aliases: [second course]")
        + "related: [example-programme]\n",
        encoding="utf-8",
    )
    path = root / "entries" / "example-programme.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: Example Programme", 'name: "Example'), encoding="utf-8")
    errors = _errors(root)
    assert [p for p in errors if "example-programme.yaml" in p and "never closed" in p]
    assert not [p for p in errors if "second.yaml" in p]  # the reference is not an error of the untouched file
    assert not any("is not the id of any entry" in p for p in errors)


def test_a_reference_to_a_broken_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _kb(tmp_path)
    (root / "entries" / "second.yaml").write_text(
        ENTRY.read_text(encoding="utf-8").replace("id: example-programme", "id: second")
        .replace("name: Example Programme", "name: Second").replace("aliases: [EP course]", "aliases: [second course]")
        + "related: [third]\n",
        encoding="utf-8",
    )
    (root / "entries" / "third.yaml").write_text('id: third\nname: "Third\n', encoding="utf-8")
    assert validate_command(root, SOURCES, TODAY) == 1
    out = capsys.readouterr().out
    assert "third.yaml:2:7: error: this quote" in out


def test_the_version_does_not_depend_on_how_the_folder_was_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _kb(tmp_path)
    monkeypatch.chdir(tmp_path)
    os.symlink(root, tmp_path / "link")
    versions = {
        load_knowledge(typed, today=TODAY, cache=None).version
        for typed in ("kb", "./kb/", str(root), str(root) + "/", "link", str(tmp_path / "kb" / ".." / "kb"))
    }
    assert len(versions) == 1


def test_the_bundled_warnings_are_grouped_and_verbose_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_command(KNOWLEDGE, None, TODAY) == 0
    short = capsys.readouterr().out
    assert "links without an address in" in short and "--verbose lists them" in short
    assert "has no url yet" not in short
    assert validate_command(KNOWLEDGE, None, TODAY, verbose=True) == 0
    full = capsys.readouterr().out
    assert full.count("has no url yet") >= 3


def test_validate_says_first_and_last_when_the_hub_has_no_contact_detail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _kb(tmp_path)
    hub = root / "hub.yaml"
    hub.write_text(
        "\n".join(line for line in hub.read_text(encoding="utf-8").splitlines() if not line.startswith(("email", "website")))
        + "\n",
        encoding="utf-8",
    )
    assert validate_command(root, SOURCES, TODAY) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("⚠ hub.yaml has no contact detail (email, website or phone)")
    assert out[-1].startswith("⚠ No contact detail in hub.yaml")
    hub.write_text(hub.read_text(encoding="utf-8") + "phone: 01234 567890\n", encoding="utf-8")
    assert validate_command(root, SOURCES, TODAY) == 0
    assert "no contact detail" not in capsys.readouterr().out.lower()


def test_a_source_document_without_a_title_is_warned_about_where_it_is_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _kb(tmp_path)
    hub = root / "hub.yaml"
    hub.write_text(hub.read_text(encoding="utf-8").replace("file: newsletter.txt", "file: another.txt"), encoding="utf-8")
    entry = root / "entries" / "example-programme.yaml"  # its year came from the title; without one it can't be given
    entry.write_text(entry.read_text(encoding="utf-8").replace("academic_year: 2026/27\n", ""), encoding="utf-8")
    kb = load_knowledge(root, today=TODAY, sources_dir=SOURCES, cache=None)
    [warning] = [str(w) for w in kb.warnings if "no title in hub.yaml" in w.message]
    assert "example-programme.yaml:8:" in warning and "'newsletter.txt'" in warning  # the first quote, once per file
    assert validate_command(root, SOURCES, TODAY) == 0
    assert "source document 'newsletter.txt' has no title in hub.yaml" in capsys.readouterr().out
    readme = (KNOWLEDGE / "README.md").read_text(encoding="utf-8")
    assert "## Add a new source document" in readme and "under `documents:`" in readme
    assert not [w for w in load_knowledge(KNOWLEDGE, today=TODAY).warnings if "no title in hub.yaml" in w.message]
