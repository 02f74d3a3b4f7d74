"""``/eligibility programme``: a private, step-by-step check of a programme's published criteria."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.ext import commands

from bot.discord_app import limits
from bot.discord_app.client import HubBot
from bot.discord_app.eligibility import (
    COG_NAME,
    FlowButton,
    FlowRegistry,
    choice_view,
    new_flow_id,
    show,
)
from bot.discord_app.embeds import notice_embed, text
from bot.discord_app.hub_choice import hub_quietly
from bot.discord_app.offload import suggestions
from bot.discord_app.replies import send, tell
from bot.eligibility.flow import has_checks, named, start
from bot.knowledge.schema import Entry
from bot.lookup import NameLookup, near_miss_line

UNKNOWN = "I don't know a programme by that name. Start typing and pick one of the suggestions."


def checks_first(found: list[Entry]) -> list[Entry]:
    """Current offers only; with nothing typed, those with a step-by-step check first."""
    current = [entry for entry in found if entry.status == "current"]
    return sorted(current, key=lambda entry: not has_checks(entry))


class Eligibility(commands.Cog, name=COG_NAME):
    """Am I eligible? One question at a time, privately."""

    def __init__(self, bot: HubBot) -> None:
        self.bot = bot
        self.flows = FlowRegistry()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(FlowButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(FlowButton)
        self.flows.stop_all()

    @app_commands.command(name="eligibility")
    @app_commands.describe(programme="Start typing a programme's name, e.g. EEF trial or Mastering Number at KS2")
    async def eligibility(self, interaction: discord.Interaction, programme: app_commands.Range[str, 1, 100]) -> None:
        """Am I eligible? A private check of a programme's criteria, one question at a time."""
        hub = await self.bot.hub_for(interaction)
        if hub is None:
            return
        kb = hub.knowledge.current.kb
        # The value is normally an entry id from autocomplete, but people can type anything.
        entry = named(kb, programme)
        if entry is None:
            lookup = NameLookup.of(kb)
            matches = await self.bot.in_time(interaction, self.bot.think(lookup.matches, programme), ephemeral=True)
            found = [e for e in matches if e.status == "current"][:5]
            if not found:
                await tell(interaction, f"{UNKNOWN} {near_miss_line(lookup.near_misses(programme))}".strip())
                return
            if len(found) > 1:
                await self._ask_which(interaction, found)
                return
            entry = found[0]
        await show(interaction, hub, new_flow_id(), start(kb, entry.id, self.bot.today(hub)), edit=False)

    @eligibility.autocomplete("programme")
    async def programme_name(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        hub = hub_quietly(interaction)
        if hub is None:  # a direct message before the person chose a hub: nothing to suggest yet
            return []
        snapshot = hub.knowledge.current
        if current.strip():
            lookup = NameLookup.of(snapshot.kb)

            def current_suggestions(typed: str, count: int) -> list[Entry]:
                return lookup.suggest(typed, count, current_only=True)

            found = await suggestions(self.bot.answers, current_suggestions, current, limits.AUTOCOMPLETE_CHOICES)
        else:
            found = checks_first(sorted(snapshot.kb.current_entries(), key=lambda e: e.name))
        return [
            Choice(name=text(entry.name, limits.CHOICE_NAME), value=entry.id)
            for entry in found[: limits.AUTOCOMPLETE_CHOICES]
        ]

    async def _ask_which(self, interaction: discord.Interaction, found: list[Entry]) -> None:
        flow_id = new_flow_id()
        names = "\n".join(f"• {entry.name}" for entry in found)
        embed = notice_embed("Am I eligible?", f"Which programme do you mean?\n{names}")
        view = choice_view(flow_id, found)
        await send(interaction, embed=embed, view=view, ephemeral=True)


async def setup(bot: HubBot) -> None:
    await bot.add_cog(Eligibility(bot))
