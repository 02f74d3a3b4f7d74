"""What only the SQLite backend has: WAL and foreign keys, and files made by earlier versions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.staff.storage import MIGRATIONS, SQLiteStorage
from bot.staff.storage.migrations import SCHEMA_VERSION_TABLE, SQLITE
from tests.staff.conftest import NOW, record


def test_wal_mode_and_foreign_keys(db_path: Path) -> None:
    with SQLiteStorage(db_path) as storage:
        assert storage.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert storage.connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_file_of_the_first_schema_is_upgraded_and_keeps_its_records(db_path: Path) -> None:
    """A database written before reminder claims existed (schema version 1) opens, gains the
    claims table, and keeps what it held.
    """
    with SQLiteStorage(db_path, migrations=MIGRATIONS[:1]) as old:
        old.record_answer(record("kept", asked_at=NOW))
        assert old.schema_version() == 1
        assert "reminder_claims" not in old.schema_columns()
    with SQLiteStorage(db_path) as upgraded:
        assert upgraded.schema_version() == len(MIGRATIONS)
        assert "reminder_claims" in upgraded.schema_columns()
        assert [r.answer_id for r in upgraded.interactions(NOW)] == ["kept"]


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
