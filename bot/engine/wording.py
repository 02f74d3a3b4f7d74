"""Small wording helpers shared by the replies: bullets, first sentences, shortened hints."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.engine.text import numbers_in, tokens


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def clause(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[0].lower() + text[1:] if text[:2] != text[:2].upper() else text


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.S)
    return (match.group(1) if match else text).strip()


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def numbers_of(text: str) -> set[str]:
    return numbers_in(tokens(text))


def section_title(intent: str) -> str:
    return {
        "deadline": "Deadline",
        "eligibility": "Eligibility",
        "time_commitment": "Time commitment",
        "cost": "Cost",
        "apply": "How to apply",
        "who_for": "Who it's for",
        "stats": "Figures",
        "stages": "Stages",
    }.get(intent, "More")
