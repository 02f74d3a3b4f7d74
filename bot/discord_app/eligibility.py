""""Am I eligible?" in Discord: the private message that asks one question at a time.

Every button of a check is a :class:`FlowButton`, a :class:`discord.ui.DynamicItem` whose
``custom_id`` carries the whole state — ``hubbot:elig:<flow>:<token>``, where ``<token>`` is the
:class:`~bot.eligibility.state.FlowState` the click leads to and ``<flow>`` names this check — so a
click is answered from the custom_id alone, even after a restart or a knowledge-base reload.

While a question waits, a :class:`QuestionView` with a timeout is live for the message; each
answer replaces it with a fresh one. When it times out, the message says so politely and its
buttons are disabled. :class:`FlowRegistry` keeps the live view of each check so that an answered
question's view is stopped and never times out over a newer question.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app import limits
from bot.discord_app.embeds import (
    eligibility_outcome_embed,
    eligibility_question_embed,
    eligibility_timeout_embed,
    notice_embed,
)
from bot.discord_app.replies import (
    NO_MENTIONS,
    EntryButton,
    click_allowed,
    clip_label,
    report_error,
    send,
    update,
)
from bot.eligibility.flow import Outcome, Question, Step, resume, short_name
from bot.eligibility.state import TOKEN_PATTERN, Answer, FlowState, StateError
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Entry

if TYPE_CHECKING:
    from bot.discord_app.client import HubBot
    from bot.discord_app.hubs import Hub

log = logging.getLogger(__name__)

PREFIX = "hubbot:elig"
FLOW_ID = r"[0-9a-f]{6}"
ANSWER_STYLES = {
    Answer.YES: discord.ButtonStyle.primary,
    Answer.NO: discord.ButtonStyle.primary,
    Answer.UNSURE: discord.ButtonStyle.secondary,
}
START_AGAIN = "Start again"
TEMPLATE = rf"{PREFIX}:(?P<flow>{FLOW_ID}):(?P<token>{TOKEN_PATTERN})"
_BUTTON_ID = re.compile(TEMPLATE)


def new_flow_id() -> str:
    """A short random name for one check, shared by all its buttons."""
    return secrets.token_hex(3)


def custom_id(flow_id: str, state: FlowState) -> str:
    return f"{PREFIX}:{flow_id}:{state.encode()}"


class FlowButton(discord.ui.DynamicItem[discord.ui.Button], template=TEMPLATE):
    """A button of a check: an answer, "Start again", or a programme to check (when a name fits several)."""

    def __init__(self, button_id: str, label: str, style: discord.ButtonStyle, row: int | None = None) -> None:
        super().__init__(discord.ui.Button(label=clip_label(label), style=style, custom_id=button_id), row=row)

    @classmethod
    def of(
        cls,
        flow_id: str,
        state: FlowState,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        row: int | None = None,
    ) -> FlowButton:
        """The button of check ``flow_id`` that leads to ``state``."""
        return cls(custom_id(flow_id, state), label, style, row)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any, /
    ) -> FlowButton:
        return cls(match.string, item.label or "", item.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        match = _BUTTON_ID.fullmatch(self.custom_id)
        assert match is not None  # the custom_id was made from the template
        await continue_check(interaction, match["flow"], match["token"])


class FlowRegistry:
    """The live question view of each check, by flow id."""

    def __init__(self) -> None:
        self._views: dict[str, QuestionView] = {}

    def replace(self, flow_id: str, view: QuestionView | None) -> None:
        """Make ``view`` the check's live view (None: the check is over), stopping the one before."""
        old = self._views.pop(flow_id, None)
        if old is not None and old is not view:
            old.stop()
        if view is not None:
            self._views[flow_id] = view

    def forget(self, flow_id: str, view: QuestionView) -> bool:
        """Drop ``view`` if it is still the live one; False if a newer question replaced it."""
        if self._views.get(flow_id) is view:
            del self._views[flow_id]
            return True
        return False

    def stop_all(self) -> None:
        for view in self._views.values():
            view.stop()
        self._views.clear()

    def __len__(self) -> int:
        return len(self._views)


class QuestionView(discord.ui.View):
    """Yes / No / Not sure for one question; times out politely when nobody answers."""

    def __init__(
        self, flow_id: str, question: Question, interaction: discord.Interaction, registry: FlowRegistry, timeout: float
    ) -> None:
        super().__init__(timeout=timeout)
        self.flow_id = flow_id
        self.question = question
        self.interaction = interaction  # its original response is the message to edit on timeout
        self.registry = registry
        for answer in Answer:
            self.add_item(FlowButton.of(flow_id, question.after(answer), answer.label, ANSWER_STYLES[answer], row=0))

    async def on_timeout(self) -> None:
        if not self.registry.forget(self.flow_id, self):
            return
        disabled = discord.ui.View(timeout=None)
        for answer in Answer:
            disabled.add_item(
                discord.ui.Button(
                    label=answer.label,
                    style=ANSWER_STYLES[answer],
                    custom_id=custom_id(self.flow_id, self.question.after(answer)),
                    disabled=True,
                )
            )
        disabled.stop()  # nothing to listen for
        embed = eligibility_timeout_embed(self.question, minutes_phrase(self.timeout or 0))
        try:
            await self.interaction.edit_original_response(embed=embed, view=disabled, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:  # e.g. the user dismissed the message
            log.info("could not close a timed-out eligibility check: %s", error)


def minutes_phrase(seconds: float) -> str:
    if seconds >= 90:
        return f"{round(seconds / 60)} minutes"
    if seconds >= 60:
        return "a minute"
    return f"{max(1, round(seconds))} seconds"


def outcome_view(flow_id: str, outcome: Outcome, kb: KnowledgeBase) -> discord.ui.View:
    """The form (and information page) as link buttons, alternatives to read about, and "Start again"."""
    view = discord.ui.View(timeout=None)
    for link in (outcome.next_step, outcome.more_information):
        if link is not None and link.url:
            view.add_item(discord.ui.Button(label=clip_label(link.label), url=link.url, style=discord.ButtonStyle.link, row=0))
    for alternative in outcome.alternatives[: limits.BUTTONS_PER_ROW]:
        entry = kb.get(alternative.entry_id)
        label = short_name(entry, limits.BUTTON_LABEL) if entry else alternative.name
        view.add_item(EntryButton(alternative.entry_id, label, row=1))
    for other in outcome.checkable:
        entry = kb.get(other.entry_id)
        if entry is not None:
            view.add_item(FlowButton.of(flow_id, FlowState.start(entry), f"Check: {short_name(entry, limits.BUTTON_LABEL - 7)}", row=2))
    if outcome.kind in ("met", "not-met", "unsure"):
        view.add_item(FlowButton.of(flow_id, outcome.state.restart(), START_AGAIN, row=2))
    return view


def step_message(
    flow_id: str, shown: Step, interaction: discord.Interaction, registry: FlowRegistry, timeout: float, kb: KnowledgeBase
) -> tuple[discord.Embed, discord.ui.View]:
    """The embed and view for a step, registering a question's view as the check's live one."""
    if isinstance(shown, Question):
        view: discord.ui.View = QuestionView(flow_id, shown, interaction, registry, timeout)
        registry.replace(flow_id, view)  # type: ignore[arg-type]
        return eligibility_question_embed(shown), view
    registry.replace(flow_id, None)
    with_url = bool(shown.next_step and shown.next_step.url)
    return eligibility_outcome_embed(shown, link_as_button=with_url), outcome_view(flow_id, shown, kb)


def choice_view(flow_id: str, entries: list[Entry]) -> discord.ui.View:
    """Buttons that each start the check of one programme (for a name that fits several)."""
    view = discord.ui.View(timeout=None)
    for entry in entries[: limits.BUTTONS_PER_ROW]:
        view.add_item(FlowButton.of(flow_id, FlowState.start(entry), short_name(entry, limits.BUTTON_LABEL), row=0))
    return view


async def show(interaction: discord.Interaction, hub: Hub, flow_id: str, shown: Step, *, edit: bool) -> None:
    """Show a step of a check of ``hub``'s programme privately: in place of the check's message
    (``edit``), else as a new message.
    """
    bot: HubBot = interaction.client  # type: ignore[assignment]
    registry = flows_of(bot)
    timeout = bot.settings.eligibility_timeout_seconds
    embed, view = step_message(flow_id, shown, interaction, registry, timeout, hub.knowledge.current.kb)
    if edit:
        await update(interaction, embed=embed, view=view)
    else:
        await send(interaction, embed=embed, view=view, ephemeral=True)


async def continue_check(interaction: discord.Interaction, flow_id: str, token: str) -> None:
    """Answer a click on a check's button: the next question or the outcome, in place.

    A click on a public message (not a check's own) starts a private check for the clicker.
    """
    bot: HubBot = interaction.client  # type: ignore[assignment]
    try:
        if not await click_allowed(interaction):
            return
        hub = await bot.hub_for(interaction)
        if hub is None:
            return
        message = interaction.message
        edit = message is not None and message.flags.ephemeral
        if not edit:
            flow_id = new_flow_id()
        snapshot = hub.knowledge.current
        try:
            shown = resume(snapshot.kb, token, bot.today(hub))
        except StateError as error:
            await stale(interaction, hub, flow_id, error, edit=edit)
            return
        await show(interaction, hub, flow_id, shown, edit=edit)
    except Exception as error:  # whatever failed, the user hears of it and it is logged
        await report_error(interaction, error)


async def stale(interaction: discord.Interaction, hub: Hub, flow_id: str, error: StateError, *, edit: bool) -> None:
    """A click on a check that can no longer continue: say why, and offer to start again."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    flows_of(bot).replace(flow_id, None)
    kb = hub.knowledge.current.kb
    entry = kb.get(error.entry_id) if error.entry_id else None
    body = (
        "The hub has updated this programme's criteria since the check started, so your answers may no "
        "longer fit the questions. Please start again."
        if entry
        else f"I can't continue this check: {error}. Run /eligibility to start a new one. {kb.hub.contact_line()}"
    )
    view = discord.ui.View(timeout=None)
    if entry:
        view.add_item(FlowButton.of(flow_id, FlowState.start(entry), START_AGAIN))
    embed = notice_embed("Am I eligible?", body)
    extra: dict[str, Any] = {"view": view} if view.children else {}
    if edit:
        await interaction.response.edit_message(embed=embed, allowed_mentions=NO_MENTIONS, **extra)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra)


COG_NAME = "Eligibility"
_UNTRACKED = FlowRegistry()


def flows_of(bot: HubBot) -> FlowRegistry:
    """The registry of live checks, kept by the eligibility cog."""
    cog = bot.get_cog(COG_NAME)
    registry = getattr(cog, "flows", None)
    return registry if isinstance(registry, FlowRegistry) else _UNTRACKED
