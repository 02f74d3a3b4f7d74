"""Answering questions: ``/ask``, ``@bot <question>``, direct messages, and (optionally) unprompted
answers in configured channels when the engine is confident — each from the hub the server belongs
to; a direct message that does not make the hub clear is answered once the person has chosen one.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.client import HubBot
from bot.discord_app.hub_choice import NOT_SERVED, ask_in_reply, shared_guilds
from bot.discord_app.replies import NO_MENTIONS, send_reply

log = logging.getLogger(__name__)

QUESTION_WORDS = re.compile(
    r"^(who|what|when|where|which|why|how|is|are|can|could|do|does|did|will|would|should|has|have|any)\b",
    re.IGNORECASE,
)
EMPTY_MENTION_HINT = (
    "Ask me about the hub's programmes after the mention, e.g. "
    "“@hubbot when do Mastering Number applications close?” — or use /ask, /programmes and /deadlines."
)


def looks_like_question(content: str) -> bool:
    """Whether an unaddressed message reads like a question (for the unprompted mode)."""
    content = content.strip()
    return 10 <= len(content) <= 500 and (content.endswith("?") or bool(QUESTION_WORDS.match(content)))


def strip_mentions_of(user_id: int, content: str) -> str:
    """The message text without mentions of the bot."""
    return re.sub(rf"<@!?{user_id}>", " ", content).strip()


class Answers(commands.Cog):
    """The answer engine in Discord."""

    def __init__(self, bot: HubBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask")
    @app_commands.describe(question="Your question, e.g. “When do Mastering Number applications close?”")
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 500]) -> None:
        """Ask about the hub's programmes: who they're for, costs, deadlines, how to apply."""
        hub = await self.bot.hub_for(interaction, question=question)
        if hub is None:
            return
        snapshot = hub.knowledge.current
        ephemeral = self.bot.reply_privately(interaction)
        work = self.bot.think(snapshot.engine.answer, question, today=self.bot.today(hub))
        reply = await self.bot.in_time(interaction, work, ephemeral=ephemeral)
        await send_reply(interaction, reply, snapshot, hub, ephemeral=ephemeral)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a message that mentions the bot, a direct message, or — when configured — a
        question-like message in an unprompted-answer channel.
        """
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return
        addressed = isinstance(message.channel, discord.DMChannel) or any(u.id == me.id for u in message.mentions)
        if not addressed and not (
            message.channel.id in self.bot.settings.unprompted_channel_ids and looks_like_question(message.content)
        ):
            return
        question = strip_mentions_of(me.id, message.content)
        if addressed and not self._may_reply(message):
            return
        chosen = self.bot.hubs.pick(message.guild.id if message.guild else None, message.author.id, shared_guilds(message.author))
        if chosen.hub is None:
            if addressed and chosen.unserved:
                await self._reply(message, content=NOT_SERVED)
            elif addressed:  # a direct message, with several hubs and none clear: ask which
                await ask_in_reply(self.bot, message, chosen.choices, question)
            return
        hub = chosen.hub
        if not question:
            await self._reply(message, content=EMPTY_MENTION_HINT)
            return
        snapshot = hub.knowledge.current
        reply = await self.bot.think(snapshot.engine.answer, question, today=self.bot.today(hub))
        if not addressed and (
            reply.status != "answered"
            or reply.confidence < self.bot.settings.unprompted_min_confidence
            or not self._may_reply(message)
        ):
            return

        async def out(embed: discord.Embed, view: discord.ui.View | None) -> None:
            await self._reply(message, embed=embed, view=view)

        await self.bot.staff.deliver(
            reply,
            snapshot,
            out,
            hub=hub,
            guild_id=message.guild.id if message.guild else None,
            channel_id=message.channel.id,
            asker_id=message.author.id,
            jump_url=message.jump_url if message.guild else None,
        )

    def _may_reply(self, message: discord.Message) -> bool:
        """Whether the author's limit and the server's cap on public replies allow a reply (counted).

        Over either, the bot stays silent: in a channel, silence is kinder than a "slow down" message.
        """
        limits = self.bot.limits
        if limits.asks.retry_after(message.author.id):
            log.debug("mention over the per-person limit; not answered")
            return False
        if not isinstance(message.channel, discord.DMChannel) and not limits.may_post_publicly(
            message.guild.id if message.guild else None
        ):
            log.info("server %s has had its share of public replies for now; a mention is not answered", message.guild)
            return False
        return True

    @staticmethod
    async def _reply(message: discord.Message, **content: Any) -> None:
        """A public reply to the message that pings nobody, not even its author."""
        try:
            await message.reply(**content, mention_author=False, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            log.warning("no permission to reply in channel %s of guild %s", message.channel.id, message.guild)


async def setup(bot: HubBot) -> None:
    await bot.add_cog(Answers(bot))
