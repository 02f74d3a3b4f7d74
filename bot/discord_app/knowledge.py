"""The knowledge base and engine the bot answers from, swapped as one unit on reload.

A question is always answered from one :class:`Snapshot`: handlers take ``service.current`` once
and use only that. :meth:`KnowledgeService.reload` loads and validates the new files off the event
loop and swaps only when they are good, so a broken edit never takes the bot down.
"""

from __future__ import annotations

import asyncio
import logging
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
            snapshot = await asyncio.to_thread(self._build, self.directory)
            self._current = snapshot
            log.info("knowledge base %s in service (%d entries)", snapshot.kb.version, len(snapshot.kb))
            return snapshot
