"""The staff workflow in the running bot: records and votes, hand-offs to the hub team, reminders,
retention and live reloads.

:class:`StaffServices` is created with the bot, started in its ``setup_hook`` and stopped when it
closes. It owns the storage (opened from the settings unless one is given), shared by every hub,
and is the one place the Discord layer records an answer, a vote or a hand-off — always after the
answer is sent, and with the hub that answered. Each hub has its own knowledge watcher, reloads
(a refused one is that hub's alone) and reminder task.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app import limits
from bot.discord_app.embeds import text
from bot.discord_app.feedback import add_votes
from bot.discord_app.handoff import Recipient, add_handoff_button, handoff_available
from bot.discord_app.hubs import Hub, RefusedReload
from bot.discord_app.knowledge import Snapshot
from bot.discord_app.replies import NO_MENTIONS, build_message, clip_label
from bot.discord_app.staff_notices import problems_text, reloaded_text, tell_staff_channel
from bot.knowledge.problems import KnowledgeError
from bot.reply import Reply
from bot.staff.handoffs import HandoffDesk
from bot.staff.record_writer import RecordWriter
from bot.staff.records import Recorder, new_answer_id
from bot.staff.reminders import Reminder, reminder_loop
from bot.staff.storage import (
    DATABASE_ERRORS,
    KEPT_STATUSES,
    HandoffOutcome,
    InteractionRecord,
    Storage,
    database_label,
    describe_failure,
    is_busy,
    is_transient,
    open_storage,
)
from bot.staff.tasks import retention_loop
from bot.staff.watch import KnowledgeWatcher

if TYPE_CHECKING:
    from bot.discord_app.client import HubBot

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
STOP_WAIT_SECONDS = 5.0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def reminder_message(reminder: Reminder) -> tuple[str, discord.ui.View | None]:
    """A reminder as a channel message: the sentence, and the form as a link button when it has an
    address (else the note saying how to get it).
    """
    lines = [reminder.text]
    view = None
    if reminder.form is not None and reminder.form.url:
        view = discord.ui.View(timeout=None)
        view.add_item(
            discord.ui.Button(label=clip_label(reminder.form.label), url=reminder.form.url, style=discord.ButtonStyle.link)
        )
    if reminder.form_note:
        lines.append(reminder.form_note)
    return text("\n".join(lines), limits.CONTENT), view


BOT_SAID = 300  # characters of the bot's reply shown to staff with a hand-off


def bot_said(reply: Reply) -> str:
    """What the bot replied, in brief, for staff: the headline and any options it offered."""
    said = reply.headline
    if reply.candidates:
        said += " " + ", ".join(candidate.name for candidate in reply.candidates)
    return limits.clip(said, BOT_SAID)


async def _now(value: bool | None) -> bool | None:
    return value


class StaffServices:
    """Storage, recorder, background tasks and the hubs' knowledge watchers of one bot.

    Answers are recorded after they are sent, by a :class:`RecordWriter` in the background: a busy
    database delays no answer; the records it cannot take are dropped and counted. When the
    database is locked at start, the bot starts without recording and tries again every
    ``database_retry_seconds``.
    """

    def __init__(self, bot: HubBot, storage: Storage | None = None, clock: Clock = utc_now) -> None:
        self.bot = bot
        self.clock = clock
        self._storage = storage
        self.recorder: Recorder | None = None
        self.writer: RecordWriter | None = None
        self.unrecorded = 0  # answers sent while recording was off
        self.unavailable = "was locked by another program"  # why recording is off, when it is
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._sending = asyncio.Condition()
        self._being_sent = 0
        self.handoffs: HandoffDesk[Recipient] = HandoffDesk(bot.settings.handoff_memory_hours * 3600)

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("the records database is not open")
        return self._storage

    @property
    def recording(self) -> bool:
        return self.recorder is not None

    @property
    def dropped(self) -> int:
        """Records that could not be written, and answers sent while recording was off."""
        return self.unrecorded + (self.writer.dropped if self.writer is not None else 0)

    # ----- life ---------------------------------------------------------------------------------
    async def start(self) -> None:
        """Open the storage (if none was given) and start the background work."""
        settings = self.bot.settings
        self._stop = asyncio.Event()
        if self._storage is None:
            try:
                self._storage = await asyncio.to_thread(open_storage, settings)
            except DATABASE_ERRORS as error:
                if not is_transient(error):  # locked, or a database server that cannot be reached now
                    raise
                self.unavailable = "was locked by another program" if is_busy(error) else "could not be reached"
                log.warning(
                    "the database %s cannot be used now (%s); starting without recording (trying again every %.0f s)",
                    database_label(settings),
                    describe_failure(error),
                    settings.database_retry_seconds,
                )
                self._spawn(self._open_later(), "open the database")
        if self._storage is not None:
            self._storage_ready(self._storage)
        if settings.watch_knowledge_dir:
            for hub in self.bot.hubs:
                hub.watcher = KnowledgeWatcher(hub.knowledge.directory, functools.partial(self.reload_and_tell_staff, hub))
                hub.watcher.start()

    def _storage_ready(self, storage: Storage) -> None:
        """Start recording, and the background work that needs the records."""
        settings = self.bot.settings
        self._storage = storage
        self.writer = RecordWriter()
        self.recorder = Recorder(storage, clock=self.clock)
        self._spawn(retention_loop(storage, settings.retention_days, stop=self._stop, clock=self.clock), "retention")
        for hub in self.bot.hubs:
            if hub.settings.reminder_channel_id is not None:
                self._spawn(self._reminders(hub), f"deadline reminders of {hub.id}")

    async def _open_later(self) -> None:
        settings = self.bot.settings
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=settings.database_retry_seconds)
                return
            try:
                storage = await asyncio.to_thread(open_storage, settings)
            except (*DATABASE_ERRORS, OSError) as error:
                log.info(
                    "the database is still unavailable (%s); trying again in %.0f s",
                    describe_failure(error), settings.database_retry_seconds,
                )
                continue
            if self._stop.is_set():
                storage.close()
                return
            log.info("the database %s is available again: recording from now on", database_label(settings))
            self._storage_ready(storage)
            return

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(work, name=name))

    async def stop(self) -> None:
        """Stop the watchers and the background tasks (each finishes what it is doing first)."""
        self._stop.set()
        for hub in self.bot.hubs:
            watcher, hub.watcher = hub.watcher, None
            if watcher is not None:
                await watcher.stop()
        while self._tasks:  # a task may start others (the storage opened late) before it ends
            tasks, self._tasks = self._tasks, []
            _, pending = await asyncio.wait(tasks, timeout=STOP_WAIT_SECONDS)
            for task in pending:  # e.g. still waiting for the gateway when the bot is closed early
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def close_storage(self) -> None:
        """Write the records still queued (for a few seconds at most), then close the storage."""
        writer, self.writer, self.recorder = self.writer, None, None
        if writer is not None:
            await asyncio.to_thread(writer.close, STOP_WAIT_SECONDS)
        if self._storage is not None:
            self._storage.close()

    # ----- answers and votes --------------------------------------------------------------------
    def prepare(
        self,
        reply: Reply,
        snapshot: Snapshot,
        *,
        hub: Hub,
        guild_id: int | None,
        channel_id: int | None,
        asker_id: int | None = None,
        jump_url: str | None = None,
    ) -> tuple[discord.Embed, discord.ui.View | None, InteractionRecord | None]:
        """The embed and components of an answer about to be sent, with 👍/👎 when it will be
        recorded, and its record (None while recording is off), of ``hub`` — whose ``snapshot``
        answered. Instant: nothing is written yet.

        A reply the bot could not answer outright also offers ``asker_id`` "Ask the hub team", when
        the hub's hand-offs are set up; ``jump_url`` is the asker's message, when they asked in a channel.
        Only a server's channel is recorded with the question: a direct-message channel id would
        point at one person.
        """
        embed, view = build_message(reply, snapshot)
        record = None
        if self.recorder is not None:
            record = self.recorder.new_record(
                reply,
                guild_id=guild_id,
                channel_id=channel_id if guild_id is not None else None,
                kb_version=snapshot.kb.version,
                hub_id=hub.id,
            )
            view = add_votes(view, record.answer_id)
        # The replies the bot could not answer outright are the ones whose question the records keep,
        # so a hand-off always has its question to point at.
        if asker_id is not None and reply.status in KEPT_STATUSES and handoff_available(self.bot, hub):
            handoff_id = record.answer_id if record is not None else new_answer_id()
            self.handoffs.offer(handoff_id, reply.question, asker_id, bot_said(reply), jump_url, hub.id)
            view = add_handoff_button(view or discord.ui.View(timeout=None), handoff_id)
        return embed, view, record

    def record_sent(self, record: InteractionRecord | None) -> None:
        """Queue the record of an answer that was sent; returns at once."""
        recorder, writer = self.recorder, self.writer
        if record is None or recorder is None or writer is None:
            self.unrecorded += 1
            return
        writer.submit(functools.partial(recorder.write, record), f"the record of answer {record.answer_id}")

    async def deliver(
        self,
        reply: Reply,
        snapshot: Snapshot,
        send: Callable[[discord.Embed, discord.ui.View | None], Awaitable[object]],
        *,
        hub: Hub,
        guild_id: int | None,
        channel_id: int | None,
        asker_id: int | None = None,
        jump_url: str | None = None,
    ) -> None:
        """Send ``hub``'s answer with ``send(embed, view)``, then record it: answers first, records after."""
        embed, view, record = self.prepare(
            reply, snapshot, hub=hub, guild_id=guild_id, channel_id=channel_id, asker_id=asker_id, jump_url=jump_url
        )
        async with self._sending:
            self._being_sent += 1
        try:
            await send(embed, view)
            self.record_sent(record)
        finally:
            async with self._sending:
                self._being_sent -= 1
                self._sending.notify_all()

    def record_vote(self, answer_id: str, up: bool) -> Awaitable[bool | None]:
        """Queue 👍/👎 at once; the awaitable says True when it is (or, for an answer still in memory,
        will be) recorded, False when the answer is no longer known, None when the records cannot be
        reached now.
        """
        recorder, writer = self.recorder, self.writer
        if recorder is None or writer is None:
            return _now(None)
        known = recorder.knows(answer_id)
        done = writer.submit(functools.partial(recorder.record_vote, answer_id, up), f"a vote on answer {answer_id}")
        # An answer still in memory is recorded in the background (a failure is logged and counted).
        return _now(True) if known else self.vote_result(done)

    def record_handoff(self, answer_id: str) -> None:
        """Queue the note that a question was passed to the hub team; returns at once."""
        self._submit(lambda recorder: recorder.record_handoff(answer_id), f"the hand-off of answer {answer_id}")

    def close_handoff(self, answer_id: str, outcome: HandoffOutcome) -> None:
        """Queue closing a hand-off (answered, or the teacher unreachable); returns at once."""
        self._submit(lambda recorder: recorder.close_handoff(answer_id, outcome), f"closing the hand-off of {answer_id}")

    def _submit(self, write: Callable[[Recorder], object], what: str) -> None:
        recorder, writer = self.recorder, self.writer
        if recorder is None or writer is None:
            self.unrecorded += 1
            return
        writer.submit(functools.partial(write, recorder), what)

    async def vote_result(self, done: Future[bool]) -> bool | None:
        """Wait (boundedly) for a vote on an answer that only storage may know."""
        try:
            return bool(await asyncio.wait_for(asyncio.wrap_future(done), self.bot.settings.database_wait_seconds + 1))
        except Exception:  # already logged and counted by the writer, or timed out
            return None

    async def written(self) -> None:
        """Wait until every answer being sent has been queued for recording, and everything queued
        so far has been written or dropped (for tests and orderly checks).
        """
        async with self._sending:
            await self._sending.wait_for(lambda: self._being_sent == 0)
        if self.writer is not None:
            await asyncio.wrap_future(self.writer.written())

    def recording_text(self) -> str:
        """One line for ``/kb status``: whether answers are recorded, and what could not be."""
        settings = self.bot.settings
        if self.recorder is None:
            line = (
                f"**Records** off: the database {self.unavailable} when the bot started; "
                f"trying again every {settings.database_retry_seconds:.0f} s."
            )
        else:
            line = "**Records** on."
        if self.dropped:
            line += f" {self.dropped} record{'s' if self.dropped != 1 else ''} not written since the bot started (database busy)."
        return line

    def handoff_text(self, hub: Hub) -> str:
        """One line for ``/kb status``: whether teachers can pass questions to ``hub``'s team."""
        settings = self.bot.settings
        if not settings.staff_handoff:
            return "**Staff hand-off** off (staff_handoff is false)."
        if hub.settings.staff_channel_id is None:
            return "**Staff hand-off** off: set staff_channel_id to let teachers pass questions to the hub team."
        return (
            f"**Staff hand-off** on: “Ask the hub team” posts in <#{hub.settings.staff_channel_id}>; "
            f"who asked is remembered for {settings.handoff_memory_hours:g} hours, in memory only."
        )

    # ----- reloads ------------------------------------------------------------------------------
    async def reload(self, hub: Hub) -> tuple[Snapshot, Snapshot]:
        """Reload ``hub``'s knowledge base (only its); returns (before, after). Raises
        :class:`KnowledgeError` and remembers the problems (for ``/kb status``) when the new files
        are refused — and the hub keeps answering from the version before.
        """
        before = hub.knowledge.current
        try:
            after = await hub.knowledge.reload()
        except KnowledgeError as error:
            hub.refused = RefusedReload(at=self.clock(), problems=tuple(error.problems))
            raise
        hub.refused = None
        return before, after

    async def reload_and_tell_staff(self, hub: Hub) -> None:
        """What a hub's watcher runs on a change: reload it, and tell its staff channel how it went."""
        kept, was_refused = hub.knowledge.current, hub.refused is not None
        try:
            before, after = await self.reload(hub)
        except KnowledgeError as error:
            await tell_staff_channel(self.bot, hub, "Knowledge-base reload refused", problems_text(kept, error))
            raise  # the watcher logs it as a warning
        if after.kb.version == before.kb.version and not was_refused:  # saved without a change
            return
        await tell_staff_channel(self.bot, hub, "Knowledge base reloaded", reloaded_text(before, after))

    # ----- reminders ----------------------------------------------------------------------------
    async def _reminders(self, hub: Hub) -> None:
        await self.bot.wait_until_ready()
        await reminder_loop(
            lambda: hub.knowledge.current.kb,
            self.storage,
            functools.partial(self.post_reminder, hub),
            stop=self._stop,
            lead_days=self.bot.settings.reminder_lead_days,
            zone=hub.settings.zone,
            clock=self.clock,
            hub_id=hub.id,
        )

    async def post_reminder(self, hub: Hub, reminder: Reminder) -> None:
        """Post one reminder in ``hub``'s reminder channel (raises if Discord refuses: it is tried again)."""
        channel_id = hub.settings.reminder_channel_id
        assert channel_id is not None  # the task runs only with a reminder channel
        content, view = reminder_message(reminder)
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        await self.bot.get_partial_messageable(channel_id).send(content, allowed_mentions=NO_MENTIONS, **extra)
