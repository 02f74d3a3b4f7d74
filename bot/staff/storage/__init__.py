"""What the bot keeps about questions, votes and reminders, behind a small storage interface.

What is kept, and what never is
-------------------------------
* **Interactions worth keeping** — a question that ended ``unknown`` or ``clarify``, and any
  answer that got a 👍/👎 vote: the question text, when it was asked (UTC), the guild and channel
  ids, the reply's status, intent, topics and confidence, and the knowledge-base version.
* **Votes** — 👍 or 👎 on an answer id, with the time of the vote.
* **Question counts** — how many questions were asked per UTC day, status and set of topics, with
  no text at all: what the report's counts by topic and phase are built from.
* **Reminders** — which deadline reminders were sent (or skipped in favour of a later one), and
  the claims that let one process of several post each one.
* **Hand-offs** — which kept questions a teacher passed to the hub team ("Ask the hub team"), when,
  and whether staff answered (or the teacher could no longer be reached). Who asked, and where to
  deliver the answer, are known only to the running bot, in memory.

Never a user id, user name or message link: these are teachers' messages and the hub is the data
controller. A question's mentions of other people, roles and channels, its email addresses and phone
numbers are replaced by placeholders (:func:`~bot.staff.privacy.scrub_identity`) before it is kept.
``tests/staff/test_storage.py`` inspects the schema and fails on such a column.
Everything but reminders of deadlines still to come is deleted by :meth:`Storage.purge_older_than`
once older than the retention period (``retention_days``, default 180); votes and hand-offs go with
their question.

The interface and its backends
------------------------------
:class:`Storage` (in :mod:`.interface`) is what the bot and the report use. Two backends implement
it with the same SQL (:mod:`.sql`) and the same migrations (:mod:`.migrations`):

* :class:`SQLiteStorage` (:mod:`.sqlite`) — the embedded default: one file at ``database_path``;
* :class:`~bot.staff.storage.postgres.PostgresStorage` (:mod:`.postgres`) — when ``database_url``
  names a PostgreSQL database, so that several bot processes share one set of records. Its driver
  (psycopg) is imported only then.

:func:`open_storage` is the one place that chooses.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.staff.storage.address import is_postgres_url, safe_label
from bot.staff.storage.interface import (
    DATABASE_ERRORS,
    DEFAULT_RETENTION_DAYS,
    KEPT_STATUSES,
    STATUSES,
    Handoff,
    HandoffOutcome,
    InteractionRecord,
    Outcome,
    PurgeResult,
    QuestionCount,
    ReminderMark,
    Storage,
    StorageError,
    VotedAnswer,
    describe_failure,
    is_busy,
    is_transient,
)
from bot.staff.storage.migrations import MIGRATIONS, Migration
from bot.staff.storage.sql import SQLStorage
from bot.staff.storage.sqlite import DEFAULT_BUSY_TIMEOUT, SQLiteStorage

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = [
    "DATABASE_ERRORS",
    "DEFAULT_BUSY_TIMEOUT",
    "DEFAULT_RETENTION_DAYS",
    "KEPT_STATUSES",
    "MIGRATIONS",
    "STATUSES",
    "Handoff",
    "HandoffOutcome",
    "InteractionRecord",
    "Migration",
    "Outcome",
    "PurgeResult",
    "QuestionCount",
    "ReminderMark",
    "SQLStorage",
    "SQLiteStorage",
    "Storage",
    "StorageError",
    "VotedAnswer",
    "database_label",
    "describe_failure",
    "is_busy",
    "is_postgres_url",
    "is_transient",
    "open_database",
    "open_storage",
]

MISSING_DRIVER = (
    "the database is a PostgreSQL one, but its driver is not installed: "
    "pip install 'hubbot[postgres]' (or leave database_url empty for the SQLite file)"
)


def open_database(target: str | Path, *, wait_seconds: float = DEFAULT_BUSY_TIMEOUT) -> SQLStorage:
    """The storage at ``target``: a ``postgresql://`` address, or the path of a SQLite file.

    Writes wait at most ``wait_seconds`` for another connection's lock (and, for PostgreSQL, to
    connect). Raises :class:`sqlite3.Error` or :class:`StorageError` when it cannot be opened.
    """
    if not is_postgres_url(target):
        return SQLiteStorage(target, busy_timeout=wait_seconds)
    try:
        from bot.staff.storage.postgres import PostgresStorage
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] != "psycopg":
            raise
        raise StorageError(MISSING_DRIVER) from None
    return PostgresStorage(str(target), wait_seconds=wait_seconds)


def open_storage(settings: Settings) -> SQLStorage:
    """The storage the settings name: PostgreSQL at ``database_url`` when it is set, else the
    SQLite file at ``database_path`` (created on first use).
    """
    target = settings.database_url.get_secret_value() if settings.database_url else settings.database_path
    return open_database(target, wait_seconds=settings.database_wait_seconds)


def database_label(settings: Settings) -> str:
    """Where the settings keep the records, for messages (a PostgreSQL address without its password)."""
    if settings.database_url is None:
        return str(settings.database_path)
    return safe_label(settings.database_url.get_secret_value())
