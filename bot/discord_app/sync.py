"""Registering the slash commands with Discord at start.

With guilds configured the commands are registered in each of them (they show at once). With
none, they are registered globally, but only when the command set differs from what was last
registered for this application: a hash of the payload is kept in a small JSON state file, so
restarts do not spend Discord's daily command-registration budget.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import discord
from discord import app_commands

log = logging.getLogger(__name__)


def command_digest(tree: app_commands.CommandTree) -> str:
    """A hash of the global command set exactly as it would be sent to Discord."""
    payload = sorted((command.to_dict(tree) for command in tree.get_commands()), key=lambda c: c["name"])
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _read_state(path: Path) -> dict[str, str]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("ignoring unreadable command-sync state file %s", path)
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(path: Path, state: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


async def sync_commands(
    tree: app_commands.CommandTree, application_id: int, guild_ids: list[int], state_file: Path
) -> list[str]:
    """Register the commands; returns where they were registered ('global', or guild ids)."""
    if guild_ids:
        done = []
        for guild_id in guild_ids:
            guild = discord.Object(guild_id)
            tree.copy_global_to(guild=guild)
            try:
                synced = await tree.sync(guild=guild)
            except discord.Forbidden:
                log.error(
                    "Discord refused the commands for guild %s: is the bot in that server, invited with the "
                    "applications.commands scope? (OAuth2 → URL Generator: bot + applications.commands)",
                    guild_id,
                )
                continue
            log.info("registered %d commands in guild %s", len(synced), guild_id)
            done.append(str(guild_id))
        return done

    digest = command_digest(tree)
    state = _read_state(state_file)
    key = str(application_id)
    if state.get(key) == digest:
        log.info("global commands unchanged since the last registration; not registering again")
        return []
    synced = await tree.sync()
    _write_state(state_file, {**state, key: digest})
    log.info("registered %d global commands (Discord may take a while to show changes)", len(synced))
    return ["global"]
