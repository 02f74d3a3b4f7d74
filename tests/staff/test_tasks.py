"""The scheduled jobs: every() survives a failing run and stops; retention runs on schedule."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.staff.storage import SQLiteStorage
from bot.staff.tasks import every, retention_loop
from tests.staff.conftest import NOW, record


async def test_every_keeps_going_after_a_failure_and_stops() -> None:
    runs: list[int] = []
    stop = asyncio.Event()

    async def job() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("first run fails")
        if len(runs) == 3:
            stop.set()

    await asyncio.wait_for(every(0.01, job, stop=stop), timeout=2)
    assert runs == [0, 1, 2]


async def test_retention_loop_purges_at_start(storage: SQLiteStorage) -> None:
    storage.record_answer(record("old", asked_at=NOW - dt.timedelta(days=200)))
    storage.record_answer(record("new", asked_at=NOW - dt.timedelta(days=2)))
    stop = asyncio.Event()
    task = asyncio.create_task(retention_loop(storage, 180, stop=stop, clock=lambda: NOW, interval=60))
    for _ in range(100):
        if len(storage.interactions(NOW - dt.timedelta(days=400))) == 1:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert [r.answer_id for r in storage.interactions(NOW - dt.timedelta(days=400))] == ["new"]
