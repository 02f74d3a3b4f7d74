""""Ask the hub team": passing a question the bot could not answer to staff, and staff's answer back.

On an ``unknown`` or ``clarify`` reply, where a staff channel is set, the asker gets a
:class:`HandoffButton`. Their click posts the question in the staff channel:

* asked **in a channel** (a mention, or a public ``/ask``), with a link to the message — staff
  answer there and press :class:`MarkAnsweredButton`;
* asked **privately** (a private ``/ask``, a direct message), with a :class:`StaffReplyButton`
  that opens a form; the bot delivers staff's answer to the teacher privately, as a followup of
  the teacher's click while Discord still accepts one, else as a direct message, and says so
  plainly in the staff channel when it cannot.

Every button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` carries the reply's answer
id; who asked lives only in the :class:`~bot.staff.handoffs.HandoffDesk` in memory, so after a
restart a Reply says the teacher can no longer be reached. The records note the hand-off and
when it is closed (:class:`~bot.discord_app.staff_wiring.StaffServices`), never who asked.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app import limits
from bot.discord_app.checks import is_staff
from bot.discord_app.embeds import notice_embed, text
from bot.discord_app.replies import NO_MENTIONS, click_allowed, cooldown_message, report_error, send, tell
from bot.discord_app.staff_notices import discord_time
from bot.staff.handoffs import Claim, Offer, Waiting

if TYPE_CHECKING:
    from bot.discord_app.client import HubBot
    from bot.discord_app.hubs import Hub

log = logging.getLogger(__name__)

HANDOFF_ID = r"[0-9a-f]{1,64}"
ASK_TEMPLATE = rf"hubbot:handoff:(?P<handoff_id>{HANDOFF_ID})"
REPLY_TEMPLATE = rf"hubbot:handoff-reply:(?P<handoff_id>{HANDOFF_ID})"
DONE_TEMPLATE = rf"hubbot:handoff-done:(?P<handoff_id>{HANDOFF_ID})"
ANSWER_FORM = re.compile(rf"hubbot:handoff-answer:(?P<handoff_id>{HANDOFF_ID})")
ASK_ID = re.compile(ASK_TEMPLATE)

ASK_LABEL = "Ask the hub team"
PASSED_LABEL = "Passed to the hub team"
POST_TITLE = "Question for the hub team"
ANSWER_FIELD = "answer"

# What the teacher is told.
PASSED_PRIVATELY = (
    "Thanks — I've passed your question to the hub team. When someone answers, I'll send it to you "
    "privately: here, or as a direct message if it takes a while. They see your question, not your name."
)
PASSED_PUBLICLY = (
    "Thanks — I've passed your question to the hub team with a link to your message, so someone can "
    "answer you there."
)
NOT_SET_UP = "Staff hand-off isn't set up here, so I can't pass this on."
FORGOTTEN = (
    "I can't pass this question on any more: it was asked too long ago, or before I restarted. "
    "Please ask again and use the button on the new reply."
)
NOT_YOURS = (
    "Only the person who asked can pass this question to the hub team. If you'd like to ask it too, "
    "ask me yourself and use the button on your reply."
)
ALREADY_PASSED = "This question has already been passed to the hub team — they'll answer it."
NOT_REACHED = "Sorry — I couldn't reach the hub team just now. Please try again in a few minutes."

# What staff are told.
STAFF_ONLY = "Only hub staff can answer handed-off questions."
EMPTY_ANSWER = "Your answer was empty, so nothing was sent."
UNREACHABLE = (
    "I can no longer reach the teacher who asked this: who asked is kept only in my memory, and I have "
    "restarted since (or it was more than {hours} hours ago). It no longer counts as open in the report."
)
NOT_SENT_TITLE = "Your answer was not sent"
NOT_DELIVERED = (
    "⚠ I couldn't deliver the answer to “{question}”: {reason}. The question stays open: try Reply "
    "again later."
)


def handoff_custom_id(handoff_id: str) -> str:
    return f"hubbot:handoff:{handoff_id}"


def answer_form_id(handoff_id: str) -> str:
    return f"hubbot:handoff-answer:{handoff_id}"


def handoff_available(bot: HubBot, hub: Hub) -> bool:
    """Whether questions can be passed to ``hub``'s team (it has a staff channel; hand-off is on)."""
    return bot.settings.staff_handoff and hub.settings.staff_channel_id is not None


def add_handoff_button(view: discord.ui.View, handoff_id: str) -> discord.ui.View:
    """``view`` with "Ask the hub team" in its last row (beside 👍/👎), or the next row if that is full."""
    rows = [item.row for item in view.children if item.row is not None]
    row = max(rows, default=0)
    if sum(1 for r in rows if r == row) >= limits.BUTTONS_PER_ROW:
        row += 1
    if row >= limits.ROWS:
        log.warning("no row left for the hand-off button of answer %s", handoff_id)
        return view
    view.add_item(HandoffButton(handoff_id, row=row))
    return view


# ----- the teacher's button -------------------------------------------------------------------------
class HandoffButton(discord.ui.DynamicItem[discord.ui.Button], template=ASK_TEMPLATE):
    """"Ask the hub team" on one reply."""

    def __init__(self, handoff_id: str, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=ASK_LABEL, style=discord.ButtonStyle.primary, custom_id=handoff_custom_id(handoff_id)
            ),
            row=row,
        )
        self.handoff_id = handoff_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> HandoffButton:
        return cls(match["handoff_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await pass_to_staff(interaction, self.handoff_id)


@dataclass(frozen=True)
class Recipient:
    """Where staff's answer to a private hand-off goes: the teacher's click (whose followups Discord
    accepts for a while) and, after that, a direct message to them. In memory only.
    """

    user_id: int
    interaction: discord.Interaction
    clicked_at: float  # time.monotonic()


async def pass_to_staff(interaction: discord.Interaction, handoff_id: str) -> None:
    """The teacher's click: post the question in the staff channel (once), then confirm privately."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    try:
        wait = bot.limits.asks.retry_after(interaction.user.id)
        if wait:
            await tell(interaction, cooldown_message(wait))
            return
        # The hub whose team it goes to: the server's; in a direct message, the one that answered.
        team = bot.hubs.for_guild(interaction.guild_id)
        if team is not None and not handoff_available(bot, team):
            await tell(interaction, f"{NOT_SET_UP} {team.knowledge.current.kb.hub.contact_line()}")
            return
        desk = bot.staff.handoffs
        claim, offer = desk.claim(handoff_id, interaction.user.id)
        if claim is not Claim.CLAIMED or offer is None:
            await tell(interaction, {Claim.UNKNOWN: FORGOTTEN, Claim.NOT_ASKER: NOT_YOURS}.get(claim, ALREADY_PASSED))
            return
        team = team or bot.hubs.get(offer.hub_id)
        if team is None or not handoff_available(bot, team):
            desk.release(handoff_id)
            await tell(interaction, NOT_SET_UP)
            return
        hub = team.knowledge.current.kb.hub
        clicked_at = time.monotonic()
        message = interaction.message
        private = interaction.guild_id is None or (message is not None and message.flags.ephemeral)
        jump_url = None if private else offer.jump_url or (message.jump_url if message else None)
        where = asked_where(interaction, private)
        try:
            posted = await bot.in_time(
                interaction, post_question(bot, team, offer, where, jump_url), ephemeral=True, edit=True
            )
        except BaseException:
            desk.release(handoff_id)
            raise
        if not posted:
            desk.release(handoff_id)
            await tell(interaction, NOT_REACHED)
            return
        desk.passed(handoff_id, Recipient(interaction.user.id, interaction, clicked_at) if private else None)
        bot.staff.record_handoff(handoff_id)
        if message is not None:
            await show_passed(interaction, message, handoff_id)
        confirmation = PASSED_PRIVATELY if private else PASSED_PUBLICLY
        if hub.has_contact_detail:
            confirmation += f" You can also reach them yourself: {hub.contact_line()}"
        await tell(interaction, confirmation)
    except Exception as error:  # whatever failed, the user hears of it and it is logged
        await report_error(interaction, error)


def asked_where(interaction: discord.Interaction, private: bool) -> str:
    """Where the question was asked, as staff read it (never who asked)."""
    if interaction.guild_id is None:
        return "Asked in a direct message to the bot."
    channel = f"<#{interaction.channel_id}>"
    return f"Asked privately (only they saw my reply) in {channel}." if private else f"Asked in {channel}."


async def post_question(bot: HubBot, hub: Hub, offer: Offer, where: str, jump_url: str | None) -> bool:
    """Post the question in ``hub``'s staff channel; False (logged) when Discord refuses it."""
    channel_id = hub.settings.staff_channel_id
    assert channel_id is not None  # checked by the caller
    embed, view = staff_post(offer, where, jump_url, handed_off=bot.clock())
    try:
        await bot.get_partial_messageable(channel_id).send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not post a hand-off in the staff channel %s", channel_id, exc_info=True)
        return False
    return True


def staff_post(
    offer: Offer, where: str, jump_url: str | None, *, handed_off: dt.datetime
) -> tuple[discord.Embed, discord.ui.View]:
    """The staff-channel post of a hand-off: the question, where it was asked, what I replied, and
    either the link and "Mark answered" (asked in a channel) or "Reply" (asked privately).
    """
    how = (
        "Answer them there, then press **Mark answered**."
        if jump_url
        else "Press **Reply** to answer: I'll send your answer to them privately."
    )
    embed = discord.Embed(
        title=POST_TITLE,
        description=text(f"“{quoted(offer.question)}”\n\n{where} {how}", limits.EMBED_DESCRIPTION),
        colour=discord.Colour.gold(),
    )
    if offer.bot_said:
        embed.add_field(name="I replied", value=text(offer.bot_said, limits.FIELD_VALUE), inline=False)
    embed.add_field(name="Handed off", value=discord_time(handed_off), inline=False)
    view = discord.ui.View(timeout=None)
    if jump_url:
        view.add_item(discord.ui.Button(label="Go to the question", url=jump_url, style=discord.ButtonStyle.link))
        view.add_item(MarkAnsweredButton(offer.handoff_id))
    else:
        view.add_item(StaffReplyButton(offer.handoff_id))
    return embed, view


def quoted(question: str) -> str:
    """A teacher's question shown as they wrote it: no formatting, no pings, on one line."""
    return discord.utils.escape_markdown(" ".join(question.split()))


async def show_passed(interaction: discord.Interaction, message: discord.Message, handoff_id: str) -> None:
    """Turn the clicked button into a disabled "Passed to the hub team"; the rest stays as it was."""
    view = discord.ui.View.from_message(message, timeout=None)
    for item in view.children:
        if isinstance(item, discord.ui.Button) and item.custom_id == handoff_custom_id(handoff_id):
            item.label, item.disabled = PASSED_LABEL, True
    view.stop()  # sent, not kept: the dynamic items already handle clicks
    if interaction.response.is_done():
        await interaction.edit_original_response(view=view, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.edit_message(view=view, allowed_mentions=NO_MENTIONS)


# ----- staff's buttons and form ----------------------------------------------------------------------
class StaffReplyButton(discord.ui.DynamicItem[discord.ui.Button], template=REPLY_TEMPLATE):
    """"Reply" on the staff post of a private hand-off: opens the answer form."""

    def __init__(self, handoff_id: str, label: str = "Reply", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"hubbot:handoff-reply:{handoff_id}",
                disabled=disabled,
            )
        )
        self.handoff_id = handoff_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> StaffReplyButton:
        return cls(match["handoff_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await open_answer_form(interaction, self.handoff_id)


class MarkAnsweredButton(discord.ui.DynamicItem[discord.ui.Button], template=DONE_TEMPLATE):
    """"Mark answered" on the staff post of a hand-off asked in a channel."""

    def __init__(self, handoff_id: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Mark answered",
                style=discord.ButtonStyle.success,
                custom_id=f"hubbot:handoff-done:{handoff_id}",
                disabled=disabled,
            )
        )
        self.handoff_id = handoff_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> MarkAnsweredButton:
        return cls(match["handoff_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await mark_answered(interaction, self.handoff_id)


class AnswerForm(discord.ui.Modal):
    """The form staff write their answer in. It is sent but never kept by discord.py (it is stopped
    first): :func:`answer_submitted` handles every submission from its ``custom_id``, so two staff
    answering at once, or a form open across a restart, never lose what was typed.
    """

    def __init__(self, handoff_id: str, question: str) -> None:
        super().__init__(title="Answer the teacher", custom_id=answer_form_id(handoff_id))
        self.add_item(
            discord.ui.TextInput(
                label="Your answer (sent to them privately)",
                style=discord.TextStyle.paragraph,
                custom_id=ANSWER_FIELD,
                placeholder=limits.clip(question, limits.PLACEHOLDER),
                max_length=limits.TEXT_INPUT,
            )
        )
        self.stop()


async def staff_may_act(interaction: discord.Interaction) -> bool:
    """The per-person click limit and a real staff-role check; tells the user when not."""
    if not await click_allowed(interaction):
        return False
    if not is_staff(interaction):
        await tell(interaction, STAFF_ONLY)
        return False
    return True


async def open_answer_form(interaction: discord.Interaction, handoff_id: str) -> None:
    """Staff's "Reply": the answer form, or — when the teacher is forgotten — say so on the post."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    try:
        if not await staff_may_act(interaction):
            return
        waiting = bot.staff.handoffs.waiting(handoff_id)
        if waiting is None:
            await close_unreachable(interaction, handoff_id)
            return
        await interaction.response.send_modal(AnswerForm(handoff_id, waiting.offer.question))
    except Exception as error:
        await report_error(interaction, error)


async def close_unreachable(interaction: discord.Interaction, handoff_id: str) -> None:
    """The teacher is forgotten: say so on the staff post, turn Reply off, close it in the records."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    bot.staff.close_handoff(handoff_id, "unreachable")
    hours = f"{bot.settings.handoff_memory_hours:g}"
    embed = noted(interaction.message, "Can't be answered through the bot", UNREACHABLE.format(hours=hours))
    view = discord.ui.View(timeout=None)
    view.add_item(StaffReplyButton(handoff_id, disabled=True))
    view.stop()
    await edit_post(interaction, embed, view)


def noted(message: discord.Message | None, name: str, value: str) -> discord.Embed:
    """The staff post's embed with one more field (the oldest notes go first if there is no room).

    ``value`` may mention staff (it renders as their name and pings nobody); text anyone typed in
    it must be passed through :func:`typed` first.
    """
    embeds = message.embeds if message is not None else []
    embed = embeds[0].copy() if embeds else discord.Embed(title=POST_TITLE)
    while len(embed.fields) >= limits.EMBED_FIELDS or (embed.fields and len(embed) + len(name) + len(value) > limits.EMBED_TOTAL):
        embed.remove_field(2 if len(embed.fields) > 2 else 0)
    embed.add_field(name=text(name, limits.FIELD_NAME), value=limits.clip(value, limits.FIELD_VALUE), inline=False)
    return embed


def typed(answer: str) -> str:
    """Text staff typed, made safe to show in an embed field beside a mention."""
    return discord.utils.escape_mentions(answer)


async def edit_post(interaction: discord.Interaction, embed: discord.Embed, view: discord.ui.View) -> None:
    """Edit the staff post the button or form was on, whether or not the interaction was acknowledged."""
    if interaction.response.is_done():
        await interaction.edit_original_response(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


def form_value(data: Any, custom_id: str) -> str:
    """A text input's value in a submitted form (components in action rows or labels)."""
    stack = list((data or {}).get("components") or [])
    while stack:
        component = stack.pop(0)
        if component.get("custom_id") == custom_id and "value" in component:
            return str(component["value"])
        stack += component.get("components") or []
        if "component" in component:
            stack.append(component["component"])
    return ""


async def answer_submitted(interaction: discord.Interaction) -> bool:
    """Handle a submitted answer form (True), or leave the interaction alone (False: not ours).

    Not rate-limited: the form is staff's only copy of what they typed, and opening it was.
    """
    custom_id = (interaction.data or {}).get("custom_id", "")
    match = ANSWER_FORM.fullmatch(str(custom_id))
    if interaction.type is not discord.InteractionType.modal_submit or match is None:
        return False
    bot: HubBot = interaction.client  # type: ignore[assignment]
    handoff_id = match["handoff_id"]
    answer = form_value(interaction.data, ANSWER_FIELD).strip()
    try:
        if not is_staff(interaction):
            await tell(interaction, STAFF_ONLY)
            return True
        if not answer:
            await tell(interaction, EMPTY_ANSWER)
            return True
        waiting: Waiting[Recipient] | None = bot.staff.handoffs.waiting(handoff_id)
        if waiting is None:
            await close_unreachable(interaction, handoff_id)
            await keep_for_staff(interaction, answer)
            return True
        outcome = await bot.in_time(interaction, deliver(bot, waiting, answer), ephemeral=False, edit=True)
        await show_outcome(interaction, waiting, answer, outcome)
    except Exception as error:
        await report_error(interaction, error)
    return True


@dataclass(frozen=True)
class Delivery:
    """How staff's answer reached the teacher, or why it did not."""

    delivered: bool
    how: str


async def deliver(bot: HubBot, waiting: Waiting[Recipient], answer: str) -> Delivery:
    """Send staff's answer to the teacher privately: a followup of their click while Discord accepts
    one, else a direct message.
    """
    recipient = waiting.recipient
    embed = answer_embed(bot, waiting.offer, answer)
    if time.monotonic() - recipient.clicked_at < limits.FOLLOWUP_WINDOW_SECONDS:
        try:
            await recipient.interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return Delivery(True, "privately, below their question")
        except discord.HTTPException as error:
            log.info("could not follow up a hand-off (%s); sending a direct message instead", error)
    try:
        channel = await bot.create_dm(discord.Object(recipient.user_id))
        await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
    except discord.Forbidden:
        return Delivery(False, "the teacher doesn't accept direct messages from me, and it's too late to answer below their question")
    except discord.HTTPException as error:
        log.warning("could not send a hand-off answer by direct message", exc_info=True)
        return Delivery(False, f"Discord refused the direct message ({error.status})")
    return Delivery(True, "by direct message")


def answer_embed(bot: HubBot, offer: Offer, answer: str) -> discord.Embed:
    """What the teacher receives: the answer of the hub team the question went to, and the question."""
    team = bot.hubs.get(offer.hub_id)
    name = team.name if team is not None else "hub"
    question = offer.question
    embed = discord.Embed(
        title=text(f"Answer from the {name} team", limits.EMBED_TITLE),
        description=text(answer, limits.EMBED_DESCRIPTION),
        colour=discord.Colour.teal(),
    )
    embed.add_field(name="Your question", value=text(quoted(question), limits.FIELD_VALUE), inline=False)
    return embed


async def show_outcome(interaction: discord.Interaction, waiting: Waiting[Recipient], answer: str, outcome: Delivery) -> None:
    """Note on the staff post who answered and how it was delivered (or plainly, that it was not)."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    handoff_id = waiting.offer.handoff_id
    staff = f"<@{interaction.user.id}>"
    if outcome.delivered:
        waiting.answers += 1
        bot.staff.close_handoff(handoff_id, "answered")
        embed = noted(interaction.message, "Answered", f"By {staff}, sent {outcome.how}:\n{typed(answer)}")
    else:
        embed = noted(interaction.message, "⚠ Not delivered", f"{staff}'s answer: {outcome.how}.\n{typed(answer)}")
    view = discord.ui.View(timeout=None)
    view.add_item(StaffReplyButton(handoff_id, label="Send another answer" if waiting.answers else "Reply"))
    view.stop()
    await edit_post(interaction, embed, view)
    if not outcome.delivered:
        question = limits.clip(waiting.offer.question, 200)
        message = text(NOT_DELIVERED.format(question=question, reason=outcome.how), limits.CONTENT)
        await interaction.followup.send(message, allowed_mentions=NO_MENTIONS)
        await keep_for_staff(interaction, answer)


async def keep_for_staff(interaction: discord.Interaction, answer: str) -> None:
    """Give staff back, privately, an answer that was not sent, so what they typed is not lost."""
    await send(interaction, embed=notice_embed(NOT_SENT_TITLE, answer), ephemeral=True)


async def mark_answered(interaction: discord.Interaction, handoff_id: str) -> None:
    """Staff's "Mark answered" (they answered in the channel): close it in the records and on the post."""
    bot: HubBot = interaction.client  # type: ignore[assignment]
    try:
        if not await staff_may_act(interaction):
            return
        bot.staff.close_handoff(handoff_id, "answered")
        embed = noted(interaction.message, "Answered", f"Marked answered by <@{interaction.user.id}> {discord_time(bot.clock())}.")
        view = discord.ui.View.from_message(interaction.message, timeout=None) if interaction.message else discord.ui.View()
        for item in view.children:
            if isinstance(item, discord.ui.Button) and item.custom_id == f"hubbot:handoff-done:{handoff_id}":
                item.disabled = True
        view.stop()
        await edit_post(interaction, embed, view)
    except Exception as error:
        await report_error(interaction, error)
