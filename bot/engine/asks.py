"""What a question asks for: its question types, read from cue patterns kept as data."""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parser
from dataclasses import dataclass, field
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
    branches: tuple[Branch, ...] = ()  # the pattern's alternatives (:func:`branches_of`); none: search it whole
    by_start: dict[str, int] = field(default_factory=dict)  # a needle's first GRAM characters → its branches (bits)
    unskipped: int = 0  # the branches no start can skip (bits)
    starts: frozenset[str] = frozenset()  # by_start's keys

    @classmethod
    def of(cls, name: str, units: tuple[str, ...], detail: bool, pattern: re.Pattern[str], decline: bool = False) -> AskType:
        """The type with what its searches are skipped by read from its pattern."""
        branches = branches_of(pattern)
        by_start: dict[str, int] = {}
        unskipped = 0
        for position, branch in enumerate(branches):
            if branch.starts is None:
                unskipped |= 1 << position
            for start in branch.starts or ():
                by_start[start] = by_start.get(start, 0) | 1 << position
        return cls(name, units, detail, pattern, decline, required_text(pattern), branches, by_start, unskipped, frozenset(by_start))

    def search(self, text: str) -> re.Match[str] | None:
        """A match of the pattern in ``text`` if there is one (not always the leftmost: callers ask only whether).

        Searched alternative by alternative, only those whose needles can be in ``text`` (told first by their
        first characters, read once per text): the pattern matches somewhere exactly when one of its alternatives does.
        """
        if not self.branches:
            needles = self.needles
            return None if needles is not None and not _any_in(needles, text) else self.pattern.search(text)
        by_start = self.by_start
        chosen = self.unskipped
        for start in self.starts.intersection(_grams(text)):
            chosen |= by_start[start]
        while chosen:
            lowest = chosen & -chosen
            chosen ^= lowest
            branch = self.branches[lowest.bit_length() - 1]
            if branch.needles is not None and not _any_in(branch.needles, text):
                continue
            found = branch.pattern.search(text)
            if found:
                return found
        return None


GRAM = 3  # a needle this long or longer is in a text only if its first GRAM characters are


class Branch:
    """One alternative of a cue pattern, compiled alone, with the texts every match of it contains (:func:`required_text`).

    Compiled up front with the cue types (about 0.1 s, once per process, at the first question), not when first
    searched: a question that meets a rare alternative would pay for compiling it.
    """

    __slots__ = ("needles", "pattern", "starts")

    def __init__(self, text: str, flags: int) -> None:
        self.pattern = re.compile(text, flags)
        needles = required_text(self.pattern)
        self.needles = needles  # None: no promise (always searched)
        # each needle's first GRAM characters (None when one is shorter)
        self.starts = None if needles is None or any(len(n) < GRAM for n in needles) else frozenset(n[:GRAM] for n in needles)


def _any_in(needles: frozenset[str], text: str) -> bool:
    """Some needle is in ``text`` (a plain loop: a generator in ``any`` costs more than the tests it runs)."""
    for needle in needles:  # noqa: SIM110
        if needle in text:
            return True
    return False


@lru_cache(maxsize=64)
def _grams(text: str) -> frozenset[str]:
    """Every run of GRAM characters in ``text`` (read once for all the cue patterns searched in it)."""
    return frozenset([text[i:i + GRAM] for i in range(len(text) - GRAM + 1)])


class CueIndex:
    """Several cue patterns searched in one text together: one look at which of all their alternatives' needles
    can be in it, then only those alternatives, in the types' order — what each type's :meth:`AskType.search`
    finds, without visiting every type.
    """

    def __init__(self, types: tuple[AskType, ...]) -> None:
        self.types = types
        self._branches: list[tuple[int, Branch | None]] = []  # (type's place, alternative); None: the whole pattern
        self._ends: list[int] = []  # each type's alternatives end below this bit
        needles: dict[str, int] = {}  # a needle of alternatives that have starts → those alternatives (bits)
        unskipped = 0
        for place, ask in enumerate(types):
            for branch in ask.branches or (None,):
                bit = 1 << len(self._branches)
                self._branches.append((place, branch))
                if branch is None or branch.starts is None:
                    unskipped |= bit
                    continue
                for needle in branch.needles or ():
                    needles[needle] = needles.get(needle, 0) | bit
            self._ends.append(1 << len(self._branches))
        by_start: dict[str, list[tuple[str, int]]] = {}
        for needle, bits in needles.items():
            by_start.setdefault(needle[:GRAM], []).append((needle, bits))
        self._by_start = {start: tuple(found) for start, found in by_start.items()}
        self._starts = frozenset(by_start)
        self._unskipped = unskipped

    def names_in(self, text: str, first_only: bool = False) -> tuple[str, ...]:
        """The names of the types whose patterns match somewhere in ``text``, in order (only the first, if asked).

        An alternative with starts is searched only if one of its needles is in ``text`` (those whose first characters
        are, tested needle by needle); the others as :meth:`AskType.search` would.
        """
        by_start = self._by_start
        chosen = self._unskipped
        for start in self._starts.intersection(_grams(text)):
            for needle, bits in by_start[start]:
                if needle in text:
                    chosen |= bits
        found: list[str] = []
        while chosen:
            lowest = chosen & -chosen
            place, branch = self._branches[lowest.bit_length() - 1]
            ask = self.types[place]
            if branch is None:
                matched = ask.search(text) is not None
            elif branch.starts is None:
                needles = branch.needles
                matched = (needles is None or _any_in(needles, text)) and branch.pattern.search(text) is not None
            else:  # a needle of it is in the text
                matched = branch.pattern.search(text) is not None
            if matched:
                found.append(ask.name)
                if first_only:
                    break
                chosen &= -self._ends[place]  # the type's other alternatives need no search
            else:
                chosen ^= lowest
        return tuple(found)


def branches_of(pattern: re.Pattern[str]) -> tuple[Branch, ...]:
    """The top-level alternatives of ``pattern`` (those of a group that is a whole alternative too), each
    searched alone; none for a pattern with backreferences, whose alternatives cannot be searched apart.
    """
    if re.search(r"\\[1-9]|\(\?P=", pattern.pattern):
        return ()
    return tuple(Branch(text, pattern.flags) for text in _alternatives(pattern.pattern))


def _alternatives(pattern: str) -> list[str]:
    found = []
    for part in _split_top(pattern):
        inner = part[3:-1] if part.startswith("(?:") and part.endswith(")") else None
        if inner is not None and _closes_at_end(part):
            found += _alternatives(inner)
        else:
            found.append(part)
    return found


def _scan(pattern: str) -> list[tuple[int, str, int]]:
    """(position, character, group depth before it) of every character of ``pattern`` outside escapes and classes."""
    found = []
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1 + (pattern[i + 1:i + 2] == "^")
            i += pattern[i:i + 1] == "]"  # a "]" first in a class is a literal
            continue
        else:
            found.append((i, char, depth))
            depth += (char == "(") - (char == ")")
        i += 1
    return found


def _split_top(pattern: str) -> list[str]:
    """``pattern`` split at each "|" outside every group and class."""
    cuts = [i for i, char, depth in _scan(pattern) if char == "|" and depth == 0]
    return [pattern[start + 1:end] for start, end in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


def _closes_at_end(part: str) -> bool:
    """The group ``part`` opens with closes at its last character."""
    return all(i == len(part) - 1 for i, char, depth in _scan(part) if char == ")" and depth == 1)


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
        AskType.of(name, tuple(spec.get("units", ())), bool(spec.get("detail")), patterns[name], bool(spec.get("decline")))
        for name, spec in raw.items()
    )


@cache
def _ask_index() -> CueIndex:
    return CueIndex(ask_types())


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
    found = _ask_index().names_in(text)
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
    return tuple(AskType.of(name, (), False, pattern) for name, pattern in patterns.items())


@cache
def _unit_cue_index() -> CueIndex:
    return CueIndex(_unit_cues())


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
    return _unit_cue_index().names_in(lowered)


@lru_cache(maxsize=ANSWERS_CACHE_SIZE)
def leading_ask(text: str) -> str | None:
    """The question type that leads ``text`` (the first of :func:`detect_asks`), searching no further than it.

    Building an entry's answer units asks this of each of its FAQ questions: most match no type or a late
    one, and every type's cues are searched only until the first that matches.
    """
    if _WHY_FIRST.match(text) and _types_by_name()["why"].search(text):
        return "why"  # as detect_asks: a question opening with "why" leads with it
    found = _ask_index().names_in(text, first_only=True)
    return found[0] if found else None
