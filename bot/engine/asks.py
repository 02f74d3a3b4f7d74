"""What a question asks for: its question types, read from cue patterns kept as data."""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parser
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
    needles: frozenset[str] | None = None  # required_text(pattern)

    def search(self, text: str) -> re.Match[str] | None:
        """``pattern.search(text)``, skipped when none of the texts every match contains is in ``text``."""
        needles = self.needles
        if needles is not None and not any(needle in text for needle in needles):
            return None
        return self.pattern.search(text)


def required_text(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Texts of which every match of ``pattern`` contains at least one (None: no such promise).

    Most cue patterns are long alternations whose every branch spells a word ("\\bsession", "\\bwho
    (?:is|s)"); a substring test rules a text out far faster than the regex engine, which tries every
    branch at every position. Read from the parsed pattern; anything it does not understand promises nothing.
    """
    if pattern.flags & re.IGNORECASE:
        return None
    return _required(sre_parser.parse(pattern.pattern, pattern.flags))


def _required(items: sre_parser.SubPattern | list) -> frozenset[str] | None:
    """The texts a sequence of parsed items requires: the most selective of its literal runs and its parts."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def keep(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    for op, av in items:
        if op is sre_constants.LITERAL:
            run.append(chr(av))
            continue
        keep(frozenset(["".join(run)]) if run else None)
        run = []
        keep(_required_of(op, av))
    keep(frozenset(["".join(run)]) if run else None)
    return best


def _required_of(op: object, av: object) -> frozenset[str] | None:
    """The texts one parsed item requires (a group, an alternation, a repeat of at least once)."""
    if op is sre_constants.SUBPATTERN:
        _, add_flags, del_flags, inner = av
        return None if add_flags or del_flags else _required(inner)
    if op is sre_constants.BRANCH:
        branches = [_required(branch) for branch in av[1]]
        return None if any(b is None for b in branches) else frozenset().union(*branches)
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
        low, _, inner = av
        return _required(inner) if low >= 1 else None
    return None  # a class, a lookaround, an optional part: no promise


@cache
def ask_types() -> tuple[AskType, ...]:
    """The question types in priority order (the first that matches leads)."""
    raw = yaml.safe_load((DATA / "asks.yaml").read_text(encoding="utf-8"))["types"]
    patterns = {name: re.compile("|".join(f"(?:{p})" for p in spec["patterns"])) for name, spec in raw.items()}
    return tuple(
        AskType(
            name, tuple(spec.get("units", ())), bool(spec.get("detail")), patterns[name], bool(spec.get("decline")),
            required_text(patterns[name]),
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
    """Every question type whose cues occur in ``text`` (normalised words joined by spaces), leading first.

    A question that opens with "why" asks for a reason whatever else it mentions ("why fewer days out?").
    """
    found = tuple(t.name for t in ask_types() if t.search(text))
    if len(found) > 1 and "why" in found and _WHY_FIRST.match(text):
        return ("why", *(name for name in found if name != "why"))
    return found


_WHY_FIRST = re.compile(r"(?:(?:so|and|but|ok|okay|hi|hey|just|then) )*(?:why|how come)\b")


def cue_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of every cue found, so the words that only say *what kind* of question it is can be set aside."""
    spans = []
    for ask in ask_types():
        if ask.search(text):
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
def _unit_cues() -> tuple[AskType, ...]:
    """The unit cues as question types with no units (for their prefiltered :meth:`AskType.search`)."""
    raw = yaml.safe_load((DATA / "asks.yaml").read_text(encoding="utf-8"))["unit_cues"]
    patterns = {name: re.compile(pattern) for name, pattern in raw.items()}
    return tuple(AskType(name, (), False, pattern, needles=required_text(pattern)) for name, pattern in patterns.items())


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
    leads = {lead for lead in map(leading_ask, own_questions) if lead is not None}
    if leads:  # an FAQ answers what its own questions lead with, whatever its answer's wording
        return frozenset(found | leads)
    found.update(_cued(text.lower()))
    return frozenset(found)


ANSWERS_CACHE_SIZE = 16_384  # texts remembered; a large knowledge base repeats many ("Free for state-funded schools.")


@lru_cache(maxsize=ANSWERS_CACHE_SIZE)
def _cued(lowered: str) -> tuple[str, ...]:
    """The unit cues (asks.yaml ``unit_cues``) found in a unit's lower-cased text."""
    return tuple(cue.name for cue in _unit_cues() if cue.search(lowered))


@lru_cache(maxsize=ANSWERS_CACHE_SIZE)
def leading_ask(text: str) -> str | None:
    """The question type that leads ``text`` (the first of :func:`detect_asks`), searching no further than it.

    Building an entry's answer units asks this of each of its FAQ questions: most match no type or a late
    one, and every type's cues are searched only until the first that matches.
    """
    if _WHY_FIRST.match(text) and _types_by_name()["why"].search(text):
        return "why"  # as detect_asks: a question opening with "why" leads with it
    return next((t.name for t in ask_types() if t.search(text)), None)
