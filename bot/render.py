"""Render a :class:`Reply` as the text the bot posts (Discord markdown, link addresses written out).

A reply that does not fit is shortened by whole blocks, then by whole lines, never in the middle
of an item: a list that loses items says how many ("…and 3 more — /programmes primary shows all").
A reply that already stands for a longer list says so too, from ``reply.extra``: ``"more"`` (how
many items were left out) and ``"see_all"`` (the command that shows them all).
"""

from __future__ import annotations

import datetime as dt
import re

from bot.reply import Reply, ReplyLink

MAX_TEXT = 1800  # below Discord's 2,000-character limit, with room to spare
BULLETS = ("• ", "- ", "* ")
_SENTENCE_END = re.compile(r"[.!?](?=\s)")


def link_line(link: ReplyLink) -> str:
    """``Application form: https://…``, or a pointer to the hub when the address is not published."""
    if link.url:
        return f"{link.label}: <{link.url}>"
    return f"{link.label}: the hub hasn't published the address to me — ask the hub for it"


def more_line(count: int, see_all: str | None = None) -> str:
    """The line that ends a cut list: ``…and 3 more — /programmes primary shows all``."""
    return f"…and {count} more" + (f" — {see_all} shows all" if see_all else "")


def footer(reply: Reply) -> str:
    parts = []
    if reply.sources:
        parts.append("Source: " + "; ".join(reply.sources))
    if reply.last_reviewed:
        reviewed = dt.date.fromisoformat(reply.last_reviewed)
        parts.append(f"checked {reviewed.day} {reviewed:%B %Y}")
    return " · ".join(parts)


def render_text(reply: Reply, limit: int = MAX_TEXT, *, numbered: bool = False) -> str:
    """The reply as one message of at most ``limit`` characters.

    ``numbered`` numbers a clarifying reply's options (1., 2., …) for a terminal, where people
    answer by typing the number.
    """
    if reply.status == "clarify":
        lines = [f"**{reply.headline}**"]
        for number, c in enumerate(reply.candidates, 1):
            marker = f"{number}." if numbered else "•"
            lines.append(f"{marker} **{c.name}**" + (f" — {c.hint}" if c.hint else ""))
        if numbered and reply.candidates:
            lines.append(f"Type a number (1–{len(reply.candidates)}) to choose, or ask again.")
        elif len(reply.candidates) == 1:
            lines.append("If you meant another offer, ask again with its name (or use `/programme`).")
        else:
            lines.append("Ask again with the one you mean (or use `/programme`).")
        tail = footer(reply)
        return _fit(lines, [f"_{tail}_"] if tail else [], limit, see_all=reply.extra.get("see_all"))
    head = [f"**{reply.title}**", reply.headline] if reply.title and not reply.headline.startswith(reply.title) else [reply.headline]
    if reply.status == "unknown":
        head = [reply.headline]
    head = "\n".join(head).split("\n")
    if reply.extra.get("more"):
        head.append(more_line(int(reply.extra["more"]), reply.extra.get("see_all")))
    blocks = [f"**{section.title}**\n{section.body}" for section in reply.sections]
    if reply.links:
        blocks.append("\n".join(link_line(link) for link in reply.links))
    tail = footer(reply)
    if tail:
        blocks.append(f"_{tail}_")
    return _fit(head, blocks, limit, see_all=reply.extra.get("see_all"))


def _fit(head: list[str], blocks: list[str], limit: int, see_all: str | None = None) -> str:
    """Join the parts, dropping detail blocks from the end (the footer last), then whole lines of the head."""
    details = [block for block in blocks if not block.startswith("_")]
    footers = [block for block in blocks if block.startswith("_")]

    def joined(lines: list[str]) -> str:
        return "\n\n".join(["\n".join(lines), *details, *footers]).strip()

    text = joined(head)
    while len(text) > limit and details:
        details.pop()
        text = joined(head)
    if len(text) <= limit:
        return text
    reserve = sum(len(block) + 2 for block in footers)
    kept = _cut_lines(head, max(0, limit - reserve), see_all)
    if reserve and len(joined(kept)) > limit:  # the footer goes only when the head alone cannot fit
        footers.clear()
        kept = _cut_lines(head, limit, see_all)
    return joined(kept)


def _cut_lines(lines: list[str], limit: int, see_all: str | None) -> list[str]:
    """Whole lines from the start that fit in ``limit``; dropped list items are counted in a last line."""
    kept = list(lines)
    dropped = 0
    trailer = ""
    while kept and len("\n".join([*kept, trailer]).strip()) > limit:
        line = kept.pop()
        if line.startswith(BULLETS):
            dropped += 1
            trailer = more_line(dropped, see_all)
        elif line.startswith("…and "):  # a count already there joins the new one
            earlier = re.match(r"…and (\d+) more", line)
            dropped += int(earlier.group(1)) if earlier else 0
            trailer = more_line(dropped, see_all)
    if not kept:  # one line longer than the whole message: end it at a sentence, else a word
        return [_shorten(lines[0], limit)]
    return [*kept, trailer] if trailer else kept


def _shorten(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    sentences = [m.end() for m in _SENTENCE_END.finditer(cut)]
    if sentences and sentences[-1] > limit // 2:
        return cut[: sentences[-1]]
    return cut.rsplit(" ", 1)[0].rstrip(" ,;:—-") + "…"
