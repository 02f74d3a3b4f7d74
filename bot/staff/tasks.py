"""Running a job on a schedule until told to stop; the daily retention job."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from bot.staff.storage import PurgeResult, Storage

log = logging.getLogger(__name__)

DAY = 24 * 60 * 60.0


async def every(
    interval: float,
    job: Callable[[], Awaitable[object]],
    *,
    stop: asyncio.Event,
    name: str = "job",
) -> None:
    """Run ``job`` now and then every ``interval`` seconds until ``stop`` is set.

    A failing run is logged and the schedule goes on; cancelling the task also ends it.
    """
    while not stop.is_set():
        try:
            await job()
        except Exception:
            log.exception("%s failed; trying again in %.0f s", name, interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


def enforce_retention(storage: Storage, days: int, now: dt.datetime) -> PurgeResult:
    """Delete records older than ``days`` (the ``retention_days`` setting)."""
    return storage.purge_older_than(days, now)


async def retention_loop(
    storage: Storage,
    days: int,
    *,
    stop: asyncio.Event,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    interval: float = DAY,
) -> None:
    """Enforce retention at start and then daily until ``stop`` is set."""

    async def job() -> None:
        await asyncio.to_thread(enforce_retention, storage, days, clock())

    await every(interval, job, stop=stop, name="retention")
