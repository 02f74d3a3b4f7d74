"""What a question asks for: its question types, read from cue patterns kept as data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("data")
# Unit kinds that are fields an offer may or may not have (a question naming no offer that asks
# for one of these can be answered by asking which offer it means).
FIELD_KINDS = frozenset({"deadline", "time", "cost", "apply", "criterion", "eligibility", "link"})


@dataclass(frozen=True)
class AskType:
    """One question type: its name, the answer units that can answer it, and whether the KB has no field for it."""

    name: str
    units: tuple[str, ...]
    detail: bool
    pattern: re.Pattern[str]
    decline: bool = False  # work the bot does not do: always declined


@cache
def ask_types() -> tuple[AskType, ...]:
    """The question types in priority order (the first that matches leads)."""
    raw = yaml.safe_load((DATA / "asks.yaml").read_text(encoding="utf-8"))["types"]
    return tuple(
        AskType(
            name, tuple(spec.get("units", ())), bool(spec.get("detail")),
            re.compile("|".join(f"(?:{p})" for p in spec["patterns"])), bool(spec.get("decline")),
        )
        for name, spec in raw.items()
    )


@cache
def declined_types() -> frozenset[str]:
    """Question types that ask for work the bot does not do."""
    return frozenset(t.name for t in ask_types() if t.decline)


@cache
def detail_types() -> frozenset[str]:
    """Question types about details the knowledge base has no field for."""
    return frozenset(t.name for t in ask_types() if t.detail)


def detect_asks(text: str) -> tuple[str, ...]:
    """Every question type whose cues occur in ``text`` (normalised words joined by spaces), leading first."""
    return tuple(t.name for t in ask_types() if t.pattern.search(text))


def cue_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of every cue found, so the words that only say *what kind* of question it is can be set aside."""
    spans = []
    for ask in ask_types():
        spans.extend(match.span() for match in ask.pattern.finditer(text) if match.end() > match.start())
    return spans


@cache
def _types_by_name() -> dict[str, AskType]:
    return {t.name: t for t in ask_types()}


@cache
def units_for(asks: tuple[str, ...]) -> tuple[str, ...]:
    """The answer-unit kinds that can answer any of ``asks``, in the order asks.yaml gives them (replies follow it).

    Cached: it is asked for every option of every question, and question types combine in few ways.
    """
    by_name = _types_by_name()
    return tuple(dict.fromkeys(unit for ask in asks if ask in by_name for unit in by_name[ask].units))


# A field answers its own question type by its kind.
FIELD_ANSWERS = {
    "deadline": {"deadline"}, "time": {"time"}, "cost": {"cost"}, "criterion": {"eligibility"},
    "eligibility": {"eligibility", "who_for"}, "who_for": {"who_for", "which"}, "apply": {"apply"},
    "link": {"links", "url"}, "stage": {"stages"}, "stages": {"stages"}, "code": {"code"},
    "summary": {"what", "exists", "which"},
}


@cache
def _unit_cues() -> tuple[tuple[str, re.Pattern[str]], ...]:
    raw = yaml.safe_load((DATA / "asks.yaml").read_text(encoding="utf-8"))["unit_cues"]
    return tuple((name, re.compile(pattern)) for name, pattern in raw.items())


@cache
def _counted_groups() -> tuple[frozenset[str], ...]:
    raw = yaml.safe_load((DATA / "asks.yaml").read_text(encoding="utf-8"))["counted_alike"]
    return tuple(frozenset(group) for group in raw)


def counted_alike(words: frozenset[str]) -> frozenset[str]:
    """``words`` with every noun that counts the same things (people, participants, teachers …)."""
    return words.union(*(group for group in _counted_groups() if group & words))


def unit_answers(kind: str, text: str, own_questions: tuple[str, ...] = ()) -> frozenset[str]:
    """The question types a unit can answer: its field's own type, what its text shows, and what its FAQ questions
    ask first — "why were the days cut?" answers *why*, not *how long*, though it names the days.
    """
    found = set(FIELD_ANSWERS.get(kind, ()))
    found.update(_cued(text.lower()))
    for own in own_questions:  # an FAQ answers what its own questions lead with, whatever its answer's wording
        lead = leading_ask(own)
        if lead is not None:
            found.add(lead)
    return frozenset(found)


ANSWERS_CACHE_SIZE = 16_384  # texts remembered; a large knowledge base repeats many ("Free for state-funded schools.")


@lru_cache(maxsize=ANSWERS_CACHE_SIZE)
def _cued(lowered: str) -> tuple[str, ...]:
    """The unit cues (asks.yaml ``unit_cues``) found in a unit's lower-cased text."""
    return tuple(name for name, pattern in _unit_cues() if pattern.search(lowered))


@lru_cache(maxsize=ANSWERS_CACHE_SIZE)
def leading_ask(text: str) -> str | None:
    """The question type that leads ``text`` (the first of :func:`detect_asks`), searching no further than it.

    Building an entry's answer units asks this of each of its FAQ questions: most match no type or a late
    one, and every type's cues are searched only until the first that matches.
    """
    return next((t.name for t in ask_types() if t.pattern.search(text)), None)
