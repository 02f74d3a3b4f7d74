"""What staff are told about the knowledge base in service: ``/kb status``, a refused or a done
reload, and posting such notices in the staff channel.

Shared by the ``/kb`` commands and the knowledge watcher, so a refused reload reads the same
whether a person or a file change caused it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.discord_app.embeds import notice_embed
from bot.discord_app.hubs import Hub, RefusedReload
from bot.discord_app.knowledge import Snapshot
from bot.discord_app.replies import NO_MENTIONS
from bot.knowledge.problems import KnowledgeError, Problem

if TYPE_CHECKING:
    from bot.discord_app.client import HubBot

log = logging.getLogger(__name__)

NO_CONTACT = (
    "⚠ **Teachers have no way to reach the hub**: hub.yaml has no email, website or phone, so every "
    "“I don't know” ends only “{line}” Add one to hub.yaml."
)
SHOWN_PROBLEMS = 15
SHOWN_WARNINGS = 5
VALIDATE = "run `python -m bot validate`"


def discord_time(moment: dt.datetime) -> str:
    """A time Discord shows in each reader's own time zone, with how long ago it was."""
    stamp = int(moment.timestamp())
    return f"<t:{stamp}:f> (<t:{stamp}:R>)"


def listed(problems: Sequence[Problem], shown: int) -> list[str]:
    """The first ``shown`` problems as bullet lines, and how many more there are."""
    lines = [f"• {problem}" for problem in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"… and {len(problems) - shown} more ({VALIDATE})")
    return lines


def status_text(
    snapshot: Snapshot,
    synced_to: list[str],
    *,
    refused: RefusedReload | None = None,
    watching: bool = False,
    recording: str | None = None,
    handoff: str | None = None,
    hub: Hub | None = None,
) -> str:
    """``/kb status``: the version in service, when it was loaded, its entries and warnings — first
    of all, when teachers are given no way to reach the hub. ``hub`` is named first (for a bot of
    several hubs).
    """
    kb = snapshot.kb
    kinds = Counter(entry.kind for entry in kb)
    historical = sum(1 for entry in kb if entry.status == "historical")
    lines = [] if kb.hub.has_contact_detail else [NO_CONTACT.format(line=kb.hub.contact_line()), ""]
    if hub is not None:
        lines.append(f"**Hub** {kb.hub.name} (id `{hub.id}`, files in `{hub.knowledge.directory}`)")
    lines += [
        f"**Version** {kb.version}, loaded {discord_time(kb.loaded_at)}",
        f"**Entries** {len(kb)} ({historical} historical): "
        + ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())),
        "**By phase** " + ", ".join(f"{phase.label} {count}" for phase, count in kb.counts_by_phase().items()),
        f"**Commands registered** {', '.join(synced_to) or 'unchanged since last start'}",
        "**Live reload** " + ("on: edits to the files are loaded by themselves" if watching else "off: use /kb reload"),
    ]
    if recording:
        lines.append(recording)
    if handoff:
        lines.append(handoff)
    if refused is not None:
        count = len(refused.problems)
        lines.append(
            f"**Last reload refused** {discord_time(refused.at)}: the files on disk have {count} "
            f"problem{'s' if count != 1 else ''}, so this version stayed in service."
        )
        lines += listed(refused.problems, SHOWN_WARNINGS)
    lines.append(f"**Warnings** {len(kb.warnings)}")
    lines += listed(kb.warnings, SHOWN_WARNINGS)
    return "\n".join(lines)


def problems_text(kept: Snapshot, error: KnowledgeError) -> str:
    """Why a reload was refused: each file, line and problem."""
    count = len(error.problems)
    lines = [
        f"The new files have {count} problem{'s' if count != 1 else ''}, so I kept version "
        f"{kept.kb.version} in service. Fix these and reload:"
    ]
    return "\n".join(lines + listed(error.problems, SHOWN_PROBLEMS))


def reloaded_text(before: Snapshot, after: Snapshot) -> str:
    return (
        f"Version {after.kb.version} is in service (was {before.kb.version}): "
        f"{len(after.kb)} entries, {len(after.kb.warnings)} warnings."
    )


async def tell_staff_channel(bot: HubBot, hub: Hub, title: str, body: str) -> bool:
    """Post a notice in ``hub``'s staff channel; False when none is set or Discord refused it (logged)."""
    channel_id = hub.settings.staff_channel_id
    if channel_id is None:
        log.info("no staff channel set for hub %s; not posted: %s", hub.id, title)
        return False
    try:
        await bot.get_partial_messageable(channel_id).send(embed=notice_embed(title, body), allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not post %r in the staff channel %s", title, channel_id, exc_info=True)
        return False
    return True
