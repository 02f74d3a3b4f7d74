"""Which entries a list covers: a family the question's words name, a phase's current offers, a past year's.

One :class:`Lists` per knowledge-base version. What is a share of the whole knowledge base (a phase's
offers) is made once per version and kept, so a list question costs what its answer lists, not what
the knowledge base holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.engine.candidates import Evidence
from bot.engine.index import KnowledgeIndex
from bot.engine.understand import KIND_WORDS, Question, phases_in
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import PHASE_LABELS, Entry, Phase

KIND_ORDER = {"programme": 0, "work-group": 1, "project": 2, "community": 3, "support": 4, "information": 5}
NETWORK_WORD = "mathshub"  # the vocabulary's word for the Maths Hubs, which names the network, not a family in it
PHASE_LISTS_KEPT = 64  # phase and role combinations whose lists are kept per version (each is a list of references)
_EITHER_OR_PHASE = re.compile(
    r"\b(?:primary|secondary|post16|earlyyear|early year)s? or (?:\w+ )?(?:primary|secondary|post16|earlyyear|early year)s?\b"
)


def sorted_offers(entries: Sequence[Entry]) -> list[Entry]:
    """Programmes, then Work Groups, projects, communities, support and information; by name within each."""
    return sorted(entries, key=lambda e: (KIND_ORDER.get(e.kind, 9), e.name))


def phase_label(phases: frozenset[Phase]) -> str:
    return " and ".join(PHASE_LABELS[p] for p in sorted(phases, key=list(Phase).index))


class Lists:
    """The families and phase lists of one knowledge-base version."""

    def __init__(self, kb: KnowledgeBase, index: KnowledgeIndex, roles: Callable[[Entry], frozenset[str]]) -> None:
        self.kb = kb
        self.index = index
        self._roles = roles  # the roles an entry's name says it is for
        self._by_phase = {phase: sorted_offers(kb.for_phase(phase)) for phase in Phase}
        historical = [e for e in kb if e.status == "historical"]
        self._past_by_phase = {phase: [e for e in historical if phase in e.phases] for phase in Phase}
        self._phase_lists: dict[tuple[frozenset[Phase], frozenset[str]], tuple[tuple[Entry, ...], str]] = {}
        self._listed: dict[int, tuple[tuple, tuple]] = {}  # a kept phase list's entries ↔ their ids, by identity
        self._network_words = frozenset({NETWORK_WORD}) | index.hub_words
        self._ids_named: dict[str, frozenset[str]] = {}  # a name word → the entries it names (:meth:`_named_by`)
        self._kind_ordered: dict[int, tuple[Sequence[Entry], list[Entry]]] = {}  # id of a kept tuple → it, in kind order

    def for_phase(self, phase: Phase) -> list[Entry]:
        """Current offers for a phase: programmes and Work Groups before information topics."""
        return list(self._by_phase[phase])

    def in_kind_order(self, entries: Sequence[Entry]) -> list[Entry]:
        """``entries`` offers first, background information last (:data:`KIND_ORDER`; stable), sorted once per
        sequence object kept (the current entries with a field are thousands at 5,000 entries, asked for again and again).
        """
        kept = self._kind_ordered.get(id(entries))
        if kept is None or kept[0] is not entries:
            kept = (entries, sorted(entries, key=lambda e: KIND_ORDER.get(e.kind, len(KIND_ORDER))))
            if isinstance(entries, tuple):  # a list may change under its id; a kept tuple (UnitIndex.current_having) cannot
                self._kind_ordered[id(entries)] = kept
        return list(kept[1])

    def for_roles(self, entries: list[Entry], roles: frozenset[str]) -> list[Entry]:
        """The entries for any of ``roles`` — all of them when no role is asked for or none is for one."""
        if not roles:
            return entries
        return [e for e in entries if self._roles(e) & roles] or entries

    def past_offers(self, phases: frozenset[Phase], roles: frozenset[str]) -> list[Entry]:
        """Past (historical) offers for any of ``phases``, those for ``roles`` when any are."""
        past = list({e.id: e for phase in phases for e in self._past_by_phase[phase]}.values())  # read once per version
        return sorted_offers(self.for_roles(past, roles))

    def family_words(self, evidence: tuple[Evidence, ...], kinds: bool = False) -> frozenset[str]:
        """The words that name a family ("sktm", "mastery specialist"); none when they are only neutral words.
        With ``kinds``, a kind of offer named beside them ("work group") is kept.
        """
        named_words = max((e.name_words for e in evidence if e.name_mass >= 1.0), key=len, default=frozenset())
        # A phase word ("primary") never defines a family: the phases filter of a list applies it.
        named_words = frozenset(w for w in named_words if not any(s >= 1.0 for s in phases_in(w).values())) or named_words
        # nor does the kind of offer: "the Y5-8 continuity work group" names both Y5-8 Work Groups, however each is called
        if not kinds:
            named_words = named_words - KIND_WORDS or named_words
        # nor "the Maths Hubs" or the hub's own name: "every SKTM programme the Maths Hubs offer" names the SKTM family
        named_words = named_words - self._network_words or named_words
        return frozenset() if named_words <= self.index.neutral else named_words  # "cpd options" names no family

    def named_family(self, evidence: tuple[Evidence, ...], kinds: bool = False) -> list[Entry]:
        """Every entry called by the words that name the leading candidate (with ``kinds``, the kind of offer too)."""
        named_words = self.family_words(evidence, kinds)
        if not named_words:
            return []
        sets = sorted((self._named_by(word) for word in named_words), key=len)  # smallest first: the fewest looked at
        ids = sets[0].intersection(*sets[1:])
        return [self.kb.entries[i] for i in sorted(ids)]

    def family_members(self, evidence: tuple[Evidence, ...], past: bool = False) -> list[Entry]:
        """The offers (no information topics) of the family the question names, current ones or with ``past`` past
        ones: named by its words with the kind of offer when two are ("the lead programme": the Lead Programmes),
        else by its words alone.
        """
        family: list[Entry] = []
        for kinds in (True, False):
            family = [e for e in self.named_family(evidence, kinds) if (e.status == "current") != past and e.kind != "information"]
            if len(family) >= 2:
                break
        return family

    def _named_by(self, word: str) -> frozenset[str]:
        """The entries one of whose names uses ``word`` (read once per version: a common word names thousands)."""
        found = self._ids_named.get(word)
        if found is None:
            found = self._ids_named[word] = frozenset(i for i, _ in self.index.name_postings.get(word, ()))
        return found

    def one_for_each_phase(self, question: Question, evidence: tuple[Evidence, ...]) -> list[Entry] | None:
        """"Is the TA SKTM for primary or secondary?": a family with one member for each phase offered as the
        choice — both of them, not one as if the other did not exist.
        """
        phases = question.attributes.named_phases
        if len(phases) < 2 or question.lead not in {"who_for", "what", "exists", "eligibility"} or not _EITHER_OR_PHASE.search(question.asked_text):
            return None
        family = [e for e in self.named_family(evidence) if e.status == "current" and e.kind != "information"]
        members = [e for e in self.for_roles(family, question.attributes.roles) if phases & set(e.phases)]
        if len(members) < 2 or not all(any(p in e.phases for e in members) for p in phases):
            return None
        return sorted_offers(members)

    def for_question(self, question: Question, evidence: tuple[Evidence, ...]) -> tuple[Sequence[Entry], str] | None:
        """The entries a list question is about: a family the question names, else its phase — with a heading."""
        attributes = question.attributes
        history = question.wants_history
        family = self.named_family(evidence)
        phases = attributes.named_phases or frozenset(attributes.phases)
        if phases and history and self.family_words(evidence, kinds=True) & KIND_WORDS:
            family = []  # "secondary work groups in 2017-18" names a kind of offer and a phase, not a family
        chosen = [e for e in family if (e.status == "current") != history or not any(x.status == "current" for x in family)]
        if phases and not any(phases & set(e.phases) for e in chosen):
            chosen = []  # "EY lead: what's on for early years?" — no member is for that phase: list the phase
        if len(chosen) >= 2:
            if phases:
                chosen = [e for e in chosen if phases & set(e.phases) or Phase.CROSS_PHASE in e.phases] or chosen
            chosen = self.for_roles(chosen, attributes.roles)
            named = {e.entry_id for e in evidence if e.named}
            overview = [e for e in chosen if e.kind == "information" and e.id in named]  # the family's own entry leads
            return overview + [e for e in sorted_offers(chosen) if e not in overview], "Here is what I have on that:"
        if phases and history:
            past = self.past_offers(phases, attributes.roles)
            if past:
                label = phase_label(phases)
                years = " and ".join(sorted({e.academic_year for e in past if e.academic_year})) or "earlier years"
                return past, f"For {label} in {years} (past offers, not running now), the Maths Hubs had:"
        if phases:
            return self.phase_list(frozenset(phases), frozenset(attributes.roles))
        return None

    def phase_list(self, phases: frozenset[Phase], roles: frozenset[str]) -> tuple[tuple[Entry, ...], str]:
        """Every current entry of the phases (for the roles, when any is), with its heading — made once per
        version for each phases and roles asked about: it lists a share of the whole knowledge base.
        """
        found = self._phase_lists.get((phases, roles))
        if found is None:
            ids = dict.fromkeys(e.id for phase in sorted(phases, key=list(Phase).index) for e in self._by_phase[phase])
            entries = [self.kb.entries[i] for i in ids]
            entries = self.for_roles(entries, roles)
            found = (tuple(entries), f"For {phase_label(phases)}, the hub offers:")
            if len(self._phase_lists) < PHASE_LISTS_KEPT:
                self._phase_lists[(phases, roles)] = found
                ids = tuple(e.id for e in found[0])
                self._listed[id(found[0])] = (found[0], ids)
                self._listed[id(ids)] = (ids, found[0])
        return found

    def ids_of(self, entries: Sequence[Entry]) -> tuple[str, ...]:
        """The ids of listed entries (made once for a kept phase list)."""
        known = self._listed.get(id(entries))
        return known[1] if known is not None and known[0] is entries else tuple(e.id for e in entries)

    def entries_of(self, ids: tuple[str, ...]) -> Sequence[Entry]:
        """The entries a list decision names (a kept phase list's, as they are)."""
        known = self._listed.get(id(ids))
        return known[1] if known is not None and known[0] is ids else [self.kb.entries[i] for i in ids]
