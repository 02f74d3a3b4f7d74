"""Stage 3 — verify: whether an entry, and a unit of it, agrees with what the question names and asks.

A phase, role or year the question names that the entry does not have is a mismatch, never a
match ("SKTM for secondary ECTs" against the programme for primary ECTs). What the question asks
about beyond the entry's name — its focus — must be covered by the unit that answers it, and a
word the knowledge base never uses at all ("parking", "salary") is a sign it is not known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

from bot.engine.candidates import Evidence
from bot.engine.index import KnowledgeIndex
from bot.engine.understand import Question, roles_in, stages_in
from bot.engine.units import Unit
from bot.knowledge.schema import PHASE_LABELS, Entry, Phase

ROLE_LABELS = {
    "ta": "teaching assistants", "ect": "early career teachers", "nonspecialist": "non-specialist teachers",
    "student": "students", "parent": "parents", "headteacher": "headteachers",
}

STAGE_LABELS = {"reception": "Reception", "ks1": "KS1", "ks2": "KS2", "ks3": "KS3", "ks4": "KS4"}


PHASES_OF_STAGE = {
    "reception": frozenset({Phase.EARLY_YEARS, Phase.PRIMARY}), "ks1": frozenset({Phase.PRIMARY}),
    "ks2": frozenset({Phase.PRIMARY}), "ks3": frozenset({Phase.SECONDARY}), "ks4": frozenset({Phase.SECONDARY}),
}


def _asked_stage_excluded(asked: frozenset[str], stages: frozenset[str], phases: set[Phase]) -> bool:
    """The asking sentence names key stages the entry is not for: its name gives others ("at KS2"), or, naming
    none, its phases hold none of theirs (a primary offer asked about "for KS3").
    """
    if not asked or Phase.CROSS_PHASE in phases:
        return False
    if stages:
        return not (stages & asked)
    return not any(PHASES_OF_STAGE[s] & phases for s in asked)


def entry_roles(index: KnowledgeIndex, entry: Entry) -> frozenset[str]:
    """The roles an entry's name says it is for (none: it is for anyone in its phases)."""
    return roles_in(" ".join(" ".join(index.corrected(name)) for name in [entry.name, *entry.aliases]))


def entry_stages(index: KnowledgeIndex, entry: Entry) -> frozenset[str]:
    """The key stages an entry's name says it is for ("Mastering Number at KS2" → ks2; none: not said)."""
    return stages_in(" ".join(" ".join(index.mapped(name)) for name in [entry.name, *entry.aliases]))


@dataclass(frozen=True)
class EntryCheck:
    """How one entry agrees with the question's attributes."""

    phase_mismatch: bool  # a phase named outright that the entry is not for
    phase_soft_mismatch: bool  # only implied phases (year groups, key stages), none of them the entry's
    phase_match: bool
    role_mismatch: bool
    role_match: bool
    history_mismatch: bool  # a past offer when the question does not ask about the past
    year_mismatch: bool  # an academic year named that the entry is not about
    stage_mismatch: bool  # key stages named (or year groups) that the entry's name excludes
    missing: tuple[str, ...]  # what the question names that the entry lacks, in words

    @property
    def mismatched(self) -> bool:
        return self.phase_mismatch or self.role_mismatch or self.year_mismatch or self.stage_mismatch


def check_entry(
    index: KnowledgeIndex, question: Question, evidence: Evidence, roles: frozenset[str], stages: frozenset[str] = frozenset(),
) -> EntryCheck:
    entry = evidence.indexed.entry
    attributes = question.attributes
    phases = set(entry.phases)
    cross = Phase.CROSS_PHASE in phases
    named = attributes.named_phases
    implied = set(attributes.phases) - named
    phase_mismatch = bool(named) and not cross and not (named & phases)
    phase_soft = not named and bool(implied) and not cross and not (implied & phases)
    asked_roles = attributes.roles
    role_mismatch = bool(roles) and bool(asked_roles) and not (roles & asked_roles)
    year = entry.academic_year
    entry_year = f"ay{year[2:4]}{year[5:7]}" if year else None
    year_mismatch = bool(attributes.academic_years) and entry_year is not None and entry_year not in attributes.academic_years
    stage_mismatch = bool(stages) and bool(attributes.stages) and not (stages & attributes.stages)
    missing = []
    if phase_mismatch:
        missing.append(" or ".join(PHASE_LABELS[p].lower() for p in sorted(named, key=list(Phase).index)))
    if role_mismatch:
        missing.append(" or ".join(ROLE_LABELS.get(r, r) for r in sorted(asked_roles)))
    if _asked_stage_excluded(attributes.asked_stages, stages, phases):  # "mastering number for KS3?" vs the KS2 one
        missing.append(" or ".join(STAGE_LABELS[s] for s in sorted(attributes.asked_stages, key=list(STAGE_LABELS).index)))
    return EntryCheck(
        phase_mismatch=phase_mismatch,
        phase_soft_mismatch=phase_soft,
        phase_match=bool(set(attributes.phases) & phases),
        role_mismatch=role_mismatch,
        role_match=bool(roles & asked_roles),
        history_mismatch=(entry.status == "historical") != question.wants_history,
        year_mismatch=year_mismatch,
        stage_mismatch=stage_mismatch,
        missing=tuple(missing),
    )


@dataclass(slots=True)
class FocusCheck:
    """How much of what the question asks about a unit covers (weighted by how rare each word is).

    Not frozen, though never changed once made: one is made for every option, and a frozen
    dataclass's ``__init__`` costs several times as much (slots make it cheaper still).
    """

    covered: float  # share of the focus the unit covers
    overlap: float  # the rarity-weighted mass it covers
    unknown_to_kb: float  # share of the focus no entry ever mentions
    unknown_to_entry: float  # share of the focus this entry never mentions
    words: frozenset[str]  # the focus left once the entry's own name is set aside
    distinct: float = 0.0  # how rare the rarest focus word the unit covers is (1 = only one entry has it)
    alias_hit: float = 0.0  # how much the unit is about the alias the question named (beyond the entry's name)


class _Weights(dict):
    """Each word's weight, looked up once per question (every unit's overlap sums the same few words)."""

    def __init__(self, idf: dict[str, float], unknown: float) -> None:
        super().__init__()
        self.idf = idf
        self.unknown = unknown

    def __missing__(self, word: str) -> float:
        found = self[word] = self.idf.get(word, self.unknown)
        return found


class FocusWeights:
    """Rarity weights for focus words, shared by every check on one question.

    What depends only on the question and an entry (its focus, the focus's total weight, how much
    of it the entry or the knowledge base never mentions) is worked out once per entry, not once
    per unit: an entry has dozens of units.
    """

    def __init__(self, index: KnowledgeIndex, question: Question) -> None:
        self.index = index
        self.question = question
        self.unknown = 2 * math.log(1 + index.entry_count)
        # the weight of a word only one entry mentions: a unit covering such a word is about something distinct
        self.rarest_possible = index.single_entry_idf if index.entry_count > 1 else 1.0
        self._focus: dict[tuple[str, frozenset[str]], tuple[frozenset[str], float, float, float]] = {}
        self._asked: dict[frozenset[str], tuple[frozenset[str], float]] = {}
        self._weights = _Weights(index.content_idf, self.unknown)
        self._weighted: dict[frozenset[str], tuple[tuple[str, float], ...]] = {}

    def weight(self, word: str) -> float:
        return self._weights[word]

    def weighted(self, words: frozenset[str]) -> tuple[tuple[str, float], ...]:
        """``words`` in sorted order (the order :meth:`mass` sums in), each with its weight; read once per set of words
        (most candidates leave the same focus and asked words: the question's, less a name it does not use).
        """
        found = self._weighted.get(words)
        if found is None:
            found = self._weighted[words] = tuple((word, self._weights[word]) for word in sorted(words))
        return found

    def mass(self, words: frozenset[str]) -> float:
        """The summed weight of ``words``, in a fixed order (the same sum in every process)."""
        return sum(map(self._weights.__getitem__, sorted(words))) if words else 0

    @cached_property
    def asked(self) -> frozenset[str]:
        """Every topic word of the question, including those that say what kind of question it is."""
        return self.question.asked_content or self.question.content

    @cached_property
    def kb_unknown(self) -> frozenset[str]:
        return frozenset(word for word in self.question.focus if word not in self.index.content_idf)

    def entry_focus(self, evidence: Evidence) -> tuple[frozenset[str], float, float, float]:
        """(focus, its total weight, the weight no entry mentions, the weight this entry never mentions)."""
        key = (evidence.entry_id, evidence.name_words)
        found = self._focus.get(key)
        if found is None:
            focus = self.question.focus - evidence.name_words
            if not focus:
                found = (focus, 0.0, 0.0, 0.0)
            else:
                known = evidence.indexed.content
                found = (focus, self.mass(focus), self.mass(focus & self.kb_unknown),
                         sum(self.weight(w) for w in sorted(focus) if w not in known))
            self._focus[key] = found
        return found

    def asked_words(self, evidence: Evidence) -> tuple[frozenset[str], float]:
        """All the question's topic words but the entry's name, and their total weight."""
        found = self._asked.get(evidence.name_words)
        if found is None:
            words = self.asked - evidence.name_words
            found = self._asked[evidence.name_words] = (words, self.mass(words) if words else 0.0)
        return found


def check_focus(weights: FocusWeights, evidence: Evidence, unit: Unit) -> FocusCheck:
    return EntryFocus(weights, evidence).focus_check(unit)


def asked_overlap(weights: FocusWeights, evidence: Evidence, unit: Unit) -> tuple[float, float]:
    """Share and mass of all the question's topic words (cue words too) that a unit covers, the entry's name aside."""
    return EntryFocus(weights, evidence).asked_overlap(unit.terms)


def faq_question_overlap(weights: FocusWeights, evidence: Evidence, terms: frozenset[str]) -> float:
    """Share of the question's topic words (the entry's name aside) that an FAQ's own questions use."""
    return EntryFocus(weights, evidence).faq_question_overlap(terms)


class EntryFocus:
    """The checks of one entry's units against one question, with what the entry shares read once.

    Each word set a unit is checked against (the focus, the asked words) is kept as (word, weight) pairs in
    sorted order, so an overlap is a sum over the few of them a unit's terms hold — the same sum, term for
    term, as :meth:`FocusWeights.mass` of the intersection, without building and sorting it per unit.
    """

    def __init__(self, weights: FocusWeights, evidence: Evidence) -> None:
        focus, total, unknown_kb, unknown_entry = weights.entry_focus(evidence)
        self.focus = focus
        self.total = total
        # every unit of an entry with no focus left gets the same check
        self.unfocused = None if focus else FocusCheck(1.0, 0.0, 0.0, 0.0, focus)
        self.rarest_possible = weights.rarest_possible
        # "strategic board?" names an entry by one of its aliases: the units that speak of the board answer it
        # — above all the unit about the board alone, not the overview that lists every role (the other aliases)
        names = evidence.indexed.name_sets
        self.alias_words = evidence.name_words - names[0] if names else frozenset()
        self.other_aliases = [a for a in names[1:] if a and not a & self.alias_words] if self.alias_words else []
        if focus:
            self.unknown_kb = unknown_kb / total
            self.unknown_entry = unknown_entry / total
        self._focus_weights = weights.weighted(focus)
        self.asked, self.asked_total = weights.asked_words(evidence)
        self._asked_weights = weights.weighted(self.asked)
        # a unit that shares none of these words covers nothing: its check is ``blank`` (most of an entry's units)
        self.words = focus | self.asked | self.alias_words
        self.blank = self.unfocused or FocusCheck(0.0, 0.0, self.unknown_kb, self.unknown_entry, focus, 0.0, 0.0)

    def focus_check(self, unit: Unit) -> FocusCheck:
        terms = unit.terms
        alias_hit = self._alias_hit(terms) if self.alias_words else 0.0
        if self.unfocused is not None:
            return replace(self.unfocused, alias_hit=alias_hit) if alias_hit else self.unfocused
        hits = [weight for word, weight in self._focus_weights if word in terms]
        if not hits:
            return FocusCheck(0.0, 0.0, self.unknown_kb, self.unknown_entry, self.focus, 0.0, alias_hit)
        overlap = sum(hits)
        return FocusCheck(overlap / self.total, overlap, self.unknown_kb, self.unknown_entry, self.focus,
                          min(1.0, max(hits) / self.rarest_possible), alias_hit)

    def _alias_hit(self, terms: frozenset[str]) -> float:
        """Share of the named alias's words the unit uses, divided among the other aliases it speaks of too."""
        share = len(self.alias_words & terms) / len(self.alias_words)
        return share / (1 + sum(1 for alias in self.other_aliases if alias <= terms)) if share else 0.0

    def asked_overlap(self, terms: frozenset[str]) -> tuple[float, float]:
        if not self.asked:
            return 0.0, 0.0
        overlap = sum([weight for word, weight in self._asked_weights if word in terms])
        return overlap / self.asked_total, overlap

    def faq_question_overlap(self, terms: frozenset[str]) -> float:
        if not self.asked or not terms:
            return 0.0
        return sum([weight for word, weight in self._asked_weights if word in terms]) / self.asked_total

