"""Read a teacher's stated situation against an entry's structured eligibility checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.engine.index import KnowledgeIndex
from bot.engine.text import STOPWORDS
from bot.knowledge.schema import Criterion, Entry

# Words that turn a situation round; they are kept when phrases are compared.
NEGATIONS = frozenset(
    "not no cant cannot dont doesnt isnt arent wont never without only neither nor havent hasnt didnt wasnt werent".split()
)


def situation_words(words: Sequence[str]) -> tuple[str, ...]:
    """Words that matter in a stated situation: no filler, but negations kept."""
    return tuple(word for word in words if word not in STOPWORDS or word in NEGATIONS)


@dataclass(frozen=True)
class Situation:
    """Criteria the question shows to be met or not met; the rest are unknown."""

    met: tuple[Criterion, ...] = ()
    not_met: tuple[Criterion, ...] = ()
    words: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.met or self.not_met)


def contains_phrase(words: Sequence[str], phrase: Sequence[str]) -> bool:
    """True when ``phrase`` occurs in ``words`` as consecutive words (ignoring stopwords)."""
    size = len(phrase)
    if not size:
        return False
    return any(tuple(words[i : i + size]) == tuple(phrase) for i in range(len(words) - size + 1))


def assess_situation(entry: Entry, question_words: Sequence[str], index: KnowledgeIndex) -> Situation:
    """Which criteria the question's own words show as met or not met."""
    words = situation_words(question_words)
    met: list[Criterion] = []
    not_met: list[Criterion] = []
    explained: set[str] = set()
    for criterion in entry.eligibility:
        check = criterion.check
        if check is None:
            continue
        failing = [phrase for p in check.not_met_when if contains_phrase(words, phrase := situation_words(index.analyse(p)))]
        meeting = [phrase for p in check.met_when if contains_phrase(words, phrase := situation_words(index.analyse(p)))]
        if failing:
            not_met.append(criterion)
        elif meeting:
            met.append(criterion)
        explained.update(word for phrase in failing + meeting for word in phrase)
    return Situation(tuple(met), tuple(not_met), frozenset(explained))
