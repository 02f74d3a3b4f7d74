"""Read a teacher's stated situation against an entry's structured eligibility checks.

A criterion is decided only by words that really decide it, so a phrase counts only where it
states the situation. A phrase does not count when it is:

- **negated** or **not yet so** — "we are *not* an independent school", "she *wants* teacher
  training in maths", "we *plan to* …" (a word from :data:`NEGATIONS` or :data:`NOT_YET` shortly
  before it, in the same clause);
- **additive** — "Year 9 *as well*", "*also* Year 9": something else the teacher does, which
  takes nothing away (this stops only phrases that would rule a teacher out);
- **part of a longer, different phrase** — ``sustaining`` inside "the Sustaining *theme*" when
  "Sustaining themes" names an entry, or "every session" inside "not every session".

Checks with a ``minimum_share`` also read shares of lessons ("two of its five lessons", "1/3 of
the lessons", "50/50", "at least half") and compare them with it. Anything else stays unknown:
the reply lists it as still to check.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from bot.engine.index import KnowledgeIndex
from bot.engine.text import STOPWORDS, stem
from bot.knowledge.schema import Criterion, Entry

# Words that turn a situation round; they are kept when phrases are compared.
NEGATIONS = frozenset(
    "not no cant cannot dont doesnt isnt arent wont never without neither nor havent hasnt didnt wasnt werent "
    "couldnt wouldnt shouldnt aint".split()
)
# Words that say the situation is wished for or still to come, not the case yet.
NOT_YET = frozenset(
    stem(word) for word in "want wanting wish hope hoping plan planning intend intending consider considering thinking aim aiming future eventually later soon next".split()
)
# Words after (or before) a phrase that add to the teacher's situation rather than replace it.
ADDITIVE_AFTER = (("as", "well"), ("too",), ("also",), ("aswell",))
ADDITIVE_BEFORE = (("also",), ("plus",), ("as", "well", "as"), ("besides",), ("additionally",))
# Words that start a new clause: a negation before one of them does not reach past it.
CLAUSE_BREAKS = frozenset("but and however although though whereas while so because then".split())
LOOKBACK = 4  # how many words before a phrase a negation or "not yet" word reaches
# Words kept in a situation although they are stopwords: they change what a phrase means.
KEPT_STOPWORDS = NEGATIONS | NOT_YET | {"only", "all", "every", "also", "too", "well", "as", "half", "most", "less", "more", "than", "least", "under", "over", "no"}


def situation_words(words: Sequence[str]) -> tuple[str, ...]:
    """Words that matter in a stated situation: no filler, but negations and quantifiers kept."""
    return tuple(word for word in words if word not in STOPWORDS or word in KEPT_STOPWORDS)


@dataclass(frozen=True)
class Situation:
    """Criteria the question shows to be met or not met; the rest are unknown."""

    met: tuple[Criterion, ...] = ()
    not_met: tuple[Criterion, ...] = ()
    words: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.met or self.not_met)


@dataclass(frozen=True)
class _Match:
    start: int
    end: int  # exclusive
    phrase: tuple[str, ...]
    owners: frozenset[tuple[int, bool]] = frozenset()  # (criterion, polarity) pairs whose phrase it is; none for names
    entry: str | None = None  # for a name: the entry it names


def contains_phrase(words: Sequence[str], phrase: Sequence[str]) -> bool:
    """True when ``phrase`` occurs in ``words`` as consecutive words."""
    return any(True for _ in _find(words, tuple(phrase)))


def _find(words: Sequence[str], phrase: tuple[str, ...], owners: frozenset[tuple[int, bool]] = frozenset()) -> Iterable[_Match]:
    size = len(phrase)
    if not size:
        return
    first = phrase[0]
    for i in range(len(words) - size + 1):
        if words[i] == first and tuple(words[i : i + size]) == phrase:
            yield _Match(i, i + size, phrase, owners)


def _starts_with(words: Sequence[str], at: int, pattern: tuple[str, ...]) -> bool:
    return tuple(words[at : at + len(pattern)]) == pattern


def _qualified(words: Sequence[str], match: _Match, markers: frozenset[str]) -> bool:
    """Whether a marker word stands shortly before the phrase, in the same clause."""
    for position in range(match.start - 1, max(match.start - 1 - LOOKBACK, -1), -1):
        word = words[position]
        if word in CLAUSE_BREAKS:
            return False
        if word in markers:
            return True
    return False


def _additive(words: Sequence[str], match: _Match) -> bool:
    """Whether the phrase is something the teacher does as well ("Year 9 as well", "also Year 9")."""
    for offset in (0, 1):
        if any(_starts_with(words, match.end + offset, pattern) for pattern in ADDITIVE_AFTER):
            return True
    for pattern in ADDITIVE_BEFORE:
        for offset in (0, 1):
            begin = match.start - len(pattern) - offset
            if begin >= 0 and _starts_with(words, begin, pattern):
                return True
    return False


def _inside_longer(match: _Match, longer: Sequence[_Match], own_names: frozenset[str] = frozenset()) -> bool:
    """Whether a longer phrase that means something else covers this match.

    "year 8" inside "teaches year 8" of the same check and verdict is the same evidence; inside an
    entry's name ("the Sustaining themes"), or a phrase of another verdict ("not every session"
    over "every session"), it is not. Names in ``own_names`` (the entry itself and the entries the
    check suggests) are what the phrase is about, so they do not count.
    """
    return any(
        other.entry not in own_names
        and other.start <= match.start
        and match.end <= other.end
        and (other.end - other.start) > (match.end - match.start)
        and not (other.owners and other.owners <= match.owners)
        for other in longer
    )


# ----- names of entries, for "a phrase inside a longer different phrase" -------------------------
_NAME_PHRASES: weakref.WeakKeyDictionary[KnowledgeIndex, dict[str, list[tuple[str, ...]]]] = weakref.WeakKeyDictionary()


def _name_phrases(index: KnowledgeIndex) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Every entry's name and aliases as situation words with the entry's id, by first word (once per index)."""
    found = _NAME_PHRASES.get(index)
    if found is None:
        found = {}
        entries = getattr(index, "entries", None)
        for entry in index.kb:
            indexed = entries.get(entry.id) if isinstance(entries, dict) else None
            names = getattr(indexed, "names", None)
            if names is None:
                names = [tuple(index.analyse(name)) for name in (entry.name, *entry.aliases)]
            for name in names:
                phrase = situation_words(name)
                if len(phrase) > 1:
                    found.setdefault(phrase[0], []).append((phrase, entry.id))
        _NAME_PHRASES[index] = found
    return found


def _name_matches(words: Sequence[str], index: KnowledgeIndex) -> list[_Match]:
    by_first = _name_phrases(index)
    found = []
    for position, word in enumerate(words):
        for phrase, entry_id in by_first.get(word, ()):
            if _starts_with(words, position, phrase):
                found.append(_Match(position, position + len(phrase), phrase, entry=entry_id))
    return found


# ----- shares of lessons ------------------------------------------------------------------------
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_FRACTION_WORDS = {"half": Fraction(1, 2), "third": Fraction(1, 3), "quarter": Fraction(1, 4), "fifth": Fraction(1, 5)}
_LESSON_WORDS = frozenset({"lesson", "period"})
_BELOW = frozenset({"less", "fewer", "under", "below"})
_AT_LEAST = frozenset({"least", "more", "over", "above", "most", "majority"})
_PERCENT = re.compile(r"^(\d{1,3})%$")


def _number(word: str) -> int | None:
    if word.isdigit() and len(word) <= 2:
        return int(word)
    return _NUMBER_WORDS.get(word)


def lesson_shares(words: Sequence[str]) -> list[tuple[Fraction, str, int, int]]:
    """Shares of lessons stated in a situation, each as (share, 'below'/'at least'/'exact', start, end).

    Reads "two of its five lessons", "3 out of 5", "1/3 of the lessons" (tokens ``1 3``),
    "40% of the lessons", "50/50", "a third", "less than half", "at least half".
    """
    found: list[tuple[Fraction, str, int, int]] = []
    size = len(words)

    def near_lessons(end: int) -> bool:
        return any(word in _LESSON_WORDS or word.removesuffix("s") in _LESSON_WORDS for word in words[end : end + 5])

    def qualifier(start: int) -> str:
        before = set(words[max(0, start - 2) : start])
        if before & _BELOW:
            return "below"
        if before & _AT_LEAST:
            return "at least"
        return "exact"

    i = 0
    while i < size:
        word = words[i]
        number = _number(word)
        percent = _PERCENT.match(word)
        if percent and near_lessons(i + 1):
            found.append((Fraction(int(percent.group(1)), 100), qualifier(i), i, i + 1))
        elif number is not None:
            # "two of (its|the) five", "3 out of 5", "1 3 of the lessons" (from 1/3), "50 50"
            j = i + 1
            if j < size and words[j] == "out":
                j += 1
            if j < size and words[j] == "of":
                j += 1
                while j < size and words[j] in {"the", "its", "their", "her", "his", "our", "those", "them"}:
                    j += 1
                whole = _number(words[j]) if j < size else None
                if whole and 0 < number <= whole and near_lessons(j + 1):
                    found.append((Fraction(number, whole), qualifier(i), i, j + 1))
                    i = j + 1
                    continue
            elif j < size and (whole := _number(words[j])) is not None:
                if number == whole == 50:
                    found.append((Fraction(1, 2), "exact", i, j + 1))
                elif 0 < number < whole <= 10 and near_lessons(j + 1):
                    found.append((Fraction(number, whole), qualifier(i), i, j + 1))
        elif word in {"most", "majority"} and near_lessons(i + 1):
            found.append((Fraction(51, 100), "at least", i, i + 1))
        elif word in _FRACTION_WORDS and near_lessons(i + 1):
            share = _FRACTION_WORDS[word]
            if i > 0 and (count := _number(words[i - 1])) is not None and count > 1:
                share *= count  # "two thirds"
            found.append((share, qualifier(i), i, i + 1))
        i += 1
    return found


def _share_verdict(words: Sequence[str], minimum: float) -> tuple[bool | None, set[str]]:
    """True (meets the minimum share), False (below it) or None, with the words that showed it."""
    least = Fraction(minimum).limit_denominator(100)
    verdicts: list[bool] = []
    explained: set[str] = set()
    for share, how, start, end in lesson_shares(words):
        if _qualified(words, _Match(start, end, ()), NEGATIONS | NOT_YET):
            continue  # "doesn't teach half the lessons", "will take half the lessons"
        if how == "below":
            if share > least:
                continue  # "less than all the lessons" says nothing about the minimum
            verdicts.append(False)
        elif how == "at least":
            if share < least:
                continue  # "at least a third" may or may not reach half
            verdicts.append(True)
        else:
            verdicts.append(share >= least)
        explained.update(words[start:end])
    if not verdicts:
        return None, explained
    return all(verdicts), explained


# ----- the assessment ---------------------------------------------------------------------------
CONJUNCTION = " + "  # "non-specialist + teaches Year 8": every part must be stated
_SHARING = frozenset({"share", "shar", "split", "coteach", "jointly", "co"})  # "shared", "co-teaches" (stemmed)

Pattern = tuple[tuple[str, ...], ...]  # the parts of one phrase, each as situation words


def _patterns(texts: Iterable[str], index: KnowledgeIndex) -> list[Pattern]:
    found = []
    for text in texts:
        parts = tuple(phrase for part in text.split(CONJUNCTION) if (phrase := situation_words(index.analyse(part))))
        if parts:
            found.append(parts)
    return found


def _mentions_sharing(words: Sequence[str]) -> bool:
    return any(word in _SHARING or word.startswith("shar") for word in words)


CriterionPatterns = tuple[
    list[Criterion], dict[tuple[int, bool], list[Pattern]], dict[tuple[str, ...], frozenset[tuple[int, bool]]]
]


def _criterion_patterns(entry: Entry, index: KnowledgeIndex) -> CriterionPatterns:
    """The entry's checked criteria, each one's met/not-met phrases as patterns, and which criteria own each
    phrase part: the same for every question, so read once per entry and knowledge-base version.
    """
    found = index.criterion_patterns.get(entry.id)
    if found is not None:
        return found  # type: ignore[return-value]
    checked = [criterion for criterion in entry.eligibility if criterion.check is not None]
    patterns: dict[tuple[int, bool], list[Pattern]] = {}
    owners: dict[tuple[str, ...], set[tuple[int, bool]]] = {}
    for criterion in checked:
        check = criterion.check
        assert check is not None
        for polarity, texts in ((True, check.met_when), (False, check.not_met_when)):
            key = (id(criterion), polarity)
            patterns[key] = _patterns(texts, index)
            for pattern in patterns[key]:
                for part in pattern:
                    owners.setdefault(part, set()).add(key)
    found = (checked, patterns, {part: frozenset(keys) for part, keys in owners.items()})
    index.criterion_patterns[entry.id] = found
    return found


def assess_situation(entry: Entry, question_terms: Sequence[str], index: KnowledgeIndex) -> Situation:
    """Which criteria the question's own words show as met or not met."""
    checked, patterns, owners = _criterion_patterns(entry, index)
    if not checked:
        return Situation()
    words = situation_words(question_terms)
    present = frozenset(words)  # a part whose first word the question lacks matches nowhere: no need to scan for it
    part_matches = {part: list(_find(words, part, found)) if part and part[0] in present else [] for part, found in owners.items()}
    every = [match for found in part_matches.values() for match in found]
    if not every and not any(c.check.minimum_share for c in checked):  # type: ignore[union-attr]
        return Situation()
    every.extend(_name_matches(words, index))
    blocking = NEGATIONS | NOT_YET

    def stands(match: _Match, ruling_out: bool, own_names: frozenset[str]) -> bool:
        if _qualified(words, match, blocking) or _inside_longer(match, every, own_names):
            return False
        return not (ruling_out and _additive(words, match))

    def holding(group: list[Pattern], ruling_out: bool, own_names: frozenset[str]) -> list[str]:
        """The words of every pattern whose parts are all stated."""
        shown: list[str] = []
        for pattern in group:
            standing = [[m for m in part_matches[part] if stands(m, ruling_out, own_names)] for part in pattern]
            if all(standing):
                shown.extend(word for part in pattern for word in part)
        return shown

    met: list[Criterion] = []
    not_met: list[Criterion] = []
    explained: set[str] = set()
    for criterion in checked:
        check = criterion.check
        assert check is not None
        own_names = frozenset((entry.id, *check.suggest))
        failing = holding(patterns[(id(criterion), False)], True, own_names)
        meeting = holding(patterns[(id(criterion), True)], False, own_names)
        ruled_out, shown = bool(failing), failing or meeting
        if check.minimum_share is not None:
            verdict, share_words = _share_verdict(question_terms, check.minimum_share)
            if verdict is False:
                ruled_out, shown = True, [*failing, *share_words]
            elif verdict is None and meeting and _mentions_sharing(question_terms):
                meeting = []  # a shared class with no share stated: the minimum is still to check
            elif verdict is True:
                shown = [*shown, *share_words]
        if ruled_out:
            not_met.append(criterion)
        elif meeting:
            met.append(criterion)
        else:
            continue
        explained.update(shown)
    return Situation(tuple(met), tuple(not_met), frozenset(explained))
