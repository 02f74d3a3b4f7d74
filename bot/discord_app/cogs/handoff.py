"""Staff's answers to handed-off questions: the submitted answer forms (see :mod:`bot.discord_app.handoff`).

The buttons are dynamic items registered by the bot; a form is handled here, from its ``custom_id``,
rather than kept by discord.py, so no submission is lost to a restart or to two staff answering at once.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.discord_app.client import HubBot
from bot.discord_app.handoff import answer_submitted


class Handoff(commands.Cog):
    """Answers from the hub team to questions teachers passed on."""

    def __init__(self, bot: HubBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await answer_submitted(interaction)


async def setup(bot: HubBot) -> None:
    await bot.add_cog(Handoff(bot))
