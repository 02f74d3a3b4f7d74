"""Hub staff commands: ``/kb status`` and ``/kb reload``.

``default_permissions`` only hides the group from most members in the Discord client; what keeps
everyone else out is :func:`~bot.discord_app.checks.require_staff` on every command here.
"""

from __future__ import annotations

import logging
from collections import Counter

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.checks import require_staff
from bot.discord_app.client import HubBot
from bot.discord_app.embeds import notice_embed
from bot.discord_app.knowledge import Snapshot
from bot.discord_app.replies import NO_MENTIONS, send
from bot.knowledge.problems import KnowledgeError

log = logging.getLogger(__name__)
SHOWN_PROBLEMS = 15


def status_text(snapshot: Snapshot, synced_to: list[str]) -> str:
    kb = snapshot.kb
    kinds = Counter(entry.kind for entry in kb)
    lines = [
        f"**Version** {kb.version}, loaded {kb.loaded_at:%Y-%m-%d %H:%M %Z}".rstrip(),
        f"**Entries** {len(kb)}: " + ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())),
        "**By phase** " + ", ".join(f"{phase.label} {count}" for phase, count in kb.counts_by_phase().items()),
        f"**Commands registered** {', '.join(synced_to) or 'unchanged since last start'}",
        f"**Warnings** {len(kb.warnings)}",
    ]
    lines += [f"• {problem}" for problem in kb.warnings[:SHOWN_PROBLEMS]]
    if len(kb.warnings) > SHOWN_PROBLEMS:
        lines.append(f"… and {len(kb.warnings) - SHOWN_PROBLEMS} more (run `python -m bot validate`)")
    return "\n".join(lines)


def problems_text(kept: Snapshot, error: KnowledgeError) -> str:
    count = len(error.problems)
    lines = [
        f"The new files have {count} problem{'s' if count != 1 else ''}, so I kept version "
        f"{kept.kb.version} in service. Fix these and reload:"
    ]
    lines += [f"• {problem}" for problem in error.problems[:SHOWN_PROBLEMS]]
    if count > SHOWN_PROBLEMS:
        lines.append(f"… and {count - SHOWN_PROBLEMS} more (run `python -m bot validate`)")
    return "\n".join(lines)


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
        body = status_text(self.bot.knowledge.current, self.bot.synced_to)
        await send(interaction, embed=notice_embed("Knowledge base in service", body), ephemeral=True)

    @app_commands.command(name="reload")
    async def reload(self, interaction: discord.Interaction) -> None:
        """Load the knowledge-base files again; a version with errors is never put in service."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        before = self.bot.knowledge.current
        try:
            after = await self.bot.knowledge.reload()
        except KnowledgeError as error:
            body = problems_text(before, error)
            log.warning("knowledge reload refused: %d problems", len(error.problems))
            await send(interaction, embed=notice_embed("Reload refused", body), ephemeral=True)
            await self._tell_staff_channel("Knowledge-base reload refused", body)
            return
        body = (
            f"Version {after.kb.version} is in service (was {before.kb.version}): "
            f"{len(after.kb)} entries, {len(after.kb.warnings)} warnings."
        )
        await send(interaction, embed=notice_embed("Reloaded", body), ephemeral=True)

    async def _tell_staff_channel(self, title: str, body: str) -> None:
        channel_id = self.bot.settings.staff_channel_id
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if isinstance(channel, discord.abc.Messageable):
            await channel.send(embed=notice_embed(title, body), allowed_mentions=NO_MENTIONS)


async def setup(bot: HubBot) -> None:
    await bot.add_cog(Staff(bot))
