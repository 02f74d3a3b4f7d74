"""Keeping the event loop free: answers are worked out in worker threads, and an interaction whose
answer is not ready in time is deferred, so Discord's 3-second deadline is always met.

The gateway heartbeat, every other interaction and the replies themselves run on the event loop;
nothing that can take long (the engine, building a calendar, the records) may run there.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

import discord

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# The engine is pure Python, so answers hold the GIL while they run and extra threads add no speed —
# they take the GIL from the event loop instead. Measured on a 2-core machine, 100 concurrent /ask
# with 50 ms of pure-Python work per answer: with 1 worker thread the heartbeat kept its 0.4 s
# rhythm (largest gap 0.42 s) and every first response came within 1.2 s; with 4 workers gaps
# reached 3.4 s and first responses 4.5 s. With the real engine (about 1 ms an answer) or 5 ms of
# work, 1, 2 or 4 threads all answered 100 questions in under 1 s with no deferral. So: one worker
# while the loop needs the other core, two on bigger machines (so one slow answer does not hold
# up the rest); ``answer_threads`` overrides it.


def default_threads(cores: int | None = None) -> int:
    """Worker threads for answers on a machine with ``cores`` cores (default: this one's)."""
    cores = cores or os.cpu_count() or 1
    return 1 if cores <= 2 else 2


class AnswerPool:
    """Worker threads that run the engine (and other slow, pure work) off the event loop."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or default_threads()
        self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="hubbot-answer")

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``work(*args, **kwargs)`` in a worker thread."""
        call = functools.partial(work, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


async def in_time(
    interaction: discord.Interaction, work: Awaitable[T], *, after: float, ephemeral: bool, edit: bool = False
) -> T:
    """Await ``work``; if it is not done ``after`` seconds in, defer the interaction first so that
    Discord gets its response within its deadline (a "thinking…" message, or for ``edit`` a
    silent acknowledgement before the clicked message is edited). The result is then sent as a
    followup (see :func:`~bot.discord_app.replies.send`).
    """
    task = asyncio.ensure_future(work)
    if interaction.response.is_done():
        return await task
    done, _ = await asyncio.wait({task}, timeout=after)
    if not done:
        try:
            if edit:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        except BaseException:
            task.cancel()
            raise
    return await task


# Discord drops an autocomplete answer after 3 s and it cannot be deferred: past this, no suggestions.
SUGGEST_WITHIN_SECONDS = 2.0


async def suggestions(
    pool: AnswerPool, search: Callable[[str, int], list[T]], typed: str, count: int
) -> list[T]:
    """``search(typed, count)`` (autocomplete) off the event loop; nothing when it cannot finish in time."""
    try:
        return await asyncio.wait_for(pool.run(search, typed, count), SUGGEST_WITHIN_SECONDS)
    except TimeoutError:
        log.warning("autocomplete took over %.0f s; no suggestions sent", SUGGEST_WITHIN_SECONDS)
        return []
