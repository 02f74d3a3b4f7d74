"""Sending a :class:`~bot.reply.Reply` to Discord: the embed, link buttons for forms, and the
candidate buttons or select of a clarifying reply that answer when chosen.

Candidate components are :class:`discord.ui.DynamicItem`\\s whose ``custom_id`` names the entry,
so they keep working after a restart and need no per-message state.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app import limits
from bot.discord_app.embeds import reply_embed, text
from bot.discord_app.knowledge import Snapshot
from bot.reply import Reply

if TYPE_CHECKING:
    from bot.discord_app.client import HubBot
    from bot.discord_app.hubs import Hub

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
ENTRY_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
PICK_ID = "hubbot:pick"


def build_message(reply: Reply, snapshot: Snapshot) -> tuple[discord.Embed, discord.ui.View | None]:
    """The embed and the components (form buttons, candidates) for a reply."""
    view = discord.ui.View(timeout=None)
    with_url = [link for link in reply.links if link.url]
    shown = with_url[: limits.BUTTONS_PER_ROW]
    for link in shown:
        view.add_item(
            discord.ui.Button(label=clip_label(link.label), url=link.url, style=discord.ButtonStyle.link, row=0)
        )
    # Links with a url that did not fit as buttons, and links without one, go in the embed.
    listed = tuple(link for link in reply.links if link not in shown)
    if reply.status == "clarify":
        add_candidates(view, [(c.entry_id, c.name) for c in reply.candidates], row=1 if shown else 0)
    check = eligibility_button(reply, snapshot, row=0 if len(shown) < limits.BUTTONS_PER_ROW else 1)
    if check is not None:
        view.add_item(check)
    embed = reply_embed(replace(reply, links=listed), snapshot.kb.hub)
    return embed, (view if view.children else None)


CHECK_INTENTS = frozenset({"eligibility", "who_for"})
CHECK_LABEL = "Am I eligible? Check step by step"


def eligibility_button(reply: Reply, snapshot: Snapshot, row: int) -> discord.ui.Item[Any] | None:
    """For an answer about who can take part in an offer with structured criteria, a button that
    starts the private step-by-step check (`/eligibility`) for whoever clicks it.
    """
    if reply.status != "answered" or reply.intent not in CHECK_INTENTS or not reply.topics:
        return None
    entry = snapshot.kb.get(reply.topics[0])
    if entry is None or entry.status != "current":
        return None
    from bot.discord_app.eligibility import FlowButton, new_flow_id  # the check's module imports this one
    from bot.eligibility.flow import has_checks
    from bot.eligibility.state import FlowState

    if not has_checks(entry):
        return None
    return FlowButton.of(new_flow_id(), FlowState.start(entry), CHECK_LABEL, row=row)


def clip_label(label: str) -> str:
    return text(label, limits.BUTTON_LABEL)


def add_candidates(view: discord.ui.View, options: list[tuple[str, str]], row: int) -> None:
    """Offer ``(entry_id, name)`` options to choose from: a row of buttons for a few, a select for more."""
    options = options[: limits.SELECT_OPTIONS]
    if not options:
        return
    if len(options) <= limits.BUTTONS_PER_ROW:
        for entry_id, name in options:
            view.add_item(EntryButton(entry_id, name, row=row))
    else:
        view.add_item(EntrySelect.of(options, row=row))


class EntryButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"hubbot:entry:(?P<entry_id>{ENTRY_ID})"):
    """A button that answers about one entry when clicked."""

    def __init__(self, entry_id: str, label: str, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip_label(label),
                style=discord.ButtonStyle.secondary,
                custom_id=f"hubbot:entry:{entry_id}",
            ),
            row=row,
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any, /
    ) -> EntryButton:
        return cls(match["entry_id"], item.label or match["entry_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_chosen_entry(interaction, self.entry_id)


class EntrySelect(discord.ui.DynamicItem[discord.ui.Select], template=PICK_ID):
    """A select of entries that answers about the one chosen."""

    @classmethod
    def of(cls, options: list[tuple[str, str]], row: int | None = None) -> EntrySelect:
        """A select offering ``(entry_id, name)`` options."""
        return cls(
            discord.ui.Select(
                custom_id=PICK_ID,
                placeholder="Choose one for details",
                options=[
                    discord.SelectOption(label=text(name, limits.SELECT_OPTION_TEXT), value=entry_id)
                    for entry_id, name in options
                ],
                row=row,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: Any, /
    ) -> EntrySelect:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_chosen_entry(interaction, self.item.values[0])


async def answer_chosen_entry(interaction: discord.Interaction, entry_id: str) -> None:
    """Answer a click on a candidate: in place of a private message, else privately to the clicker."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    try:
        wait = bot.limits.asks.retry_after(interaction.user.id)
        if wait:
            await tell(interaction, cooldown_message(wait))
            return
        hub = await bot.hub_for(interaction)
        if hub is None:
            return
        snapshot = hub.knowledge.current
        message = interaction.message
        in_place = message is not None and message.flags.ephemeral
        work = bot.think(snapshot.engine.describe, entry_id, bot.today(hub))
        reply = await bot.in_time(interaction, work, ephemeral=True, edit=in_place)
        if reply is None:
            await tell(interaction, f"I no longer have that in my knowledge base. {snapshot.kb.hub.contact_line()}")
            return

        async def out(embed: discord.Embed, view: discord.ui.View | None) -> None:
            if in_place:
                await update(interaction, embed=embed, view=view)
            else:
                await send(interaction, embed=embed, view=view, ephemeral=True)

        await bot.staff.deliver(
            reply, snapshot, out, hub=hub, guild_id=interaction.guild_id, channel_id=interaction.channel_id,
            asker_id=interaction.user.id,
        )
    except Exception as error:  # whatever failed, the user hears of it and it is logged
        await report_error(interaction, error)


async def send_reply(
    interaction: discord.Interaction, reply: Reply, snapshot: Snapshot, hub: Hub, *, ephemeral: bool
) -> None:
    """Respond to a slash command (or follow up a deferred one) with ``hub``'s reply with 👍/👎 (and,
    when the bot could not answer outright, "Ask the hub team"), then record it.
    """
    bot: HubBot = interaction.client  # type: ignore[assignment]

    async def out(embed: discord.Embed, view: discord.ui.View | None) -> None:
        await send(interaction, embed=embed, view=view, ephemeral=ephemeral)

    await bot.staff.deliver(
        reply, snapshot, out, hub=hub, guild_id=interaction.guild_id, channel_id=interaction.channel_id,
        asker_id=interaction.user.id,
    )


async def update(interaction: discord.Interaction, *, embed: discord.Embed, view: discord.ui.View | None) -> None:
    """Replace the message a component is on, whether or not the click was acknowledged yet."""
    if interaction.response.is_done():
        await interaction.edit_original_response(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


async def send(
    interaction: discord.Interaction,
    *,
    embed: discord.Embed,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    ephemeral: bool,
) -> None:
    """Respond, or follow up when the response was already used (e.g. deferred)."""
    extra: dict[str, Any] = {"view": view} if view is not None else {}
    if file is not None:
        extra["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(embed=embed, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, **extra)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, **extra)


def cooldown_message(wait: float) -> str:
    return f"You're asking quickly — please try again in {max(1, round(wait))} s."


async def tell(interaction: discord.Interaction, message: str) -> None:
    """Say something privately to the user, whether or not the interaction was answered yet."""
    message = text(message, limits.CONTENT)
    if interaction.response.is_done():
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(message, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def click_allowed(interaction: discord.Interaction) -> bool:
    """The per-person click limit, for every button and select; tells the user when they must wait."""
    wait = interaction.client.limits.clicks.retry_after(interaction.user.id)  # type: ignore[attr-defined]
    if wait:
        await tell(interaction, cooldown_message(wait))
        return False
    return True


SORRY = "Sorry, something went wrong on my side. Please try again, or contact the hub if it keeps happening."


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Log an unexpected failure and tell the user privately; never raises."""
    log.error(
        "failed to answer %s interaction %s in guild %s",
        interaction.type.name,
        getattr(interaction.command, "qualified_name", None) or (interaction.data or {}).get("custom_id"),
        interaction.guild_id,
        exc_info=error,
    )
    try:
        await tell(interaction, SORRY)
    except discord.HTTPException:
        log.warning("could not tell the user about the failure", exc_info=True)
