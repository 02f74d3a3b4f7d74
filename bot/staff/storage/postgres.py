"""The shared backend: the records in a PostgreSQL database, for several bot processes at once.

Chosen by ``database_url: postgresql://user@host:5432/dbname`` in the settings (the password best
comes from ``PGPASSWORD`` or ``~/.pgpass``, which the driver, psycopg 3, reads by itself). The
tables are those of the SQLite file — same migrations, same queries (see
:mod:`bot.staff.storage.migrations` for the few words that differ) — so a report of several
processes' work reads one set of tables.

Bounded waits, so that a write never holds up the bot for long (it runs off the event loop anyway):
connecting gives up after ``database_wait_seconds`` (at least 2 s: libpq's resolution), waiting for
a row lock another connection holds after ``database_wait_seconds``, any statement after
:data:`STATEMENT_SECONDS`, and a connection left idle inside a transaction (a frozen process
holding locks) is ended by the server after :data:`IDLE_IN_TRANSACTION_SECONDS`. Every driver
error becomes a :class:`~bot.staff.storage.interface.StorageError` that says in one line what
happened (busy, server unreachable, login refused …) and whether it may pass by itself.

A connection that broke (the server restarted, a network blip) is replaced on the next call; a
transaction whose ``BEGIN`` fails on a broken connection is retried once on a fresh one, since
nothing of it had reached the server. A commit is acknowledged only once the server has it:
PostgreSQL's default ``synchronous_commit = on`` makes it durable before it returns.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from bot.staff.storage.address import is_postgres_url, safe_label
from bot.staff.storage.interface import StorageError
from bot.staff.storage.migrations import MIGRATIONS, POSTGRES, Migration
from bot.staff.storage.sql import Row, SQLStorage, utc

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger("bot.staff.storage")

DEFAULT_WAIT_SECONDS = 2.0
STATEMENT_SECONDS = 30.0
IDLE_IN_TRANSACTION_SECONDS = 60.0
SCHEMA_LOCK_KEY = 0x6875_6262_6F74  # "hubbot": the advisory lock migrations hold
# Connection settings the bot adds when the URL does not say otherwise.
CONNECTION_DEFAULTS = {
    "application_name": "hubbot",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
# How a server that is there but cannot take a connection just now says so (no SQLSTATE reaches
# the client while connecting, only the message).
BUSY_REFUSALS = ("starting up", "shutting down", "in recovery", "too many connections", "connection slots")
TRANSIENT_CLASSES = ("08", "53", "57")  # connection exception, insufficient resources, operator intervention


@functools.cache
def _pyformat(sql: str) -> str:
    """The shared SQL's ``?`` placeholders as psycopg's ``%s``."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Executor:
    def __init__(self, connection: psycopg.Connection[Row]) -> None:
        self._connection = connection

    def run(self, sql: str, parameters: Sequence[object] = ()) -> psycopg.Cursor[Row]:
        return self._connection.execute(_pyformat(sql), tuple(parameters))

    def run_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        with self._connection.cursor() as cursor:
            cursor.executemany(_pyformat(sql), [tuple(row) for row in rows])


class _Link:
    """One connection, opened when first needed and replaced when it breaks; use under ``lock``."""

    def __init__(self, storage: PostgresStorage) -> None:
        self.lock = threading.Lock()
        self._storage = storage
        self._connection: psycopg.Connection[Row] | None = None

    def open(self) -> psycopg.Connection[Row]:
        connection = self._connection
        if connection is not None and not connection.closed and not connection.broken:
            return connection
        self.discard()
        self._connection = self._storage.connect()
        return self._connection

    def discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def lost(self) -> bool:
        """Whether the connection broke (and was discarded)."""
        connection = self._connection
        if connection is None or connection.closed or connection.broken:
            self.discard()
            return True
        return False


class PostgresStorage(SQLStorage):
    """:class:`~bot.staff.storage.interface.Storage` in a PostgreSQL database; see the module docstring.

    Safe to share between threads: writes go through one connection, reads through another, each
    behind its own lock. Opening it connects and brings the schema up to date (raising
    :class:`~bot.staff.storage.interface.StorageError` when it cannot).
    """

    dialect = POSTGRES

    def __init__(
        self,
        url: str,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
        statement_seconds: float = STATEMENT_SECONDS,
    ) -> None:
        if not is_postgres_url(url):
            raise StorageError(f"not a PostgreSQL address (postgresql://…): {safe_label(url)}")
        self.url = url
        self.label = safe_label(url)
        self.wait_seconds = wait_seconds
        self.statement_seconds = statement_seconds
        self._writer = _Link(self)
        self._reader = _Link(self)
        try:
            self.migrate(migrations)
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_settings(cls, settings: Settings) -> PostgresStorage:
        """The database named by the settings' ``database_url``, waiting at most
        ``database_wait_seconds`` to connect or for a lock.
        """
        if settings.database_url is None:
            raise ValueError("the settings name no PostgreSQL database (database_url)")
        return cls(settings.database_url.get_secret_value(), wait_seconds=settings.database_wait_seconds)

    # ----- connections --------------------------------------------------------------------------
    def connect(self) -> psycopg.Connection[Row]:
        """A new connection with the bot's bounded waits, in UTC (raises :class:`StorageError`)."""
        try:
            given = conninfo_to_dict(self.url)
        except psycopg.Error as error:
            raise self.failure(error) from None
        extra = {name: value for name, value in CONNECTION_DEFAULTS.items() if name not in given}
        if "connect_timeout" not in given:
            extra["connect_timeout"] = str(max(2, math.ceil(self.wait_seconds)))
        try:
            connection = psycopg.connect(self.url, autocommit=True, row_factory=dict_row, **extra)
        except psycopg.Error as error:
            raise self.connect_failure(error) from None
        try:
            connection.execute(
                "SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false), "
                "set_config('idle_in_transaction_session_timeout', %s, false), set_config('TimeZone', 'UTC', false)",
                (
                    _milliseconds(self.wait_seconds),
                    _milliseconds(self.statement_seconds),
                    _milliseconds(IDLE_IN_TRANSACTION_SECONDS),
                ),
            )
        except psycopg.Error as error:
            connection.close()
            raise self.failure(error) from None
        return connection

    def connect_failure(self, error: psycopg.Error) -> StorageError:
        """A failure to connect in one plain line: out of reach and a server that cannot take a
        connection now are transient; a refused login or a missing database is not.
        """
        refusal = re.search(r"FATAL:\s+(.+)", str(error))
        if refusal is None:
            return StorageError(f"cannot reach the PostgreSQL server of {self.label}: {_first_line(error, self.url)}", transient=True)
        reason = refusal.group(1).strip()
        if any(words in reason for words in BUSY_REFUSALS):
            return StorageError(f"the PostgreSQL server of {self.label} cannot take a connection now: {reason}", transient=True)
        if "password" in reason or "authentication" in reason:
            return StorageError(f"the PostgreSQL server of {self.label} refused the login: {reason}")
        return StorageError(f"the PostgreSQL server of {self.label} refused the connection: {reason}")

    def failure(self, error: psycopg.Error) -> StorageError:
        """``error`` in one plain line, marked busy or transient when it is."""
        sqlstate = getattr(error, "sqlstate", None) or ""
        detail = _first_line(error, self.url)
        if sqlstate == "55P03":
            return StorageError(
                f"waited more than {self.wait_seconds:g} s for a lock another connection to {self.label} holds", busy=True
            )
        if sqlstate == "57014":
            return StorageError(f"a statement on {self.label} ran longer than {self.statement_seconds:g} s", transient=True)
        if sqlstate in ("40001", "40P01"):
            return StorageError(f"a write on {self.label} collided with another connection's ({detail})", transient=True)
        if sqlstate.startswith("28"):
            return StorageError(f"the PostgreSQL server of {self.label} refused the login: {detail}")
        if isinstance(error, psycopg.OperationalError) and (not sqlstate or sqlstate[:2] in TRANSIENT_CLASSES):
            return StorageError(f"cannot reach the PostgreSQL server of {self.label}: {detail}", transient=True)
        return StorageError(f"{self.label}: {detail}")

    # ----- what the shared SQL needs -------------------------------------------------------------
    def _begin(self, link: _Link) -> psycopg.Connection[Row]:
        """An open connection inside a new transaction; one retry on a fresh connection when the
        old one turns out to be broken (nothing of the transaction had reached the server).
        """
        for attempt in (1, 2):
            connection = link.open()
            try:
                connection.execute("BEGIN")
            except psycopg.Error as error:
                if not link.lost() or attempt == 2:
                    raise self.failure(error) from None
                log.info("the connection to %s was lost; connecting again", self.label)
                continue
            return connection
        raise AssertionError("unreachable")

    @contextmanager
    def _transaction(self, *, schema_lock: bool = False) -> Iterator[_Executor]:
        link = self._writer
        with link.lock:
            connection = self._begin(link)
            try:
                if schema_lock:
                    connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
                yield _Executor(connection)
                connection.execute("COMMIT")
            except psycopg.Error as error:
                self._abandon(link, connection)
                raise self.failure(error) from None
            except BaseException:
                self._abandon(link, connection)
                raise

    def _schema_transaction(self) -> AbstractContextManager[_Executor]:
        return self._transaction(schema_lock=True)

    @staticmethod
    def _abandon(link: _Link, connection: psycopg.Connection[Row]) -> None:
        if link.lost():
            return
        try:
            connection.execute("ROLLBACK")
        except psycopg.Error:
            link.discard()

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        link = self._reader
        with link.lock:
            for attempt in (1, 2):
                connection = link.open()
                try:
                    return connection.execute(_pyformat(sql), tuple(parameters)).fetchall()
                except psycopg.Error as error:
                    if not link.lost() or attempt == 2:  # a read can always be asked again
                        raise self.failure(error) from None
            raise AssertionError("unreachable")

    def _table_exists_sql(self) -> str:
        return (
            "SELECT 1 AS present FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = ?"
        )

    def _time(self, moment: dt.datetime) -> dt.datetime:
        return utc(moment)

    def _day(self, day: dt.date) -> dt.date:
        return day

    def _read_time(self, value: Any) -> dt.datetime:
        return utc(value)

    def _read_day(self, value: Any) -> dt.date:
        return value

    def close(self) -> None:
        for link in (self._writer, self._reader):
            with link.lock:
                link.discard()

    # ----- inspection ----------------------------------------------------------------------------
    def schema_columns(self) -> dict[str, list[str]]:
        """Every table's columns (for the test that no column can hold personal data)."""
        rows = self._read(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
        columns: dict[str, list[str]] = {}
        for row in rows:
            columns.setdefault(row["table_name"], []).append(row["column_name"])
        return columns

    def integrity_problems(self) -> list[str]:
        """What can go wrong in the data despite the constraints; empty when all is well."""
        orphans = self.orphan_votes()
        return [f"{orphans} votes whose answer is missing"] if orphans else []


def _milliseconds(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"


def _first_line(error: BaseException, url: str) -> str:
    """The driver's message, first line only, never showing the password."""
    line = (str(error).strip().splitlines() or [type(error).__name__])[0].strip()
    password = urlsplit(url).password
    return line.replace(password, "***") if password else line
