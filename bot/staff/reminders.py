"""Deadline reminders: which are due, their wording, and remembering which were sent.

A reminder for lead time *L* days is due when ``deadline − L ≤ today ≤ deadline`` and it has not
been sent yet. The rules that make restarts and downtime harmless:

* Sent reminders are recorded in :class:`~bot.staff.storage.Storage`, so a restart does not repeat
  one, and a reminder missed while the bot was down is sent late as long as the deadline has not
  passed (after it has, nothing is sent).
* One message per deadline per run: when several lead times are due at once (after a long
  downtime), only the nearest is sent and the larger ones are recorded as ``skipped``.
* Once a reminder has been sent, lead times larger than it are never sent for that deadline, even
  if the configured lead times change.
* Each hub's reminders are its own: marks and claims carry the hub id, so two hubs with an entry of
  the same id each get their reminder.
* Several bot processes may share one database: each reminder is claimed in the database before
  it is posted (:meth:`~bot.staff.storage.Storage.claim_reminder`), and only the process whose
  claim succeeds posts it. A post that fails gives the claim up so that the next check retries;
  a claim whose process died before posting is taken over after :data:`CLAIM_STALE_AFTER`.

:func:`due_reminders` is pure apart from reading storage; :func:`send_due_reminders` runs one pass
with an injected clock; :func:`reminder_loop` runs it on a schedule for the Discord layer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.config import DEFAULT_HUB_ID
from bot.engine.dates import LONDON, days_phrase, in_brackets, long_date
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Deadline, Entry, LinkKind
from bot.reply import ReplyLink
from bot.staff.storage import DATABASE_ERRORS, ReminderMark, Storage, describe_failure
from bot.staff.tasks import every

log = logging.getLogger(__name__)

DEFAULT_LEAD_DAYS = (14, 7, 1)
POST_FROM = dt.time(9, 0)  # local time before which a day's reminders wait
CHECK_EVERY = 15 * 60.0  # seconds between checks
# A claim not followed by a post for this long is taken to belong to a process that died between
# claiming and posting. Longer than a check interval, so that marks a busy database could not take
# after a post (kept in memory, saved at the next check) are saved before another process may post.
CLAIM_STALE_AFTER = dt.timedelta(hours=1)
FORM_KINDS = (LinkKind.APPLICATION, LinkKind.EXPRESSION_OF_INTEREST, LinkKind.REQUEST, LinkKind.SURVEY)


@dataclass(frozen=True)
class Reminder:
    """One reminder to post: the sentence, and the form as data for a button.

    ``form`` is the form to act on (``form.url`` None when the hub has not published its address);
    ``form_note`` says what to do when there is no address to link to.
    """

    entry_id: str
    programme: str
    deadline: Deadline
    lead_days: int
    days_left: int
    skipped_leads: tuple[int, ...]
    text: str
    form: ReplyLink | None
    form_note: str | None
    hub_id: str = DEFAULT_HUB_ID

    def message(self) -> str:
        """The whole reminder as plain text (the sentence, then the form's address or the note)."""
        lines = [self.text]
        if self.form and self.form.url:
            lines.append(f"{self.form.label}: {self.form.url}")
        if self.form_note:
            lines.append(self.form_note)
        return "\n".join(lines)

    def marks(self, at: dt.datetime) -> list[ReminderMark]:
        """What to record once this reminder has been sent."""
        sent = ReminderMark(self.entry_id, self.deadline.date, self.lead_days, "sent", at, self.hub_id)
        skipped = [
            ReminderMark(self.entry_id, self.deadline.date, lead, "skipped", at, self.hub_id) for lead in self.skipped_leads
        ]
        return [sent, *skipped]


def reminder_text(programme: str, deadline: Deadline, days_left: int) -> str:
    """"Applications for <programme> close on <long date> — in 7 days"."""
    label = deadline.label.strip().rstrip(".")
    note = f" {in_brackets(deadline.note)}" if deadline.note else ""
    when = f"{long_date(deadline.date)}{note} — {days_phrase(days_left)}"
    words = label.rsplit(" ", 1)
    if len(words) == 2 and words[1].lower() in {"close", "closes", "end", "ends", "open", "opens"}:
        return f"{words[0]} for {programme} {words[1]} on {when}"
    return f"{label} for {programme}: {when}"


def form_of(entry: Entry, contact: str) -> tuple[ReplyLink | None, str | None]:
    """The entry's form to act on, and a note when it has no address."""
    for kind in FORM_KINDS:
        link = next((link for link in entry.links if link.kind == kind), None)
        if link is None:
            continue
        form = ReplyLink(label=link.label, kind=link.kind.value, url=link.url)
        if link.url:
            return form, None
        return form, f"The hub will share the form {in_brackets(link.label)}. {contact}"
    return None, contact


def due_reminders(
    kb: KnowledgeBase,
    today: dt.date,
    storage: Storage,
    lead_days: Iterable[int] = DEFAULT_LEAD_DAYS,
    unsaved: Sequence[ReminderMark] = (),
    hub_id: str = DEFAULT_HUB_ID,
) -> list[Reminder]:
    """The reminders of hub ``hub_id`` to post on ``today`` (its local date), soonest deadline first.

    ``unsaved`` are marks of reminders already posted that storage could not take yet: they count as done.
    """
    leads = sorted({int(lead) for lead in lead_days if lead >= 0})
    reminders: list[Reminder] = []
    for item in kb.deadlines():
        entry, deadline = item.entry, item.deadline
        days_left = (deadline.date - today).days
        if entry.status != "current" or days_left < 0:
            continue
        done = storage.reminder_leads_done(entry.id, deadline.date, hub_id) | {
            mark.lead_days
            for mark in unsaved
            if (mark.hub_id, mark.entry_id, mark.deadline_date) == (hub_id, entry.id, deadline.date)
        }
        nearest_done = min(done, default=None)
        due = [
            lead for lead in leads
            if days_left <= lead and lead not in done and (nearest_done is None or lead < nearest_done)
        ]
        if not due:
            continue
        form, note = form_of(entry, kb.hub.contact_line())
        reminders.append(
            Reminder(
                entry_id=entry.id,
                programme=entry.name,
                deadline=deadline,
                lead_days=due[0],
                days_left=days_left,
                skipped_leads=tuple(due[1:]),
                text=reminder_text(entry.name, deadline, days_left),
                form=form,
                form_note=note,
                hub_id=hub_id,
            )
        )
    return reminders


async def send_due_reminders(
    kb: KnowledgeBase,
    storage: Storage,
    send: Callable[[Reminder], Awaitable[object]],
    *,
    now: dt.datetime,
    lead_days: Iterable[int] = DEFAULT_LEAD_DAYS,
    zone: ZoneInfo = LONDON,
    post_from: dt.time = POST_FROM,
    unsaved: list[ReminderMark] | None = None,
    hub_id: str = DEFAULT_HUB_ID,
) -> list[Reminder]:
    """One pass over hub ``hub_id``'s deadlines: post every due reminder with ``send`` and record
    it; returns those sent.

    Nothing is posted before ``post_from`` local time. Each reminder is claimed in storage first and
    posted only when the claim succeeds (another process sharing the database may have it); it is
    recorded as sent right after ``send`` returns. If ``send`` raises, the claim is given up and the
    next pass tries again; if storage cannot be reached to claim, the reminder waits for the next
    pass. Storage is used off the event loop; marks it cannot take after a post (a busy database)
    wait in ``unsaved`` for the next pass, so a posted reminder is never posted again meanwhile.
    """
    local = now.astimezone(zone)
    if local.time() < post_from:
        return []
    unsaved = [] if unsaved is None else unsaved
    if unsaved:
        await _save_marks(storage, unsaved, [])
    sent: list[Reminder] = []
    due = await asyncio.to_thread(due_reminders, kb, local.date(), storage, lead_days, tuple(unsaved), hub_id)
    for reminder in due:
        claim = reminder.marks(now)[0]
        if not await _claim(storage, claim, now - CLAIM_STALE_AFTER):
            continue
        try:
            await send(reminder)
        except Exception:
            log.exception("could not post the reminder for %s (%s)", reminder.entry_id, reminder.deadline.date)
            await _release(storage, claim)
            continue
        await _save_marks(storage, unsaved, reminder.marks(now))
        log.info(
            "reminder posted: %s %s, %d-day lead%s (hub %s)", reminder.entry_id, reminder.deadline.date, reminder.lead_days,
            f" (skipped {', '.join(map(str, reminder.skipped_leads))})" if reminder.skipped_leads else "", reminder.hub_id,
        )
        sent.append(reminder)
    return sent


async def _claim(storage: Storage, mark: ReminderMark, stale_before: dt.datetime) -> bool:
    """Whether this process may post the reminder ``mark`` records (claimed in storage)."""
    what = f"{mark.entry_id} {mark.deadline_date}, {mark.lead_days}-day lead"
    try:
        claimed = await asyncio.to_thread(storage.claim_reminder, mark, stale_before)
    except DATABASE_ERRORS as error:
        log.warning(
            "reminder %s waits for the next check: could not claim it (%s; hub %s)", what, describe_failure(error), mark.hub_id
        )
        return False
    if not claimed:
        log.info("reminder %s: already posted or being posted by another process (hub %s)", what, mark.hub_id)
    return claimed


async def _release(storage: Storage, mark: ReminderMark) -> None:
    try:
        await asyncio.to_thread(storage.release_reminder, mark)
    except DATABASE_ERRORS as error:
        log.warning(
            "could not give up the claim on reminder %s %s (%s); it is tried again after %s",
            mark.entry_id, mark.deadline_date, describe_failure(error), CLAIM_STALE_AFTER,
        )


async def _save_marks(storage: Storage, unsaved: list[ReminderMark], marks: Sequence[ReminderMark]) -> None:
    """Save ``unsaved`` and ``marks``; what storage cannot take now stays in ``unsaved``."""
    waiting = [*unsaved, *marks]
    try:
        await asyncio.to_thread(storage.mark_reminders, waiting)
    except DATABASE_ERRORS as error:
        log.warning(
            "could not record %d reminder mark(s) (%s); keeping them to save later", len(waiting), describe_failure(error)
        )
        unsaved[:] = waiting
    else:
        unsaved.clear()


async def reminder_loop(
    knowledge: Callable[[], KnowledgeBase],
    storage: Storage,
    send: Callable[[Reminder], Awaitable[object]],
    *,
    stop: asyncio.Event,
    lead_days: Iterable[int] = DEFAULT_LEAD_DAYS,
    zone: ZoneInfo = LONDON,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    interval: float = CHECK_EVERY,
    post_from: dt.time = POST_FROM,
    hub_id: str = DEFAULT_HUB_ID,
) -> None:
    """Check hub ``hub_id``'s due reminders now and every ``interval`` seconds until ``stop`` is set.

    ``knowledge`` returns the knowledge base in service (e.g. ``lambda: service.current.kb``), so
    each pass sees the latest reload.
    """
    leads = tuple(lead_days)
    unsaved: list[ReminderMark] = []
    checks = 0

    async def job() -> None:
        nonlocal checks
        sent = await send_due_reminders(
            knowledge(), storage, send, now=clock(), lead_days=leads, zone=zone, post_from=post_from, unsaved=unsaved,
            hub_id=hub_id,
        )
        checks += 1
        if checks == 1:  # one line at start, so the log shows the reminders are running
            log.info(
                "deadline reminders of hub %s: first check done (%d posted); checking every %.0f min",
                hub_id, len(sent), interval / 60,
            )

    await every(interval, job, stop=stop, name=f"deadline reminders of {hub_id}")
