"""Browsing the offers: ``/programmes phase``, ``/programme name`` and ``/deadlines [phase]``."""

from __future__ import annotations

import datetime as dt
import io

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.ext import commands

from bot.discord_app import limits
from bot.discord_app.client import HubBot
from bot.discord_app.embeds import deadlines_embed, programmes_embed, text
from bot.discord_app.hub_choice import hub_quietly
from bot.discord_app.offload import suggestions
from bot.discord_app.replies import add_candidates, send, send_reply
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Phase
from bot.lookup import NameLookup, programme_reply
from bot.reply import Reply
from bot.staff.calendar import FILENAME, calendar_bytes, calendar_deadlines

PHASE_CHOICES = [Choice(name=phase.label, value=phase.value) for phase in Phase]
def calendar_file(kb: KnowledgeBase, phase: Phase | None, now: dt.datetime) -> discord.File | None:
    """The deadlines as an ``.ics`` file to add to a calendar; None when there are none to add."""
    if not calendar_deadlines(kb, phase):
        return None
    return discord.File(io.BytesIO(calendar_bytes(kb, now=now, phase=phase)), filename=FILENAME)


class Catalogue(commands.Cog):
    """Lists of offers and deadlines, and one offer in full."""

    def __init__(self, bot: HubBot) -> None:
        self.bot = bot

    @app_commands.command(name="programmes")
    @app_commands.describe(phase="The phase you teach")
    @app_commands.choices(phase=PHASE_CHOICES)
    async def programmes(self, interaction: discord.Interaction, phase: Choice[str]) -> None:
        """The hub's programmes and support for a phase, each with its next deadline."""
        chosen = Phase(phase.value)
        hub = await self.bot.hub_for(interaction)
        if hub is None:
            return
        snapshot = hub.knowledge.current
        today = self.bot.today(hub)
        ephemeral = self.bot.reply_privately(interaction)
        work = self.bot.think(snapshot.engine.programmes_for_phase, chosen)
        entries = await self.bot.in_time(interaction, work, ephemeral=ephemeral)
        view = discord.ui.View(timeout=None)
        add_candidates(view, [(entry.id, entry.name) for entry in entries], row=0)
        await send(
            interaction,
            embed=programmes_embed(chosen, entries, today, snapshot.kb.hub),
            view=view if view.children else None,
            ephemeral=ephemeral,
        )

    @app_commands.command(name="programme")
    @app_commands.describe(name="Start typing a programme's name, e.g. Mastering Number")
    async def programme(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        """Everything about one programme: who it's for, time, cost, deadlines, how to apply."""
        hub = await self.bot.hub_for(interaction)
        if hub is None:
            return
        snapshot = hub.knowledge.current
        today = self.bot.today(hub)
        ephemeral = self.bot.reply_privately(interaction)

        def look_up() -> Reply:
            # The value is normally an entry id from autocomplete, but people can type anything:
            # an exact name opens it; otherwise "which one?" or "no programme by that name".
            return programme_reply(snapshot.engine, name, today)

        reply = await self.bot.in_time(interaction, self.bot.think(look_up), ephemeral=ephemeral)
        await send_reply(interaction, reply, snapshot, hub, ephemeral=ephemeral)

    @programme.autocomplete("name")
    async def programme_name(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        hub = hub_quietly(interaction)
        if hub is None:  # a direct message before the person chose a hub: nothing to suggest yet
            return []
        snapshot = hub.knowledge.current
        found = await suggestions(self.bot.answers, NameLookup.of(snapshot.kb).suggest, current, limits.AUTOCOMPLETE_CHOICES)
        return [Choice(name=text(entry.name, limits.CHOICE_NAME), value=entry.id) for entry in found]

    @app_commands.command(name="deadlines")
    @app_commands.describe(phase="Only this phase (default: all)")
    @app_commands.choices(phase=PHASE_CHOICES)
    async def deadlines(self, interaction: discord.Interaction, phase: Choice[str] | None = None) -> None:
        """Application deadlines: upcoming soonest first, then recently closed; with a calendar file."""
        chosen = Phase(phase.value) if phase else None
        hub = await self.bot.hub_for(interaction)
        if hub is None:
            return
        snapshot = hub.knowledge.current
        ephemeral = self.bot.reply_privately(interaction)
        today, now = self.bot.today(hub), self.bot.clock()

        def build() -> tuple[discord.Embed, discord.File | None]:
            return deadlines_embed(chosen, today, snapshot.kb), calendar_file(snapshot.kb, chosen, now)

        embed, file = await self.bot.in_time(interaction, self.bot.think(build), ephemeral=ephemeral)
        await send(interaction, embed=embed, file=file, ephemeral=ephemeral)


async def setup(bot: HubBot) -> None:
    await bot.add_cog(Catalogue(bot))
