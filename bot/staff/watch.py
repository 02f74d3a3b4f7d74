"""Watching the knowledge-base directory and reloading when its YAML files change.

:class:`KnowledgeWatcher` uses :func:`watchfiles.awatch` to gather changes until the files have
been quiet for ``quiet_ms`` (at most ``debounce_ms``), so that saving several files, an editor's
save dance or a ``git pull`` causes one reload, and then calls ``on_change`` — for the bot, ``KnowledgeService.reload``, which loads the new
version off to the side and swaps it in only if it is valid. Changes that arrive while a reload
runs are gathered into the next one, so reloads never overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from watchfiles import Change, DefaultFilter, awatch

from bot.knowledge.problems import KnowledgeError

log = logging.getLogger(__name__)

QUIET_MS = 500
DEBOUNCE_MS = 5000
SUFFIXES = (".yaml", ".yml")


class KnowledgeFilter(DefaultFilter):
    """Only YAML files count (not editors' swap files, backups or the generated JSON Schemas)."""

    def __call__(self, change: Change, path: str) -> bool:
        return path.endswith(SUFFIXES) and super().__call__(change, path)


class KnowledgeWatcher:
    """Calls ``on_change()`` after the YAML files under ``directory`` change, until stopped.

    ``on_change`` failing does not stop the watcher: a :class:`KnowledgeError` (an invalid edit)
    is logged as a warning, anything else as an error. Handle the error in ``on_change`` itself
    to tell staff (e.g. post the problems in the staff channel).
    """

    def __init__(
        self,
        directory: str | Path,
        on_change: Callable[[], Awaitable[object]],
        *,
        quiet_ms: int = QUIET_MS,
        debounce_ms: int = DEBOUNCE_MS,
        force_polling: bool | None = None,
    ) -> None:
        self.directory = Path(directory)
        self._on_change = on_change
        self._quiet_ms = quiet_ms
        self._debounce_ms = max(debounce_ms, quiet_ms)
        self._force_polling = force_polling
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.reloads = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> asyncio.Task[None]:
        """Start watching in a background task (call from a running event loop)."""
        if self.running:
            raise RuntimeError("the watcher is already running")
        self._stop = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self.run(), name=f"watch {self.directory}")
        return self._task

    async def stop(self) -> None:
        """Stop watching and wait for the task to end (a reload in progress is finished first)."""
        self._stop.set()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=5)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def run(self) -> None:
        """Watch until :meth:`stop` (or until cancelled)."""
        log.info("watching %s for knowledge-base changes", self.directory)
        async for changes in awatch(
            self.directory,
            watch_filter=KnowledgeFilter(),
            debounce=self._debounce_ms,
            step=self._quiet_ms,
            stop_event=self._stop,
            force_polling=self._force_polling,
        ):
            if self._stop.is_set():
                break
            names = sorted({Path(path).name for _, path in changes})
            log.info("knowledge files changed (%s); reloading", ", ".join(names))
            await self._call()
        log.info("stopped watching %s", self.directory)

    async def _call(self) -> None:
        try:
            await self._on_change()
        except KnowledgeError as error:
            log.warning("the changed knowledge base was not put in service: %s", error)
        except Exception:
            log.exception("reloading after a knowledge-base change failed")
        else:
            self.reloads += 1
