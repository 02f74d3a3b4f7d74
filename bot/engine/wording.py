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


# An FAQ answer that opens like this means something only beside its own question.
_TIED_TO_ITS_QUESTION = re.compile(r"^(?:yes|no|not|only|it depends)\b", re.IGNORECASE)
_YES_NO_QUESTION = re.compile(
    r"^(?:is|are|am|do|does|did|can|could|will|would|has|have|was|were|should|must|may)\b"
    r"(?! (?:you|u) (?:please |kindly )?(?:tell|advise|let|explain|confirm|send|give|share|clarify|say))"
)


def tied_to_its_question(answer: str) -> bool:
    """"Yes. …", "No. …", "Only if …": an answer that needs its own question beside it."""
    return bool(_TIED_TO_ITS_QUESTION.match(answer))


_EITHER_OR = re.compile(r"\bor (?!not\b|no\b)(?:\w+ ){0,3}\w+\W*$")


def is_yes_no(asked: str) -> bool:
    """The (normalised) asking sentence is a yes/no question, not a request such as "could you advise …" nor a
    choice between two ("is the TA SKTM for primary or secondary?").
    """
    return bool(_YES_NO_QUESTION.match(asked)) and not _EITHER_OR.search(asked)
