"""Programme names typed by people: exact lookups, honest near-misses and autocomplete suggestions.

One :class:`NameLookup` is built per knowledge-base version (``NameLookup.of(kb)`` keeps the last
two). It indexes the words of every entry's name, aliases and codes, so a lookup or a keystroke
costs about the same at 50 or 50,000 entries:

- ``resolve(text)`` — the one entry whose id, name, alias or code *is* the text (case, spacing and
  punctuation aside: ``ncp17 09`` is ``NCP17-09``), else None;
- ``matches(text)`` — the entries whose names contain every word typed (with typos, plurals and
  word beginnings allowed): what a finished name could mean;
- ``near_misses(text)`` — when nothing matches, entries that share the distinctive words typed,
  or a code one keystroke away; empty for ``banana`` or ``qwertyuiop``;
- ``suggest(prefix)`` — autocomplete: candidates from the word index, ranked by rapidfuzz over those
  candidates only (never over every entry).

:func:`programme_reply` turns a typed name into the reply for ``/programme``: the entry's description,
"which one?" with the candidates, or "no programme by that name" with the near-misses.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
import re
import threading
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Entry
from bot.reply import Candidate, Reply


@dataclass(frozen=True)
class LookupSettings:
    """The numbers that tune lookups, in one place."""

    typo_min_length: int = 4  # shorter words must be typed exactly (or be a word's beginning)
    typo_score: float = 80.0  # rapidfuzz ratio a typed word needs to count as a typo of a name word
    typo_candidates: int = 12  # name words compared per typed word, chosen by shared trigrams
    common_gram_share: float = 0.05  # trigrams in more than this share of words don't select candidates
    prefix_words: int = 200  # name words a typed beginning ("ma") may stand for
    finished_prefix: int = 3  # in a finished name, a word this long may be a longer word's beginning
    candidates: int = 64  # entries scored by rapidfuzz per keystroke (25 are shown)
    scan_budget: int = 5_000  # postings read per keystroke before settling for what was found
    near_miss_share: float = 0.5  # share of the typed words' weight an entry must know to be a near-miss
    near_miss_limit: int = 5
    code_score: float = 85.0  # rapidfuzz ratio of a code one keystroke away ("NCP17-99" → "NCP17-09")


SETTINGS = LookupSettings()

# Words a person adds around a name without meaning a different programme.
FILLER = frozenset("a an the and for of at in on to with my our programme programmes program course".split())
# Ties are broken in this order: offers people join before information topics (as in phase lists).
KIND_ORDER = {"programme": 0, "work-group": 1, "project": 2, "community": 3, "support": 4, "information": 5}
_WORD = re.compile(r"[^\W_]+")
_UNSAFE = re.compile(r"[^\w\s&'().,/+–-]")


def words_of(text: str) -> list[str]:
    """Lowercase words with plurals folded ("TAs" → "ta", "groups" → "group")."""
    return [_fold(word) for word in _WORD.findall(text.casefold())]


def compact(text: str) -> str:
    """Letters and digits only: the key under which names, aliases and codes are exact."""
    return "".join(_WORD.findall(text.casefold()))


def _fold(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _grams(word: str) -> set[str]:
    padded = f" {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Entries(Protocol):
    """Anything that iterates over entries (a KnowledgeBase, a list)."""

    def __iter__(self) -> Iterator[Entry]: ...


@dataclass(frozen=True)
class _Typed:
    """One typed word and the name words it may stand for."""

    word: str
    stands_for: frozenset[str]
    filler: bool


class NameLookup:
    """Word and trigram indexes over the names of one knowledge-base version."""

    def __init__(self, entries: Entries, settings: LookupSettings = SETTINGS) -> None:
        self.settings = settings
        ordered = sorted(entries, key=lambda e: (e.status != "current", KIND_ORDER.get(e.kind, 9), e.name.casefold(), e.id))
        self.entries: list[Entry] = ordered
        self.by_id = {entry.id: position for position, entry in enumerate(ordered)}
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.codes: dict[str, list[int]] = defaultdict(list)
        self.names: list[tuple[str, ...]] = []  # each entry's names, lowercased, for rapidfuzz
        self.words: list[frozenset[str]] = []  # each entry's name words
        postings: dict[str, list[int]] = defaultdict(list)
        for position, entry in enumerate(ordered):
            names = (entry.name, *entry.aliases, *entry.codes)
            for name in names:
                key = compact(name)
                if key and position not in self.exact[key]:
                    self.exact[key].append(position)
            for code in entry.codes:
                self.codes[compact(code)].append(position)
            self.names.append(tuple(dict.fromkeys(name.casefold() for name in names)))
            own = frozenset(word for name in names for word in words_of(name))
            self.words.append(own)
            for word in own:
                postings[word].append(position)  # positions arrive in rank order, so each list is sorted
        self.postings = {word: tuple(found) for word, found in postings.items()}
        self.vocabulary = sorted(self.postings)
        self.grams: dict[str, list[str]] = defaultdict(list)
        for word in self.vocabulary:
            if word.isalpha():
                for gram in _grams(word):
                    self.grams[gram].append(word)
        self.common_gram = max(50, int(len(self.vocabulary) * settings.common_gram_share))
        self.default = [position for position, entry in enumerate(ordered) if entry.status == "current"]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> NameLookup:
        """The lookup for ``kb``, built on first use and kept for the two latest versions."""
        with _BUILT_LOCK:
            for ref, lookup in _BUILT:
                if ref() is kb:
                    return lookup
        lookup = cls(kb)
        with _BUILT_LOCK:
            alive = [item for item in _BUILT if item[0]() is not None]
            _BUILT[:] = [*alive[-1:], (weakref.ref(kb), lookup)]
        return lookup

    # ----- typed words -------------------------------------------------------------------
    def _typed(self, text: str, *, finished: bool) -> list[_Typed]:
        """The typed words with what each may stand for; the last may be unfinished while typing."""
        found = words_of(text)
        typed = []
        for number, word in enumerate(found):
            last_unfinished = not finished and number == len(found) - 1
            typed.append(_Typed(word, self._stands_for(word, prefix=last_unfinished), word in FILLER))
        return typed

    def _stands_for(self, word: str, *, prefix: bool) -> frozenset[str]:
        settings = self.settings
        found = {word} if word in self.postings else set()
        if prefix or len(word) >= settings.finished_prefix:
            start = bisect.bisect_left(self.vocabulary, word)
            for candidate in self.vocabulary[start : start + settings.prefix_words]:
                if not candidate.startswith(word):
                    break
                found.add(candidate)
        if word not in self.postings and len(word) >= settings.typo_min_length and word.isalpha():
            found.update(self._typos(word))
        return frozenset(found)

    def _typos(self, word: str) -> list[str]:
        """Name words within a typo of ``word``: trigram candidates, then rapidfuzz over those only."""
        shared: Counter[str] = Counter()
        for gram in _grams(word):
            holders = self.grams.get(gram, ())
            if len(holders) <= self.common_gram:
                shared.update(holders)
        candidates = [candidate for candidate, _ in shared.most_common(self.settings.typo_candidates)]
        hits = process.extract(
            word, candidates, scorer=fuzz.ratio, processor=None, score_cutoff=self.settings.typo_score, limit=None
        )
        return [hit[0] for hit in hits]

    def _weight(self, word: str) -> float:
        """How much a typed word tells entries apart (inverse document frequency)."""
        return math.log(1 + len(self.entries) / (1 + len(self.postings.get(word, ()))))

    def _holders(self, typed: _Typed) -> Iterator[int]:
        """Entry positions holding any word ``typed`` stands for, in rank order."""
        lists = [self.postings[word] for word in typed.stands_for]
        yield from (lists[0] if len(lists) == 1 else _unique(heapq.merge(*lists)))

    def _holding_all(self, typed: list[_Typed], budget: int, wanted: int) -> list[int]:
        """Positions of entries holding a word for every typed word, rarest first, within a budget."""
        if not typed:
            return []
        typed = sorted(typed, key=lambda t: sum(len(self.postings[w]) for w in t.stands_for))
        rarest, rest = typed[0], typed[1:]
        found = []
        for read, position in enumerate(self._holders(rarest)):
            if read >= budget or len(found) >= wanted:
                break
            own = self.words[position]
            if all(own & other.stands_for for other in rest):
                found.append(position)
        return found

    def _holding_most(self, typed: list[_Typed], seen: set[int], budget: int, wanted: int) -> list[int]:
        """Positions of entries holding the most telling of the typed words, within a budget."""
        found: list[int] = []
        for t in sorted(typed, key=lambda t: -self._weight(t.word)):
            for position in islice(self._holders(t), budget):
                if len(found) >= wanted:
                    return found
                if position not in seen:
                    seen.add(position)
                    found.append(position)
        return found

    # ----- the public lookups ----------------------------------------------------------------
    def resolve(self, text: str) -> Entry | None:
        """The entry whose id, name, alias or code is ``text``, or None (also when several share it)."""
        found = self._exact(text)
        return found[0] if len(found) == 1 else None

    def _exact(self, text: str) -> list[Entry]:
        if text in self.by_id:
            return [self.entries[self.by_id[text]]]
        found = [self.entries[position] for position in self.exact.get(compact(text), ())]
        current = [entry for entry in found if entry.status == "current"]
        return current or found

    def matches(self, text: str, limit: int = 25) -> list[Entry]:
        """Entries a finished name could mean: exact ones, else those whose names hold every word typed."""
        exact = self._exact(text)
        if exact:
            return exact[:limit]
        typed = self._typed(text, finished=True)
        needed = [t for t in typed if not t.filler] or typed
        if any(not t.stands_for for t in needed):
            return []
        found = self._holding_all(needed, self.settings.scan_budget, self.settings.candidates)
        return self._ranked(text, found, needed, limit)

    def near_misses(self, text: str, limit: int | None = None) -> list[Entry]:
        """When nothing matches: entries that share most of the distinctive words typed, or a code."""
        limit = limit or self.settings.near_miss_limit
        if self.matches(text, 1):
            return []
        typed = [t for t in self._typed(text, finished=True) if not t.filler]
        found = self._code_misses(text)
        weights = {t.word: self._weight(t.word) if t.stands_for else math.log(1 + len(self.entries)) for t in typed}
        total = sum(weights.values())
        known = [t for t in typed if t.stands_for]
        if total and known:
            scores: Counter[int] = Counter()
            for t in known:
                for read, position in enumerate(self._holders(t)):
                    if read >= self.settings.scan_budget:
                        break
                    scores[position] += weights[t.word]
            good = [pos for pos, score in scores.items() if score / total >= self.settings.near_miss_share]
            good.sort(key=lambda pos: (-scores[pos], pos))
            found += [pos for pos in good if pos not in found]
        return [self.entries[position] for position in found[:limit]]

    def _code_misses(self, text: str) -> list[int]:
        key = compact(text)
        if not self.codes or not re.search(r"\d", key):
            return []
        hits = process.extract(key, list(self.codes), scorer=fuzz.ratio, processor=None,
                               score_cutoff=self.settings.code_score, limit=self.settings.near_miss_limit)
        return list(dict.fromkeys(position for code, _, _ in hits for position in self.codes[code]))

    def suggest(self, prefix: str, limit: int = 25, *, current_only: bool = False) -> list[Entry]:
        """Autocomplete: entries for what has been typed so far, best first; fuzzy, never over every entry."""
        typed = self._typed(prefix, finished=False)
        if not typed:
            return [self.entries[position] for position in self.default[:limit]]
        exact = [self.by_id[e.id] for e in self._exact(prefix)]
        known = [t for t in typed if t.stands_for]
        budget, wanted = self.settings.scan_budget, self.settings.candidates
        found = self._holding_all(known, budget, wanted)
        if len(found) < limit:  # not every word fits one entry: entries holding the most of them
            found += self._holding_most(known, set(found), budget, wanted - len(found))
        found = list(dict.fromkeys([*exact, *found]))
        if current_only:
            found = [position for position in found if self.entries[position].status == "current"]
        return self._ranked(prefix, found, known, limit, first=exact)

    def _ranked(self, text: str, positions: list[int], typed: list[_Typed], limit: int,
                first: Iterable[int] = ()) -> list[Entry]:
        """Positions ordered by words covered, then rapidfuzz over their names, then rank order."""
        if not positions:
            return []
        query = text.casefold().strip()
        choices = [(position, name) for position in positions for name in self.names[position]]
        scored = process.extract(query, [name for _, name in choices], scorer=fuzz.partial_ratio, processor=None, limit=None)
        best = dict.fromkeys(positions, 0.0)
        for _, score, index in scored:
            position = choices[index][0]
            best[position] = max(best[position], float(score))
        pinned = set(first)

        def key(position: int) -> tuple[bool, int, bool, float, int]:
            covered = sum(1 for t in typed if self.words[position] & t.stands_for)
            starts = any(name.startswith(query) for name in self.names[position])
            return (position not in pinned, -covered, not starts, -best[position], position)

        return [self.entries[position] for position in sorted(best, key=key)[:limit]]


_BUILT: list[tuple[weakref.ref[KnowledgeBase], NameLookup]] = []  # (knowledge base, its lookup), latest last
_BUILT_LOCK = threading.Lock()


def _unique(merged: Iterable[int]) -> Iterator[int]:
    last = -1
    for position in merged:
        if position != last:
            yield position
            last = position


# ----- the reply to a typed programme name ------------------------------------------------------
class _Describer(Protocol):
    kb: Entries

    def describe(self, entry_id: str, today: dt.date | None = None) -> Reply | None: ...


def shown_name(text: str, limit: int = 60) -> str:
    """The typed name as it is safe to repeat: no markup, mentions or control characters, at most ``limit``."""
    cleaned = " ".join(_UNSAFE.sub(" ", text).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def candidate_hint(entry: Entry) -> str:
    """What tells candidates apart at a glance: phases and kind, or that it has ended."""
    phases = ", ".join(phase.label for phase in entry.phases)
    if entry.status != "current":
        return f"{phases} · past offer ({entry.academic_year or 'an earlier year'})"
    return f"{phases} · {entry.kind.replace('-', ' ')}"


def near_miss_line(near: list[Entry]) -> str:
    """One sentence naming the near-misses ("Close to it: A; B."), or "" when there are none."""
    return f"Close to it: {'; '.join(entry.name for entry in near)}." if near else ""


def programme_reply(engine: _Describer, text: str, today: dt.date | None = None) -> Reply:
    """The reply to ``/programme text``: the description, "which one?", or "no programme by that name"."""
    lookup = NameLookup.of(engine.kb)
    found = lookup.matches(text, limit=10)
    if len(found) == 1:
        described = engine.describe(found[0].id, today)
        if described is not None:
            return described
    candidates = tuple(Candidate(entry.id, entry.name, candidate_hint(entry)) for entry in found)
    if candidates:
        return Reply(question=text, status="clarify", headline="Which programme do you mean?", intent="describe",
                     candidates=candidates, topics=tuple(c.entry_id for c in candidates), confidence=0.5)
    near = lookup.near_misses(text)
    name = shown_name(text)
    if not near:
        return Reply(question=text, status="unknown", intent="describe",
                     headline=f"No programme by that name (“{name}”). Try /programmes <phase> to see them all.")
    return Reply(
        question=text, status="clarify", intent="describe", confidence=0.2,
        headline=f"No programme by that name (“{name}”). Did you mean one of these?",
        candidates=tuple(Candidate(entry.id, entry.name, candidate_hint(entry)) for entry in near),
        topics=tuple(entry.id for entry in near),
    )
