"""Render a :class:`Reply` as the text the bot posts (Discord markdown, link addresses written out)."""

from __future__ import annotations

import datetime as dt

from bot.reply import Reply, ReplyLink

MAX_TEXT = 1800  # below Discord's 2,000-character limit, with room to spare


def link_line(link: ReplyLink) -> str:
    """``Application form: https://…``, or a pointer to the hub when the address is not published."""
    if link.url:
        return f"{link.label}: <{link.url}>"
    return f"{link.label}: the hub hasn't published the address to me — ask the hub for it"


def footer(reply: Reply) -> str:
    parts = []
    if reply.sources:
        parts.append("Source: " + "; ".join(reply.sources))
    if reply.last_reviewed:
        reviewed = dt.date.fromisoformat(reply.last_reviewed)
        parts.append(f"checked {reviewed.day} {reviewed:%B %Y}")
    return " · ".join(parts)


def render_text(reply: Reply, limit: int = MAX_TEXT) -> str:
    """The reply as one message of at most ``limit`` characters."""
    if reply.status == "clarify":
        lines = [f"**{reply.headline}**"]
        lines += [f"• **{c.name}**" + (f" — {c.hint}" if c.hint else "") for c in reply.candidates]
        lines.append("Ask again with the one you mean (or use `/programme`).")
        return _fit(lines, [], limit)
    head = [f"**{reply.title}**", reply.headline] if reply.title and not reply.headline.startswith(reply.title) else [reply.headline]
    if reply.status == "unknown":
        head = [reply.headline]
    blocks = [f"**{section.title}**\n{section.body}" for section in reply.sections]
    if reply.links:
        blocks.append("\n".join(link_line(link) for link in reply.links))
    tail = footer(reply)
    if tail:
        blocks.append(f"_{tail}_")
    return _fit(head, blocks, limit)


def _fit(head: list[str], blocks: list[str], limit: int) -> str:
    """Join the parts, dropping detail blocks from the end (the footer last, never the headline)."""
    details = [block for block in blocks if not block.startswith("_")]
    footers = [block for block in blocks if block.startswith("_")]

    def joined() -> str:
        return "\n\n".join(["\n".join(head), *details, *footers]).strip()

    text = joined()
    while len(text) > limit and (details or footers):
        (details if details else footers).pop()
        text = joined()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
