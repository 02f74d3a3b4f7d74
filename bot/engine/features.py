"""The evidence for one possible answer — an entry and one of its units — as numbers the decision weighs.

The names in :data:`FEATURES` are the columns of the fitted model (bot/engine/data/decision.json);
the fitting script (bot/engine/fit.py) and the engine both build them here, so they cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process

from bot.engine.asks import detail_types, units_for
from bot.engine.candidates import Evidence
from bot.engine.eligibility import Situation
from bot.engine.understand import Question
from bot.engine.units import PHASE_WORDS, Unit
from bot.engine.verify import EntryCheck, EntryFocus, FocusCheck

_YEAR_N = re.compile(r"\byear (\d{1,2})\b")

# The field a question type needs: an entry without it cannot answer that type from a field.
REQUIRED_FIELDS = {
    "deadline": frozenset({"deadline"}), "time": frozenset({"time"}), "cost": frozenset({"cost"}),
    "apply": frozenset({"apply", "link"}), "eligibility": frozenset({"criterion", "eligibility", "who_for"}),
    "code": frozenset({"code"}), "links": frozenset({"link"}),
}

FEATURES = (
    # the entry
    "named", "name_score", "alias_coverage", "code_hit", "keywords", "bm25", "entry_coverage",
    "phase_mismatch", "phase_soft_mismatch", "phase_match", "role_mismatch", "role_match",
    "history_mismatch", "year_mismatch", "is_top", "prior_margin", "information", "snippet_match",
    "stage_mismatch", "name_best", "name_gap",
    # the unit against what is asked
    "lead_kind", "any_kind", "focus_covered", "focus_unknown_kb", "focus_unknown_entry",
    "number_hit", "figure_for_count", "faq_similarity", "detail_ask", "slot_missing", "no_ask",
    "summary_unit", "no_focus", "situation", "answers_lead", "answers_any", "asked_covered", "question_length",
    "detail_uncovered", "unnamed_asked_covered", "unnamed_figure", "faq_question_covered", "counts_asked",
    "tied_uncovered", "distinct_covered", "alias_in_unit", "unit_phase",
    # what kind of question it is (the same for every option of a question: only the gate uses these)
    "asks_field", "asks_figure", "asks_reason", "asks_offers", "asks_what",
)
ASK_GROUPS = {
    "asks_field": {"deadline", "time", "cost", "apply", "eligibility", "who_for", "code", "stages", "links", "contact"},
    "asks_figure": {"how_many", "when"},
    "asks_reason": {"why", "changed"},
    "asks_offers": {"list", "exists", "which", "compare"},
    "asks_what": {"what", "acronym"},
}


@dataclass(slots=True)
class Option:
    """One possible answer: an entry, one of its units, and the evidence for it.

    Not frozen, though nothing changes one once made: an option is made for every unit of every
    candidate (150 a question on the real knowledge base), and a frozen dataclass's ``__init__``
    costs ten times as much (slots make it cheaper still).
    """

    evidence: Evidence
    unit: Unit
    check: EntryCheck
    focus: FocusCheck
    situation: Situation
    values: tuple[float, ...]
    entry_kinds: frozenset[str] = frozenset()  # the kinds of unit the entry has (which fields it has)

    @property
    def entry_id(self) -> str:
        return self.evidence.entry_id


def entry_values(
    question: Question, evidence: Evidence, check: EntryCheck, top_prior: float, second_prior: float, best_name: float,
) -> list[float]:
    entry = evidence.indexed.entry
    is_top = evidence.prior >= top_prior
    margin = (evidence.prior - second_prior) if is_top else (evidence.prior - top_prior)
    return [
        float(evidence.named), evidence.name_score, evidence.alias_coverage, float(evidence.code_hit),
        min(1.0, evidence.keyword_hits / 2), evidence.content / (evidence.content + 6.0), evidence.coverage,
        float(check.phase_mismatch), float(check.phase_soft_mismatch), float(check.phase_match),
        float(check.role_mismatch), float(check.role_match), float(check.history_mismatch), float(check.year_mismatch),
        float(is_top), max(-1.0, min(1.0, margin)), float(entry.kind == "information"), evidence.snippet,
        float(check.stage_mismatch), float(evidence.name_mass >= 1.0 and evidence.name_mass >= best_name - 1e-9),
        max(-1.0, (evidence.name_mass - best_name) / 2),
    ]


def unit_values(
    question: Question, unit: Unit, focus: FocusCheck, situation: Situation, entry_kinds: frozenset[str],
    faq_questions: tuple[str, ...], asked: tuple[float, float], named: float, faq_covered: float,
) -> list[float]:
    return QuestionFeatures(question).unit_values(unit, focus, situation, entry_kinds, faq_questions, asked, named, faq_covered)


class QuestionFeatures:
    """What the unit columns need from the question, read once per question: it has 100 or more options."""

    def __init__(self, question: Question) -> None:
        asks = question.asks
        lead = question.lead
        self.lead_kinds = frozenset(units_for(asks[:1]))
        self.any_kinds = frozenset(units_for(asks))
        self.asks = asks
        self.lead = lead
        self.numbers = question.numbers
        self.wanted_fields = REQUIRED_FIELDS.get(lead, frozenset())
        self.wording = " ".join(question.terms)
        self.wording_years = set(_YEAR_N.findall(self.wording))
        self.detail = float(lead in detail_types())
        self.asks_eligibility = question.asks_whether_may
        self.how_many = lead == "how_many"
        self.no_ask = float(not asks)
        self.length = min(1.0, len(question.asked_content) / 12)
        self.counted = question.counted or question.asked_content
        self.groups = _ask_group_values(lead)
        # the phases the question names, as a unit's words name them: "how many secondary schools …" wants a
        # figure about secondary schools, not the primary one beside it
        self.phase_words = frozenset().union(*(PHASE_WORDS.get(p, frozenset()) for p in question.attributes.named_phases))
        self._by_kind: dict[str, tuple[float, float, float, bool]] = {}
        # no numbers, counts or phases to compare a unit with: a blank unit's values follow from its kind and answers
        self.plain = not self.numbers and not self.how_many and not self.phase_words

    def _kind_values(self, kind: str) -> tuple[float, float, float, bool]:
        """(lead_kind, any_kind, summary_unit, whether a stated situation counts) for a kind of unit, read once per kind."""
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = (
                1.0 if kind in self.lead_kinds else 0.0, 1.0 if kind in self.any_kinds else 0.0,
                1.0 if kind == "summary" else 0.0, self.asks_eligibility and kind in _SITUATION_KINDS,
            )
        return found

    def unit_values(
        self, unit: Unit, focus: FocusCheck, situation: Situation, entry_kinds: frozenset[str],
        faq_questions: tuple[str, ...], asked: tuple[float, float], named: float, faq_covered: float,
    ) -> list[float]:
        # The hottest loop of a question (once per option): conditional expressions rather than float(), and
        # what depends only on the question and the unit's kind read once per kind — the same values as ever.
        kind = unit.kind
        lead_kind, any_kind, summary, situation_counts = self._kind_values(kind)
        similarity = max(map(self.faq_likeness, faq_questions)) if faq_questions and kind == "faq" else 0.0
        detail = self.detail
        figure = 1.0 if self.how_many and unit.has_figure else 0.0
        wanted_fields = self.wanted_fields
        answers = unit.answers
        covered = focus.covered
        asked_share = asked[0]
        return [
            lead_kind, any_kind, covered, focus.unknown_to_kb, focus.unknown_to_entry,
            0.0 if self.numbers.isdisjoint(unit.numbers) else 1.0, figure, similarity,
            detail, 1.0 if wanted_fields and wanted_fields.isdisjoint(entry_kinds) else 0.0,
            self.no_ask, summary, 0.0 if focus.words else 1.0,
            1.0 if situation_counts and situation else 0.0,
            1.0 if self.lead in answers else 0.0, 0.0 if answers.isdisjoint(self.asks) else 1.0, asked_share, self.length,
            detail * (1.0 - covered), asked_share * (1.0 - named), figure * (1.0 - named),
            faq_covered, 1.0 if self.how_many and not unit.counted.isdisjoint(self.counted) else 0.0,
            float(unit.tied) * (1.0 - max(covered, faq_covered)), focus.distinct, focus.alias_hit,
            self._phase_value(unit), *self.groups,
        ]

    def entry_options(
        self, evidence: Evidence, units: tuple[Unit, ...], check: EntryCheck, checks: EntryFocus, situation: Situation,
        entry_part: list[float], entry_kinds: frozenset[str], similarities: Sequence[float],
        faq_terms: tuple[frozenset[str], ...], named: float,
    ) -> list[Option]:
        """An :class:`Option` for every unit of one entry, with the values :meth:`unit_values` gives, the entry's
        side read once: its FAQs' wording similarities given (:meth:`faq_likenesses`, one rapidfuzz call an entry), and a
        unit that shares no word with the question's focus, asked words or the alias it names (most units) given
        the check of a unit that covers none of them, without summing over them.

        Such a unit that is no FAQ has values that depend only on its kind, which of the question's types it answers and
        what it shares with the question's numbers, counted words and phases (:meth:`_blank_key`; when the
        question has none of those, the first three alone): units of the
        entry alike in those get the very same values tuple, worked out once (and scored once, :func:`score_options`).
        """
        slot_missing = 1.0 if self.wanted_fields and self.wanted_fields.isdisjoint(entry_kinds) else 0.0
        no_focus = 0.0 if checks.focus else 1.0
        unnamed = 1.0 - named
        checked, blank = checks.words, checks.blank
        lead, asks, plain = self.lead, self.asks, self.plain
        alike: dict[tuple, tuple[float, ...]] = {}  # a blank unit's key → its values
        found = []
        for unit in units:
            kind = unit.kind
            terms = unit.terms
            if terms.isdisjoint(checked):
                if kind != "faq":
                    answers = unit.answers
                    key = (kind, lead in answers, not answers.isdisjoint(asks)) if plain else self._blank_key(unit)
                    values = alike.get(key)
                    if values is None:
                        values = alike[key] = self._values(
                            unit, blank, 0.0, 0.0, 0.0, entry_part, slot_missing, no_focus, unnamed, situation)
                    found.append(Option(evidence, unit, check, blank, situation, values, entry_kinds))
                    continue
                focus, asked_share = blank, 0.0
            else:
                focus, asked_share = checks.focus_check(unit), checks.asked_overlap(terms)[0]
            if kind == "faq":
                similarity = similarities[unit.position]
                faq_covered = checks.faq_question_overlap(faq_terms[unit.position])
            else:
                similarity = faq_covered = 0.0
            values = self._values(unit, focus, asked_share, similarity, faq_covered, entry_part, slot_missing, no_focus, unnamed, situation)
            found.append(Option(evidence, unit, check, focus, situation, values, entry_kinds))
        return found

    def _blank_key(self, unit: Unit) -> tuple:
        """What a unit that is no FAQ and covers none of the question's words contributes to its values beyond the
        entry's side: its kind, whether it answers the question's lead type and any type it asks, and whether it shares the question's numbers, quotes a
        figure of what a "how many" counts, and names the question's phases.
        """
        how_many = self.how_many
        phase_words = self.phase_words
        answers = unit.answers
        return (
            unit.kind, self.lead in answers, not answers.isdisjoint(self.asks),
            bool(self.numbers) and not self.numbers.isdisjoint(unit.numbers),
            how_many and unit.has_figure, how_many and not unit.counted.isdisjoint(self.counted),
            self._phase_value(unit) if phase_words else 0.0,
        )

    def _values(
        self, unit: Unit, focus: FocusCheck, asked_share: float, similarity: float, faq_covered: float,
        entry_part: list[float], slot_missing: float, no_focus: float, unnamed: float, situation: Situation,
    ) -> tuple[float, ...]:
        """One option's values, the entry's side (``entry_part`` and the constants after it) given.

        What depends on the unit's kind is read from the per-kind table and the phase column worked out here: no
        method call for either on the hottest path (the same values as :meth:`_kind_values` and :meth:`_phase_value`).
        """
        kind = unit.kind
        by_kind = self._by_kind.get(kind)
        lead_kind, any_kind, summary, situation_counts = by_kind if by_kind is not None else self._kind_values(kind)
        covered = focus.covered
        figure = 1.0 if self.how_many and unit.has_figure else 0.0
        answers = unit.answers
        detail = self.detail
        # tied before phase_terms, the order they were always first read in: the order a unit's cached properties
        # join its __dict__ in bears on the memory it takes
        tied = float(unit.tied) * (1.0 - max(covered, faq_covered))
        phase_words = self.phase_words
        phase_terms = unit.phase_terms if phase_words else None
        return (
            *entry_part, lead_kind, any_kind, covered, focus.unknown_to_kb, focus.unknown_to_entry,
            0.0 if self.numbers.isdisjoint(unit.numbers) else 1.0, figure, similarity, detail, slot_missing,
            self.no_ask, summary, no_focus, 1.0 if situation_counts and situation else 0.0,
            1.0 if self.lead in answers else 0.0, 0.0 if answers.isdisjoint(self.asks) else 1.0, asked_share, self.length,
            detail * (1.0 - covered), asked_share * unnamed, figure * unnamed,
            faq_covered, 1.0 if self.how_many and not unit.counted.isdisjoint(self.counted) else 0.0,
            tied, focus.distinct, focus.alias_hit, (1.0 if phase_terms & phase_words else -1.0) if phase_terms else 0.0,
            *self.groups,
        )

    def faq_likenesses(self, faq_questions: tuple[tuple[str, ...], ...]) -> list[float]:
        """Each of an entry's FAQs' wording similarity — the most alike of its questions by :meth:`faq_likeness` (0 for
        one with none) — with rapidfuzz comparing the question with all of them in one call.
        """
        texts = [text for questions in faq_questions for text in questions]
        asked = self.wording_years
        if asked:  # a text naming a year group is alike only if it names one the question names; the rest are compared
            likeness: list[float | None] = []
            for text in texts:
                listed = _years_named(text)
                likeness.append((1.0 if asked & listed else 0.0) if listed else None)
            ratio = iter(self._ratios([text for text, value in zip(texts, likeness, strict=True) if value is None]))
            likeness = [next(ratio) if value is None else value for value in likeness]
        else:
            likeness = self._ratios(texts)
        found = []
        start = 0
        for questions in faq_questions:
            end = start + len(questions)
            found.append(max(likeness[start:end]) if questions else 0.0)
            start = end
        return found

    def _ratios(self, texts: list[str]) -> list[float]:
        """The question's wording's rapidfuzz ``token_set_ratio`` with each text, over 100, in one call."""
        if not texts:
            return []
        scores = process.extract(self.wording, texts, scorer=fuzz.token_set_ratio, processor=None, limit=None)
        if len(scores) != len(texts):  # every choice has a score; if not, the long way
            scores = [(text, fuzz.token_set_ratio(self.wording, text), i) for i, text in enumerate(texts)]
        ratios = [0.0] * len(texts)
        for _, score, i in scores:
            ratios[i] = score / 100
        return ratios

    def _phase_value(self, unit: Unit) -> float:
        """1 when the unit names a phase the question names, -1 when it names only others, 0 when either names none."""
        if not self.phase_words or not unit.phase_terms:
            return 0.0
        return 1.0 if unit.phase_terms & self.phase_words else -1.0

    def faq_likeness(self, faq_question: str) -> float:
        """:func:`_faq_likeness` with the question's side read once."""
        asked = self.wording_years
        if asked:
            listed = _years_named(faq_question)
            if listed:
                return 1.0 if asked & listed else 0.0
        return fuzz.token_set_ratio(self.wording, faq_question) / 100


_SITUATION_KINDS = frozenset({"criterion", "eligibility"})  # units a stated situation bears on


@lru_cache(maxsize=65536)
def _years_named(text: str) -> frozenset[str]:
    return frozenset(_YEAR_N.findall(text))


def _faq_likeness(wording: str, faq_question: str) -> float:
    """How alike a question and one FAQ question are (0..1) — where both name a "year N", only if it is the same
    year: "year 3 of …" is not "year 2 of …", however alike the rest of the words.
    """
    asked, listed = set(_YEAR_N.findall(wording)), set(_YEAR_N.findall(faq_question))
    if asked and listed:
        return 1.0 if asked & listed else 0.0
    return fuzz.token_set_ratio(wording, faq_question) / 100


@cache
def _ask_group_values(lead: str) -> tuple[float, ...]:
    """The asks_* columns: which group of question types the lead type is in."""
    return tuple(float(lead in group) for group in ASK_GROUPS.values())
