"""The database_url setting: SQLite stays the default, a PostgreSQL address is checked and kept
secret, and a missing driver is one plain line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.staff.storage import SQLiteStorage, StorageError, database_label, is_postgres_url, open_database, open_storage

SECRET_URL = "postgresql://hubbot:s3cret-pw@db.example.org:5432/hubbot"


def test_without_a_url_the_records_stay_in_the_sqlite_file(tmp_path: Path) -> None:
    settings = load_settings(env={"HUBBOT_DATABASE_PATH": str(tmp_path / "hub.sqlite3")})
    assert settings.database_url is None
    assert database_label(settings) == str(tmp_path / "hub.sqlite3")
    with open_storage(settings) as storage:
        assert isinstance(storage, SQLiteStorage)
    assert (tmp_path / "hub.sqlite3").exists()


def test_an_empty_url_in_the_environment_means_none() -> None:
    assert load_settings(env={"HUBBOT_DATABASE_URL": ""}).database_url is None


def test_a_url_is_kept_secret() -> None:
    settings = load_settings(env={"HUBBOT_DATABASE_URL": SECRET_URL})
    assert settings.database_url is not None and settings.database_url.get_secret_value() == SECRET_URL
    assert "s3cret-pw" not in repr(settings) and "s3cret-pw" not in str(settings.model_dump())
    assert database_label(settings) == "postgresql://hubbot@db.example.org:5432/hubbot"


@pytest.mark.parametrize("url", ["mysql://hubbot:s3cret-pw@db/hubbot", "db.example.org/hubbot", "sqlite:///data/x.db"])
def test_anything_but_a_postgresql_address_is_refused_plainly(url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"database_url: {url}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    message = str(caught.value)
    assert "database_url" in message and "must be a PostgreSQL address" in message
    assert "s3cret-pw" not in message


def test_addresses_and_paths_are_told_apart() -> None:
    assert is_postgres_url("postgresql://h/db") and is_postgres_url("postgres://u@h:5/db")
    assert not is_postgres_url(Path("postgresql:/h/db")) and not is_postgres_url("data/hubbot.sqlite3")
    assert not is_postgres_url("postgresql.sqlite3")


def test_a_missing_driver_is_one_plain_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    monkeypatch.delitem(sys.modules, "bot.staff.storage.postgres", raising=False)
    with pytest.raises(StorageError, match=r"pip install 'hubbot\[postgres\]'") as caught:
        open_database(SECRET_URL)
    assert not caught.value.transient and "s3cret-pw" not in str(caught.value)
