"""Dates as teachers read them, and deadlines worded against today's date in Europe/London."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.knowledge.schema import Deadline

LONDON = ZoneInfo("Europe/London")


def today_in_london(now: dt.datetime | None = None) -> dt.date:
    """Today's date where the hub is."""
    moment = now or dt.datetime.now(dt.UTC)
    return moment.astimezone(LONDON).date()


def long_date(day: dt.date) -> str:
    """``Monday 28 April 2025``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: dt.date) -> str:
    """``28 April 2025``."""
    return f"{day.day} {day:%B %Y}"


_INNER = re.compile(r"\s*\(([^()]*)\)")


def in_brackets(text: str) -> str:
    """``(text)``, its own brackets turned into commas so brackets never nest:
    "extended deadline (was 21 April)" → "(extended deadline, was 21 April)".
    """
    flat = _INNER.sub(r", \1", text.strip())
    return f"({flat.replace('(', '').replace(')', '')})"


def days_phrase(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


@dataclass(frozen=True)
class DeadlineStatus:
    """A deadline seen from a given day."""

    deadline: Deadline
    today: dt.date

    @property
    def days_left(self) -> int:
        return (self.deadline.date - self.today).days

    @property
    def is_open(self) -> bool:
        return self.days_left >= 0

    def wording(self) -> str:
        """E.g. "Applications close on Monday 28 April 2025 (extended deadline) — in 6 days"."""
        label = self.deadline.label.rstrip(".")
        note = f" {in_brackets(self.deadline.note)}" if self.deadline.note else ""
        if self.is_open:
            verb = _present(label)
            return f"{verb} on {long_date(self.deadline.date)}{note} — {days_phrase(self.days_left)}."
        verb = _past(label)
        return (
            f"{verb} on {long_date(self.deadline.date)}{note}. That date has passed, so this round is "
            "closed; ask the hub about the next round."
        )

    def labelled(self) -> str:
        """E.g. "Applications close 28 April 2025 (in 6 days)" or "Applications closed 28 April 2025"."""
        label = self.deadline.label.rstrip(".")
        if self.is_open:
            return f"{_present(label)} {short_date(self.deadline.date)} ({days_phrase(self.days_left)})"
        return f"{_past(label)} {short_date(self.deadline.date)}"

    def short(self) -> str:
        """One line for lists: "closes 28 April 2025 (in 6 days)" or "closed 28 April 2025"."""
        if self.is_open:
            return f"closes {short_date(self.deadline.date)} ({days_phrase(self.days_left)})"
        return f"closed {short_date(self.deadline.date)}"


def _present(label: str) -> str:
    """'Applications close' stays; a bare noun such as 'Application deadline' becomes '… is'."""
    lowered = label.lower()
    if lowered.endswith((" close", " closes", " due", " end", " ends")):
        return label
    return f"{label} is"


def _past(label: str) -> str:
    lowered = label.lower()
    for present, past in ((" closes", " closed"), (" close", " closed"), (" ends", " ended"), (" end", " ended")):
        if lowered.endswith(present):
            return label[: -len(present)] + past
    if lowered.endswith(" due"):
        return label[:-4] + " were due" if lowered.split()[0].endswith("s") else label[:-4] + " was due"
    return f"{label} was"
