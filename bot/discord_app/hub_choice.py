"""Which hub, in Discord: acting on :meth:`~bot.discord_app.hubs.Hubs.pick` — the one decision — and
asking which hub when a direct message does not make it clear.

* :func:`hub_for` — for a slash command or a click: the hub to answer from; otherwise it tells the
  person privately why not (a server no hub serves) or asks which hub, and returns None.
* :func:`hub_quietly` — for autocomplete, which cannot ask: the hub, or None (no suggestions).
* :func:`ask_in_reply` — for a direct message: a reply asking which hub; the question waits in
  memory (:class:`WaitingQuestions`) to be answered once a hub is chosen.
* :class:`HubSelect` — the choice. Choosing remembers the hub for the person's direct messages
  (in memory only) and answers the question that waited, in place of the choice; after a restart,
  or for a command, it asks them to ask again.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.discord_app import limits
from bot.discord_app.embeds import notice_embed, text
from bot.discord_app.hubs import Hub, Pick
from bot.discord_app.replies import NO_MENTIONS, click_allowed, report_error, send, tell, update

if TYPE_CHECKING:
    from bot.discord_app.client import HubBot

log = logging.getLogger(__name__)

CHOICE_ID = r"[0-9a-f]{16}"
TEMPLATE = rf"hubbot:hub:(?P<token>{CHOICE_ID}):(?P<part>[0-9])"
_SELECT_ID = re.compile(TEMPLATE)
WAITING = 5000  # questions kept while their asker chooses a hub
TITLE = "Which Maths Hub?"
WHICH = (
    "I answer for several Maths Hubs. Which one are you asking about? I'll remember your choice "
    "for your direct messages with me."
)
NOT_SERVED = (
    "This server isn't linked to a Maths Hub in my settings, so I can't answer here. "
    "Its admins can ask whoever runs the bot to add it."
)
CHOSEN = "Thanks — I'll answer your direct messages from the **{hub}** knowledge base from now on. {next}"
RUN_AGAIN = "Please run the command again."
ASK_AGAIN = "Please ask your question again."
GONE = "I no longer answer for that hub. Please ask again."


def shared_guilds(user: discord.abc.User) -> list[int]:
    """The servers discord.py knows the person shares with the bot (its member cache; often none)."""
    return [guild.id for guild in getattr(user, "mutual_guilds", ())]


def pick_for(bot: HubBot, interaction: discord.Interaction) -> Pick:
    return bot.hubs.pick(interaction.guild_id, interaction.user.id, shared_guilds(interaction.user))


async def hub_for(interaction: discord.Interaction, *, question: str | None = None) -> Hub | None:
    """The hub that answers ``interaction``, or None once the person has been told why not or asked
    which hub (``question``, when given, is answered as soon as they choose).
    """
    bot: HubBot = interaction.client  # type: ignore[assignment]
    chosen = pick_for(bot, interaction)
    if chosen.hub is not None:
        return chosen.hub
    if chosen.unserved:
        await tell(interaction, NOT_SERVED)
        return None
    token = bot.waiting_questions.add(interaction.user.id, question)
    await send(interaction, embed=notice_embed(TITLE, WHICH), view=choice_view(token, chosen.choices), ephemeral=True)
    return None


def hub_quietly(interaction: discord.Interaction) -> Hub | None:
    """The hub that answers ``interaction`` when it is clear, without asking (for autocomplete)."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    return pick_for(bot, interaction).hub


async def ask_in_reply(bot: HubBot, message: discord.Message, choices: Sequence[Hub], question: str) -> None:
    """Reply to a direct message with the choice of hub; ``question`` waits to be answered."""
    token = bot.waiting_questions.add(message.author.id, question or None)
    await message.reply(
        embed=notice_embed(TITLE, WHICH), view=choice_view(token, choices), mention_author=False, allowed_mentions=NO_MENTIONS
    )


def choice_view(token: str, hubs: Sequence[Hub]) -> discord.ui.View:
    """The hubs to choose from: one select of up to 25, and more selects below it (at most five)."""
    view = discord.ui.View(timeout=None)
    per = limits.SELECT_OPTIONS
    for part in range(min(limits.ROWS, -(-len(hubs) // per))):
        chunk = hubs[part * per : (part + 1) * per]
        view.add_item(HubSelect.of(token, part, chunk, first=part == 0))
    if len(hubs) > limits.ROWS * per:
        log.warning("%d hubs to choose from; only the first %d are offered", len(hubs), limits.ROWS * per)
    return view


class WaitingQuestions:
    """Questions waiting for their asker to choose a hub, by token (in memory, the newest kept)."""

    def __init__(self, limit: int = WAITING) -> None:
        self._waiting: OrderedDict[str, tuple[int, str | None]] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def add(self, user_id: int, question: str | None) -> str:
        """A new token for the choice; ``question`` (if any) waits under it."""
        token = secrets.token_hex(8)
        with self._lock:
            self._waiting[token] = (user_id, question)
            while len(self._waiting) > self._limit:
                self._waiting.popitem(last=False)
        return token

    def take(self, token: str, user_id: int) -> str | None:
        """The question that waited under ``token`` for ``user_id`` (once), or None."""
        with self._lock:
            waiting = self._waiting.get(token)
            if waiting is None or waiting[0] != user_id:
                return None
            del self._waiting[token]
        return waiting[1]


class HubSelect(discord.ui.DynamicItem[discord.ui.Select], template=TEMPLATE):
    """A select of hubs; the chosen one answers the person's direct messages from now on."""

    @classmethod
    def of(cls, token: str, part: int, hubs: Sequence[Hub], *, first: bool = True) -> HubSelect:
        return cls(
            discord.ui.Select(
                custom_id=f"hubbot:hub:{token}:{part}",
                placeholder="Choose your Maths Hub" if first else "… or one of these",
                options=[
                    discord.SelectOption(label=text(hub.name, limits.SELECT_OPTION_TEXT), value=hub.id) for hub in hubs
                ],
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /
    ) -> HubSelect:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        match = _SELECT_ID.fullmatch(self.custom_id)
        assert match is not None  # the custom_id was made from the template
        await hub_chosen(interaction, match["token"], self.item.values[0])


async def hub_chosen(interaction: discord.Interaction, token: str, hub_id: str) -> None:
    """Remember the choice, then answer the question that waited (or ask for it again)."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    try:
        if not await click_allowed(interaction):
            return
        hub = bot.hubs.choose(interaction.user.id, hub_id)
        if hub is None:
            await update(interaction, embed=notice_embed(TITLE, GONE), view=None)
            return
        question = bot.waiting_questions.take(token, interaction.user.id)
        if question is None:
            message = interaction.message
            asked_by_message = message is not None and not message.flags.ephemeral
            body = CHOSEN.format(hub=hub.name, next=ASK_AGAIN if asked_by_message else RUN_AGAIN)
            await update(interaction, embed=notice_embed(TITLE, body), view=None)
            return
        await answer_in_place(bot, interaction, hub, question)
    except Exception as error:  # whatever failed, the user hears of it and it is logged
        await report_error(interaction, error)


async def answer_in_place(bot: HubBot, interaction: discord.Interaction, hub: Hub, question: str) -> None:
    """Answer ``question`` from ``hub`` in place of the message the choice was on, and record it."""
    snapshot = hub.knowledge.current
    work = bot.think(snapshot.engine.answer, question, today=bot.today(hub))
    reply = await bot.in_time(interaction, work, ephemeral=True, edit=True)

    async def out(embed: discord.Embed, view: discord.ui.View | None) -> None:
        await update(interaction, embed=embed, view=view)

    await bot.staff.deliver(
        reply, snapshot, out, hub=hub, guild_id=interaction.guild_id, channel_id=interaction.channel_id,
        asker_id=interaction.user.id,
    )
