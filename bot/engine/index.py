"""The search index built once per knowledge-base version: names, keywords, content and snippets."""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from bot.engine.text import FUNCTION_WORDS, PHASE_TERMS, STOPWORDS, fold_all, numbers_in, stem, tokens
from bot.engine.vocabulary import PhraseMapper, TypoCorrector, recording
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.cache import ParseCache, code_fingerprint
from bot.knowledge.loader import MEMORY_CACHE
from bot.knowledge.schema import Entry, Source


def question_words() -> set[str]:
    """The words that say what a question asks (bot/engine/data/asks.yaml), so typos in them are corrected too."""
    from bot.engine.understand import cue_words

    return {word for word in cue_words() if word.isalpha()}


# Words typos are corrected towards besides the knowledge base's own: what questions ask.
QUESTION_LEXICON = ["deadline", "close", "closing", "closed", "open", "opening", "extended", "extension", "date", "when", "until", "due", "late", "apply", "application", "form", "eligible", "eligibility", "criteria", "requirement", "prerequisite", "qualify", "allowed", "cost", "free", "funded", "price", "fee", "charge", "pay", "day", "days", "hour", "hours", "session", "sessions", "week", "weeks", "year", "time", "commitment", "long", "contact", "email", "speak", "many", "number", "percent", "percentage", "figure", "statistic", "order", "next", "after", "stage", "stages", "sequence", "exist", "available", "offer", "option", "list", "anything", "everything", "programme", "course", "work", "group", "community", "project", "support", "explain", "information", "about", "describe", "aimed", "suitable", "whom", "join", "register", "before", "need", "needed", "require", "required"]


# Cached indexes are valid only for the code that built them.
CODE_FINGERPRINT = code_fingerprint(__file__, "text.py", "vocabulary.py", "understand.py", "data/asks.yaml")
SNIPPETS_PER_ENTRY = 256  # snippets beyond this many in one entry are not searched directly
BM25_K1 = 1.2
BM25_B = 0.6
_STEMS: dict[str, str] = {}
_CODE_FAMILY = re.compile(r"^([a-z]+\d+k\d+)[a-z]$")
_SEPARATOR = "zzseparatorzz"  # a token no text contains, to analyse many short texts in one pass


def terms(words: list[str], mapper: PhraseMapper) -> list[str]:
    """Matching terms: vocabulary-mapped, then -ing/-ed folded."""
    return fold_all(mapper.apply(words), stem, _STEMS)


def split_on(words: list[str], separator: str) -> list[list[str]]:
    """Split a token list at each separator token."""
    parts: list[list[str]] = [[]]
    for word in words:
        if word == separator:
            parts.append([])
        else:
            parts[-1].append(word)
    return parts


def significant(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Words that can identify a topic: no stopwords."""
    return tuple(word for word in words if word not in STOPWORDS)


@dataclass
class EntryIndex:
    """What the engine knows about one entry, in normalised form."""

    entry: Entry
    names: list[tuple[str, ...]]
    keywords: list[tuple[str, ...]]
    codes: frozenset[str]
    content: dict[str, int]  # word → count (a Counter while indexing)
    length: int
    numbers: frozenset[str]
    mapper: PhraseMapper
    raw_words: frozenset[str]
    item_words: list[frozenset[str] | str] = field(default_factory=list)  # str: words joined, from the cache
    name_totals: list[float] = field(default_factory=list)
    name_sets: list[frozenset[str]] = field(default_factory=list)
    keyword_sets: list[frozenset[str]] = field(default_factory=list)


def item_specs(entry: Entry) -> list[tuple[str, str, str, Source, str]]:
    """Each snippet as (kind, text shown, text matched, source, label)."""
    specs: list[tuple[str, str, str, Source, str]] = []
    for faq in entry.faqs:
        specs.append(("faq", faq.answer, " ".join(faq.questions), faq.source, faq.questions[0]))
    for fact in entry.facts:
        specs.append(("fact", fact.text, fact.text, fact.source, ""))
    for stage in entry.stages:
        specs.append(("stage", stage.summary, f"{stage.name} {stage.summary}", stage.source, stage.name))
    for criterion in entry.eligibility:
        specs.append(("criterion", criterion.text, criterion.text, criterion.source, ""))
    for text_field in (entry.summary, entry.who_for, entry.time_commitment, entry.cost):
        if text_field is not None:
            specs.append(("field", text_field.text, text_field.text, text_field.source, ""))
    return specs


class KnowledgeIndex:
    """Inverted indexes over every entry, plus the text analysis both sides share."""

    def __init__(self, kb: KnowledgeBase, cache: ParseCache | None = MEMORY_CACHE) -> None:
        self.kb = kb
        self._analysed: dict[str, tuple[str, ...]] = {}
        # Per-entry data later stages derive on first use and keep for this version (eligibility's criterion patterns).
        self.criterion_patterns: dict[str, object] = {}
        self.mapper = PhraseMapper(kb.vocabulary)
        # Question words and the hub's own name ("Kent", "Medway") identify no entry.
        hub_words = set(terms(tokens(kb.hub.name), self.mapper)) - self.mapper.canonical_words
        self.neutral = FUNCTION_WORDS | frozenset(hub_words)
        self.hub_words = frozenset(hub_words) - FUNCTION_WORDS - STOPWORDS  # "Kent", "Medway": a question about the hub's own area
        self.entries: dict[str, EntryIndex] = {}
        targets: set[str] = set(self.mapper.words) | set(QUESTION_LEXICON) | question_words()
        known: set[str] = set(targets)
        for entry in kb:
            indexed = self._cached_entry(entry, cache)
            self.entries[entry.id] = indexed
            known.update(indexed.raw_words)
            for phrase in [*indexed.names, *indexed.keywords]:
                targets.update(phrase)
        self.typos = TypoCorrector(known, targets, QUESTION_LEXICON)
        self._build_postings()
        self.cache = cache  # later stages keep what they derive per entry in it too (the answer units)
        if cache is not None:
            cache.save()

    def corrected(self, text: str) -> list[str]:
        """Normalised tokens with typos corrected against the knowledge base's words (no synonym mapping)."""
        typos = self.typos
        return typos.apply(tokens(text, typos.apply))

    def mapped(self, text: str) -> list[str]:
        """Normalise, correct typos against the knowledge base's words, then map synonyms."""
        return self.mapper.apply(self.corrected(text))

    def analyse(self, text: str) -> list[str]:
        """The matching terms of a text (as :meth:`mapped`, with -ing/-ed folded)."""
        found = None if recording() else self._analysed.get(text)  # a recording must see every correction made
        if found is None:
            found = self.terms_of(self.corrected(text))
            if len(self._analysed) < 8192:  # criteria phrases and stage names repeat; questions rarely
                self._analysed[text] = found
        return list(found)

    def terms_of(self, corrected: list[str]) -> tuple[str, ...]:
        """The matching terms of tokens already corrected (:meth:`analyse` of the text they were read from)."""
        return tuple(fold_all(self.mapper.apply(corrected), stem, _STEMS))

    def _cached_entry(self, entry: Entry, cache: ParseCache | None) -> EntryIndex:
        """The entry's index, reused from the cache when its file, the vocabulary and this code are unchanged."""
        fingerprint = self.kb.fingerprints.get(entry.id)
        if cache is None or not fingerprint:
            return self._index_entry(entry)
        key = f"index:{CODE_FINGERPRINT}:{self.kb.vocabulary_fingerprint}:{fingerprint}"
        stored = cache.get(key)
        if stored is not None:
            names, keywords, codes, content, numbers, raw_words, item_words = stored
            return EntryIndex(
                entry, [tuple(n) for n in names], [tuple(k) for k in keywords], frozenset(codes), content,
                sum(content.values()), frozenset(numbers), self.mapper, frozenset(raw_words.split()),
                item_words,  # split when the entry's snippets are first needed
            )
        indexed = self._index_entry(entry)
        cache.put(key, (
            [list(n) for n in indexed.names], [list(k) for k in indexed.keywords], list(indexed.codes),
            dict(indexed.content), list(indexed.numbers), " ".join(indexed.raw_words),
            [words if isinstance(words, str) else " ".join(words) for words in indexed.item_words],
        ))
        return indexed

    def _index_entry(self, entry: Entry) -> EntryIndex:
        mapper = self.mapper
        labels = [entry.name, *entry.aliases, *entry.keywords]
        label_tokens = tokens(f" {_SEPARATOR} ".join(labels))
        phrases = [significant(part) for part in split_on(terms(label_tokens, mapper), _SEPARATOR)]
        names = []
        for phrase in phrases[: 1 + len(entry.aliases)]:
            if phrase and phrase not in names:
                names.append(phrase)
        keywords = [phrase for phrase in phrases[1 + len(entry.aliases) :] if phrase]
        codes = frozenset(word for code in entry.codes for word in tokens(code))
        # "NCP17-08" without its letter names the family NCP17-08a, -08b, -08c alike: an alias of each.
        for prefix in sorted({m.group(1) for word in codes if (m := _CODE_FAMILY.match(word))}):
            if (prefix,) not in names:
                names.append((prefix,))
        # "NCP17-10a" is also "an NCP": its letters count as a word the entry knows.
        code_words = [prefix for code in entry.codes if (prefix := re.match(r"[a-z]+", code.lower()))]
        # Snippet texts first (one part each), then the rest of the entry's text as a last part.
        texts = [spec[2] for spec in item_specs(entry)]
        rest = [faq.answer for faq in entry.faqs] + [link.label for link in entry.links]
        if entry.how_to_apply:
            rest += entry.how_to_apply.steps + entry.how_to_apply.prerequisites
        raw = tokens(f" {_SEPARATOR} ".join([*texts, " ".join(rest)]))
        parts = split_on(terms(raw, mapper), _SEPARATOR)
        item_words = [
            (frozenset(part) | ({"percent"} if any(w.endswith("%") for w in part) else set())) - STOPWORDS
            for part in parts[: len(texts)]
        ]
        content = Counter(word for part in parts for word in part if word not in STOPWORDS)
        for phrase in names + keywords:
            content.update(phrase)
        content.update(prefix.group(0) for prefix in code_words)
        if any(word.endswith("%") for word in raw):
            content["percent"] += 1  # "what % …" and "what percentage …" find figures written as 58%
        numbers = frozenset(numbers_in(raw))
        raw_words = (frozenset(raw) | frozenset(label_tokens)) - {_SEPARATOR}
        return EntryIndex(
            entry, names, keywords, codes, content, sum(content.values()), numbers, mapper, raw_words, item_words
        )

    def _build_postings(self) -> None:
        total = max(len(self.entries), 1)
        self.entry_count = total
        self.average_length = sum(e.length for e in self.entries.values()) / total
        name_df: Counter[str] = Counter()
        self.name_postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.keyword_postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.content_postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self.number_postings: dict[str, list[str]] = defaultdict(list)
        self.code_postings: dict[str, list[str]] = defaultdict(list)
        content_postings = self.content_postings
        k1_plus_1 = BM25_K1 + 1
        for entry_id, indexed in self.entries.items():
            indexed.name_sets = [frozenset(phrase) for phrase in indexed.names]
            indexed.keyword_sets = [frozenset(phrase) for phrase in indexed.keywords]
            name_df.update(frozenset().union(*indexed.name_sets))
            for number, words in enumerate(indexed.name_sets):
                for word in words:
                    self.name_postings[word].append((entry_id, number))
            for number, words in enumerate(indexed.keyword_sets):
                for word in words:
                    self.keyword_postings[word].append((entry_id, number))
            # BM25 term weight, computed once: tf·(k1+1) / (tf + k1·(1 − b + b·length/average)).
            norm = BM25_K1 * (1 - BM25_B + BM25_B * indexed.length / self.average_length)
            for word, count in indexed.content.items():
                content_postings[word].append((entry_id, count * k1_plus_1 / (count + norm)))
            for value in indexed.numbers:
                self.number_postings[value].append(entry_id)
            for code in indexed.codes:
                self.code_postings[code].append(entry_id)
        self.name_idf = {word: math.log(1 + total / df) for word, df in name_df.items()}
        self.content_idf = {word: _idf(total, len(found)) for word, found in content_postings.items()}
        self.single_entry_idf = _idf(total, 1)  # the rarest a known word can be: only one entry mentions it
        self._build_snippet_postings()
        self._name_weights: dict[str, float] = {}
        for indexed in self.entries.values():
            indexed.name_totals = [sum(map(self.name_weight, words)) for words in indexed.name_sets]

    def _build_snippet_postings(self) -> None:
        """Every snippet's words → (entry number, snippet number) packed in one integer, for searching snippets directly."""
        postings: dict[str, array] = defaultdict(lambda: array("I"))
        self.entry_ids: list[str] = list(self.entries)
        self.snippet_lengths: list[list[int]] = []
        for number, indexed in enumerate(self.entries.values()):
            lengths = []
            for item, words in enumerate(indexed.item_words[:SNIPPETS_PER_ENTRY]):
                found = words.split() if isinstance(words, str) else words
                lengths.append(len(found))
                key = number * SNIPPETS_PER_ENTRY + item
                for word in set(found):
                    postings[word].append(key)
            self.snippet_lengths.append(lengths)
        self.snippet_postings = dict(postings)
        # a snippet's score is divided by sqrt(1 + its length): each such root worked out once, not per scored snippet
        longest = max((n for lengths in self.snippet_lengths for n in lengths), default=0)
        self.snippet_roots = [math.sqrt(1 + n) for n in range(longest + 1)]

    def search_snippets(self, words: frozenset[str], limit: int, reach: int) -> list[tuple[float, str, int]]:
        """The best-matching snippets of the whole knowledge base: (score, entry id, snippet number), best first."""
        scores: dict[int, float] = {}
        for word in sorted(words):
            if word in self.neutral:
                continue
            keys = self.snippet_postings.get(word)
            if not keys or len(keys) > reach:
                continue
            idf = self.content_idf.get(word, 0.0)
            for key in keys:
                scores[key] = scores.get(key, 0.0) + idf
        lengths, roots = self.snippet_lengths, self.snippet_roots
        ranked = [(score / roots[lengths[key // SNIPPETS_PER_ENTRY][key % SNIPPETS_PER_ENTRY]], key) for key, score in scores.items()]
        best = heapq.nlargest(limit, ranked, key=itemgetter(0))  # ties in the order scored, as ever
        return [(score, self.entry_ids[key // SNIPPETS_PER_ENTRY], key % SNIPPETS_PER_ENTRY) for score, key in best]

    def name_weight(self, word: str) -> float:
        """How much a word identifies an entry by name (function words count for little)."""
        cached = self._name_weights.get(word)
        if cached is not None:
            return cached
        value = self._name_weight(word)
        if len(self._name_weights) < 100_000:
            self._name_weights[word] = value
        return value

    def _name_weight(self, word: str) -> float:
        weight = self.name_idf.get(word, math.log(1 + self.entry_count))
        if word in self.neutral:
            return weight * 0.25
        if word.isdigit() or word in PHASE_TERMS or (word.startswith("ay") and word[2:].isdigit()):
            return weight * 0.2  # year groups, phases and academic years say little about which entry
        return weight


def _idf(total: int, found: int) -> float:
    """BM25's inverse document frequency of a word ``found`` in that many of ``total`` entries."""
    return math.log(1 + (total - found + 0.5) / (found + 0.5))
