"""Which entries a question is about, with the evidence for each.

Evidence, strongest first: a programme code; the entry's name or an alias (how much of it the
question names, and which of the question's words it accounts for); keywords that describe the
need; figures quoted from the entry; the overlap of the question with the entry's text (BM25);
the phase the question names or implies. A lone weak hit never wins on its own: the engine
declines below a threshold.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass

from bot.engine.eligibility import Situation, assess_situation
from bot.engine.index import EntryIndex, KnowledgeIndex
from bot.engine.query import Query
from bot.knowledge.schema import Phase

NO_SITUATION = Situation()
SITUATION_BONUS = 0.15
YEAR_BONUS = 0.1  # the question names the academic year the entry describes  # the question describes a situation this entry's criteria speak to
CONTENT_CANDIDATES = 24  # entries considered on their text alone


@dataclass
class Match:
    """One entry's evidence for a question."""

    entry_id: str
    indexed: EntryIndex
    name_words: frozenset[str] = frozenset()
    name_mass: float = 0.0
    name_full: bool = False
    alias_coverage: float = 0.0
    query_coverage: float = 0.0
    keyword_score: float = 0.0
    content_score: float = 0.0
    number_hits: int = 0
    code_hit: bool = False
    item_score: float = 0.0
    adjust: float = 0.0
    coverage: float = 0.0
    situation: Situation = NO_SITUATION
    stage_words: frozenset[str] = frozenset()
    year_words: frozenset[str] = frozenset()

    @property
    def explained(self) -> frozenset[str]:
        """Question words this entry accounts for: its name, stages, year, a situation its criteria describe."""
        return self.name_words | self.situation.words | self.stage_words | self.year_words

    @property
    def other_evidence(self) -> float:
        """Everything but the name: text, keywords, figures, snippets, phase and year."""
        return self.score - self.name_score

    @property
    def own_name_words(self) -> frozenset[str]:
        """Name words from the entry's main name (alias-only words are left for snippets to match)."""
        return self.name_words & frozenset(self.indexed.names[0]) if self.indexed.names else self.name_words

    @property
    def name_score(self) -> float:
        if self.name_mass < 1.0:
            return 0.0
        return 0.45 * self.alias_coverage + 0.55 * self.query_coverage

    @property
    def score(self) -> float:
        """All the evidence added up (recomputed as evidence is gathered; cheap)."""
        return (
            self.name_score
            + (1.2 if self.code_hit else 0.0)
            + self.keyword_score
            + self.content_score
            + min(0.8, 0.4 * self.number_hits)
            + self.item_score
            + self.adjust
        )

    @property
    def well_named(self) -> bool:
        """Named outright, or by most of an alias in two or more words."""
        return self.named or (len(self.name_words) >= 2 and self.alias_coverage >= 0.6)

    @property
    def named(self) -> bool:
        """The question names this entry outright (a whole alias or its code)."""
        return self.code_hit or (self.name_full and self.name_mass >= 1.5)


def rank(index: KnowledgeIndex, query: Query, limit: int = 8) -> list[Match]:
    """Entries with any evidence, best first (at most ``limit``).

    Evidence is gathered through the inverted indexes only, and a :class:`Match` is built only
    for entries named, described by a keyword, quoted by a figure or code, or among the best
    by text, so the cost follows the question, not the size of the knowledge base.
    """
    matches: dict[str, Match] = {}

    def match(entry_id: str) -> Match:
        found = matches.get(entry_id)
        if found is None:
            found = matches[entry_id] = Match(entry_id, index.entries[entry_id])
        return found

    words = query.word_set
    _names(index, words, match)
    _keywords(index, words, match)
    number_reach = max(20, index.entry_count // 50)  # a figure in hundreds of entries identifies none
    for number in query.numbers:
        postings = index.number_postings.get(number, ())
        if len(postings) <= number_reach:
            for entry_id in postings:
                match(entry_id).number_hits += 1
    for word in words:
        for entry_id in index.code_postings.get(word, ()):
            match(entry_id).code_hit = True
    content = _content(index, query)
    best_by_text = sorted(content, key=content.__getitem__, reverse=True)[: CONTENT_CANDIDATES]
    for entry_id in best_by_text:
        match(entry_id)
    for entry_id, found in matches.items():
        value = content.get(entry_id, 0.0)
        found.content_score = 0.5 * value / (value + 6.0)
    # Phase and history adjustments move an entry by at most +0.2, so only the leaders need them.
    leaders = sorted(matches.values(), key=lambda m: -m.score)[: max(limit, 1) * 4]
    for found in leaders:
        found.adjust = _adjustments(found, query)
    ranked = sorted(leaders, key=lambda m: -m.score)[: max(limit, 1)]
    for position, found in enumerate(ranked):
        if position < ITEM_CANDIDATES:  # snippets are analysed on first use; only the leaders need them
            found.item_score = _best_item_overlap(index, query, found)
        found.coverage = _coverage(index, query, found)
        if found.indexed.entry.eligibility:
            found.situation = assess_situation(found.indexed.entry, query.terms, index)
            if found.situation and found.name_words:
                found.adjust += SITUATION_BONUS
        year = found.indexed.entry.academic_year
        if year and f"ay{year[2:4]}{year[5:7]}" in query.word_set:
            found.year_words = frozenset({f"ay{year[2:4]}{year[5:7]}"})
            found.adjust += YEAR_BONUS
        named_stages = found.indexed.stages_named(query.terms) if found.indexed.entry.stages else []
        if named_stages and found.name_words:
            found.stage_words = frozenset().union(*(words for _, words in named_stages))
            found.adjust += SITUATION_BONUS
    ranked.sort(key=lambda m: -m.score)
    return ranked[:limit]


POSTINGS_BUDGET = 400
NAME_CANDIDATES = 40  # entries considered on their names
ITEM_CANDIDATES = 5  # name/keyword postings examined per question, rarest words first


def _reached(
    words: frozenset[str], postings: dict[str, list[tuple[str, int]]], neutral: frozenset[str]
) -> Iterator[tuple[str, int]]:
    """Each (entry, phrase) reached by the question's words, rarest words first, within the budget."""
    found = sorted((w for w in words if w not in neutral and w in postings), key=lambda w: len(postings[w]))
    seen: set[tuple[str, int]] = set()
    budget = POSTINGS_BUDGET
    for word in found:
        keys = postings[word]
        if len(keys) > budget:
            return
        budget -= len(keys)
        for key in keys:
            if key not in seen:
                seen.add(key)
                yield key


def _names(index: KnowledgeIndex, words: frozenset[str], match) -> None:  # noqa: ANN001
    """Best alias per entry: which question words it accounts for, and whether all of it is named.

    Aliases are scored in plain tuples; only the best :data:`NAME_CANDIDATES` entries become
    matches, so a word shared by hundreds of names costs little.
    """
    weight = index.name_weight
    asked = sum(weight(word) for word in words if word in index.name_idf)
    best: dict[str, tuple[float, frozenset[str], float, bool, float, float]] = {}
    for entry_id, number in _reached(words, index.name_postings, index.neutral):
        indexed = index.entries[entry_id]
        phrase = indexed.name_sets[number]
        hit = phrase & words
        mass = sum(map(weight, hit))
        total = indexed.name_totals[number]
        if not total or mass < 1.0 or (mass / total < 0.34 and mass / asked < 0.3):
            continue
        coverage, share = mass / total, mass / asked
        value = 0.45 * coverage + 0.55 * share
        previous = best.get(entry_id)
        if previous is None or value > previous[0]:
            best[entry_id] = (value, hit, mass, len(hit) == len(phrase), coverage, share)
    for entry_id, (_, hit, mass, full, coverage, share) in heapq.nlargest(
        NAME_CANDIDATES, best.items(), key=lambda item: item[1][0]
    ):
        found = match(entry_id)
        found.name_words, found.name_mass, found.name_full = hit, mass, full
        found.alias_coverage, found.query_coverage = coverage, share


def _keywords(index: KnowledgeIndex, words: frozenset[str], match) -> None:  # noqa: ANN001
    for entry_id, number in _reached(words, index.keyword_postings, index.neutral):
        phrase = index.entries[entry_id].keyword_sets[number]
        if phrase <= words and not phrase <= index.neutral:
            found = match(entry_id)
            found.keyword_score = min(0.6, found.keyword_score + 0.22 + 0.06 * len(phrase))


def _content(index: KnowledgeIndex, query: Query) -> dict[str, float]:
    """BM25 of each entry's text for the question's topic words (very common words skipped)."""
    raw: dict[str, float] = {}
    reach = max(40, index.entry_count // 10)
    for word in set(query.content):
        if word in index.neutral:
            continue
        postings = index.content_postings.get(word, ())
        if not postings or len(postings) > reach:
            continue
        idf = index.content_idf[word]
        for entry_id, weight in postings:
            raw[entry_id] = raw.get(entry_id, 0.0) + idf * weight
    return raw


def _adjustments(found: Match, query: Query) -> float:
    entry = found.indexed.entry
    adjust = 0.0
    if query.phases:
        overlap = [strength for phase, strength in query.phases.items() if phase in entry.phases]
        named_phase = max(query.phases.values())
        if overlap:
            adjust += 0.1 * max(overlap)
        elif Phase.CROSS_PHASE not in entry.phases and named_phase >= 1.0:
            adjust -= 0.3
        elif Phase.CROSS_PHASE not in entry.phases:
            adjust -= 0.1
    if query.asks_code and entry.codes:
        adjust += 0.3  # "what was its code?" is about an entry that has one
    if entry.status == "historical":
        adjust += 0.2 if query.wants_history else -0.45
    elif query.wants_history:
        adjust -= 0.1
    return adjust


def _best_item_overlap(index: KnowledgeIndex, query: Query, found: Match) -> float:
    """How well the entry's best snippet covers the question's other words (≤ 0.4).

    Half of it is how much of the question the snippet accounts for (a snippet that answers
    the question is strong evidence even when nothing is named), half the absolute overlap.
    """
    residual = query.topic_words - found.own_name_words
    if not residual:
        return 0.0
    idf = index.content_idf
    unknown = 2 * math.log(1 + index.entry_count)
    total = sum(idf.get(word, unknown) for word in residual)
    best = 0.0
    for item in found.indexed.items:
        overlap = sum(idf.get(word, 0.0) for word in residual & item.words)
        best = max(best, overlap)
    return 0.2 * best / (best + 5.0) + 0.2 * best / max(total, 5.0)  # a lone common word covers little

def _coverage(index: KnowledgeIndex, query: Query, found: Match) -> float:
    """The share of the question's topic words (weighted by rarity) the entry knows at all.

    A question about something the knowledge base never mentions ("bursary", "conference
    in the summer") covers little of any entry, so it is declined rather than matched on
    its one familiar word.
    """
    words = query.topic_words
    if not words:
        return 1.0
    unknown_weight = math.log(1 + index.entry_count)
    known = found.indexed.content
    total = covered = 0.0
    for word in words:
        weight = index.content_idf.get(word, unknown_weight)
        total += weight
        if word in known or word in found.explained:
            covered += weight
    return covered / total
