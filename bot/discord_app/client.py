"""The bot: a :class:`commands.Bot` with the hub's commands, and nothing said unless asked."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import discord
from discord.ext import commands

from bot.config import Settings
from bot.discord_app.checks import HubTree, on_app_command_error
from bot.discord_app.cooldown import RateLimits
from bot.discord_app.feedback import VoteButton
from bot.discord_app.handoff import HandoffButton, MarkAnsweredButton, StaffReplyButton
from bot.discord_app.knowledge import KnowledgeService
from bot.discord_app.offload import AnswerPool, in_time
from bot.discord_app.replies import NO_MENTIONS, EntryButton, EntrySelect
from bot.discord_app.staff_wiring import StaffServices, utc_now
from bot.discord_app.sync import sync_commands
from bot.discord_app.vote_ledger import VoteLedger
from bot.staff.storage import Storage

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

EXTENSIONS = (
    "bot.discord_app.cogs.answers",
    "bot.discord_app.cogs.catalogue",
    "bot.discord_app.cogs.eligibility",
    "bot.discord_app.cogs.handoff",
    "bot.discord_app.cogs.help",
    "bot.discord_app.cogs.staff",
)


def intents_for(settings: Settings) -> discord.Intents:
    """Default intents; message content only when unprompted answering is on (it is privileged).

    Messages that mention the bot, and direct messages, carry their content without it.
    """
    intents = discord.Intents.default()
    intents.message_content = bool(settings.unprompted_channel_ids)
    return intents


class HubBot(commands.Bot):
    """hubbot's Discord client. ``options`` go to :class:`discord.Client` (tests pass timeouts).

    ``storage`` is the staff workflow's storage (default: opened from the settings at start); the
    bot closes it when it closes. ``clock`` gives the current UTC time (tests freeze it).
    """

    def __init__(
        self,
        settings: Settings,
        knowledge: KnowledgeService,
        *,
        storage: Storage | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents_for(settings),
            allowed_mentions=NO_MENTIONS,
            tree_cls=HubTree,
            **options,
        )
        self.settings = settings
        self.knowledge = knowledge
        self.limits = RateLimits.from_settings(settings)
        self.votes = VoteLedger()
        self.synced_to: list[str] = []
        self.tree.error(on_app_command_error)
        self.clock = clock
        self.staff = StaffServices(self, storage, clock)
        self.answers = AnswerPool(settings.answer_threads)

    def reply_privately(self, interaction: discord.Interaction) -> bool:
        """Whether a slash command's answer goes only to its asker: by the settings, or because the
        server has had its share of public replies for now.
        """
        return self.settings.ephemeral_replies or not self.limits.may_post_publicly(interaction.guild_id)

    def today(self) -> dt.date:
        """Today in the hub's time zone: what deadline wording is relative to."""
        return self.clock().astimezone(self.settings.zone).date()

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_dynamic_items(EntryButton, EntrySelect, VoteButton, HandoffButton, StaffReplyButton, MarkAnsweredButton)
        await self.staff.start()
        assert self.application_id is not None  # set by login, which runs before this hook
        self.synced_to = await sync_commands(
            self.tree, self.application_id, self.settings.guild_ids, self.settings.command_sync_state
        )

    async def think(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run the engine (or other slow work) off the event loop."""
        return await self.answers.run(work, *args, **kwargs)

    async def in_time(
        self, interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool, edit: bool = False
    ) -> T:
        """``work``'s result, deferring ``interaction`` first if it is not ready in time (see :func:`in_time`)."""
        return await in_time(
            interaction, work, after=self.settings.defer_after_seconds, ephemeral=ephemeral, edit=edit
        )

    async def close(self) -> None:
        """Stop the staff workflow's tasks while Discord is still reachable, then disconnect."""
        await self.staff.stop()
        await super().close()
        await self.staff.close_storage()
        self.answers.close()

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d servers", self.user, self.user and self.user.id, len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """The bot has no prefix commands; questions in messages are handled by the answers cog."""
