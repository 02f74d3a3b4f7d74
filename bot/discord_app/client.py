"""The bot: a :class:`commands.Bot` with the hubs' commands, and nothing said unless asked.

One bot serves one hub or several (:class:`~bot.discord_app.hubs.Hubs`); every handler asks
:meth:`HubBot.hub_for` which hub answers. With ``shard_count`` set it is a sharded bot
(:class:`ShardedHubBot`, discord.py's :class:`~discord.ext.commands.AutoShardedBot`), running all the
shards or this process's ``shard_ids``.
"""

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
from bot.discord_app.hub_choice import HubSelect, WaitingQuestions, hub_for
from bot.discord_app.hubs import Hub, Hubs
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

    ``hubs`` are the hubs it answers for. ``storage`` is the staff workflow's storage (default:
    opened from the settings at start); the bot closes it when it closes. ``clock`` gives the
    current UTC time (tests freeze it).
    """

    def __init__(
        self,
        settings: Settings,
        hubs: Hubs,
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
        self.hubs = hubs
        self.waiting_questions = WaitingQuestions()
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

    def today(self, hub: Hub) -> dt.date:
        """Today in ``hub``'s time zone: what deadline wording is relative to."""
        return hub.today(self.clock())

    async def hub_for(self, interaction: discord.Interaction, *, question: str | None = None) -> Hub | None:
        """The hub that answers ``interaction``; None once the person was told why not, or asked
        which hub (see :func:`~bot.discord_app.hub_choice.hub_for`).
        """
        return await hub_for(interaction, question=question)

    @property
    def registers_commands(self) -> bool:
        """Whether this process registers the slash commands: one of several sharing the servers
        does it, the one running shard 0 (or the only one).
        """
        shard_ids = self.settings.shard_ids
        return not shard_ids or 0 in shard_ids

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_dynamic_items(
            EntryButton, EntrySelect, VoteButton, HandoffButton, StaffReplyButton, MarkAnsweredButton, HubSelect
        )
        await self.staff.start()
        assert self.application_id is not None  # set by login, which runs before this hook
        if self.registers_commands:
            self.synced_to = await sync_commands(
                self.tree, self.application_id, self.settings.all_guild_ids, self.settings.command_sync_state
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
        log.info(
            "connected as %s (%s) to %d servers, for %d hub%s",
            self.user, self.user and self.user.id, len(self.guilds), len(self.hubs), "s" if len(self.hubs) != 1 else "",
        )

    async def on_message(self, message: discord.Message) -> None:
        """The bot has no prefix commands; questions in messages are handled by the answers cog."""


class ShardedHubBot(HubBot, commands.AutoShardedBot):
    """:class:`HubBot` over several gateway connections (shards): all ``shard_count`` of them, or
    this process's ``shard_ids`` when several processes share the servers.
    """


def bot_class(settings: Settings) -> type[HubBot]:
    """The client class the settings call for: sharded when ``shard_count`` is set."""
    return HubBot if settings.shard_count is None else ShardedHubBot


def shard_options(settings: Settings) -> dict[str, Any]:
    """What discord.py's sharded client is given: the shard count (none: as Discord recommends) and ids."""
    if settings.shard_count is None:
        return {}
    options: dict[str, Any] = {"shard_count": None if settings.shard_count == "auto" else settings.shard_count}
    if settings.shard_ids:
        options["shard_ids"] = list(settings.shard_ids)
    return options
