"""The embedded backend: the records in one SQLite file (the default)."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.staff.storage.interface import is_busy
from bot.staff.storage.migrations import MIGRATIONS, SQLITE, Migration
from bot.staff.storage.sql import Row, SQLStorage, utc

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger("bot.staff.storage")

DEFAULT_BUSY_TIMEOUT = 10.0
WAL_RETRY_SECONDS = 0.01


def stamp(moment: dt.datetime) -> str:
    """A UTC time as fixed-width text, so text order is time order."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Executor:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def run(self, sql: str, parameters: Sequence[object] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, tuple(parameters))

    def run_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._db.executemany(sql, rows)


class SQLiteStorage(SQLStorage):
    """:class:`~bot.staff.storage.interface.Storage` in one SQLite file.

    One file, WAL journal, foreign keys on, every write in one ``BEGIN IMMEDIATE`` transaction,
    and the schema created and upgraded by :data:`~bot.staff.storage.migrations.MIGRATIONS` when
    the file is opened. Safe to share between threads: writes go through one connection behind a
    lock, reads through a second one, so a write waiting for another program's lock (at most
    ``busy_timeout`` seconds, then :class:`sqlite3.OperationalError`) never holds up a read — WAL
    lets reads go on meanwhile. The bot calls it off the event loop.
    """

    dialect = SQLITE

    def __init__(
        self,
        path: str | Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self.label = str(path)
        in_memory = str(path) == ":memory:"
        if not in_memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = self._connect(path, busy_timeout)
        self._read_lock = self._lock
        self._reader = self._db
        try:
            mode = self._wal_mode(busy_timeout)
            if mode.lower() != "wal" and not in_memory:
                log.warning("SQLite refused WAL mode for %s (journal mode %s)", path, mode)
            self._db.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL survives a crashed or killed process; only a power cut can lose
            # the last commits (never corrupt the file).
            self._db.execute("PRAGMA synchronous = NORMAL")
            self.migrate(migrations)
            if not in_memory:  # a second connection to ":memory:" would be another database
                self._reader = self._connect(path, busy_timeout)
                self._read_lock = threading.Lock()
        except BaseException:
            self._db.close()
            raise

    def _wal_mode(self, busy_timeout: float) -> str:
        """Switch to WAL; returns the journal mode in force. Several processes opening a new file at
        once race for this switch, and SQLite reports the loser busy at once, without waiting its
        busy timeout: so wait here, up to ``busy_timeout``.
        """
        give_up = time.monotonic() + busy_timeout
        while True:
            try:
                return self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as error:
                if not is_busy(error) or time.monotonic() > give_up:
                    raise
                time.sleep(WAL_RETRY_SECONDS)

    @staticmethod
    def _connect(path: str | Path, busy_timeout: float) -> sqlite3.Connection:
        connection = sqlite3.connect(str(path), isolation_level=None, timeout=busy_timeout, check_same_thread=False)
        connection.row_factory = sqlite3.Row
        return connection

    @classmethod
    def from_settings(cls, settings: Settings) -> SQLiteStorage:
        """The database named by the settings' ``database_path`` (created on first use), whose writes
        wait at most ``database_wait_seconds`` for another program's lock.
        """
        return cls(settings.database_path, busy_timeout=settings.database_wait_seconds)

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._reader is not self._db:
            with self._read_lock:
                self._reader.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection, for inspection (tests, integrity checks)."""
        return self._db

    # ----- what the shared SQL needs -------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[_Executor]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield _Executor(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # BEGIN IMMEDIATE takes the one write lock: that is the schema lock too.
    _schema_transaction = _transaction

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        with self._read_lock:
            return self._reader.execute(sql, tuple(parameters)).fetchall()

    def _table_exists_sql(self) -> str:
        return "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = ?"

    def _time(self, moment: dt.datetime) -> str:
        return stamp(moment)

    def _day(self, day: dt.date) -> str:
        return day.isoformat()

    def _read_time(self, value: Any) -> dt.datetime:
        return dt.datetime.fromisoformat(value)

    def _read_day(self, value: Any) -> dt.date:
        return dt.date.fromisoformat(value)

    # ----- inspection ----------------------------------------------------------------------------
    def schema_columns(self) -> dict[str, list[str]]:
        """Every table's columns (for the test that no column can hold personal data)."""
        tables = [row["name"] for row in self._read("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {table: [row["name"] for row in self._read(f"PRAGMA table_info({table})")] for table in sorted(tables)}

    def integrity_problems(self) -> list[str]:
        """What ``PRAGMA integrity_check`` and ``foreign_key_check`` report; empty when all is well."""
        with self._lock:
            integrity = [row[0] for row in self._db.execute("PRAGMA integrity_check")]
            foreign = [str(tuple(row)) for row in self._db.execute("PRAGMA foreign_key_check")]
        return [line for line in integrity if line != "ok"] + foreign
