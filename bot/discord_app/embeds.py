"""Embeds built from the engine's :class:`~bot.reply.Reply` and from the listing commands.

The fact comes first (the description), details follow as fields, and the footer names the
source and when it was last reviewed. Every piece passes through :func:`clip`, and mentions are
neutralised, so no embed breaks a Discord limit or renders a ping.
"""

from __future__ import annotations

import datetime as dt

import discord

from bot import render
from bot.discord_app import limits
from bot.discord_app.limits import clip
from bot.eligibility import render as eligibility_render
from bot.eligibility.flow import Outcome, Question, met_headline
from bot.engine.dates import short_date
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Entry, HubInfo, Phase
from bot.listings import count_words, deadline_overview, next_deadline, offers_and_topics
from bot.render import more_line
from bot.reply import Reply, ReplyLink

COLOURS = {
    "answered": discord.Colour.teal(),
    "clarify": discord.Colour.blurple(),
    "unknown": discord.Colour.light_grey(),
}
LISTING_COLOUR = discord.Colour.teal()
FORMS_FIELD = "Forms"
LINKS_FIELD = "Links"  # pages to read (an NCETM page, a blog, a podcast): not forms
FORMS_AND_LINKS_FIELD = "Forms and links"
NO_URL = "ask the hub for the form"
NO_PAGE_URL = "ask the hub for the link"


def text(value: str, limit: int) -> str:
    """``value`` made safe to show: mentions neutralised, then clipped to ``limit``."""
    return clip(discord.utils.escape_mentions(value), limit)


def reply_embed(reply: Reply, hub: HubInfo) -> discord.Embed:
    """The embed for a reply; its links are listed in a field titled by what they are ("Forms",
    "Links", or "Forms and links"; pass only those not shown as buttons).
    """
    description = reply.headline
    if reply.status == "clarify" and reply.candidates:
        options = "\n".join(f"• **{c.name}**" + (f" — {c.hint}" if c.hint else "") for c in reply.candidates)
        description = f"{description}\n\n{options}"
    embed = discord.Embed(
        title=text(reply.title, limits.EMBED_TITLE) if reply.title else None,
        description=text(description, limits.EMBED_DESCRIPTION),
        colour=COLOURS.get(reply.status, LISTING_COLOUR),
    )
    fields = [(section.title, section.body) for section in reply.sections]
    forms = _forms_text(reply.links, hub)
    room = limits.EMBED_FIELDS - (1 if forms else 0)
    for name, value in fields[:room]:
        embed.add_field(name=text(name, limits.FIELD_NAME), value=text(value, limits.FIELD_VALUE), inline=False)
    if forms:
        embed.add_field(name=links_title(reply.links), value=text(forms, limits.FIELD_VALUE), inline=False)
    footer = render.footer(reply)
    if footer:
        embed.set_footer(text=text(footer, limits.FOOTER))
    return _fit(embed, keep_last=bool(forms))


def is_form(link: ReplyLink) -> bool:
    """Whether a link is a form to fill in (application, expression of interest, request, survey)
    rather than a page to read.
    """
    return link.kind != "information"


def links_title(links: tuple[ReplyLink, ...]) -> str:
    """The field's title, by what the links are."""
    forms = sum(1 for link in links if is_form(link))
    if forms == len(links):
        return FORMS_FIELD
    return LINKS_FIELD if forms == 0 else FORMS_AND_LINKS_FIELD


def _forms_text(links: tuple[ReplyLink, ...], hub: HubInfo) -> str:
    """Links not shown as buttons: with a url as markdown links, without one as a pointer to the hub
    ("ask the hub for the form", or for a page "ask the hub for the link").
    """
    lines = []
    for link in links:
        if link.url:
            lines.append(f"• [{link.label}]({link.url})")
        else:
            lines.append(f"• {link.label}: {NO_URL if is_form(link) else NO_PAGE_URL}")
    if any(not link.url for link in links):
        lines.append(hub.contact_line())
    return "\n".join(lines)


def _fit(embed: discord.Embed, *, keep_last: bool) -> discord.Embed:
    """Drop detail fields from the end (never the forms field) until the embed is within 6,000."""
    while len(embed) > limits.EMBED_TOTAL and len(embed.fields) > (1 if keep_last else 0):
        embed.remove_field(len(embed.fields) - (2 if keep_last else 1))
    excess = len(embed) - limits.EMBED_TOTAL
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, len(embed.description) - excess)
    return embed


def programmes_embed(phase: Phase, entries: list[Entry], today: dt.date, hub: HubInfo) -> discord.Embed:
    """One line per offer for a phase with its next deadline, then the information topics apart
    (never counted as offers); cut between lines with a count of the rest; the sources in the footer.
    """
    offers, topics = offers_and_topics(entries)
    rows: list[tuple[str, Entry | None]] = []
    for entry in offers:
        status = next_deadline(entry, today)
        rows.append((f"• **{entry.name}**" + (f" — {status.short()}" if status else ""), entry))
    if topics:
        rows += [("", None), ("**Information**", None)] + [(f"• {entry.name}", entry) for entry in topics]
    if not rows:
        rows.append((f"I have no current offers listed for {phase.label}. {hub.contact_line()}", None))
    kept = whole_rows([row for row, _ in rows], limits.EMBED_DESCRIPTION)
    left_out = sum(1 for _, entry in rows[len(kept) :] if entry is not None)
    embed = discord.Embed(
        title=text(f"{phase.label}: {count_words(offers, topics)}" if entries else f"{phase.label}: programmes and support",
                   limits.EMBED_TITLE),
        description="\n".join([*kept, more_line(left_out)] if left_out else kept),
        colour=LISTING_COLOUR,
    )
    credits = "; ".join(hub.document_titles(entry.summary.source for _, entry in rows[: len(kept)] if entry))
    footer = f"Source: {credits} · choose one below for details" if credits else f"{hub.name} · choose one below for details"
    embed.set_footer(text=text(footer, limits.FOOTER))
    return embed


def whole_rows(rows: list[str], limit: int) -> list[str]:
    """The first rows, made safe to show, that fit in ``limit`` with room for a "…and N more" line
    when some are left out; never a heading or a blank line left hanging above the cut.
    """
    safe = [discord.utils.escape_mentions(row) for row in rows]
    kept = list(safe)
    room = limit - len(more_line(len(rows))) - 1
    while kept and len("\n".join(kept)) > (limit if len(kept) == len(safe) else room):
        kept.pop()
    while len(kept) < len(safe) and kept and not kept[-1].startswith("• "):
        kept.pop()
    return kept


def deadlines_embed(phase: Phase | None, today: dt.date, kb: KnowledgeBase) -> discord.Embed:
    """Upcoming deadlines soonest first, then those closed recently; the sources in the footer."""
    upcoming, closed = deadline_overview(kb, today, phase)
    parts = []
    if upcoming:
        parts.append("**Upcoming**\n" + "\n".join(f"• {line.text()}" for line in upcoming))
    else:
        parts.append(f"**Upcoming**\nNo upcoming deadlines are published. {kb.hub.contact_line()}")
    if closed:
        parts.append("**Recently closed**\n" + "\n".join(f"• {line.text()}" for line in closed))
    scope = phase.label if phase else "all phases"
    embed = discord.Embed(
        title=text(f"Deadlines — {scope}", limits.EMBED_TITLE),
        description=text("\n\n".join(parts), limits.EMBED_DESCRIPTION),
        colour=LISTING_COLOUR,
    )
    credits = "; ".join(kb.hub.document_titles(line.status.deadline.source for line in upcoming + closed))
    footer = f"Source: {credits} · as of {short_date(today)}" if credits else f"{kb.hub.name} · as of {short_date(today)}"
    embed.set_footer(text=text(footer, limits.FOOTER))
    return embed


def notice_embed(title: str, body: str) -> discord.Embed:
    """A plain notice, e.g. for help or staff status."""
    return discord.Embed(
        title=text(title, limits.EMBED_TITLE),
        description=text(body, limits.EMBED_DESCRIPTION),
        colour=LISTING_COLOUR,
    )


# ----- "Am I eligible?" ------------------------------------------------------------------------

ELIGIBILITY_COLOURS = {
    "question": discord.Colour.blurple(),
    "met": discord.Colour.green(),
    "unsure": discord.Colour.gold(),
    "not-met": discord.Colour.orange(),
    "no-checks": LISTING_COLOUR,
    "not-offered": discord.Colour.light_grey(),
}


def eligibility_question_embed(question: Question) -> discord.Embed:
    """One question of an eligibility check; the Yes / No / Not sure buttons go below it."""
    embed = discord.Embed(
        title=text(eligibility_render.title(question.entry_name), limits.EMBED_TITLE),
        description=text(
            f"**Question {question.number} of {question.total}**\n{question.text}", limits.EMBED_DESCRIPTION
        ),
        colour=ELIGIBILITY_COLOURS["question"],
    )
    if question.answered:
        embed.add_field(
            name="Your answers so far",
            value=text(eligibility_render.answers_text(question.answered), limits.FIELD_VALUE),
            inline=False,
        )
    embed.set_footer(text="Only you can see this check. Answer with the buttons below.")
    return embed


def eligibility_outcome_embed(outcome: Outcome, *, link_as_button: bool) -> discord.Embed:
    """Where an eligibility check ended. With ``link_as_button`` the form is a button below the
    embed, so the headline points to it instead of writing the address out.
    """
    if outcome.kind == "met" and outcome.next_step and link_as_button:
        headline = f"{met_headline(outcome.entry_name)} — next step: **{outcome.next_step.label}** (button below)."
    else:
        headline = eligibility_render.headline_text(outcome)
    embed = discord.Embed(
        title=text(eligibility_render.title(outcome.entry_name), limits.EMBED_TITLE),
        description=text(headline, limits.EMBED_DESCRIPTION),
        colour=ELIGIBILITY_COLOURS.get(outcome.kind, LISTING_COLOUR),
    )
    for name, body in eligibility_render.outcome_sections(outcome)[: limits.EMBED_FIELDS]:
        embed.add_field(name=text(name, limits.FIELD_NAME), value=text(body, limits.FIELD_VALUE), inline=False)
    footer = eligibility_render.footer_text(outcome)
    if footer:
        embed.set_footer(text=text(footer, limits.FOOTER))
    return _fit(embed, keep_last=False)


def eligibility_timeout_embed(question: Question, minutes: str) -> discord.Embed:
    """What a check says when nobody answered in time: politely closed, with the unanswered question."""
    embed = discord.Embed(
        title=text(eligibility_render.title(question.entry_name), limits.EMBED_TITLE),
        description=(
            f"This check has timed out — nothing was answered for {minutes}, so I've closed it. "
            "Nothing was saved. Run /eligibility again whenever you're ready."
        ),
        colour=discord.Colour.light_grey(),
    )
    embed.add_field(
        name=text(f"Question {question.number} of {question.total} (unanswered)", limits.FIELD_NAME),
        value=text(question.text, limits.FIELD_VALUE),
        inline=False,
    )
    return embed
