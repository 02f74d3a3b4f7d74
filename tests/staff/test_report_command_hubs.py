"""``python -m bot report`` for a deployment of several hubs (each test on SQLite and on PostgreSQL):
one report per hub, or one hub's with ``--hub``, read from the database the settings name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from bot.staff.cli import report_command
from tests.staff.conftest import Database, Offer, record, write_kb

NOW = dt.datetime(2026, 4, 2, 12, 0, tzinfo=dt.UTC)


def settings_file(tmp_path: Path, database: Database) -> Path:
    """Hubs north and south, each with its own small knowledge base, and the database to read."""
    write_kb(tmp_path / "north", [Offer("club", "North Number Club")])
    write_kb(tmp_path / "south", [Offer("club", "South Number Club")])
    where = f"database_url: {database.target}" if database.kind == "postgresql" else f"database_path: {database.target}"
    config = tmp_path / "config.yaml"
    config.write_text(
        f"{where}\nhubs:\n"
        f"  - {{id: north, knowledge_dir: {tmp_path / 'north'}, guild_ids: [1]}}\n"
        f"  - {{id: south, knowledge_dir: {tmp_path / 'south'}, guild_ids: [2]}}\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def config(tmp_path: Path, database: Database) -> Path:
    with database.open() as storage:
        for answer_id, hub, question, topics, status in [
            ("n1", "north", "is there a north conference?", (), "unknown"),
            ("n2", "north", "when does club close?", ("club",), "answered"),
            ("s1", "south", "is there a south conference?", (), "unknown"),
            ("s2", "south", "is there a south conference?", (), "unknown"),
            ("s3", "south", "who is club for?", ("club",), "answered"),
        ]:
            storage.record_answer(
                dataclasses.replace(record(answer_id, question, status=status, topics=topics, asked_at=NOW), hub_id=hub)
            )
    return settings_file(tmp_path, database)


def test_report_hub_shows_only_that_hubs_records(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report_command(Path("unused"), "30d", None, None, config=config, hub_id="south", now=NOW) == 0
    out = capsys.readouterr().out
    assert out.startswith("Staff report of Test Maths Hub (south):")
    assert "3 questions: 1 answered" in out
    assert "×2 (2 unknown): “is there a south conference?”" in out
    assert "north conference" not in out
    assert "• South Number Club: 1" in out  # its topics are named from its own knowledge base


def test_report_without_hub_reports_every_hub_with_a_total(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report_command(Path("unused"), "30d", None, None, config=config, now=NOW) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "All 2 hubs: 5 questions since 03 March 2026 (north 2, south 3)."
    north, south = out.split("Staff report of Test Maths Hub (south)")
    assert "Staff report of Test Maths Hub (north)" in north and "2 questions" in north and "North Number Club" in north
    assert "3 questions" in south and "South Number Club" in south and "north conference" not in south


def test_report_csv_of_one_hub_and_the_mistakes(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report_command(Path("unused"), "30d", Path("-"), None, config=config, hub_id="north", now=NOW) == 0
    csv = capsys.readouterr().out
    assert "north conference" in csv and "south conference" not in csv
    assert report_command(Path("unused"), "30d", tmp_path / "r.csv", None, config=config, now=NOW) == 2
    assert "name one for the CSV with --hub (north, south)" in capsys.readouterr().err
    assert report_command(Path("unused"), "30d", None, None, config=config, hub_id="east", now=NOW) == 2
    assert "no hub 'east' in the settings (hubs: north, south)" in capsys.readouterr().err


def test_a_file_without_hubs_reports_every_record_and_hub_default_its_own(
    tmp_path: Path, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with database.open() as storage:
        storage.record_answer(record("d1", "is there a conference?", asked_at=NOW))  # the default hub's
        storage.record_answer(dataclasses.replace(record("o1", "is there another?", asked_at=NOW), hub_id="other"))
    knowledge = write_kb(tmp_path / "kb", [Offer("club", "Number Club")])
    target = str(database.target)
    assert report_command(knowledge, "30d", None, target, config=tmp_path / "none.yaml", now=NOW) == 2  # no such file
    capsys.readouterr()
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert report_command(knowledge, "30d", None, target, config=empty, now=NOW) == 0
    assert "2 questions" in capsys.readouterr().out  # as before hubs: every record
    assert report_command(knowledge, "30d", None, target, config=empty, hub_id="default", now=NOW) == 0
    out = capsys.readouterr().out
    assert out.startswith("Staff report:") and "1 question:" in out and "another" not in out
