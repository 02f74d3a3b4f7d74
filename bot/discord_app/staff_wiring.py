"""The staff workflow in the running bot: records and votes, reminders, retention and live reloads.

:class:`StaffServices` is created with the bot, started in its ``setup_hook`` and stopped when it
closes. It owns the storage (opened from the settings unless one is given) and is the one place
the Discord layer records an answer or a vote.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app import limits
from bot.discord_app.embeds import text
from bot.discord_app.feedback import add_votes
from bot.discord_app.knowledge import Snapshot
from bot.discord_app.replies import NO_MENTIONS, build_message, clip_label
from bot.discord_app.staff_notices import RefusedReload, problems_text, reloaded_text, tell_staff_channel
from bot.knowledge.problems import KnowledgeError
from bot.reply import Reply
from bot.staff.records import Recorder
from bot.staff.reminders import Reminder, reminder_loop
from bot.staff.storage import SQLiteStorage, Storage
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


class StaffServices:
    """Storage, recorder, background tasks and the knowledge watcher of one bot."""

    def __init__(self, bot: HubBot, storage: Storage | None = None, clock: Clock = utc_now) -> None:
        self.bot = bot
        self.clock = clock
        self._storage = storage
        self.recorder: Recorder | None = None
        self.watcher: KnowledgeWatcher | None = None
        self.refused: RefusedReload | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("the staff services have not been started")
        return self._storage

    # ----- life ---------------------------------------------------------------------------------
    async def start(self) -> None:
        """Open the storage (if none was given) and start the background work."""
        settings = self.bot.settings
        if self._storage is None:
            self._storage = await asyncio.to_thread(SQLiteStorage.from_settings, settings)
        self.recorder = Recorder(self._storage, clock=self.clock)
        self._stop = asyncio.Event()
        self._spawn(retention_loop(self._storage, settings.retention_days, stop=self._stop, clock=self.clock), "retention")
        if settings.reminder_channel_id is not None:
            self._spawn(self._reminders(), "deadline reminders")
        if settings.watch_knowledge_dir:
            self.watcher = KnowledgeWatcher(self.bot.knowledge.directory, self.reload_and_tell_staff)
            self.watcher.start()

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(work, name=name))

    async def stop(self) -> None:
        """Stop the watcher and the background tasks (each finishes what it is doing first)."""
        self._stop.set()
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            await watcher.stop()
        tasks, self._tasks = self._tasks, []
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=STOP_WAIT_SECONDS)
        for task in pending:  # e.g. still waiting for the gateway when the bot is closed early
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def close_storage(self) -> None:
        if self._storage is not None:
            self._storage.close()

    # ----- answers and votes --------------------------------------------------------------------
    async def answer_message(
        self, reply: Reply, snapshot: Snapshot, *, guild_id: int | None, channel_id: int | None
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """The embed and components of an answer about to be sent, recorded, with 👍/👎.

        Only a server's channel is recorded with the question: a direct-message channel id would
        point at one person. If recording fails the answer still goes out, without the buttons.
        """
        embed, view = build_message(reply, snapshot)
        if self.recorder is None:
            return embed, view
        if guild_id is None:
            channel_id = None
        try:
            answer_id = await asyncio.to_thread(
                self.recorder.record_reply,
                reply,
                guild_id=guild_id,
                channel_id=channel_id,
                kb_version=snapshot.kb.version,
            )
        except Exception:
            log.exception("could not record an answer; sending it without vote buttons")
            return embed, view
        return embed, add_votes(view, answer_id)

    async def record_vote(self, answer_id: str, up: bool) -> bool:
        """Record 👍/👎; False when the answer is no longer known (see :class:`Recorder`)."""
        if self.recorder is None:
            return False
        return await asyncio.to_thread(self.recorder.record_vote, answer_id, up)

    # ----- reloads ------------------------------------------------------------------------------
    async def reload(self) -> tuple[Snapshot, Snapshot]:
        """Reload the knowledge base; returns (before, after). Raises :class:`KnowledgeError` and
        remembers the problems (for ``/kb status``) when the new files are refused.
        """
        before = self.bot.knowledge.current
        try:
            after = await self.bot.knowledge.reload()
        except KnowledgeError as error:
            self.refused = RefusedReload(at=self.clock(), problems=tuple(error.problems))
            raise
        self.refused = None
        return before, after

    async def reload_and_tell_staff(self) -> None:
        """What the watcher runs on a change: reload, and tell the staff channel how it went."""
        kept, was_refused = self.bot.knowledge.current, self.refused is not None
        try:
            before, after = await self.reload()
        except KnowledgeError as error:
            await tell_staff_channel(self.bot, "Knowledge-base reload refused", problems_text(kept, error))
            raise  # the watcher logs it as a warning
        if after.kb.version == before.kb.version and not was_refused:  # saved without a change
            return
        await tell_staff_channel(self.bot, "Knowledge base reloaded", reloaded_text(before, after))

    # ----- reminders ----------------------------------------------------------------------------
    async def _reminders(self) -> None:
        await self.bot.wait_until_ready()
        settings = self.bot.settings
        await reminder_loop(
            lambda: self.bot.knowledge.current.kb,
            self.storage,
            self.post_reminder,
            stop=self._stop,
            lead_days=settings.reminder_lead_days,
            zone=settings.zone,
            clock=self.clock,
        )

    async def post_reminder(self, reminder: Reminder) -> None:
        """Post one reminder in the reminder channel (raises if Discord refuses: it is tried again)."""
        channel_id = self.bot.settings.reminder_channel_id
        assert channel_id is not None  # the task runs only with a reminder channel
        content, view = reminder_message(reminder)
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        await self.bot.get_partial_messageable(channel_id).send(content, allowed_mentions=NO_MENTIONS, **extra)
