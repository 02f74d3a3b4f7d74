"""Read-only lookups over one knowledge-base version that the commands list from.

These are thin adapters over :class:`~bot.knowledge.base.KnowledgeBase`; they choose and order
entries but say nothing themselves — all wording comes from the engine or the embeds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from bot.knowledge.base import DatedDeadline, KnowledgeBase
from bot.knowledge.schema import Deadline, Entry, Phase

RECENTLY_CLOSED_DAYS = 30
LISTED_KINDS = frozenset({"programme", "work-group", "community", "support", "project"})


def offers(kb: KnowledgeBase) -> list[Entry]:
    """Current entries that are offers a teacher can take part in (not information topics)."""
    return [entry for entry in kb.current_entries() if entry.kind in LISTED_KINDS]


@dataclass(frozen=True)
class PhaseLine:
    """One offer of a phase and its next deadline (None when no upcoming deadline is known)."""

    entry: Entry
    next_deadline: Deadline | None


def programmes_for_phase(kb: KnowledgeBase, phase: Phase, today: dt.date) -> list[PhaseLine]:
    """The offers for ``phase`` by name, each with its next deadline on or after ``today``."""
    lines = []
    for entry in offers(kb):
        if phase not in entry.phases:
            continue
        upcoming = sorted((d for d in entry.deadlines if d.date >= today), key=lambda d: d.date)
        lines.append(PhaseLine(entry, upcoming[0] if upcoming else None))
    return sorted(lines, key=lambda line: line.entry.name.casefold())


@dataclass(frozen=True)
class DeadlineList:
    """Deadlines still to come (soonest first) and those closed recently (latest first)."""

    upcoming: list[DatedDeadline]
    recently_closed: list[DatedDeadline]


def deadlines(kb: KnowledgeBase, phase: Phase | None, today: dt.date) -> DeadlineList:
    """Deadlines of current offers (of ``phase`` if given) around ``today``."""
    since = today - dt.timedelta(days=RECENTLY_CLOSED_DAYS)
    current = [item for item in kb.deadlines(phase) if item.entry.status == "current"]
    return DeadlineList(
        upcoming=[item for item in current if item.deadline.date >= today],
        recently_closed=[item for item in reversed(current) if since <= item.deadline.date < today],
    )


class NameIndex:
    """Offer names, aliases and codes prepared once per version, for autocomplete and look-up."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._entries = {entry.id: entry for entry in offers(kb)}
        self._choices: dict[tuple[str, int], str] = {}
        self._exact: dict[str, str] = {}
        for entry in self._entries.values():
            for number, name in enumerate([entry.name, *entry.aliases, *entry.codes]):
                processed = utils.default_process(name)
                self._choices[(entry.id, number)] = processed
                self._exact.setdefault(processed, entry.id)

    def suggest(self, typed: str, limit: int) -> list[Entry]:
        """Up to ``limit`` offers whose name, alias or code best matches what was typed so far."""
        query = utils.default_process(typed)
        if not query:
            return sorted(self._entries.values(), key=lambda e: e.name.casefold())[:limit]
        best: dict[str, float] = {}
        for _, score, (entry_id, number) in process.extract(
            query,
            self._choices,
            scorer=fuzz.partial_ratio,
            processor=None,
            score_cutoff=60,
            limit=None,
        ):
            score += 5 if number == 0 else 0  # the official name wins a tie with an alias
            best[entry_id] = max(best.get(entry_id, 0), score)
        ranked = sorted(best, key=lambda entry_id: (-best[entry_id], self._entries[entry_id].name))
        return [self._entries[entry_id] for entry_id in ranked[:limit]]

    def resolve(self, value: str) -> Entry | None:
        """The offer ``value`` names exactly: its id, or its name, an alias or a code."""
        entry_id = value if value in self._entries else self._exact.get(utils.default_process(value))
        return self._entries.get(entry_id) if entry_id else None
