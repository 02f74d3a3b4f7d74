"""What only the SQLite backend has: WAL and foreign keys, and files made by earlier versions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.staff.storage import MIGRATIONS, SQLiteStorage
from bot.staff.storage.migrations import SCHEMA_VERSION_TABLE, SQLITE
from tests.staff.conftest import NOW, write_old_interaction


def test_wal_mode_and_foreign_keys(db_path: Path) -> None:
    with SQLiteStorage(db_path) as storage:
        assert storage.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert storage.connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_file_of_the_first_schema_is_upgraded_and_keeps_its_records(db_path: Path) -> None:
    """A database written before hand-offs and reminder claims existed (schema version 1) opens,
    gains their tables, and keeps what it held.
    """
    with SQLiteStorage(db_path, migrations=MIGRATIONS[:1]) as old:
        write_old_interaction(old, "kept", NOW)
        assert old.schema_version() == 1
        assert {"handoffs", "reminder_claims"}.isdisjoint(old.schema_columns())
    with SQLiteStorage(db_path) as upgraded:
        assert upgraded.schema_version() == len(MIGRATIONS)
        assert {"handoffs", "reminder_claims"} <= set(upgraded.schema_columns())
        assert [r.answer_id for r in upgraded.interactions(NOW)] == ["kept"]
        assert upgraded.record_handoff("kept", NOW)


def test_a_file_with_handoffs_but_no_claims_is_upgraded_and_keeps_them(db_path: Path) -> None:
    """Files in service at version 2 have hand-offs (version 2 came before claims): they gain the
    claims table and keep their hand-offs.
    """
    with SQLiteStorage(db_path, migrations=MIGRATIONS[:2]) as old:
        write_old_interaction(old, "kept", NOW)
        with old._transaction() as db:
            db.run("INSERT INTO handoffs (answer_id, handed_off_at) VALUES ('kept', ?)", (old._time(NOW),))
        assert old.schema_version() == 2
        assert "handoffs" in old.schema_columns() and "reminder_claims" not in old.schema_columns()
    with SQLiteStorage(db_path) as upgraded:
        assert upgraded.schema_version() == len(MIGRATIONS)
        assert "reminder_claims" in upgraded.schema_columns()
        assert [(h.interaction.answer_id, h.is_open) for h in upgraded.handoffs(NOW)] == [("kept", True)]


def test_the_first_migration_renders_as_the_schema_sqlite_files_already_have() -> None:
    """Files in service were made from the SQLite text of version 1: its rendering must not drift."""
    connection = sqlite3.connect(":memory:")
    connection.execute(SQLITE.render(SCHEMA_VERSION_TABLE))
    for statement in MIGRATIONS[0].statements:
        connection.execute(SQLITE.render(statement))
    columns = {
        table: [(row[1], row[2]) for row in connection.execute(f"PRAGMA table_info({table})")]
        for table in ("interactions", "votes", "question_counts", "sent_reminders")
    }
    assert columns["interactions"] == [
        ("answer_id", "TEXT"), ("asked_at", "TEXT"), ("guild_id", "INTEGER"), ("channel_id", "INTEGER"),
        ("question", "TEXT"), ("status", "TEXT"), ("intent", "TEXT"), ("topics", "TEXT"),
        ("confidence", "REAL"), ("kb_version", "TEXT"),
    ]
    assert columns["votes"] == [("vote_id", "INTEGER"), ("answer_id", "TEXT"), ("vote", "INTEGER"), ("voted_at", "TEXT")]
    assert [name for name, _ in columns["question_counts"]] == ["day", "status", "topics", "questions"]
    assert [name for name, _ in columns["sent_reminders"]] == ["entry_id", "deadline_date", "lead_days", "sent_at", "outcome"]


def test_the_handoffs_migration_renders_as_the_table_sqlite_files_already_have() -> None:
    """Files in service got version 2 (hand-offs) from its SQLite text: its rendering must not drift."""
    connection = sqlite3.connect(":memory:")
    for statement in MIGRATIONS[0].statements + MIGRATIONS[1].statements:
        connection.execute(SQLITE.render(statement))
    columns = [(row[1], row[2], row[3], row[5]) for row in connection.execute("PRAGMA table_info(handoffs)")]
    assert columns == [
        ("answer_id", "TEXT", 0, 1), ("handed_off_at", "TEXT", 1, 0), ("closed_at", "TEXT", 0, 0), ("outcome", "TEXT", 0, 0),
    ]
    assert MIGRATIONS[1].description == "questions handed off to the hub team"
