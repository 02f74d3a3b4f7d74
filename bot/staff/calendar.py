"""The deadlines as an iCalendar (``.ics``) file, for ``/deadlines`` and ``python -m bot deadlines --ics``.

One all-day event per deadline of an offer that is on offer. Each event's UID is derived from the
entry id, the deadline's label and its date, so importing a newer file updates the events already
in a calendar instead of adding copies (a deadline moved to a new date is a new event).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from icalendar import Calendar, Event

from bot.engine.dates import in_brackets
from bot.knowledge.base import DatedDeadline, KnowledgeBase
from bot.knowledge.schema import Phase
from bot.reply import ReplyLink
from bot.staff.reminders import form_of

PRODUCT_ID = "-//hubbot//Maths Hub deadlines//EN"
UID_DOMAIN = "hubbot"
FILENAME = "deadlines.ics"
MEDIA_TYPE = "text/calendar"


def event_uid(entry_id: str, label: str, date: dt.date) -> str:
    """A stable UID for one deadline: the same deadline always gets the same UID."""
    digest = hashlib.sha1(f"{entry_id}\n{label.strip()}\n{date.isoformat()}".encode(), usedforsecurity=False)
    return f"{digest.hexdigest()}@{UID_DOMAIN}"


def calendar_deadlines(kb: KnowledgeBase, phase: Phase | None = None) -> list[DatedDeadline]:
    """The deadlines that go in the calendar: every deadline of a current entry, soonest first."""
    return [item for item in kb.deadlines(phase) if item.entry.status == "current"]


def build_calendar(kb: KnowledgeBase, *, now: dt.datetime | None = None, phase: Phase | None = None) -> Calendar:
    """The calendar of deadlines; ``now`` is the events' DTSTAMP (default: the current time)."""
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{kb.hub.name}: deadlines")
    for item in calendar_deadlines(kb, phase):
        calendar.add_component(_event(kb, item, stamp))
    return calendar


def _event(kb: KnowledgeBase, item: DatedDeadline, stamp: dt.datetime) -> Event:
    entry, deadline = item.entry, item.deadline
    form, _ = form_of(entry, kb.hub.contact_line())
    title = f"{deadline.label.strip().rstrip('.')}: {entry.name}"
    event = Event()
    event.add("uid", event_uid(entry.id, deadline.label, deadline.date))
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.date)
    event.add("dtend", deadline.date + dt.timedelta(days=1))
    event.add("summary", title)
    event.add("description", _description(kb, title, deadline.note, form))
    event.add("transp", "TRANSPARENT")
    if form and form.url:
        event.add("url", form.url)
    return event


def _description(kb: KnowledgeBase, title: str, note: str | None, form: ReplyLink | None) -> str:
    lines = [title + (f" {in_brackets(note)}" if note else "")]
    if form and form.url:
        lines.append(f"{form.label}: {form.url}")
    elif form:
        lines.append(f"{form.label}: the hub will share the form.")
    lines.append(kb.hub.contact_line())
    return "\n".join(lines)


def calendar_bytes(kb: KnowledgeBase, *, now: dt.datetime | None = None, phase: Phase | None = None) -> bytes:
    """The ``.ics`` file's content (attach it as :data:`FILENAME`)."""
    return build_calendar(kb, now=now, phase=phase).to_ical()
