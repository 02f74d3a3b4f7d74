"""``/help``: what the bot can do and how to ask it."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.client import HubBot
from bot.discord_app.embeds import notice_embed
from bot.discord_app.handoff import handoff_available
from bot.discord_app.replies import send

HELP = """\
I answer questions about {hub}'s professional development for maths teachers, from what the hub \
has published.

**/ask** — ask anything, e.g. “Who is the Primary Mastery Specialist programme for?”
**/programmes** — the offers for your phase, with their next deadlines
**/programme** — one programme in full (start typing its name)
**/eligibility** — am I eligible? A private check of a programme's criteria, one question at a time
**/deadlines** — upcoming and recently closed application deadlines, with a calendar file to import
You can also mention me with a question: “@{me} when do applications close?”

Answers say where they come from and when they were last checked. 👍/👎 under an answer tells \
the hub whether it helped (votes are anonymous). {cannot}"""
WITH_HANDOFF = (
    "When I can't answer, press **Ask the hub team** under my reply and I'll pass your question to the "
    "hub's staff. {contact}"
)
WITHOUT_HANDOFF = "For anything I can't answer: {contact}"


class Help(commands.Cog):
    def __init__(self, bot: HubBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """What I can answer and how to ask."""
        chosen = await self.bot.hub_for(interaction)
        if chosen is None:
            return
        hub = chosen.knowledge.current.kb.hub
        me = self.bot.user.display_name if self.bot.user else "hubbot"
        cannot = (WITH_HANDOFF if handoff_available(self.bot, chosen) else WITHOUT_HANDOFF).format(contact=hub.contact_line())
        body = HELP.format(hub=hub.name, me=me, cannot=cannot)
        await send(interaction, embed=notice_embed("How to ask me", body), ephemeral=True)


async def setup(bot: HubBot) -> None:
    await bot.add_cog(Help(bot))
