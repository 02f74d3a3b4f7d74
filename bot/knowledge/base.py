"""The loaded, validated knowledge base the bot answers from (immutable once built)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.knowledge.problems import Problem
from bot.knowledge.schema import Deadline, Entry, HubInfo, OutsideTopic, Phase, Vocabulary


@dataclass(frozen=True)
class DatedDeadline:
    """A deadline together with the entry it belongs to."""

    entry: Entry
    deadline: Deadline


@dataclass(frozen=True)
class KnowledgeBase:
    """Every entry, the hub's details and the shared vocabulary, from one version of the files."""

    entries: dict[str, Entry]
    hub: HubInfo
    vocabulary: Vocabulary
    version: str
    loaded_at: dt.datetime
    files: dict[str, str] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()
    fingerprints: dict[str, str] = field(default_factory=dict)  # entry id → content hash of its file
    vocabulary_fingerprint: str = ""
    outside: tuple[OutsideTopic, ...] = ()  # things teachers ask about that are not hub offers

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def current_entries(self) -> list[Entry]:
        """Entries that are on offer (not historical), in file order."""
        return [entry for entry in self if entry.status == "current"]

    def for_phase(self, phase: Phase) -> list[Entry]:
        """Current entries for a phase (cross-phase entries are listed under their own phase only)."""
        return [entry for entry in self.current_entries() if phase in entry.phases]

    def deadlines(self, phase: Phase | None = None) -> list[DatedDeadline]:
        """Every dated deadline (optionally of one phase's entries), soonest first."""
        found = [
            DatedDeadline(entry, deadline)
            for entry in self
            if phase is None or phase in entry.phases
            for deadline in entry.deadlines
        ]
        return sorted(found, key=lambda item: (item.deadline.date, item.entry.name))

    def counts_by_phase(self) -> dict[Phase, int]:
        """How many current entries each phase has."""
        return {phase: len(self.for_phase(phase)) for phase in Phase}
