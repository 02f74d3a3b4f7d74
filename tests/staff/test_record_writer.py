"""The background record writer: in order, never blocking, dropping (and counting) what fails."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.staff.record_writer import RecordWriter
from bot.staff.storage import SQLiteStorage


def test_writes_run_in_order_off_the_callers_thread() -> None:
    writer = RecordWriter()
    seen: list[tuple[int, str]] = []
    futures = [writer.submit(lambda n=n: seen.append((n, threading.current_thread().name)), f"job {n}") for n in range(50)]
    futures[-1].result(timeout=5)
    assert [n for n, _ in seen] == list(range(50))
    assert {name for _, name in seen} == {"hubbot-records"}
    assert writer.dropped == 0
    writer.close(timeout=1)


def test_a_failing_write_is_dropped_with_one_log_line_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    writer = RecordWriter()

    def busy() -> None:
        raise sqlite3.OperationalError("database is locked")

    failed = writer.submit(busy, "the record of answer abc")
    with pytest.raises(sqlite3.OperationalError):
        failed.result(timeout=5)
    assert writer.submit(lambda: 42, "next").result(timeout=5) == 42
    assert writer.dropped == 1
    [line] = [r for r in caplog.records if r.name == "bot.staff.record_writer"]
    assert line.getMessage() == (
        "record dropped: could not write the record of answer abc (the database is locked by another program); "
        "1 dropped since start"
    )
    assert line.exc_info is None
    writer.close(timeout=1)


def test_submit_never_blocks_when_the_queue_is_full() -> None:
    release = threading.Event()
    writer = RecordWriter(capacity=2)
    writer.submit(release.wait, "slow")  # taken by the thread, which then waits
    time.sleep(0.05)
    writer.submit(lambda: None, "queued 1")
    writer.submit(lambda: None, "queued 2")
    started = time.monotonic()
    overflow = writer.submit(lambda: None, "overflow")
    assert time.monotonic() - started < 0.05
    with pytest.raises(RuntimeError, match="already waiting"):
        overflow.result(timeout=0)
    assert writer.dropped == 1
    release.set()
    writer.close(timeout=1)


def test_close_writes_what_it_can_in_time_and_drops_the_rest() -> None:
    writer = RecordWriter()
    release = threading.Event()
    writer.submit(lambda: release.wait(0.3), "slow")
    late = writer.submit(lambda: None, "late")
    writer.close(timeout=0.1)
    assert isinstance(late.exception(timeout=1), RuntimeError)
    assert writer.dropped == 1
    assert writer.submit(lambda: None, "after close").exception(timeout=0) is not None


def test_storage_reads_and_opens_while_another_connection_holds_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    SQLiteStorage(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with SQLiteStorage(path, busy_timeout=5) as storage:  # up to date: opening needs no write lock
            assert storage.reminder_marks() == []
            assert time.monotonic() - started < 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
