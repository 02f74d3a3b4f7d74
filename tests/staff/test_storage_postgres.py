"""What only the PostgreSQL backend has to get right: its column types, the server being out of
reach, a refused login, lock waits, lost connections — each one plain line, never a long wait —
and choosing it from the settings.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from bot.config import load_settings
from bot.staff.cli import report_command
from bot.staff.record_writer import RecordWriter
from bot.staff.storage import (
    SQLiteStorage,
    StorageError,
    database_label,
    describe_failure,
    is_busy,
    is_transient,
    open_storage,
)
from bot.staff.storage.postgres import PostgresStorage
from tests.conftest import KNOWLEDGE
from tests.staff.conftest import NOW, record
from tests.staff.postgres_server import free_port
from tests.staff.tcp_proxy import TcpProxy

WAIT = 0.3


def with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit(":", 1)[0] + f":{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{password}@{parts.hostname}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture
def pg(postgres_url: str) -> Iterator[PostgresStorage]:
    with PostgresStorage(postgres_url, wait_seconds=WAIT) as storage:
        yield storage


def test_columns_have_the_types_postgresql_needs(pg: PostgresStorage, postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as connection:
        types = dict(
            ((table, column), kind)
            for table, column, kind in connection.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'"
            )
        )
    assert types[("interactions", "asked_at")] == "timestamp with time zone"
    assert types[("interactions", "guild_id")] == "bigint"
    assert types[("interactions", "confidence")] == "double precision"
    assert types[("question_counts", "day")] == "date"
    assert types[("sent_reminders", "deadline_date")] == "date"
    assert types[("reminder_claims", "claimed_at")] == "timestamp with time zone"
    assert types[("handoffs", "handed_off_at")] == types[("handoffs", "closed_at")] == "timestamp with time zone"


def test_an_unreachable_server_is_one_plain_line_quickly(postgres_url: str) -> None:
    url = with_port(postgres_url, free_port())
    started = time.monotonic()
    with pytest.raises(StorageError) as caught:
        PostgresStorage(url, wait_seconds=WAIT)
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert message.startswith(f"cannot reach the PostgreSQL server of postgresql://hubbot@127.0.0.1:{urlsplit(url).port}/")
    assert "\n" not in message and urlsplit(url).password not in message
    assert is_transient(caught.value) and not is_busy(caught.value)


def test_a_refused_login_is_not_transient_and_hides_the_password(postgres_url: str) -> None:
    with pytest.raises(StorageError) as caught:
        PostgresStorage(with_password(postgres_url, "not-the-password"), wait_seconds=WAIT)
    message = str(caught.value)
    assert "refused the login" in message and "not-the-password" not in message
    assert not is_transient(caught.value)


def test_a_missing_database_is_not_transient(postgres_url: str) -> None:
    missing = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StorageError, match="no_such_database") as caught:
        PostgresStorage(missing, wait_seconds=WAIT)
    assert not is_transient(caught.value)


def test_a_write_waits_boundedly_for_a_lock_and_reads_go_on(pg: PostgresStorage, postgres_url: str) -> None:
    pg.record_answer(record("before"))
    with psycopg.connect(postgres_url) as holder:
        holder.execute("LOCK TABLE question_counts IN EXCLUSIVE MODE")  # as a long maintenance job may
        started = time.monotonic()
        with pytest.raises(StorageError) as caught:
            pg.record_answer(record("blocked"))
        waited = time.monotonic() - started
        assert WAIT <= waited < WAIT + 2
        assert is_busy(caught.value)
        assert describe_failure(caught.value) == (
            f"waited more than {WAIT:g} s for a lock another connection to {pg.label} holds"
        )
        assert sum(c.questions for c in pg.question_counts(dt.date.min)) == 1  # reads are not held up
    pg.record_answer(record("after"))  # the lock is gone: the same storage writes again
    assert [r.answer_id for r in pg.interactions(NOW)] == ["before", "after"]


def test_connections_ended_by_the_server_are_replaced(
    pg: PostgresStorage, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    pg.record_answer(record("first"))
    assert pg.interactions(NOW)
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # as a server restart does
        ended = admin.execute(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'hubbot'"
        ).fetchone()
    assert ended == (2,)  # its write and read connections
    with caplog.at_level(logging.INFO, logger="bot.staff.storage"):
        pg.record_answer(record("second"))  # nothing of it had reached the server: retried at once
    assert [r.answer_id for r in pg.interactions(NOW)] == ["first", "second"]
    assert any("connection to" in r.getMessage() and "was lost" in r.getMessage() for r in caplog.records)


def test_records_written_in_the_background_survive_the_network_going_down(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The record writer against a server behind a network that fails: submitting never waits;
    each record that cannot be written is one warning line; once the network is back, records
    are written again by the same storage.
    """
    proxy = TcpProxy(urlsplit(postgres_url).port or 5432)
    writer = RecordWriter()
    try:
        storage = PostgresStorage(with_port(postgres_url, proxy.port), wait_seconds=WAIT)
        assert writer.submit(lambda: storage.record_answer(record("up")), "record up").result(timeout=10) is None
        proxy.cut()
        started = time.monotonic()
        futures = [writer.submit(lambda n=n: storage.record_answer(record(f"down{n}")), f"record down{n}") for n in range(3)]
        assert time.monotonic() - started < 0.05  # the caller (the event loop) never waits
        for future in futures:
            assert isinstance(future.exception(timeout=20), StorageError)
        dropped = [r for r in caplog.records if r.getMessage().startswith("record dropped")]
        assert len(dropped) == 3 and all(r.exc_info is None for r in dropped)
        assert f"cannot reach the PostgreSQL server of postgresql://hubbot@127.0.0.1:{proxy.port}/" in dropped[0].getMessage()
        assert urlsplit(postgres_url).password not in caplog.text
        proxy.restore()
        assert writer.submit(lambda: storage.record_answer(record("back")), "record back").result(timeout=10) is None
        assert [r.answer_id for r in storage.interactions(NOW)] == ["up", "back"]
        assert writer.dropped == 3
        storage.close()
    finally:
        writer.close(timeout=1)
        proxy.close()


def test_the_settings_choose_the_backend(postgres_url: str, tmp_path) -> None:
    sqlite = load_settings(env={"HUBBOT_DATABASE_PATH": str(tmp_path / "x.sqlite3")})
    with open_storage(sqlite) as storage:
        assert isinstance(storage, SQLiteStorage)
    shared = load_settings(env={"HUBBOT_DATABASE_URL": postgres_url, "HUBBOT_DATABASE_WAIT_SECONDS": "0.5"})
    password = urlsplit(postgres_url).password
    assert password not in repr(shared) and password not in database_label(shared)
    assert database_label(shared).startswith("postgresql://hubbot@127.0.0.1:")
    with open_storage(shared) as storage:
        assert isinstance(storage, PostgresStorage) and storage.wait_seconds == 0.5
        storage.record_answer(record("shared"))


def test_the_report_command_reads_a_postgresql_database(pg: PostgresStorage, postgres_url: str, capsys) -> None:
    now = dt.datetime.now(dt.UTC)
    pg.record_answer(record("u1", "Is there a maths trip to Paris?", asked_at=now - dt.timedelta(days=1)))
    assert report_command(KNOWLEDGE, "30d", None, postgres_url, now=now) == 0
    assert "Is there a maths trip to Paris?" in capsys.readouterr().out
    assert report_command(KNOWLEDGE, "30d", None, with_port(postgres_url, free_port()), now=now) == 1
    error = capsys.readouterr().err
    assert error.startswith("hubbot report: cannot read the records: cannot reach the PostgreSQL server")
    assert len(error.strip().splitlines()) == 1


async def test_the_bot_will_not_start_on_a_database_that_refuses_its_login(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong password will not fix itself: ``python -m bot run`` says so in one line and exits 1
    (a server merely out of reach is waited out instead: see tests/discord/test_postgres_records.py).
    """
    from bot.discord_app.runner import run_bot

    settings = load_settings(
        env={"HUBBOT_DATABASE_URL": with_password(postgres_url, "wrong-password"), "DISCORD_TOKEN": "unused-token"}
    )
    assert await run_bot(settings, KNOWLEDGE) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"cannot start: the database {database_label(settings)} cannot be opened: ")
    assert "refused the login" in error and "wrong-password" not in error and "\n" not in error
