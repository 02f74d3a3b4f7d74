"""Synonym and abbreviation mapping from the knowledge base's vocabulary, and typo correction."""

from __future__ import annotations

import contextlib
import gzip
import importlib.resources
import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.engine.text import STOPWORDS, tokens
from bot.knowledge.schema import Vocabulary


class PhraseMapper:
    """Rewrites token sequences so every variant reads as its canonical phrase (longest match wins)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._map: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._written: dict[tuple[str, ...], str] = {}  # each variant as staff wrote it, plurals and all
        for synonym in vocabulary.synonyms:
            canonical = tuple(tokens(synonym.canonical))
            if not canonical:
                continue
            for phrase in [synonym.canonical, *synonym.variants]:
                key = tuple(tokens(phrase))
                if key:
                    self._map.setdefault(key, canonical)
                    self._written.setdefault(key, phrase)
        self._longest = max((len(key) for key in self._map), default=1)
        sizes: dict[str, set[int]] = defaultdict(set)
        for key in self._map:
            sizes[key[0]].add(len(key))
        self._sizes = {word: sorted(found, reverse=True) for word, found in sizes.items()}
        self.words = {word for pair in self._map.items() for part in pair for word in part}
        self.canonical_words = {word for canonical in self._map.values() for word in canonical}

    def expansion(self, word: str) -> str | None:
        """What an abbreviation stands for: its longest synonym written out ("sktm" → "specialist …")."""
        canonical = self._map.get((word,))
        if canonical is None:
            return None
        spelled = [key for key, value in self._map.items() if value == canonical and len(key) > 1]
        if not spelled:
            return None
        small = {"for", "of", "the", "and", "in", "to", "a"}

        def initials(key: tuple[str, ...]) -> str:
            return "".join(w[0] for w in self._written[key].lower().split() if w not in small)

        # the first variant whose initials spell the abbreviation ("sktm" → specialist knowledge for teaching
        # mathematics), else the longest
        chosen = next((key for key in spelled if initials(key) == word), max(spelled, key=len))
        written = self._written[chosen].lower().split()
        return " ".join(w if w in small and i else w.capitalize() for i, w in enumerate(written))

    def apply(self, words: list[str]) -> list[str]:
        """The words with every known phrase replaced by its canonical form."""
        out: list[str] = []
        i = 0
        count = len(words)
        sizes = self._sizes
        phrases = self._map
        while i < count:
            for size in sizes.get(words[i], ()):
                if size <= count - i:
                    canonical = phrases.get(tuple(words[i : i + size]))
                    if canonical is not None:
                        out.extend(canonical)
                        i += size
                        break
            else:
                out.append(words[i])
                i += 1
        return out


COMMON_WORD_FREQUENCY = 1000  # in pyspellchecker's English list: "strand" 2,860 stays, "cots" 401 may become "cost"


# One "word": count pair of the frequency list (a JSON object written one pair a line).
_FREQUENCY = re.compile(rb'"((?:[^"\\]|\\.)*)"\s*:\s*(\d+)')


@cache
def common_english() -> frozenset[str]:
    """Common English words, never "corrected" into a knowledge-base term (pyspellchecker's frequency list).

    The list is read pair by pair rather than decoded into one dict: its 160,000 words as Python
    objects took 30 MB for a moment, and much of it stayed in the process for good.
    """
    resource = importlib.resources.files("spellchecker") / "resources" / "en.json.gz"
    text = gzip.decompress(resource.read_bytes())
    common: set[str] = set()
    for match in _FREQUENCY.finditer(text):
        written = match.group(1)
        word = json.loads(b'"' + written + b'"') if b"\\" in written else written.decode("utf-8")
        if int(match.group(2)) >= COMMON_WORD_FREQUENCY:
            common.add(word)
        else:
            common.discard(word)  # a word written twice: the last count decides, as json.loads would have it
    return frozenset(common)


class TypoCorrector:
    """Corrects a word the knowledge base never uses to the nearest of its key terms.

    ``known`` is every word the knowledge base uses (left alone); ``targets`` are the words that
    matter for matching (names, aliases, keywords, vocabulary, question words). Words of five
    letters or more move by at most one edit (two from eight letters; a swap of two neighbouring
    letters counts as one), towards a target with the same first letter; four-letter words only
    by such a swap ("cots" → "cost"), so ordinary words are rarely "corrected".
    """

    CACHE_SIZE = 65_536  # words; the words of 5,000 entries overflowed 4,096, and each miss is corrected again

    def __init__(self, known: Iterable[str], targets: Iterable[str], intents: Iterable[str] = ()) -> None:
        self.lexicon = frozenset(word for word in known if word.isalpha())
        self.intents = frozenset(intents)  # question words a swap reaches even from an English word ("cots")
        buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in sorted({word for word in targets if word.isalpha() and len(word) >= 4}):
            buckets[(word[0], len(word))].append(word)
        self._buckets = dict(buckets)
        self._cache: dict[str, str] = {}  # a plain dict: nothing outlives this corrector

    def correct(self, word: str) -> str:
        found = self._cache.get(word)
        if found is None:
            found = self._correct(word)
            if len(self._cache) < self.CACHE_SIZE:
                self._cache[word] = found
        seen = _RECORDING.seen
        if seen is not None:
            seen[word] = found
        return found

    def _correct(self, word: str) -> str:
        if len(word) < 4 or word in self.lexicon or word in STOPWORDS or not word.isalpha():
            return word
        if word in common_english():
            return next((swap for swap in _swaps(word) if swap in self.intents), word)
        if len(word) == 4:
            return next((swap for swap in _swaps(word) if swap in self._buckets.get((word[0], 4), ())), word)
        limit = 1 if len(word) < 8 else 2
        candidates = [
            known
            for size in range(len(word) - limit, len(word) + limit + 1)
            for known in self._buckets.get((word[0], size), ())
        ]
        if not candidates:
            return word
        best = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit)
        return best[0] if best else word

    def apply(self, words: list[str]) -> list[str]:
        """:meth:`correct` of every word (the cache read once for them all when no correction is being recorded)."""
        if _RECORDING.seen is not None:
            return [self.correct(word) for word in words]
        known = self._cache.get
        return [known(word) or self.correct(word) for word in words]  # a correction is never empty


class _Recording(threading.local):
    """Each thread's record of corrections (none: not recording); a class default, so reading it never raises."""

    seen: dict[str, str] | None = None


_RECORDING = _Recording()


@contextlib.contextmanager
def recording_corrections() -> Iterator[dict[str, str]]:
    """Every word typo correction is asked about in this thread meanwhile, with what it became.

    An analysis of knowledge-base text depends on the rest of the knowledge base only through
    these corrections, so a stored analysis is still right wherever they still come out the same.
    """
    outer = _RECORDING.seen
    seen: dict[str, str] = {}
    _RECORDING.seen = seen
    try:
        yield seen
    finally:
        _RECORDING.seen = outer
        if outer is not None:
            outer.update(seen)


def recording() -> bool:
    """Corrections are being recorded in this thread (so results remembered without them must not be used)."""
    return _RECORDING.seen is not None


def _swaps(word: str) -> Iterator[str]:
    """``word`` with two neighbouring letters swapped (not the first letter), each way in turn."""
    return (word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1))
