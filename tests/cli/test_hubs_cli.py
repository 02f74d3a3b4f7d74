"""The command line of a deployment of several hubs: ``validate --config`` checks every hub's folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.validate import validate_hubs
from tests.cli.test_commands import hubbot, no_traceback
from tests.conftest import FIXTURES

SOURCES = FIXTURES / "sources"


def two_hubs(tmp_path: Path, *, broken: str | None = None) -> Path:
    """A settings file naming hubs north and south, each with a copy of the fixture knowledge base;
    ``broken`` gets a broken entry.
    """
    for hub in ("north", "south"):
        shutil.copytree(FIXTURES / "kb_base", tmp_path / hub)
    if broken is not None:
        shutil.copy(FIXTURES / "broken" / "unknown_phase.yaml", tmp_path / broken / "entries" / "unknown_phase.yaml")
    config = tmp_path / "config.yaml"
    config.write_text(
        "hubs:\n"
        f"  - {{id: north, knowledge_dir: {tmp_path / 'north'}, guild_ids: [1]}}\n"
        f"  - {{id: south, knowledge_dir: {tmp_path / 'south'}, guild_ids: [2]}}\n",
        encoding="utf-8",
    )
    return config


def test_validate_checks_every_hubs_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_hubs(two_hubs(tmp_path), SOURCES, None) == 0
    out = capsys.readouterr().out
    assert f"== hub north: {tmp_path / 'north'}" in out and f"== hub south: {tmp_path / 'south'}" in out
    assert out.count("✓ 1 entries loaded") == 2
    assert out.rstrip().endswith("✓ every hub's knowledge base is valid (2 hubs).")


def test_a_broken_hub_fails_validation_and_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_hubs(two_hubs(tmp_path, broken="south"), SOURCES, None) == 1
    out = capsys.readouterr().out
    north, south = out.split("== hub south")
    assert "✓ 1 entries loaded" in north and "error" not in north
    assert "unknown_phase.yaml" in south and "✗" in south
    assert out.rstrip().endswith("✗ 1 of 2 hubs with errors: south.")


def test_validate_config_through_the_command_line(tmp_path: Path) -> None:
    done = hubbot("validate", "--config", str(two_hubs(tmp_path, broken="north")), "--sources", str(SOURCES))
    no_traceback(done)
    assert done.returncode == 1
    assert "with errors: north." in done.stdout
    both = hubbot("validate", str(tmp_path / "north"), "--config", str(tmp_path / "config.yaml"))
    assert both.returncode == 2 and "not both" in both.stderr


def test_validate_config_with_unreadable_settings_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("hubs:\n  - {id: north}\n", encoding="utf-8")
    assert validate_hubs(config, None, None) == 2
    assert "hubs.0.knowledge_dir" in capsys.readouterr().err


def test_run_with_knowledge_refuses_a_settings_file_of_several_hubs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["--knowledge", str(tmp_path / "north"), "run", "--config", str(two_hubs(tmp_path))]) == 2
    assert "several hubs" in capsys.readouterr().err


def test_run_with_knowledge_serves_that_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main
    from bot.discord_app import runner

    seen = []

    async def fake_run_bot(settings):
        seen.append(settings.hub_list[0].knowledge_dir)
        return 0

    monkeypatch.setattr(runner, "run_bot", fake_run_bot)
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    config = tmp_path / "config.yaml"
    config.write_text("knowledge_dir: somewhere-else\n", encoding="utf-8")
    assert main(["--knowledge", str(FIXTURES / "kb_base"), "run", "--config", str(config)]) == 0
    assert seen == [FIXTURES / "kb_base"]
