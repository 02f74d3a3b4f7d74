"""Overviews shared by the command line, the console and Discord: deadlines and offers by phase."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.engine.dates import DeadlineStatus
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import PHASE_LABELS, Entry, HubInfo, Phase, Source
from bot.render import more_line


@dataclass(frozen=True)
class DeadlineLine:
    """One deadline as seen today."""

    entry: Entry
    status: DeadlineStatus

    def text(self) -> str:
        return f"{self.entry.name} — {self.status.labelled()}"


def deadline_overview(
    kb: KnowledgeBase, today: dt.date, phase: Phase | None = None, recent_days: int | None = None
) -> tuple[list[DeadlineLine], list[DeadlineLine]]:
    """Upcoming deadlines (soonest first) and recently closed ones (most recent first).

    "Recently" is ``recent_days``, by default the hub's ``recently_closed_days`` (hub.yaml, 90 days
    unless set): a round that closed long ago is no news, and the entry itself still says it closed.
    """
    if recent_days is None:
        recent_days = kb.hub.recently_closed_days
    upcoming: list[DeadlineLine] = []
    closed: list[DeadlineLine] = []
    for item in kb.deadlines(phase):
        if item.entry.status != "current":
            continue
        line = DeadlineLine(item.entry, DeadlineStatus(item.deadline, today))
        if line.status.is_open:
            upcoming.append(line)
        elif -line.status.days_left <= recent_days:
            closed.append(line)
    closed.reverse()
    return upcoming, closed


def deadlines_text(kb: KnowledgeBase, today: dt.date, phase: Phase | None = None) -> str:
    """The deadline overview as plain text, with the documents the dates come from."""
    upcoming, closed = deadline_overview(kb, today, phase)
    scope = f" for {PHASE_LABELS[phase]}" if phase else ""
    lines = [f"**Deadlines{scope}** (as of {today.day} {today:%B %Y})"]
    if upcoming:
        lines += ["Open:"] + [f"• {line.text()}" for line in upcoming]
    else:
        none_open = "No open deadlines in my notes right now — ask the hub about the next rounds."
        lines.append(f"{none_open} {kb.hub.contact_line()}" if kb.hub.has_contact_detail else none_open)
    if closed:
        lines += ["Recently closed:"] + [f"• {line.text()}" for line in closed]
    shown = upcoming + closed
    lines += source_lines(kb.hub, [line.status.deadline.source for line in shown])
    return "\n".join(lines)


def source_lines(hub: HubInfo | None, sources: list[Source]) -> list[str]:
    """The credit line for a list: ``_Source: title; title_``, or nothing without a hub or sources."""
    if hub is None or not sources:
        return []
    return ["", f"_Source: {'; '.join(hub.document_titles(sources))}_"]


def next_deadline(entry: Entry, today: dt.date) -> DeadlineStatus | None:
    """The entry's next open deadline, else its most recent closed one, else None."""
    statuses = sorted((DeadlineStatus(d, today) for d in entry.deadlines), key=lambda s: s.deadline.date)
    upcoming = [s for s in statuses if s.is_open]
    if upcoming:
        return upcoming[0]
    return statuses[-1] if statuses else None


def offers_and_topics(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """Offers people can join, and information topics (strategic goals, the NCETM, a logo), in order."""
    offers = [entry for entry in entries if entry.kind != "information"]
    return offers, [entry for entry in entries if entry.kind == "information"]


def count_words(offers: list[Entry], topics: list[Entry]) -> str:
    """"12 offers" or "7 offers, 1 information topic": topics are never counted as offers."""
    words = f"{len(offers)} offer{'s' if len(offers) != 1 else ''}"
    if topics:
        words += f", {len(topics)} information topic{'s' if len(topics) != 1 else ''}"
    return words


def phase_text(
    entries: list[Entry], phase: Phase, today: dt.date, hub: HubInfo | None = None, limit: int | None = None
) -> str:
    """One line per offer for a phase with its next deadline, then the information topics.

    Only offers are counted as offers. With ``limit``, at most that many lines are listed and the
    rest are counted ("…and 3 more — /programmes primary shows all"); ``hub`` adds the source line.
    """
    offers, topics = offers_and_topics(entries)
    shown = (offers + topics)[:limit] if limit is not None else offers + topics
    lines = [f"**{PHASE_LABELS[phase]}** — {count_words(offers, topics)}"]
    for entry in offers:
        if entry in shown:
            status = next_deadline(entry, today)
            deadline = f" — {status.short()}" if status else ""
            lines.append(f"• {entry.name}{deadline}")
    listed_topics = [entry for entry in topics if entry in shown]
    if listed_topics:
        lines += ["Information:"] + [f"• {entry.name}" for entry in listed_topics]
    if len(shown) < len(entries):
        lines.append(more_line(len(entries) - len(shown), f"/programmes {phase.value}"))
    lines += source_lines(hub, [entry.summary.source for entry in shown])
    return "\n".join(lines)


_PHASE_WORDS = {
    "earlyyears": Phase.EARLY_YEARS, "ey": Phase.EARLY_YEARS, "eyfs": Phase.EARLY_YEARS,
    "reception": Phase.EARLY_YEARS, "primary": Phase.PRIMARY, "infant": Phase.PRIMARY, "junior": Phase.PRIMARY,
    "secondary": Phase.SECONDARY, "gcse": Phase.SECONDARY, "post16": Phase.POST_16, "sixthform": Phase.POST_16,
    "6thform": Phase.POST_16, "fe": Phase.POST_16, "alevel": Phase.POST_16, "college": Phase.POST_16,
    "crossphase": Phase.CROSS_PHASE, "leadership": Phase.CROSS_PHASE, "crossphaseleadership": Phase.CROSS_PHASE,
    "all": Phase.CROSS_PHASE, "allphases": Phase.CROSS_PHASE,
}
_KEY_STAGE = {"1": Phase.PRIMARY, "2": Phase.PRIMARY, "3": Phase.SECONDARY, "4": Phase.SECONDARY, "5": Phase.POST_16}
_STAGE_OR_YEAR = re.compile(r"(?:ks|keystage)([1-5])|(?:y|yr|year)(\d{1,2})")


def parse_phase(text: str | None) -> Phase | None:
    """A phase from loose text ('primary', 'Post 16', 'eyfs', 'ks3', 'y7', 'sixth form'), or None."""
    if not text:
        return None
    key = "".join(ch for ch in text.lower() if ch.isalnum())
    if key not in _PHASE_WORDS:
        key = re.sub(r"(schools?|teachers?|phase)$", "", key) or key
    if key in _PHASE_WORDS:
        return _PHASE_WORDS[key]
    found = _STAGE_OR_YEAR.fullmatch(key)
    if found is None:
        return None
    if found.group(1):
        return _KEY_STAGE[found.group(1)]
    year = int(found.group(2))
    if year == 0:
        return Phase.EARLY_YEARS
    if year <= 6:
        return Phase.PRIMARY
    if year <= 11:
        return Phase.SECONDARY
    return Phase.POST_16 if year <= 13 else None
