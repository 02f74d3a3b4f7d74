"""Stage 2b — candidate entries: which entries a question could be about, with the evidence for each.

Evidence is gathered through the inverted indexes only (names and aliases, keywords, codes,
figures, BM25 over the entry's text), so the cost follows the question, not the size of the
knowledge base. The evidence is kept as separate numbers for the decision stage to weigh; the
only sum made here is a recall-minded prior that picks which entries to look at closely.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.engine.index import EntryIndex, KnowledgeIndex
from bot.engine.understand import Question

POSTINGS_BUDGET = 400  # name/keyword postings examined per question, rarest words first
NAME_CANDIDATES = 40
CONTENT_CANDIDATES = 24
CONTENT_REACH = 400  # a word in more entries than this identifies none of them
NUMBER_REACH = 400  # likewise a number (below 20,000 entries the reach of entry_count // 50 is smaller)
LOOKED_AT = 12  # entries examined closely per question, by their prior
NAME_GAP = 3  # words that may stand between an alias's words for it to count as named outright
SNIPPET_CANDIDATES = 12  # snippets searched across the whole knowledge base
SNIPPET_ENTRIES = 4  # entries added because one of their snippets matches well


@dataclass
class Evidence:
    """What points from a question to one entry."""

    entry_id: str
    indexed: EntryIndex
    name_words: frozenset[str] = frozenset()  # question words the best alias accounts for
    name_mass: float = 0.0
    name_full: bool = False  # the whole alias is in the question
    alias_coverage: float = 0.0  # share of the alias the question names
    query_coverage: float = 0.0  # share of the question's naming words the alias accounts for
    code_hit: bool = False
    keyword_hits: int = 0
    content: float = 0.0  # BM25
    number_hits: int = 0
    coverage: float = 0.0  # share of the question's topic words the entry knows at all
    snippet: float = 0.0  # how well its best snippet matches, against the best snippet anywhere (0..1)
    own_name: frozenset[str] = field(default_factory=frozenset)  # every word of the entry's names

    @property
    def named(self) -> bool:
        """The question names this entry outright (a whole alias or its code)."""
        return self.code_hit or (self.name_full and self.name_mass >= 1.5)

    @property
    def name_score(self) -> float:
        return 0.45 * self.alias_coverage + 0.55 * self.query_coverage if self.name_mass >= 1.0 else 0.0

    @property
    def prior(self) -> float:
        """A rough total, only to choose which entries to examine."""
        return (
            self.name_score + (1.2 if self.code_hit else 0.0) + min(0.6, 0.3 * self.keyword_hits)
            + 0.5 * self.content / (self.content + 6.0) + min(0.8, 0.4 * self.number_hits)
        )


def _reached(words: frozenset[str], postings: dict[str, list[tuple[str, int]]], neutral: frozenset[str]) -> Iterator[tuple[str, int]]:
    """Each (entry, phrase) reached by the question's words, rarest words first, within the budget."""
    found = sorted((w for w in words if w not in neutral and w in postings), key=lambda w: (len(postings[w]), w))
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


def gather(index: KnowledgeIndex, question: Question, limit: int = LOOKED_AT) -> list[Evidence]:
    """The entries with any evidence, strongest prior first (at most ``limit``)."""
    found: dict[str, Evidence] = {}

    def evidence(entry_id: str) -> Evidence:
        item = found.get(entry_id)
        if item is None:
            item = found[entry_id] = Evidence(entry_id, index.entries[entry_id])
        return item

    words = question.content
    _names(index, words, evidence, question.terms)
    for entry_id, number in _reached(words, index.keyword_postings, index.neutral):
        phrase = index.entries[entry_id].keyword_sets[number]
        if phrase <= words and not phrase <= index.neutral:
            evidence(entry_id).keyword_hits += 1
    number_reach = min(NUMBER_REACH, max(20, index.entry_count // 50))
    for number in sorted(question.numbers):
        postings = index.number_postings.get(number, ())
        if len(postings) <= number_reach:
            for entry_id in postings:
                evidence(entry_id).number_hits += 1
    for word in sorted(words):
        for entry_id in index.code_postings.get(word, ()):
            evidence(entry_id).code_hit = True
    content = _content(index, words)
    for entry_id in heapq.nlargest(CONTENT_CANDIDATES, content, key=lambda entry_id: (content[entry_id], entry_id)):
        evidence(entry_id)
    for entry_id, item in found.items():
        item.content = content.get(entry_id, 0.0)
    snippets = index.search_snippets(words, SNIPPET_CANDIDATES, CONTENT_REACH)
    top_snippet = snippets[0][0] if snippets else 0.0
    by_snippet: dict[str, float] = {}
    for score, entry_id, _ in snippets:
        by_snippet.setdefault(entry_id, score / top_snippet)
    chosen = heapq.nlargest(limit, found.values(), key=lambda e: (e.prior, e.entry_id))  # ties by id, never by arrival order
    picked = {item.entry_id for item in chosen}
    for entry_id in [i for i in by_snippet if i not in picked][:SNIPPET_ENTRIES]:
        item = evidence(entry_id)
        item.content = content.get(entry_id, 0.0)
        chosen.append(item)
    for item in chosen:
        item.snippet = by_snippet.get(item.entry_id, 0.0)
    topic = question.content - index.neutral
    for item in chosen:
        item.own_name = frozenset().union(*item.indexed.name_sets) if item.indexed.name_sets else frozenset()
        item.coverage = _coverage(index, topic, item)
    return chosen


def _together(terms: tuple[str, ...], phrase: frozenset[str]) -> bool:
    """Every word of ``phrase`` within a stretch of the question not much longer than the phrase ("lead school",
    "the lead school") — not one word here and one there ("our EYFS lead … an infant school").
    """
    window = len(phrase) + NAME_GAP
    return any(term in phrase and phrase <= frozenset(terms[start:start + window]) for start, term in enumerate(terms))


def _names(index: KnowledgeIndex, words: frozenset[str], evidence, terms: tuple[str, ...] = ()) -> None:  # noqa: ANN001
    """Best alias per entry: which question words it accounts for, and whether all of it is named (its words together)."""
    weight = index.name_weight
    asked = sum(weight(word) for word in sorted(words) if word in index.name_idf)
    best: dict[str, tuple[float, frozenset[str], float, bool, float, float]] = {}
    masses: dict[frozenset[str], float] = {}  # a hit's mass: many names share the words a question hits
    for entry_id, number in _reached(words, index.name_postings, index.neutral):
        indexed = index.entries[entry_id]
        phrase = indexed.name_sets[number]
        hit = phrase & words
        mass = masses.get(hit)
        if mass is None:
            mass = masses[hit] = sum(map(weight, sorted(hit)))
        total = indexed.name_totals[number]
        if not total or mass < 1.0 or (mass / total < 0.34 and mass / asked < 0.3):
            continue
        coverage, share = mass / total, mass / asked
        value = 0.45 * coverage + 0.55 * share
        previous = best.get(entry_id)
        if previous is None or value > previous[0]:
            full = len(hit) == len(phrase) and (len(phrase) < 2 or not terms or _together(terms, phrase))
            best[entry_id] = (value, hit, mass, full, coverage, share)
    for entry_id, (_, hit, mass, full, coverage, share) in heapq.nlargest(NAME_CANDIDATES, best.items(), key=lambda item: (item[1][0], item[0])):
        item = evidence(entry_id)
        item.name_words, item.name_mass, item.name_full = hit, mass, full
        item.alias_coverage, item.query_coverage = coverage, share


def _content(index: KnowledgeIndex, words: frozenset[str]) -> dict[str, float]:
    """BM25 of each entry's text for the question's words (very common words skipped)."""
    raw: dict[str, float] = {}
    reach = min(CONTENT_REACH, max(40, index.entry_count // 10))
    for word in sorted(words):  # a fixed order: the same sums, so the same ties, in every process
        if word in index.neutral:
            continue
        postings = index.content_postings.get(word, ())
        if not postings or len(postings) > reach:
            continue
        idf = index.content_idf[word]
        for entry_id, term_weight in postings:
            raw[entry_id] = raw.get(entry_id, 0.0) + idf * term_weight
    return raw


def _coverage(index: KnowledgeIndex, topic: frozenset[str], item: Evidence) -> float:
    """The share of the question's topic words (weighted by rarity) the entry knows at all."""
    if not topic:
        return 1.0
    unknown_weight = math.log(1 + index.entry_count)
    known = item.indexed.content
    total = covered = 0.0
    for word in sorted(topic):
        weight = index.content_idf.get(word, unknown_weight)
        total += weight
        if word in known:
            covered += weight
    return covered / total
