"""Checks on who may run a command (staff roles, the rate limit), and the one handler for every
slash-command error.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.discord_app.replies import cooldown_message, report_error, tell

if TYPE_CHECKING:
    from bot.discord_app.client import HubBot

log = logging.getLogger(__name__)


class NotStaff(app_commands.CheckFailure):
    """The user does not hold a staff role of the hub that serves this server."""


def is_staff(interaction: discord.Interaction) -> bool:
    """Whether the user holds one of the staff roles of the hub serving this server."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    hub = bot.hubs.for_guild(interaction.guild_id)
    member = interaction.user
    if hub is None or not isinstance(member, discord.Member):
        return False
    return hub.has_staff_role(role.id for role in member.roles)


def require_staff(interaction: discord.Interaction) -> bool:
    """A check for staff-only commands; raises :class:`NotStaff` for everyone else."""
    if not is_staff(interaction):
        raise NotStaff("hub staff only")
    return True


class HubTree(app_commands.CommandTree):
    """The bot's command tree: every slash command, staff ones included, passes the per-person
    limit first (one check for all, so no command can forget it). Autocomplete is not limited: it
    only suggests.
    """

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.type is not discord.InteractionType.application_command:
            return True
        bot: HubBot = interaction.client  # type: ignore[assignment]
        wait = bot.limits.asks.retry_after(interaction.user.id)
        if wait:
            await tell(interaction, cooldown_message(wait))
            return False
        return True


async def on_app_command_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """The tree-wide error handler: a private, plain answer to the user; a log for the unexpected."""
    if isinstance(error, NotStaff):
        log.info("refused %s to a non-staff user", interaction.command and interaction.command.qualified_name)
        await tell(interaction, "This command is for hub staff only.")
    elif isinstance(error, app_commands.CommandOnCooldown):
        await tell(interaction, cooldown_message(error.retry_after))
    elif isinstance(error, app_commands.NoPrivateMessage):
        await tell(interaction, "This command works only in a server.")
    elif isinstance(error, app_commands.CheckFailure):
        await tell(interaction, "You can't use this command here.")
    elif isinstance(error, app_commands.TransformerError):
        await tell(interaction, "I couldn't read that value — please pick one of the suggestions.")
    else:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await report_error(interaction, original)
