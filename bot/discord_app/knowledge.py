"""The knowledge base and engine the bot answers from, swapped as one unit on reload.

A question is always answered from one :class:`Snapshot`: handlers take ``service.current`` once
and use only that. :meth:`KnowledgeService.reload` loads and validates the new files off the event
loop and swaps only when they are good, so a broken edit never takes the bot down.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.engine.engine import Engine
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.loader import load_knowledge

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """One loaded version of the knowledge base with the engine built over it."""

    kb: KnowledgeBase
    engine: Engine


def build_snapshot(directory: Path) -> Snapshot:
    """Load ``directory`` and build the engine; raises :class:`~bot.knowledge.KnowledgeError`."""
    kb = load_knowledge(directory)
    return Snapshot(kb=kb, engine=Engine(kb))


class KnowledgeService:
    """Holds the snapshot in service and replaces it only with a complete, valid one."""

    def __init__(
        self,
        directory: Path,
        snapshot: Snapshot,
        build: Callable[[Path], Snapshot] = build_snapshot,
    ) -> None:
        self.directory = directory
        self._current = snapshot
        self._build = build
        self._reload_lock = asyncio.Lock()
        self._stop_preparing = threading.Event()
        self._prepared = threading.Event()
        self._prepare(snapshot)

    def _prepare(self, snapshot: Snapshot) -> None:
        """Build the version's answer units in the background, so the first questions about each entry are not
        slower than the rest; a newer version stops the older one's warm-up.
        """
        self._stop_preparing.set()
        stop, done = threading.Event(), threading.Event()
        self._stop_preparing, self._prepared = stop, done
        prepare = getattr(snapshot.engine, "prepare", None)  # a stand-in engine in tests may have none
        if prepare is None:
            done.set()
            return

        def run() -> None:
            try:
                built = prepare(stop)
                log.debug("answer units ready for %d entries", built)
            except Exception:  # a warm-up that fails costs only speed: questions build what they need
                log.exception("preparing answer units failed")
            finally:
                done.set()

        threading.Thread(target=run, name="hubbot-prepare", daemon=True).start()

    def wait_prepared(self, timeout: float | None = None) -> bool:
        """Wait for the version in service to finish its warm-up (tests and benchmarks)."""
        return self._prepared.wait(timeout)

    @classmethod
    def load(cls, directory: Path, build: Callable[[Path], Snapshot] = build_snapshot) -> KnowledgeService:
        """Load the first version; raises :class:`~bot.knowledge.KnowledgeError` if it is invalid."""
        return cls(directory, build(directory), build)

    @property
    def current(self) -> Snapshot:
        return self._current

    async def reload(self) -> Snapshot:
        """Load the files again off the event loop and put them in service if they are valid.

        Raises :class:`~bot.knowledge.KnowledgeError` (and keeps the version in service) if not.
        """
        async with self._reload_lock:
            self._stop_preparing.set()  # the version in service gives the machine to the new one's build
            try:
                snapshot = await asyncio.to_thread(self._build, self.directory)
            except BaseException:
                self._prepare(self._current)  # it stays in service, so it goes on with its warm-up
                raise
            self._current = snapshot
            self._prepare(snapshot)
            log.info("knowledge base %s in service (%d entries)", snapshot.kb.version, len(snapshot.kb))
            return snapshot
