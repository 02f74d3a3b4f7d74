"""👍/👎 on every answer: the vote buttons, and what a click does.

The buttons are :class:`discord.ui.DynamicItem`\\s whose ``custom_id`` holds the answer id that
:class:`~bot.staff.records.Recorder` gave the reply, so a click is understood after a restart too.
Each person's first click on an answer counts (:class:`~bot.discord_app.vote_ledger.VoteLedger`,
which keeps no user id); later, stale or simultaneous clicks are told so and not counted. On a
private answer a vote also turns both buttons off; a public answer stays open to everyone else's
vote. The voter is thanked privately.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord

from bot.discord_app import limits
from bot.discord_app.replies import click_allowed, report_error, tell

if TYPE_CHECKING:
    from bot.discord_app.client import HubBot

log = logging.getLogger(__name__)

ANSWER_ID = r"[0-9a-f]{1,64}"
VOTE_TEMPLATE = rf"hubbot:vote:(?P<answer_id>{ANSWER_ID}):(?P<vote>up|down)"
VOTE_ID = re.compile(VOTE_TEMPLATE)
UP, DOWN = "👍", "👎"
THANKS = "Thanks — your {emoji} helps the hub improve these answers."
TOO_OLD = "Thanks — but this answer is too old for a vote to be recorded. Ask again to vote on a fresh one."
ALREADY = "You've already voted on this answer — thanks!"
NOT_NOW = "Thanks — but I can't save votes just now. Please try again in a few minutes."


def vote_outcome(recorded: bool | None, up: bool) -> str:
    """What the voter is told: thanks, too old (False), or not now (None: the records are unavailable)."""
    if recorded is None:
        return NOT_NOW
    return THANKS.format(emoji=UP if up else DOWN) if recorded else TOO_OLD


def vote_custom_id(answer_id: str, up: bool) -> str:
    return f"hubbot:vote:{answer_id}:{'up' if up else 'down'}"


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=VOTE_TEMPLATE):
    """👍 (``up``) or 👎 on one answer."""

    def __init__(self, answer_id: str, up: bool, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                emoji=UP if up else DOWN,
                style=discord.ButtonStyle.secondary,
                custom_id=vote_custom_id(answer_id, up),
            ),
            row=row,
        )
        self.answer_id = answer_id
        self.up = up

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> VoteButton:
        return cls(match["answer_id"], match["vote"] == "up")

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: HubBot = interaction.client  # type: ignore[assignment]
        try:
            if not await click_allowed(interaction):
                return
            if not bot.votes.first_vote(self.answer_id, interaction.user.id):  # repeated, stale or simultaneous
                await tell(interaction, ALREADY)
                return
            outcome = bot.staff.record_vote(self.answer_id, self.up)  # queued now, written after replying
            message = interaction.message
            if message is not None and message.flags.ephemeral:  # only the asker sees it: done voting
                await interaction.response.edit_message(view=voted_view(message, self.answer_id, self.up))
            recorded = await bot.in_time(interaction, outcome, ephemeral=True)
            if recorded is None:
                bot.votes.forget(self.answer_id, interaction.user.id)  # not saved: they may try again
            await tell(interaction, vote_outcome(recorded, self.up))
        except Exception as error:  # whatever failed, the user hears of it and it is logged
            await report_error(interaction, error)


def add_votes(view: discord.ui.View | None, answer_id: str) -> discord.ui.View:
    """``view`` (or a new one) with 👍/👎 for ``answer_id`` in the row after the last one used.

    The answer's own components (form buttons, candidates) take at most two rows, so there is
    always room; if there were none, the answer goes out without the vote buttons.
    """
    view = view or discord.ui.View(timeout=None)
    row = 1 + max((item.row for item in view.children if item.row is not None), default=-1)
    if row >= limits.ROWS:
        log.warning("no row left for the vote buttons of answer %s", answer_id)
        return view
    view.add_item(VoteButton(answer_id, up=True, row=row))
    view.add_item(VoteButton(answer_id, up=False, row=row))
    return view


def voted_view(message: discord.Message, answer_id: str, up: bool) -> discord.ui.View:
    """The message's components after a vote: both vote buttons off, the chosen one highlighted,
    everything else (form links, candidates) as it was.
    """
    view = discord.ui.View.from_message(message, timeout=None)
    for item in view.children:
        if not isinstance(item, discord.ui.Button) or item.custom_id is None:
            continue
        match = VOTE_ID.fullmatch(item.custom_id)
        if match is None or match["answer_id"] != answer_id:
            continue
        item.disabled = True
        if (match["vote"] == "up") == up:
            item.style = discord.ButtonStyle.primary
    # A stopped view is sent but not kept by discord.py: the dynamic items already handle clicks.
    view.stop()
    return view

