"""Stage 2a — answer units: every field, fact, FAQ, stage, criterion, deadline and link of an entry, typed.

A unit is the smallest thing that can answer a question on its own. Units are analysed once per
knowledge-base version, on first use, into the same terms the question is read into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from bot.engine.asks import FIELD_KINDS, counted_alike, unit_answers
from bot.engine.index import EntryIndex, KnowledgeIndex
from bot.engine.text import STOPWORDS, numbers_in, tokens
from bot.engine.vocabulary import recording_corrections
from bot.engine.wording import tied_to_its_question
from bot.knowledge.cache import code_fingerprint
from bot.knowledge.schema import Entry, Phase, Source

# Units kept in the parse cache are valid only for the code that analysed them.
UNITS_FINGERPRINT = code_fingerprint(
    __file__, "asks.py", "index.py", "text.py", "vocabulary.py", "understand.py", "verify.py", "data/asks.yaml",
)

# A count of something: "7,576 schools", "three cultures", "hundreds of" (not "Years 4 and 5", not a year).
_FIGURE_WORDS = re.compile(
    r"(?<!year )(?<!years )\b(?:[2-9]|[1-9]\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\b(?![/-]\d)(?! (?:and|or|to)\b) [a-z]+s\b"
    r"|\b(?:hundreds|thousands|dozens|millions?)\b",
    re.I,
)
FIGURE_REACH = 3  # words after a figure that say what it counts

_A_FIGURE = re.compile(
    r"(?<![\w/\-\u2013])(?:\d[\d,.]*%?\+?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundreds|thousands|dozens|millions)(?![\w/])",  # "2017-18" is a year, not 18 of something
    re.I,
)
_A_YEAR = re.compile(r"(?:19|20)\d\d")

# The words (as matched) a unit names each school phase by.
PHASE_WORDS = {
    Phase.EARLY_YEARS: frozenset({"earlyyear", "reception", "nursery", "eyfs"}),
    Phase.PRIMARY: frozenset({"primary", "primaries", "ks1", "ks2"}),
    Phase.SECONDARY: frozenset({"secondary", "secondaries", "ks3", "ks4"}),
    Phase.POST_16: frozenset({"post16", "fe", "alevel", "sixth", "college", "colleges"}),
}
PHASE_WORDS_ALL = frozenset().union(*PHASE_WORDS.values())

# Unit kinds and what they hold.
KINDS = (
    "summary", "who_for", "criterion", "eligibility", "time", "cost", "deadline", "apply", "link",
    "stage", "stages", "fact", "faq", "code",
)


@dataclass(frozen=True)
class Unit:
    """One answerable piece of an entry."""

    kind: str
    entry_id: str
    text: str  # what is shown (for a deadline, the label; the date is worded when composed)
    terms: frozenset[str]  # analysed words it can be matched on
    numbers: frozenset[str]
    sources: tuple[Source, ...]
    label: str = ""  # an FAQ's first question, a stage's name
    position: int = 0  # its place among the entry's units of the same kind
    answers: frozenset[str] = frozenset()  # question types it can answer (asks.unit_answers)
    counted: frozenset[str] = frozenset()  # terms right after a figure: what its figures count ("schools")

    @cached_property
    def tied(self) -> bool:
        """An FAQ answer that opens "Yes." / "No." / "Only …": it means something only beside its own question."""
        return self.kind == "faq" and tied_to_its_question(self.text)

    @cached_property
    def phase_terms(self) -> frozenset[str]:
        """The words naming a school phase it uses ("7,576 primary schools …"): which phase its facts are about."""
        return self.terms & PHASE_WORDS_ALL

    @cached_property
    def has_figure(self) -> bool:
        """It quotes a count, share or amount (not just a year)."""
        return bool(self.numbers) or "%" in self.text or bool(_FIGURE_WORDS.search(self.text))


def _specs(entry: Entry) -> list[tuple[str, str, str, tuple[Source, ...], str, int]]:
    """(kind, shown, matched, sources, label, position) for every unit of an entry."""
    specs: list[tuple[str, str, str, tuple[Source, ...], str, int]] = [
        ("summary", entry.summary.text, f"{entry.summary.text}", (entry.summary.source,), "", 0)
    ]
    if entry.who_for:
        specs.append(("who_for", entry.who_for.text, entry.who_for.text, (entry.who_for.source,), "", 0))
    for position, criterion in enumerate(entry.eligibility):
        specs.append(("criterion", criterion.text, criterion.text, (criterion.source,), "", position))
    if entry.eligibility:
        joined = " ".join(c.text for c in entry.eligibility)
        specs.append(("eligibility", joined, joined, tuple(c.source for c in entry.eligibility), "", 0))
    if entry.time_commitment:
        specs.append(("time", entry.time_commitment.text, entry.time_commitment.text, (entry.time_commitment.source,), "", 0))
    if entry.cost:
        specs.append(("cost", entry.cost.text, entry.cost.text, (entry.cost.source,), "", 0))
    if entry.deadlines:
        matched = " ".join(f"{d.label} {d.note or ''} {d.date:%d %B %Y}" for d in entry.deadlines)
        specs.append(("deadline", "; ".join(d.label for d in entry.deadlines), matched, tuple(d.source for d in entry.deadlines), "", 0))
    how = entry.how_to_apply
    if how and (how.steps or how.prerequisites):
        shown = " ".join([*how.prerequisites, *how.steps])
        specs.append(("apply", shown, shown, (how.source,), "", 0))
    if entry.links:
        shown = "; ".join(link.label for link in entry.links)
        specs.append(("link", shown, shown, tuple(link.source for link in entry.links), "", 0))
    for position, stage in enumerate(entry.stages):
        specs.append(("stage", stage.summary, f"{stage.name} {stage.summary}", (stage.source,), stage.name, position))
    if len(entry.stages) > 1:
        shown = " → ".join(stage.name for stage in entry.stages)
        specs.append(("stages", shown, shown, tuple(s.source for s in entry.stages), "", 0))
    for position, fact in enumerate(entry.facts):
        specs.append(("fact", fact.text, fact.text, (fact.source,), "", position))
    for position, faq in enumerate(entry.faqs):
        specs.append(("faq", faq.answer, " ".join([*faq.questions, faq.answer]), (faq.source,), faq.questions[0], position))
    if entry.codes:
        shown = ", ".join(entry.codes)
        specs.append(("code", shown, f"code {shown}", (entry.summary.source,), "", 0))
    return specs


def field_kinds(entry: Entry) -> frozenset[str]:
    """The field kinds (asks.FIELD_KINDS) among the entry's units, read without building them (as :func:`_specs` makes them)."""
    how = entry.how_to_apply
    present = {
        "deadline": bool(entry.deadlines), "time": bool(entry.time_commitment), "cost": bool(entry.cost),
        "apply": bool(how and (how.steps or how.prerequisites)), "criterion": bool(entry.eligibility),
        "eligibility": bool(entry.eligibility), "link": bool(entry.links),
    }
    return frozenset(kind for kind, there in present.items() if there)


class UnitIndex:
    """The units of every entry, built on first use for each entry.

    Which current entries have each field is read once per knowledge-base version, so a question
    that names no offer ("when is the deadline?") never builds every entry's units to count them.
    """

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index
        self._current = index.kb.current_entries()
        self._with_field: dict[str, list[int]] = {kind: [] for kind in FIELD_KINDS}
        for position, entry in enumerate(self._current):
            for kind in field_kinds(entry):
                self._with_field[kind].append(position)
        self._having: dict[frozenset[str], tuple[Entry, ...]] = {}
        self._units: dict[str, tuple[Unit, ...]] = {}
        self._faq_questions: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._faq_terms: dict[str, tuple[frozenset[str], ...]] = {}
        self._faq_plain: dict[str, tuple[frozenset[str], ...]] = {}
        self._attributes: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._kinds: dict[str, frozenset[str]] = {}

    def built(self, entry_id: str) -> bool:
        """The entry's units are built (by a question that reached it, or by :meth:`Engine.prepare`)."""
        return entry_id in self._units

    def prepare(self, entry_id: str) -> bool:
        """Work out now what a question reaching the entry reads (for :meth:`Engine.prepare`): its units, what each
        unit works out on first use, its FAQ questions' terms and what its names say. True if its units were not built.
        """
        new = entry_id not in self._units
        for unit in self.of(entry_id):
            unit.tied, unit.phase_terms, unit.has_figure  # noqa: B018 - each kept on the unit once read
        self.kinds(entry_id)
        self.faq_terms(entry_id)
        self.faq_plain(entry_id)
        self.name_attributes(entry_id)
        return new

    def kinds(self, entry_id: str) -> frozenset[str]:
        """The kinds of unit the entry has."""
        found = self._kinds.get(entry_id)
        if found is None:
            found = self._kinds[entry_id] = frozenset(unit.kind for unit in self.of(entry_id))
        return found

    def of(self, entry_id: str) -> tuple[Unit, ...]:
        found = self._units.get(entry_id)
        if found is None:
            found = self._units[entry_id] = self._cached(self.index.entries[entry_id])
        return found

    def _cached(self, indexed: EntryIndex) -> tuple[Unit, ...]:
        """The entry's units, their analysis read from the parse cache when nothing it depends on has changed.

        Analysing an entry's units (about 1.5 ms) is the largest cost of the first question it is a
        candidate for; kept in the parse cache it is paid once per change of the entry's file (or of
        the vocabulary, or of this code), not once per process. The rest of the knowledge base
        enters the analysis only through typo corrections, so the record keeps every word the
        analysis asked to correct and what it became, and is used only while each still comes out
        the same. What a process builds is written with the cache's next save (every load saves it).
        """
        cache = getattr(self.index, "cache", None)
        entry_id = indexed.entry.id
        fingerprint = self.index.kb.fingerprints.get(entry_id)
        if cache is None or not fingerprint:
            return self._build(indexed)
        key = f"units:{UNITS_FINGERPRINT}:{self.index.kb.vocabulary_fingerprint}:{fingerprint}"
        stored = cache.get(key)
        specs = _specs(indexed.entry)
        if stored is not None and len(stored[0]) == len(specs) and self._same_corrections(stored[4]):
            analysed, faq_questions, roles, stages, _ = stored
            self._faq_questions.setdefault(entry_id, tuple(tuple(texts) for texts in faq_questions))
            self._attributes.setdefault(entry_id, (frozenset(roles), frozenset(stages)))
            return tuple(
                Unit(kind, entry_id, shown, frozenset(terms.split()), frozenset(numbers.split()), sources, label,
                     position, frozenset(answers.split()), frozenset(counted.split()))
                for (kind, shown, _, sources, label, position), (terms, numbers, answers, counted) in zip(specs, analysed, strict=True)
            )
        with recording_corrections() as corrections:  # everything stored is analysed afresh while recording
            faq_words = self._faq_words(indexed.entry)
            units = self._build(indexed, specs, faq_words)
            faq_questions = tuple(tuple(" ".join(self.index.terms_of(words)) for words in texts) for texts in faq_words)
            roles, stages = self._name_attributes(indexed.entry)
        self._faq_questions.setdefault(entry_id, faq_questions)
        self._attributes.setdefault(entry_id, (roles, stages))
        cache.put(key, (
            [(" ".join(u.terms), " ".join(u.numbers), " ".join(u.answers), " ".join(u.counted)) for u in units],
            [list(texts) for texts in faq_questions], sorted(roles), sorted(stages),
            [list(corrections), list(corrections.values())],
        ))
        return units

    def _same_corrections(self, recorded: list[list[str]]) -> bool:
        """Each word the stored analysis corrected still becomes what it became then.

        A word the knowledge base uses is never changed (the corrector leaves its lexicon alone), so
        those words are checked together as a set; only the others are corrected again.
        """
        typos = self.index.typos
        words, results = recorded
        if len(words) != len(results):
            return False
        kept = frozenset(word for word, result in zip(words, results, strict=True) if word == result)
        correct = typos.correct
        return all(correct(word) == word for word in kept - typos.lexicon) and all(
            correct(word) == result for word, result in zip(words, results, strict=True) if word != result
        )

    def name_attributes(self, entry_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """The roles and key stages the entry's names say it is for (:func:`verify.entry_roles`, :func:`verify.entry_stages`),
        kept in the parse cache with its units (read with them when they are read first).
        """
        found = self._attributes.get(entry_id)
        if found is None:
            found = self._attributes[entry_id] = self._name_attributes(self.index.entries[entry_id].entry)
        return found

    def _name_attributes(self, entry: Entry) -> tuple[frozenset[str], frozenset[str]]:
        from bot.engine.verify import entry_roles, entry_stages  # verify reads units: imported when first needed

        return entry_roles(self.index, entry), entry_stages(self.index, entry)

    def current_having(self, kinds: frozenset[str]) -> tuple[Entry, ...]:
        """Current entries with a unit of any of ``kinds`` (field kinds only), in file order."""
        found = self._having.get(kinds)
        if found is None:
            positions = sorted({p for kind in kinds & FIELD_KINDS for p in self._with_field[kind]})
            found = self._having[kinds] = tuple(self._current[p] for p in positions)
        return found

    def faq_terms(self, entry_id: str) -> tuple[frozenset[str], ...]:
        """Each FAQ's questions as one set of analysed terms."""
        found = self._faq_terms.get(entry_id)
        if found is None:
            found = self._faq_terms[entry_id] = tuple(
                frozenset(w for text in texts for w in text.split()) - STOPWORDS for texts in self.faq_questions(entry_id)
            )
        return found

    def faq_plain(self, entry_id: str) -> tuple[frozenset[str], ...]:
        """Each FAQ's questions as analysed terms without stopwords, joined by spaces (for word-for-word matches)."""
        found = self._faq_plain.get(entry_id)
        if found is None:
            found = self._faq_plain[entry_id] = tuple(
                frozenset(" ".join(w for w in text.split() if w not in STOPWORDS) for text in texts)
                for texts in self.faq_questions(entry_id)
            )
        return found

    def faq_questions(self, entry_id: str) -> tuple[tuple[str, ...], ...]:
        """Each FAQ's questions as analysed terms joined by spaces (for wording similarity)."""
        found = self._faq_questions.get(entry_id)
        if found is None:
            found = self._faq_questions[entry_id] = self._analysed_faq_questions(self.index.entries[entry_id].entry)
        return found

    def _analysed_faq_questions(self, entry: Entry) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(" ".join(self.index.analyse(q)) for q in faq.questions) for faq in entry.faqs)

    def _faq_words(self, entry: Entry) -> list[list[list[str]]]:
        """Each FAQ's questions as corrected tokens: read once for its unit and for :meth:`faq_questions` alike."""
        return [[self.index.corrected(q) for q in faq.questions] for faq in entry.faqs]

    def _counted(self, text: str) -> frozenset[str]:
        """The analysed words just after each figure in ``text`` ("1,349 schools were involved" → school)."""
        found: set[str] = set()
        for match in _A_FIGURE.finditer(text):
            figure = match.group(0)
            if _A_YEAR.fullmatch(figure):
                continue  # "2024" is a year; "2,037" is a count
            after = text[match.end() :].split()[:FIGURE_REACH]
            found.update(self.index.analyse(" ".join(after)))
        return counted_alike(frozenset(found) - STOPWORDS)

    def _build(self, indexed: EntryIndex, specs: list | None = None, faq_words: list | None = None) -> tuple[Unit, ...]:
        index = self.index
        if faq_words is None:
            faq_words = self._faq_words(indexed.entry)
        units = []
        for kind, shown, matched, sources, label, position in specs or _specs(indexed.entry):
            corrected = index.corrected(matched)
            terms = frozenset(index.terms_of(corrected)) - STOPWORDS
            # only a text with a '%' (or one that normalises to it: '％') has a token ending in one (which no correction changes)
            if ("%" in matched or not matched.isascii()) and any(word.endswith("%") for word in corrected):
                terms |= {"percent"}
            own: tuple[str, ...] = ()
            if kind == "faq":
                own = tuple(" ".join(words) for words in faq_words[position])
            answers = unit_answers(kind, shown, own)
            counted = self._counted(shown)
            # correcting typos never changes a token that starts with a digit, so the corrected tokens hold its numbers
            numbers = frozenset(numbers_in(corrected if matched == shown else tokens(shown)))
            units.append(Unit(kind, indexed.entry.id, shown, terms, numbers, sources, label, position, answers, counted))
        return tuple(units)
