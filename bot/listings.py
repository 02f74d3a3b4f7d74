"""Overviews shared by the command line, the console and Discord: deadlines and offers by phase."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.engine.dates import DeadlineStatus
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import PHASE_LABELS, Entry, Phase

RECENT_DAYS = 730  # closed deadlines stay listed two years, so the last round's date stays visible


@dataclass(frozen=True)
class DeadlineLine:
    """One deadline as seen today."""

    entry: Entry
    status: DeadlineStatus

    def text(self) -> str:
        return f"{self.entry.name} — {self.status.labelled()}"


def deadline_overview(
    kb: KnowledgeBase, today: dt.date, phase: Phase | None = None, recent_days: int = RECENT_DAYS
) -> tuple[list[DeadlineLine], list[DeadlineLine]]:
    """Upcoming deadlines (soonest first) and recently closed ones (most recent first)."""
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
    """The deadline overview as plain text."""
    upcoming, closed = deadline_overview(kb, today, phase)
    scope = f" for {PHASE_LABELS[phase]}" if phase else ""
    lines = [f"**Deadlines{scope}** (as of {today.day} {today:%B %Y})"]
    if upcoming:
        lines += ["Open:"] + [f"• {line.text()}" for line in upcoming]
    else:
        lines.append("No open deadlines in my notes right now — ask the hub about the next rounds.")
    if closed:
        lines += ["Recently closed:"] + [f"• {line.text()}" for line in closed]
    return "\n".join(lines)


def next_deadline(entry: Entry, today: dt.date) -> DeadlineStatus | None:
    """The entry's next open deadline, else its most recent closed one, else None."""
    statuses = sorted((DeadlineStatus(d, today) for d in entry.deadlines), key=lambda s: s.deadline.date)
    upcoming = [s for s in statuses if s.is_open]
    if upcoming:
        return upcoming[0]
    return statuses[-1] if statuses else None


def phase_text(entries: list[Entry], phase: Phase, today: dt.date) -> str:
    """One line per offer for a phase, each with its next deadline."""
    lines = [f"**{PHASE_LABELS[phase]}** — {len(entries)} offers"]
    for entry in entries:
        status = next_deadline(entry, today)
        deadline = f" — {status.short()}" if status else ""
        lines.append(f"• {entry.name}{deadline}")
    return "\n".join(lines)


def parse_phase(text: str | None) -> Phase | None:
    """A phase from loose text ('primary', 'Post 16', 'ey', 'leadership'), or None."""
    if not text:
        return None
    key = "".join(ch for ch in text.lower() if ch.isalnum())
    aliases = {
        "earlyyears": Phase.EARLY_YEARS, "ey": Phase.EARLY_YEARS, "eyfs": Phase.EARLY_YEARS,
        "primary": Phase.PRIMARY, "secondary": Phase.SECONDARY,
        "post16": Phase.POST_16, "sixthform": Phase.POST_16, "fe": Phase.POST_16,
        "crossphase": Phase.CROSS_PHASE, "leadership": Phase.CROSS_PHASE, "crossphaseleadership": Phase.CROSS_PHASE,
        "all": Phase.CROSS_PHASE,
    }
    return aliases.get(key)
