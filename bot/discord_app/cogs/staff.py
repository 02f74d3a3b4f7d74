"""Hub staff commands: ``/kb status``, ``/kb reload`` and ``/kb report`` — each of the hub that
serves the server they are run in (its staff roles, its knowledge base, its records).

``default_permissions`` only hides the group from most members in the Discord client; what keeps
everyone else out is :func:`~bot.discord_app.checks.require_staff` on every command here.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.checks import require_staff
from bot.discord_app.client import HubBot
from bot.discord_app.embeds import notice_embed
from bot.discord_app.replies import send, tell
from bot.discord_app.staff_notices import problems_text, reloaded_text, status_text, tell_staff_channel
from bot.knowledge.problems import KnowledgeError
from bot.staff.report import DEFAULT_SINCE, parse_since, report_for_discord

log = logging.getLogger(__name__)

BAD_PERIOD = (
    "I couldn't read “{since}” as a period. Use a number of hours, days or weeks such as 12h, 30d or 4w, "
    "or a start date such as 2025-09-01."
)
NO_RECORDS = "There is no report: the records database was locked when the bot started, so nothing is being recorded. See /kb status."


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Staff(commands.GroupCog, group_name="kb", group_description="Hub staff: the knowledge base in service"):
    """The knowledge base in service, for hub staff."""

    def __init__(self, bot: HubBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_staff(interaction)

    @app_commands.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """Which version of the knowledge base is in service, its entries and warnings."""
        hub = await self.bot.hub_for(interaction)
        if hub is None:
            return
        staff = self.bot.staff
        body = status_text(
            hub.knowledge.current,
            self.bot.synced_to,
            refused=hub.refused,
            watching=hub.watcher is not None,
            recording=staff.recording_text(),
            handoff=staff.handoff_text(hub),
            hub=hub if len(self.bot.hubs) > 1 else None,
        )
        await send(interaction, embed=notice_embed("Knowledge base in service", body), ephemeral=True)

    @app_commands.command(name="reload")
    async def reload(self, interaction: discord.Interaction) -> None:
        """Load the knowledge-base files again; a version with errors is never put in service."""
        hub = await self.bot.hub_for(interaction)
        if hub is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        kept = hub.knowledge.current
        try:
            before, after = await self.bot.staff.reload(hub)
        except KnowledgeError as error:
            body = problems_text(kept, error)
            log.warning("knowledge reload of hub %s refused: %d problems", hub.id, len(error.problems))
            await send(interaction, embed=notice_embed("Reload refused", body), ephemeral=True)
            await tell_staff_channel(self.bot, hub, "Knowledge-base reload refused", body)
            return
        await send(interaction, embed=notice_embed("Reloaded", reloaded_text(before, after)), ephemeral=True)

    @app_commands.command(name="report")
    @app_commands.describe(since="How far back: 12h, 30d, 4w or a start date YYYY-MM-DD (default 30d)")
    async def report(
        self, interaction: discord.Interaction, since: app_commands.Range[str, 1, 40] = DEFAULT_SINCE
    ) -> None:
        """What teachers asked that I could not answer, the answers with most 👎, counts by topic."""
        hub = await self.bot.hub_for(interaction)
        if hub is None:
            return
        now = self.bot.clock()
        try:
            parse_since(since, now)
        except (ValueError, OverflowError):  # not a period, or one reaching back before year 1
            await tell(interaction, BAD_PERIOD.format(since=discord.utils.escape_markdown(since.strip())))
            return
        if not self.bot.staff.recording:
            await tell(interaction, NO_RECORDS)
            return
        kb = hub.knowledge.current.kb
        name = hub.name if len(self.bot.hubs) > 1 else None
        work = asyncio.to_thread(report_for_discord, self.bot.staff.storage, kb, since, now, hub.id, name)
        body = await self.bot.in_time(interaction, work, ephemeral=True)
        await tell(interaction, body)


async def setup(bot: HubBot) -> None:
    await bot.add_cog(Staff(bot))
