"""The answer engine: one readable path from a question to a reply, one module per stage.

understand (understand.py) → candidate entries (candidates.py) and their answer units (units.py)
→ verify each against the question (verify.py) → weigh the evidence (features.py) and decide in
one place (decide.py) → compose the reply (compose.py). `python -m bot ask --explain` prints
every stage's evidence.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from threading import Event

from bot.engine.asks import FIELD_KINDS, declined_types, detail_types, units_for
from bot.engine.candidates import Evidence, gather
from bot.engine.compose import Composer
from bot.engine.dates import today_in_london
from bot.engine.decide import (
    CLARIFY_LIMIT,
    Decision,
    Model,
    Scored,
    best_per_entry,
    choose,
    load_model,
    others_named_alike,
    score_options,
    supporting,
)
from bot.engine.eligibility import Situation, assess_situation
from bot.engine.features import REQUIRED_FIELDS, Option, QuestionFeatures, entry_values
from bot.engine.index import EntryIndex, KnowledgeIndex
from bot.engine.lists import Lists, sorted_offers
from bot.engine.parts import question_parts
from bot.engine.text import FUNCTION_WORDS, STOPWORDS, clean, tokens
from bot.engine.understand import KIND_WORDS, Question, cue_terms, phases_in, roles_in, understand
from bot.engine.units import UnitIndex
from bot.engine.verify import EntryFocus, FocusWeights, check_entry
from bot.engine.wording import is_yes_no, tied_to_its_question
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.cache import ParseCache, gc_paused
from bot.knowledge.loader import MEMORY_CACHE
from bot.knowledge.schema import Entry, LinkKind, Phase
from bot.reply import Reply, ReplySection

log = logging.getLogger(__name__)

_INDEPENDENT = re.compile(r"\b(?:independent|private|fee paying|public school|prep school)\b")
_SECTOR = re.compile(r"\b(?:independent|private|state[- ]funded|state schools?|maintained)\b", re.IGNORECASE)


# "the <up to four words> programme": the words name the offer the question is about; the last two are checked.
NAME_WORDS_CHECKED = 2
_NAMED_OFFER = re.compile(r"\b((?:[a-z0-9]+ ){1,4})(programme|work group|workgroup|course|project|trial|scheme)\b")


def _cost_for_another_sector(question: Question, option: Option) -> bool:
    """"How much is it for our independent school?" answered by a cost that says nothing of which schools it is
    for (one that says "free for state-funded schools" does answer it: that is what is known).
    """
    return question.lead == "cost" and bool(_INDEPENDENT.search(" ".join(question.words))) and not _SECTOR.search(option.unit.text)

NO_SITUATION = Situation()
KIND_OF_WORD = {"workgroup": "work-group", "programme": "programme", "course": "programme", "community": "community", "project": "project"}
# Question types a fact or FAQ can answer in its own words when the entry has no field for them ("it ran over three
# sessions", "led by a Mastery Specialist"); a closing date, cost or form comes from its field or not at all.
ANSWERED_IN_PROSE = frozenset({"time", "people", "cover"})
FOCUS_COVERED_ENOUGH = 0.5  # share of what a question asks about that a unit must cover to answer it instead of a list
COMPARED_NAME = 0.5  # name score at which an offer counts as one of the two a comparison names
SITUATION_ASKS = frozenset({"eligibility", "which", "who_for", "what"})  # asks where an outside topic can be the asker's situation
PHRASE_FILLER = STOPWORDS | FUNCTION_WORDS | KIND_WORDS  # a run of only these ("work group", "maths hub") names nothing
FIGURE_COVERS = 0.6  # share of what a "how many" counts and asks about that a figure's unit must say to answer it
SPOKEN_OF = 0.05  # how likely an offer named outright must be for "not known" to speak of it (below: nothing on that)
NAMES_AN_OFFER = 0.7  # name score from which "is there …" asks about that offer rather than for a list
# Offers of a kind in the plural, or their codes: with a phase, "what were they" asks for the phase's list.
_PLURAL_OFFERS = re.compile(r"\b(?:work ?groups|programmes|programs|projects|communities|courses|codes)\b")
PLURAL_LIST_ASKS = frozenset({"what", "code", "list", "which", "exists"})
_WHICH_MEMBER = re.compile(r"\bwhich (?:\w+ ){1,3}(?:should|would|could|do|does|is|are|suits?|fits?)\b")  # asks which one, by name
_YEAR_WORD = re.compile(r"ay\d{4}|\d+")  # an academic year or a number, as the reading writes them: never a family's name


@dataclass(frozen=True)
class Analysis:
    """Every stage's result for one question (what `--explain` prints and the fitting script reads)."""

    question: Question
    evidence: tuple[Evidence, ...]
    options: tuple[Option, ...]
    rank_scores: tuple[float, ...]
    scored: tuple[Scored, ...]  # each entry's best option, with the probability that answering with it is right
    decision: Decision


_WORD = re.compile(r"[a-z0-9]+")


class _Variants:
    """An outside topic's variants over the words as typed ("SATs" is not "sat in"), as one pattern searched only in
    a text that holds one of them as it is written (it matches nowhere else, and most questions hold none).
    """

    __slots__ = ("pattern", "written")

    def __init__(self, variants: Iterable[str]) -> None:
        self.written = sorted({" ".join(_WORD.findall(clean(v))) for v in variants} - {""}, key=len, reverse=True)
        self.pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in self.written) + r")\b" if self.written else r"(?!)")

    def search(self, text: str) -> re.Match[str] | None:
        for written in self.written:
            if written in text:
                return self.pattern.search(text)
        return None


def _folds_the_same(variant: str) -> bool:
    return tokens(variant) == _WORD.findall(clean(variant))


def _names_any(best: Scored | None, evidence: tuple[Evidence, ...]) -> bool:
    """Some words of the question name an offer — the one answered or another."""
    return any(e.name_mass >= 1.0 for e in evidence) or (best is not None and best.option.evidence.name_score > 0)


_FORM_LINKS = frozenset({LinkKind.APPLICATION, LinkKind.EXPRESSION_OF_INTEREST, LinkKind.REQUEST, LinkKind.SURVEY})


_OWN = re.compile(r"\b(?:our|my) (?:school s |school |trust s |trust |college s |college |local )?(?:\w+ ){0,2}(?:partner|isp|lead|leader|mentor|specialist|coach|adviser|advisor)\b")
_COUNT = re.compile(r"\b\d[\d,.]*\b(?!\s*(?:%|per ?cent))")
_NOT_A_COUNT = re.compile(r"\b20\d\d/\d\d\b|\b(?:years?|y) ?\d+(?:\s*(?:and|to|or|-|–)\s*\d+)?\b", re.IGNORECASE)


def _quotes_a_count(text: str) -> bool:
    """A number that is not a share, a year group or a year ("285 people", not "50%", "Year 8", "2023/24")."""
    return any(not re.fullmatch(r"(?:19|20)\d\d", m.group()) for m in _COUNT.finditer(_NOT_A_COUNT.sub(" ", text)))


def phrase_named(terms: tuple[str, ...], evidence: tuple[Evidence, ...]) -> tuple[str, frozenset[str]]:
    """The longest run of two or more question words that names a kind of offer and more ("lead programme" in
    "Professional Development Lead Programme", not "work group" alone) in some candidates' names, and those.
    """
    best: tuple[int, str, set[str]] = (1, "", set())
    places: dict[str, list[int]] = {}  # each question word's positions: a run can start only where a name's word is
    for i, word in enumerate(terms):
        places.setdefault(word, []).append(i)
    for found in evidence:
        for name in found.indexed.names:
            for start in range(len(name) - 1):
                length = _run_length(terms, name, start, places.get(name[start], ()))
                run = name[start:start + length]
                if length < best[0] or all(w in PHRASE_FILLER for w in run) or KIND_WORDS.isdisjoint(run):
                    continue
                phrase = " ".join(name[start:start + length])
                if length > best[0]:
                    best = (length, phrase, set())
                best[2].add(found.entry_id)
    return best[1], frozenset(best[2])


def _run_length(terms: tuple[str, ...], name: tuple[str, ...], start: int, starts: Iterable[int]) -> int:
    """How many of ``name``'s words from ``start`` on appear in a row in ``terms``, from one of ``starts`` (the
    positions of ``name[start]`` in ``terms``).
    """
    longest = 0
    for i in starts:
        length = 0
        while start + length < len(name) and i + length < len(terms) and terms[i + length] == name[start + length]:
            length += 1
        longest = max(longest, length)
    return longest


def _has_form(entry: Entry) -> bool:
    """One of the entry's links is a form to fill in, not only reading (Mastery Explained …)."""
    return any(link.kind in _FORM_LINKS for link in entry.links)


def _reading_for_a_form(question: Question, option: Option) -> bool:
    """"How do I sign up?" answered by links that are only reading, not a form to fill in."""
    return question.lead == "apply" and option.unit.kind == "link" and not _has_form(option.evidence.indexed.entry)


def _fields_given(lead: str, entry: Entry, kinds: frozenset[str]) -> frozenset[str]:
    """The field kinds of ``kinds`` the entry gives for a question led by ``lead``: its links tell how to apply
    only when one of them is a form.
    """
    return kinds - {"link"} if lead == "apply" and not _has_form(entry) else kinds


def _beyond_the_audience(question: Question) -> frozenset[str]:
    """What the question asks about besides who it is for: its focus without role words, kinds of offer and filler."""
    return frozenset(t for t in question.focus - KIND_WORDS - _AUDIENCE_FILLER if not roles_in(t))


_AUDIENCE_FILLER = frozenset({"specifically", "especially", "particularly", "specific", "aimed", "tailored", "train", "cpd", "support", "help"})


def _situation_decides(question: Question, option: Option) -> bool:
    """The situation the question states is judged against this offer's criteria."""
    return bool(option.situation) and question.weighs_situation(bool(option.situation.not_met))


def agreeing(options: list[Option], question: Question) -> list[Option]:
    """Verified options only: when an entry the question names agrees with every attribute it states (phase,
    role, year, stage), entries that contradict one ("secondary TAs" and the primary TA programme) are set aside.
    """
    roles = question.attributes.roles
    if any(not o.check.missing and (o.evidence.named or o.evidence.name_score >= 0.5) and (o.check.role_match or not roles)
           for o in options):
        return [o for o in options if not o.check.missing]
    return options


class Engine:
    """Answers questions from one knowledge-base version; build a new Engine to swap versions."""

    _built = False  # an engine has been built in this process (so an older one may be garbage)

    def __init__(self, kb: KnowledgeBase, cache: ParseCache | None = MEMORY_CACHE, model: Model | None = None) -> None:
        self.kb = kb
        gc.unfreeze()  # earlier engines' objects may be collected once nothing uses them
        with gc_paused():
            self.index = KnowledgeIndex(kb, cache)
            # Collected and frozen before the collector is on again: once on, its first young collection
            # would walk everything built while it was off (1.8 s at 50,000 entries) just before this one.
            # The first engine of a process has no earlier one to collect, and loading leaves no cycles
            # (measured: none at 65, 1,000 and 5,000 entries), so only later ones walk everything (4.6 s at 50,000).
            if Engine._built:
                gc.collect()
            gc.freeze()  # the index lives as long as this engine: keep the collector from re-walking it
            Engine._built = True
        self.units = UnitIndex(self.index)
        self.model = model or load_model()
        self.composer = Composer(kb, self.units)
        self.lists = Lists(kb, self.index, self.roles)
        self._current_of_kind: dict[str, list[Entry]] = {}
        for entry in kb:
            if entry.status == "current":
                self._current_of_kind.setdefault(entry.kind, []).append(entry)
        self._outside = [
            (topic, _Variants(topic.variants), _Variants(v for v in topic.variants if _folds_the_same(v)))
            for topic in getattr(kb, "outside", ())
        ]

    # ----- the public surface ------------------------------------------------------------------
    def answer(self, question: str, today: dt.date | None = None) -> Reply:
        """The reply to ``question`` as of ``today`` (default: today in Europe/London). Never raises."""
        day = today or today_in_london()
        try:
            analysis = self.analyse(question)
            reply = self.compose(analysis, day)
            parts = question_parts(question) if reply.status == "answered" else []
            return self._with_the_other_questions(reply, parts[0], parts[1:], day) if len(parts) >= 2 else reply
        except Exception:
            log.exception("answer failed for a question of %d characters", len(str(question)))
            return self.composer.out_of_scope(understand("", self.index), " (something went wrong on my side)")

    def _with_the_other_questions(self, reply: Reply, first_part: str, others: list[str], today: dt.date) -> Reply:
        """"How many RIWGs were there, and who led the theme?": each further question answered on its own, about
        the offer the first answer is about unless it names one itself, and added when it says something new.
        """
        sections = list(reply.sections)
        topics = list(reply.topics)
        sources = list(reply.sources)
        first = first_part.rstrip(" ?")
        for part in others:
            analysis = self.analyse(part)
            names_one = any(e.named for e in analysis.evidence)
            if not names_one:
                analysis = self.analyse(f"{part} About: {first}.")  # "who led the theme?" of the theme asked about first
            decision = analysis.decision
            if decision.action != "answer" or decision.best is None:
                continue
            if not names_one and decision.best.option.entry_id not in reply.topics[:1]:
                continue  # "… and is it free?" is about the offer answered first, or not answered here
            said = self.compose(analysis, today)
            if said.headline in reply.headline or any(said.headline == s.body for s in sections):
                continue
            sections.append(ReplySection(f"You also asked: {part.rstrip(' ?')}?", said.headline))
            topics += [t for t in said.topics if t not in topics]
            sources += [source for source in said.sources if source not in sources]
        return replace(reply, sections=tuple(sections), topics=tuple(topics), sources=tuple(sources))

    def explain(self, question: str, today: dt.date | None = None) -> str:
        """Each stage's evidence for ``question``, for people tuning the knowledge base."""
        from bot.engine.explain import explain

        return explain(self, self.analyse(question), today or today_in_london())

    def prepare(self, stop: Event | None = None) -> int:
        """Build every entry's answer units, and what questions read of them, before the questions that reach them,
        so none pays for it (run in the background after a load: about 2 ms an entry). Answers are the same with or without it. Returns how many
        entries it built; it ends early once ``stop`` is set.
        """
        built = 0
        for entry_id in self.kb.entries:
            if stop is not None and stop.is_set():
                break
            if self.units.prepare(entry_id):
                built += 1
        return built

    def programmes_for_phase(self, phase: Phase) -> list[Entry]:
        """Current offers for a phase: programmes and Work Groups before information topics."""
        return self.lists.for_phase(phase)

    def describe(self, entry_id: str, today: dt.date | None = None) -> Reply | None:
        """A full description of one entry (for `/programme`), or None for an unknown id."""
        entry = self.kb.entries.get(entry_id)
        return None if entry is None else self.composer.describe(entry, today or today_in_london())

    def search_names(self, text: str, limit: int = 25) -> list[Entry]:
        """Entries whose names best match partial text, for autocomplete (current entries first)."""
        from rapidfuzz import fuzz, process

        if not text.strip():
            return sorted(self.kb.current_entries(), key=lambda e: e.name)[:limit]
        choices = {e.id: " ".join([e.name, *e.aliases]).lower() for e in self.kb}
        found = process.extract(text.lower(), choices, scorer=fuzz.partial_ratio, limit=limit * 2, score_cutoff=50)
        ranked = sorted(found, key=lambda hit: (-hit[1], self.kb.entries[hit[2]].status != "current"))
        return [self.kb.entries[hit[2]] for hit in ranked[:limit]]

    # ----- the stages --------------------------------------------------------------------------
    def analyse(self, text: str) -> Analysis:
        question = understand(text if isinstance(text, str) else str(text), self.index)
        if question.is_empty:
            return Analysis(question, (), (), (), (), Decision("empty", reason="no words to go on"))
        evidence = tuple(gather(self.index, question))
        question = self._compared_or_next(question, evidence)
        options = agreeing(self.options(question, evidence), question)
        scores, scored = score_options(self.model, options)
        decision = self.decide(question, evidence, scored, options)
        decision = supporting(self.model, decision, options, scores, question)
        return Analysis(question, evidence, tuple(options), tuple(scores), tuple(scored), decision)

    @staticmethod
    def _compared_or_next(question: Question, evidence: tuple[Evidence, ...]) -> Question:
        """"Secondary schools at Development vs Embedding — numbers?" compares no two offers: it is led by what
        else it asks (the figures), with the comparison last.
        """
        if question.lead != "compare" or len(question.asks) < 2:
            return question
        if sum(1 for e in evidence if e.named or e.name_score >= COMPARED_NAME) >= 2:
            return question
        return replace(question, asks=(*question.asks[1:], "compare"))

    def options(self, question: Question, evidence: tuple[Evidence, ...]) -> list[Option]:
        """Every (entry, unit) pair worth weighing, with its evidence.

        Entry by entry, each built and weighed before the next is read: reading every candidate's units first (to
        compare the question with all their FAQ questions in one rapidfuzz call) saved about 20 µs a question and left
        more resident at 5,000 entries (6 MB after 200 questions, 18 MB with every entry prepared).
        """
        priors = sorted((e.prior for e in evidence), reverse=True)
        top_prior, second_prior = [*priors, 0.0, 0.0][:2]
        weights = FocusWeights(self.index, question)
        best_name = max((e.name_mass for e in evidence), default=0.0)
        features = QuestionFeatures(question)
        unit_options, likenesses = features.entry_options, features.faq_likenesses
        units = self.units
        found = []
        for item in evidence:
            entry = item.indexed.entry
            of_entry = units.of(entry.id)  # first: the entry's roles and stages are read from the cache with them
            check = check_entry(self.index, question, item, self.roles(entry), self.stages(entry))
            situation = assess_situation(entry, question.stated_terms, self.index) if entry.eligibility else NO_SITUATION
            entry_part = entry_values(question, item, check, top_prior, second_prior, best_name)
            kinds = units.kinds(entry.id)
            faq_questions = units.faq_questions(entry.id)
            faq_terms = units.faq_terms(entry.id)
            named = min(1.0, max(float(item.named), item.name_score))
            checks = EntryFocus(weights, item)
            similarities = likenesses(faq_questions) if faq_questions else ()
            found += unit_options(item, of_entry, check, checks, situation, entry_part, kinds, similarities, faq_terms, named)
        return found

    def decide(
        self, question: Question, evidence: tuple[Evidence, ...], scored: list[Scored], options: Sequence[Option] = (),
    ) -> Decision:
        """The one decision: what kind of reply, and which entries and units it rests on."""
        lead = question.lead
        per_entry = best_per_entry(scored)
        top = per_entry[0] if per_entry else None
        top_named = top is not None and (top.option.evidence.named or top.option.evidence.name_score >= 0.5)
        if lead in declined_types():
            return Decision("unknown", reason="asks for work the bot does not do", missing=("task",))
        if lead == "acronym" and self._expansions(question):
            return Decision("acronym", reason="asks what an abbreviation stands for")
        decided = self._decided_by_situation(question, per_entry)
        if decided is not None:
            return self._stated_situation_first(question, Decision("answer", (decided,), "names this offer and states a situation its checks decide"), options)
        outside = self._outside_topic(question)
        if outside is not None and not (
            top_named and top.probability >= self.model.answer_at
            and (_situation_decides(question, top.option) or (lead in SITUATION_ASKS and self._mentions(top, outside)))
        ):
            return Decision("outside", reason=f"names {outside.id}, which is not a hub offer", entries=(outside.id,))
        invented = self._invented_name(question) if top is not None else ""
        if invented:
            return Decision("unknown", (top,), f"names an offer called '{invented}', which no entry is", missing=("name", invented))
        if lead in {"contact", "people"}:
            missing = self._missing_contact(question)
            if missing:
                return Decision("unknown", reason=f"asks for {missing}, which the hub has not given", missing=(missing,))
        if lead == "contact" and not top_named and FocusWeights(self.index, question).kb_unknown:
            return Decision("unknown", reason="asks to contact someone about something the knowledge base never mentions")
        if lead == "contact":
            about = (top.option.entry_id,) if top_named and top is not None else ()
            return Decision("contact", reason="asks how to reach the hub" + (" about a named offer" if about else ""), entries=about)
        only_attributes = not top_named and not question.focus and bool(question.attributes.phases or question.attributes.roles)
        either = self.lists.one_for_each_phase(question, evidence)
        if either is not None:
            return Decision("list", reason="There is one for each:", entries=tuple(e.id for e in either))
        plural = self._a_family_in_the_plural(question, evidence)
        if plural:
            return Decision("list", reason="Here is what I have on that:", entries=tuple(e.id for e in plural))
        asks_list = lead in {"list", "exists", "which"} or only_attributes
        past_of_phase = self._asks_for_a_phases_offers(question) and not any(e.code_hit for e in evidence)  # a code names one
        if asks_list or past_of_phase:
            listed = self.lists.for_question(question, evidence)  # read once for either reason
            if listed is not None and ("list" in question.asks or self._list_covers(question, listed[0])) and (
                (past_of_phase and len(listed[0]) >= 2)
                or (asks_list and (lead == "list" or "list" in question.asks[:2] or only_attributes or (
                    len(listed[0]) >= 2 and not self._names_an_offer(top, evidence) and not self._asks_about_more(question, top))))
            ):
                entries, why = listed
                return Decision("list", reason=why, entries=self.lists.ids_of(entries))
        if lead == "compare":
            named = [s for s in per_entry if s.option.evidence.named or s.option.evidence.name_score >= COMPARED_NAME]
            named.sort(key=lambda s: -s.option.evidence.name_score)  # the two the question names best, then the likelier
            if len(named) >= 2:
                sides = tuple(self._side_for(question, s, options) for s in named[:2])
                return Decision("compare", sides, "names two offers to compare", tuple(s.option.entry_id for s in sides))
        exact = self._faq_asked_word_for_word(question, options)
        if exact is not None:
            return Decision("answer", (exact,), "asks an FAQ of the knowledge base word for word",
                            alternatives=others_named_alike(exact, per_entry))
        alone = self._a_name_alone(question, evidence, options)
        if alone is not None and alone.action == "clarify" and question.attributes.named_phases:
            listed = self.lists.for_question(question, evidence)  # "primary sktm programmes": the family's primary ones
            named = {e.entry_id for e in evidence if e.name_mass >= 1.0}
            members = [entry for entry in listed[0] if entry.id in named] if listed is not None else []
            if len(members) >= 2:
                return Decision("list", reason=listed[1], entries=self.lists.ids_of(members))
        if alone is not None:
            return alone
        other_phase = self._for_another_phase(question, per_entry, options)
        if other_phase is not None:
            return other_phase
        fitting = self._the_one_for_the_role(question, per_entry)
        if fitting is not None:
            return Decision("answer", (fitting,), "asks which one is for a stated role; one current offer is for it")
        decision = choose(self.model, scored, lead)
        decision = self._named_by_a_phrase(question, decision, evidence, per_entry)
        decision = self._stated_situation_first(question, decision, options)
        decision = self._answers_what_was_asked(question, decision, options)
        decision = self._about_the_whole_offer(question, decision, options)
        decision = self._audience_not_offered(question, decision, per_entry)
        decision = self._family_choice(question, decision, evidence, per_entry, options)
        decision = self._member_unpicked(question, decision, evidence, per_entry)
        decision = self._family_unpicked(question, decision, evidence, per_entry)
        decision = self._funder_said(question, decision, per_entry)
        if decision.action == "unknown":  # say what is missing of the offer named, not of a likelier one it does not name
            named = self._spoken_of(decision, per_entry, lead in detail_types())
            if named is not None and named is not decision.best:
                missing = decision.missing if named.option.check.missing or decision.missing != ("attribute",) else ()
                decision = replace(decision, chosen=(named,), missing=missing)
        if decision.action == "answer" and decision.best is not None and _cost_for_another_sector(question, decision.best.option):
            decision = Decision("unknown", decision.chosen[:1], "asks the cost for independent schools; the unit gives it for state-funded ones",
                                missing=("sector",))
        if decision.action == "answer" and decision.best is not None and self._national_for_local(question, decision.best):
            decision = Decision("unknown", decision.chosen[:1], "asks for the hub's own area; the figure is national", missing=("local",))
        if decision.action in {"answer", "contact", "unknown"} and self._local_person(question, decision.best):
            decision = Decision("unknown", decision.chosen[:1], "asks who holds a role locally; the notes name no local staff",
                                missing=("local person",))
        if decision.action == "answer" and decision.best is not None and decision.best.option.check.missing:
            # a phase, role or stage the entry is not for is a mismatch, never a match: say what is missing
            decision = Decision("unknown", decision.chosen[:1], "the entry contradicts what the question states", missing=("attribute",))
        # "how do I join the work group?" names a kind of offer, not one: which of those with a form?
        # ("application form link?" names no offer: "link" asks for a link, not for the Senior Leadership Link)
        names_one = top_named and bool(top.option.evidence.name_words - KIND_WORDS - cue_terms())
        about_nothing = not (names_one or question.focus - self.index.neutral - KIND_WORDS)
        if decision.action == "answer" and about_nothing and lead in REQUIRED_FIELDS and not _names_any(decision.best, evidence):
            decision = Decision("unknown", decision.chosen, "names no offer and asks only for a field")  # "^ this. also is it free?"
        if decision.action == "unknown" and about_nothing:
            asked = set(units_for(question.asks)) & FIELD_KINDS
            having = self._of_kind_named(question, self.units.current_having(frozenset(asked)))
            if lead == "apply":  # reading links are no form to fill in; only the few shown are checked
                having = [e for e in having[:CLARIFY_LIMIT * 4] if e.how_to_apply or _has_form(e)] or having
            if asked and having:
                return Decision("clarify", reason=f"names no offer; {len(having)} have {', '.join(sorted(asked))}",
                                entries=tuple(e.id for e in having[:5]))
        if decision.action == "unknown" and lead == "how_many":
            figure = self._the_figure_asked_for(question, per_entry, scored)
            if figure is not None:
                return Decision("answer", (figure,), "asks how many of what only one figure counts")
        if decision.action == "unknown" and lead == "how_many" and not any(e.named for e in evidence):
            counting = [s for s in per_entry if s.probability >= self.model.clarify_at and s.option.unit.counted & question.counted]
            if len(counting) >= 2 and not all(self._national_for_local(question, s) for s in counting):
                chosen = tuple(counting[:CLARIFY_LIMIT])  # "how many schools took part?" — several offers quote that count
                return Decision("clarify", chosen, f"names no offer; {len(chosen)} quote a count of what it asks",
                                tuple(s.option.entry_id for s in chosen))
        return decision

    def compose(self, analysis: Analysis, today: dt.date) -> Reply:
        """The reply for what was decided (composition never re-decides)."""
        question, decision = analysis.question, analysis.decision
        composer = self.composer
        action = decision.action
        if action == "empty":
            return composer.empty(question)
        if action == "acronym":
            pairs = self._expansions(question)
            words = {word for word, _ in pairs}
            related = [s.option.evidence.indexed.entry for s in best_per_entry(list(analysis.scored))
                       if words & s.option.evidence.name_words][:6]
            return composer.acronym(question, pairs, related)
        if action == "outside":
            topic = next(t for t, _, _ in self._outside if t.id == decision.entries[0])
            return composer.outside(question, topic.name, topic.reply, topic.source)
        if action == "contact":
            if decision.missing == ("kind",):  # joining one of several offers of a kind: the hub, and which they are
                return composer.hub_contact(question, None, today, among=self.lists.entries_of(decision.entries))
            about = self.kb.entries.get(decision.entries[0]) if decision.entries else None
            return composer.hub_contact(question, about, today)
        if action == "list":
            entries = self.lists.entries_of(decision.entries)
            phases = question.attributes.named_phases or frozenset(question.attributes.phases)
            see_all = f"/programmes {min(phases, key=list(Phase).index).value}" if len(phases) == 1 else None
            return composer.listing(question, entries, decision.reason, today, see_all)
        if action == "compare":
            return composer.compare(question, [s.option for s in decision.chosen], today)
        if action == "clarify":
            return composer.clarify(question, decision, today)
        if action == "answer" and decision.best is not None:
            return composer.answer(
                question, decision.best.option, today, decision.best.probability, decision.support,
                tuple(s.option for s in decision.alternatives), other_phase=decision.missing == ("phase",),
            )
        return composer.not_known(question, decision, today)

    # ----- helpers -----------------------------------------------------------------------------
    def roles(self, entry: Entry) -> frozenset[str]:
        return self.units.name_attributes(entry.id)[0]

    def stages(self, entry: Entry) -> frozenset[str]:
        return self.units.name_attributes(entry.id)[1]

    @staticmethod
    def _names_an_offer(top: Scored | None, evidence: tuple[Evidence, ...]) -> bool:
        """The question names one offer (fully, or most of its name), so "is there …" is about that offer."""
        return bool(top and top.option.evidence.named) or any(e.name_score >= NAMES_AN_OFFER for e in evidence)

    def _invented_name(self, question: Question) -> str:
        """The name of an offer the question asks about that no entry is called and the knowledge base never
        mentions ("the Secondary Mastery Associate programme", "the Digital Maths Champions work group"), as
        written — or "" when every word before the kind of offer is known.
        """
        for match in _NAMED_OFFER.finditer(question.asked_text):
            words = match.group(1).split()
            # unknown both as the whole phrase reads ("subject knowledge enhancement" is SKE) and in the last words
            if self._unknown_terms(" ".join(words)) & self._unknown_terms(" ".join(words[-NAME_WORDS_CHECKED:])):
                shown = [w for w in words if w not in STOPWORDS] or words
                return f"{' '.join(shown)} {match.group(2)}"
        return ""

    def _unknown_terms(self, text: str) -> set[str]:
        """The words of ``text`` no entry's name, keywords or text uses (short words, numbers and phases aside)."""
        index = self.index
        return {
            term for term in index.analyse(text)
            if len(term) >= 4 and term not in STOPWORDS and term not in cue_terms() and not any(c.isdigit() for c in term)
            and not phases_in(term) and term not in index.name_postings and term not in index.keyword_postings
            and term not in index.content_idf
        }

    def _local_person(self, question: Question, best: Scored | None) -> bool:
        """"Who is the Kent and Medway hub lead?", "who will be our school's Intensive Support Partner?": a person
        in the hub's own area or the asker's own school, which no unit names (the sources name people elsewhere).
        """
        if question.lead != "people":
            return False
        local = bool(question.content & self.index.hub_words) or bool(_OWN.search(question.asked_text))
        return local and (best is None or not (best.option.unit.terms & self.index.hub_words))

    def _national_for_local(self, question: Question, best: Scored) -> bool:
        """"How many schools in Kent and Medway …?" answered by a figure that is not about Kent or Medway."""
        local = question.content & self.index.hub_words
        return question.lead == "how_many" and bool(local) and not (best.option.unit.terms & self.index.hub_words)

    @staticmethod
    def _the_one_for_the_role(question: Question, per_entry: list[Scored]) -> Scored | None:
        """"Which one should I send my secondary TAs to?": the one current offer whose name is for that role
        and whose phases agree with any the question states — none when several or none are.
        """
        if not question.attributes.roles:
            return None
        if "which" not in question.asks[:2] and not (question.lead == "exists" and not _beyond_the_audience(question)):
            return None  # "anything for ECTs?" asks which offer is for them; "any CPD for physics teachers?" asks more
        fitting = [
            s for s in per_entry
            if s.option.check.role_match and not s.option.check.mismatched and not s.option.check.phase_soft_mismatch
            and s.option.evidence.indexed.entry.status == "current"
        ]
        return fitting[0] if len(fitting) == 1 else None

    @staticmethod
    def _funder_said(question: Question, decision: Decision, per_entry: list[Scored]) -> Decision:
        """"Who pays for the Maths Hubs?": when the offer the question names has a unit saying who funds it ("funded
        by the Department for Education"), that unit answers — rather than "I don't have funding details", which
        would be untrue.
        """
        if question.lead != "funder" or decision.action != "unknown":
            return decision
        for scored in per_entry:
            evidence = scored.option.evidence
            if (evidence.named or evidence.name_score >= NAMES_AN_OFFER) and "funder" in scored.option.unit.answers:
                return Decision("answer", (scored,), "names an offer and asks who funds it; this unit says who does")
        return decision

    def _for_another_phase(self, question: Question, per_entry: list[Scored], options: Sequence[Option]) -> Decision | None:
        """"Are colleges even allowed on the SKTM EEF trial?": the offer named outright is for other phases only, so
        who it is for is the answer, with what the notes do not say; never "nothing in my notes" for an offer named.
        """
        if question.lead != "eligibility":
            return None
        named = next((s for s in per_entry if s.probability >= self.model.clarify_at
                      and (s.option.evidence.named or s.option.evidence.name_score >= NAMES_AN_OFFER)), None)
        check = named.option.check if named is not None else None
        if check is None or not check.phase_mismatch or check.role_mismatch or check.history_mismatch or check.stage_mismatch:
            return None
        who = next((o for o in options if o.entry_id == named.option.entry_id and o.unit.kind == "who_for"), None)
        if who is None:
            return None
        return Decision("answer", (Scored(who, named.probability, named.gate_values),),
                        "names an offer for other phases than the question's and asks whether one may", missing=("phase",))

    @staticmethod
    def _spoken_of(decision: Decision, per_entry: list[Scored], detail: bool) -> Scored | None:
        """The offer a "not known" reply speaks of: for a detail, the likeliest the question names (outright or
        nearly); otherwise, when the likeliest is not named at all, the one named outright best (if any chance).
        """
        if detail:
            return next((s for s in per_entry if s.option.evidence.named or s.option.evidence.name_score >= NAMES_AN_OFFER), None)
        if decision.best is not None and decision.best.option.evidence.name_score >= 0.5:
            return None
        named = [s for s in per_entry if s.option.evidence.named and s.probability >= SPOKEN_OF]
        return max(named, key=lambda s: s.option.evidence.name_mass, default=None)

    @staticmethod
    def _named_by_a_phrase(question: Question, decision: Decision, evidence: tuple[Evidence, ...], per_entry: list[Scored]) -> Decision:
        """"The lead programme — who's it for?": words that run on in the names of a few offers ("… Lead Programme")
        name those, not an offer whose text merely uses "leadership": that one if it is the only such, else which.
        """
        if decision.action != "answer" or decision.best is None or decision.best.option.evidence.name_mass >= 1.0:
            return decision  # the answer's own name is in the question too
        longest, phrased = phrase_named(question.terms, evidence)
        if decision.best.option.entry_id in phrased or not phrased:
            return decision
        best = {s.option.entry_id: s for s in per_entry}
        members = [best[e] for e in sorted(phrased) if e in best and not best[e].option.check.history_mismatch]
        members.sort(key=lambda s: -s.probability)  # likeliest first; ties in id order, never the set's hash order
        if len(members) == 1:
            return Decision("answer", (members[0],), f"names it by the words '{longest}' its name runs on",
                            alternatives=others_named_alike(members[0], per_entry))
        if 2 <= len(members) <= CLARIFY_LIMIT:
            return Decision("clarify", tuple(members), f"'{longest}' runs on in {len(members)} offers' names",
                            tuple(s.option.entry_id for s in members))
        return decision

    def _the_figure_asked_for(self, question: Question, per_entry: list[Scored], scored: list[Scored]) -> Scored | None:
        """"How many post-16 institutions worked with hubs in 2023/24?": the one count whose unit says every word
        of what is counted and asked about beyond the offer's name, when no other entry's count does. Asked of an
        offer's name alone ("secondary TA SKTM numbers"), the offer's only count; never one of a family named alike.
        """
        wanted = question.counted | question.focus
        if not wanted:
            return None
        weights = FocusWeights(self.index, question)
        found: dict[str, tuple[tuple[float, float], Scored, set[str]]] = {}
        for s in scored:
            option = s.option
            if not _quotes_a_count(option.unit.text) or option.check.mismatched or option.check.history_mismatch:
                continue
            specific = wanted - option.evidence.name_words
            total = sum(weights.weight(w) for w in specific)
            share = sum(weights.weight(w) for w in specific & option.unit.terms) / total if total else 1.0
            if share >= FIGURE_COVERS:
                # what its figures count ("2,037 secondary schools") is what is asked to be counted
                score = (float(not question.counted.isdisjoint(option.unit.counted)), round(share, 6))
                best, _, texts = found.setdefault(option.entry_id, (score, s, set()))
                texts.add(option.unit.text)
                if score > best:
                    found[option.entry_id] = (score, s, texts)
        ranked = sorted(found.values(), key=lambda f: (f[0], f[1].probability), reverse=True)
        if not ranked or (len(ranked) > 1 and ranked[1][0] >= ranked[0][0]):
            return None
        _, figure, texts = ranked[0]
        if not (wanted - figure.option.evidence.name_words) and len(texts) > 1:
            return None  # the offer's name alone, and it quotes several counts
        phases = set(figure.option.evidence.indexed.entry.phases)
        if any(not s.option.check.history_mismatch and set(s.option.evidence.indexed.entry.phases) != phases
               for s in others_named_alike(figure, per_entry)):
            return None  # "how many TAs did SKTM": the family's primary and secondary ones, not one
        return figure

    @staticmethod
    def _asks_for_a_phases_offers(question: Question) -> bool:
        """"2017-18 post-16 work groups, what were they all?", "primary codes 17-18": a past year, a phase and offers
        of a kind in the plural (or their codes), asking what they were — that year's offers for the phase, not one.
        """
        return (
            question.wants_history and bool(question.attributes.named_phases)
            and (question.lead in PLURAL_LIST_ASKS or not question.asks)
            and bool(_PLURAL_OFFERS.search(question.raw.lower()))  # as typed: the reading makes every plural singular
        )

    def _a_family_in_the_plural(self, question: Question, evidence: tuple[Evidence, ...]) -> list[Entry]:
        """"Mastering number programmes?", "what are the secondary leadership projects?": a family's shared name
        with its kind of offer in the plural, and nothing asked beyond it — every member, not a choice of one.
        """
        if question.lead not in {"what", "exists"} or len(question.asks) > 1 or not _PLURAL_OFFERS.search(question.raw.lower()):
            return []
        attributes = question.attributes
        if attributes.roles or attributes.years or question.numbers or any(e.code_hit for e in evidence):
            return []
        if not {w for w in self.lists.family_words(evidence) - KIND_WORDS if not _YEAR_WORD.fullmatch(w)}:
            return []  # "2017-18 post-16 work groups" names a year, a phase and a kind of offer, not a family: the phase's list
        family = self.lists.family_members(evidence, past=question.wants_history)  # "secondary leadership projects": the two
        if attributes.named_phases:
            family = [e for e in family if attributes.named_phases & set(e.phases) or Phase.CROSS_PHASE in e.phases]
        if len(family) < 2 or len(family) > CLARIFY_LIMIT or self._asked_beyond_the_family(question, evidence):
            return []
        return sorted_offers(family)

    def _asked_beyond_the_family(self, question: Question, evidence: tuple[Evidence, ...]) -> frozenset[str]:
        """What the question's focus holds besides the family's name, its kind of offer and words that ask nothing."""
        return question.focus - self.lists.family_words(evidence, kinds=True) - KIND_WORDS - self.index.neutral - cue_terms()

    def _list_covers(self, question: Question, entries: Sequence[Entry]) -> bool:
        """The offers listed speak, between them, of most of what the question asks about beyond a phase or a kind
        of offer: "is there CPD on programming or computing?" is answered by no list of secondary offers (a list
        asked for outright is given anyway).
        """
        about = question.focus - KIND_WORDS
        if not about:
            return True
        weights = FocusWeights(self.index, question)
        total = sum(weights.weight(word) for word in about)
        contents = [self.index.entries[entry.id].content for entry in entries]
        covered = sum(weights.weight(word) for word in about if any(word in content for content in contents))
        return covered >= FOCUS_COVERED_ENOUGH * total

    def _asks_about_more(self, question: Question, top: Scored | None) -> bool:
        """"Is there anything for mixed-age classes?": besides a phase or a kind of offer it asks about something
        the likeliest answer covers, so that answer, not every offer of the phase.
        """
        if top is None or top.probability < self.model.clarify_at:
            return False
        about = question.focus - KIND_WORDS - top.option.evidence.name_words
        return bool(about) and top.option.focus.covered >= FOCUS_COVERED_ENOUGH

    def _expansions(self, question: Question) -> list[tuple[str, str]]:
        """Every abbreviation the question asks about ("FSQ and AMSP — acronyms pls"), each once."""
        found = {}
        for word in question.asked_text.split():
            expansion = self.index.mapper.expansion(word)
            if expansion and word not in found:
                found[word] = expansion
        return list(found.items())

    def _of_kind_named(self, question: Question, entries: Sequence[Entry]) -> list[Entry]:
        """The current offers of the kind the question names ("the work group", "the Community") — those of
        ``entries`` (the ones with the field asked for) when two or more are, else any two or more of that kind;
        otherwise all of ``entries``, offers before background information.
        """
        kinds = {KIND_OF_WORD[w] for w in question.content & KIND_OF_WORD.keys()}
        of_kind = [e for e in entries if e.kind in kinds] if kinds else []
        if len(of_kind) >= 2:
            return of_kind
        any_of_kind = [e for kind in sorted(kinds) for e in self._current_of_kind.get(kind, ())]
        if len(any_of_kind) >= 2:
            return any_of_kind
        return self.lists.in_kind_order(entries)

    @staticmethod
    def _a_name_alone(question: Question, evidence: tuple[Evidence, ...], options: Sequence[Option]) -> Decision | None:
        """A message that is only a name ("mastering number", "sktm?"): that offer, an overview of the
        family so named, or which of those so named.
        """
        named = [e for e in evidence if e.name_mass >= 1.0]
        if not set(question.asks) <= {"what"} or not named:  # "sktm?", "what is teaching for mastery?"
            return None
        widest = max(len(e.name_words) for e in named)
        named = [e for e in named if len(e.name_words) == widest]
        if question.content - named[0].name_words - STOPWORDS:
            return None  # it says something besides a name
        current = [e for e in named if e.indexed.entry.status == "current"] or named
        overview = [e for e in current if e.indexed.entry.kind == "information" and e.name_full]
        full = [e for e in current if e.name_full]  # several named in full by the same words ("NCP17-10") are a choice
        chosen_evidence = overview[:1] or (current if len(current) == 1 else full if len(full) == 1 else [])
        summaries = {o.entry_id: o for o in options if o.unit.kind == "summary"}
        if len(chosen_evidence) == 1 and chosen_evidence[0].entry_id in summaries:
            # past offers the same words name are mentioned as past ("the A level work group": also the 2017-18 one)
            past = tuple(Scored(summaries[e.entry_id], 0.0) for e in named if e not in current and e.entry_id in summaries)
            return Decision("answer", (Scored(summaries[chosen_evidence[0].entry_id], 1.0),), "the message is this offer's name",
                            alternatives=past[:CLARIFY_LIMIT - 1])
        chosen = tuple(Scored(summaries[e.entry_id], 1.0) for e in full or current if e.entry_id in summaries)[:CLARIFY_LIMIT]
        if len(chosen) >= 2:
            return Decision("clarify", chosen, "the message is a name several offers share", tuple(s.option.entry_id for s in chosen))
        return None

    @staticmethod
    def _about_the_whole_offer(question: Question, decision: Decision, options: Sequence[Option]) -> Decision:
        """"Tell me about X" with nothing asked beyond X's name: X's summary — or, when X names several
        offers equally, which one is meant.
        """
        best = decision.best
        if decision.action != "answer" or best is None or question.lead not in {"what", "exists"} or best.option.focus.words \
                or question.attributes.years or question.numbers:  # "year 3 of …", "the 7.5 days": more than the name
            return decision
        same_name = [s for s in decision.alternatives if s.option.evidence.name_words == best.option.evidence.name_words
                     and s.option.check.history_mismatch == best.option.check.history_mismatch]  # a past one is only mentioned
        if same_name:
            chosen = (best, *same_name)
            return Decision("clarify", chosen, "asks about a name several offers share", tuple(s.option.entry_id for s in chosen))
        summary = next((o for o in options if o.entry_id == best.option.entry_id and o.unit.kind == "summary"), None)
        if summary is None or best.option.unit.kind == "summary":
            return decision
        return replace(decision, chosen=(Scored(summary, best.probability, best.gate_values),),
                       support=(best.option, *decision.support)[:1], reason=decision.reason + "; nothing asked beyond its name")

    def _answers_what_was_asked(self, question: Question, decision: Decision, options: Sequence[Option]) -> Decision:
        """A question for a field (a closing date, the days, the cost…) is answered by that field, or by another of
        the entry's units that gives what was asked ("who leads …" → the fact naming who leads it), or not at all.
        """
        best = decision.best
        if decision.action == "answer" and best is not None and question.lead in detail_types() \
                and question.lead not in best.option.unit.answers:
            other = self._unit_answering(question, best.option, options)
            if other is not None:
                return replace(decision, chosen=(Scored(other, best.probability, best.gate_values), *decision.chosen[1:]),
                               reason=decision.reason + f"; answered from its {other.unit.kind}, which gives the {question.lead} asked for")
            # a detail the sources never give (session dates, a URL, who is taking part): say so, never a near fact
            return Decision("unknown", decision.chosen, f"no unit gives the {question.lead} asked for", missing=("field",))
        wanted = REQUIRED_FIELDS.get(question.lead)
        if decision.action != "answer" or best is None or not wanted:
            return decision
        unit = best.option.unit
        tied = unit.kind == "faq" and tied_to_its_question(unit.text) and not is_yes_no(question.asked_text)
        if unit.kind in wanted or (question.lead in unit.answers and not tied):
            return decision
        field = next((o for o in options if o.entry_id == best.option.entry_id and o.unit.kind in wanted
                      and not _reading_for_a_form(question, o)), None)
        if field is None and tied and question.lead in unit.answers:
            return decision  # no field to prefer: the FAQ answer, led by its own question
        if field is None:
            field = self._unit_answering(question, best.option, options)
        if field is not None:
            return replace(decision, chosen=(Scored(field, best.probability, best.gate_values), *decision.chosen[1:]),
                           reason=decision.reason + f"; answered from its {field.unit.kind}, which gives what the question asks for")
        return Decision("unknown", decision.chosen, f"the best unit ({unit.kind}) does not give what was asked", missing=("field",))

    def _unit_answering(self, question: Question, chosen: Option, options: Sequence[Option]) -> Option | None:
        """Another unit of the chosen entry that gives the type of answer asked for and covers some of what is asked
        about (the one covering most, then the best ranked) — none when no unit does.
        """
        lead, yes_no = question.lead, is_yes_no(question.asked_text)
        if lead not in ANSWERED_IN_PROSE:
            return None
        found = [
            o for o in options
            if o.entry_id == chosen.entry_id and o is not chosen and lead in o.unit.answers
            and (not o.unit.tied or yes_no) and (o.focus.covered > 0 or not o.focus.words)
        ]
        return max(found, key=lambda o: (o.focus.covered, self.model.rank_score(o.values))) if found else None

    def _decided_by_situation(self, question: Question, per_entry: list[Scored]) -> Scored | None:
        """An eligibility question about a named offer whose checks the stated situation decides ("welsh
        secondary - can we join the sktm trial"): that offer, whatever else its words resemble.
        """
        return next(
            (s for s in per_entry
             if _situation_decides(question, s.option) and not s.option.check.missing and s.probability >= self.model.clarify_at
             and (s.option.evidence.named or s.option.evidence.name_score >= NAMES_AN_OFFER)),
            None,
        )

    def _audience_not_offered(self, question: Question, decision: Decision, per_entry: list[Scored]) -> Decision:
        """"SKTM for secondary ECTs": every offer for that role is for another phase, so neither an overview that
        names no role nor a choice among the mismatched is the answer — say what is missing and the nearest offer.
        """
        roles = question.attributes.roles
        if decision.action not in {"answer", "clarify"} or not roles or not decision.chosen:
            return decision
        for_role = [s for s in per_entry if self.roles(s.option.evidence.indexed.entry) & roles]
        if not for_role or any(not s.option.check.missing for s in for_role):
            return decision
        if decision.action == "answer":
            best = decision.chosen[0].option
            if self.roles(best.evidence.indexed.entry) or best.focus.words:
                return decision
        return Decision("unknown", (for_role[0],), "every offer for the role named is for another phase", missing=("attribute",))

    @staticmethod
    def _stated_situation_first(question: Question, decision: Decision, options: Sequence[Option]) -> Decision:
        """An eligibility question whose situation the entry's checks decide is answered by that verdict.

        Asked which of several entries named alike is meant, the one whose criteria the stated
        situation decides is the one meant.
        """
        if not (question.asks_whether_may or not question.asks):
            return decision
        if decision.action == "clarify":
            decided = [s for s in decision.chosen if _situation_decides(question, s.option)]
            if len(decided) != 1:
                return decision
            decision = Decision("answer", (decided[0],), "the stated situation is about this one of those named alike")
        best = decision.best
        if decision.action == "unknown" and best is not None and _situation_decides(question, best.option) and not best.option.check.missing \
                and (best.option.evidence.named or best.option.evidence.name_score >= 0.5):
            decision = Decision("answer", (best,), "names this offer and states a situation its checks decide")
        if decision.action != "answer" or best is None:
            return decision
        chosen = best.option
        if not _situation_decides(question, chosen) or chosen.unit.kind in {"criterion", "eligibility"}:
            return decision
        verdict = next((o for o in options if o.entry_id == chosen.entry_id and o.unit.kind == "eligibility"), None)
        if verdict is None:
            return decision
        return replace(decision, chosen=(Scored(verdict, best.probability, best.gate_values), *decision.chosen[1:]),
                       reason=decision.reason + "; the stated situation decides a criterion")

    def _faq_asked_word_for_word(self, question: Question, options: Sequence[Option]) -> Scored | None:
        """The option answering an FAQ whose listed question is exactly this one (staff wrote it for this)."""
        asked = " ".join(t for t in question.terms if t not in STOPWORDS)
        for option in options:
            unit = option.unit
            if unit.kind != "faq":
                continue
            if asked in self.units.faq_plain(option.entry_id)[unit.position]:
                return Scored(option, 1.0)
        return None

    def _missing_contact(self, question: Question) -> str | None:
        """The contact detail asked for ("phone number", "email address") when the hub has not given it."""
        text = question.asked_text
        hub = self.kb.hub
        if re.search(r"\b(?:phone|telephone|mobile|ring|call)\b", text):
            return "a phone number"
        if re.search(r"\be ?mail(?: address)?\b", text) and not hub.email:
            return "an email address"
        if re.search(r"\b(?:website|web address|url)\b", text) and not hub.website:
            return "a website address"
        if re.search(r"\b(?:postal address|office address|postcode|where is the (?:hub|office))\b", text):
            return "a postal address"
        return None

    def _mentions(self, scored: Scored, topic) -> bool:  # noqa: ANN001
        """The entry itself speaks of the outside topic (Mastering Number and the Multiplication Tables Check,
        the EEF trial and the trials that rule a school out), so the topic can be the asker's situation.
        """
        pattern = next(as_typed for t, as_typed, _ in self._outside if t.id == topic.id)
        return any(pattern.search(" ".join(_WORD.findall(clean(unit.text)))) for unit in self.units.of(scored.option.entry_id))

    def _outside_topic(self, question: Question):  # noqa: ANN202
        typed = " ".join(_WORD.findall(clean(question.raw)))
        corrected = " ".join(self.index.corrected(question.raw))  # typos too ("ofstead"), where folding changes nothing
        return next(
            (topic for topic, as_typed, stable in self._outside if as_typed.search(typed) or stable.search(corrected)), None,
        )

    def _side_for(self, question: Question, side: Scored, options: Sequence[Option]) -> Scored:
        """One side of a comparison: the entry's best unit that answers what else the question asks
        ("how many schools at KS2 vs Reception/KS1?" compares the two figures), else its best unit.
        """
        wanted = set(question.asks[1:])
        if not wanted:
            return side
        own = [o for o in options if o.entry_id == side.option.entry_id and wanted & o.unit.answers
               and ("how_many" not in wanted or o.unit.has_figure)]
        if not own:
            return side
        best = max(own, key=lambda o: self.model.rank_score(o.values))
        return replace(side, option=best)

    def _family_choice(
        self, question: Question, decision: Decision, evidence: tuple[Evidence, ...], per_entry: list[Scored], options: Sequence[Option],
    ) -> Decision:
        """A field or a figure asked of a family by its shared name ("how many days is the SKTM programme?"), when
        no one member is clearly meant: ask which, showing each member's answer — never "I don't know".
        """
        lead = question.lead
        if decision.action not in {"unknown", "clarify"} or not (lead in REQUIRED_FIELDS or lead == "how_many"):
            return decision
        if question.attributes.named_phases or question.attributes.roles:
            return decision  # "… for primary TAs" picks a member; the verification stages judge it
        best = {s.option.entry_id: s for s in per_entry}
        wanted = REQUIRED_FIELDS.get(lead, frozenset())
        family = [best[e.id] for e in self.lists.named_family(evidence) if e.id in best and e.kind != "information"]
        members = family
        if wanted:
            members = [m for m in members if _fields_given(lead, m.option.evidence.indexed.entry, wanted & m.option.entry_kinds)]
            if len(members) == 1 and len(family) >= 2 and decision.action == "unknown":
                return self._the_one_with_the_field(members[0], wanted, family, options)
            if not members and decision.action == "unknown":  # "sktm days": none has it — which one, each saying so
                lacking = sorted((m for m in family if m.option.evidence.indexed.entry.status == "current"), key=lambda s: -s.probability)
                if len(lacking) >= 2 and lead == "apply" and all(m.option.evidence.name_words <= KIND_WORDS for m in lacking):  # "how to join a work group": none has a form; the hub runs them
                    return Decision("contact", reason=f"asks how to join a kind of offer; none of its {len(lacking)} has a form of its own",
                                    entries=tuple(s.option.entry_id for s in lacking[:CLARIFY_LIMIT]), missing=("kind",))
                if len(lacking) >= 2 and ("which" in question.asks or _WHICH_MEMBER.search(question.asked_text)):  # "which mastering number should we sign up for?"
                    return Decision("clarify", (), f"asks which of a family; none of its {len(lacking)} members has {lead}",
                                    tuple(s.option.entry_id for s in lacking[:CLARIFY_LIMIT]))
                if len(lacking) >= 2:  # none of them gives it: asking which one would get no answer either
                    return Decision("unknown", tuple(lacking[:CLARIFY_LIMIT]), f"asks a family by its shared name; none of its "
                                    f"{len(lacking)} members has {lead}", missing=("family field",))
        else:
            members = [m for m in members if m.option.unit.has_figure and (not question.counted or m.option.unit.counted & question.counted)]
        current = [m for m in members if m.option.evidence.indexed.entry.status == "current"]
        members = current if len(current) >= 2 else members  # a past family ("the Y5-8 Work Groups' codes")
        if len(members) < 2 or (len(members) == 2 and decision.action != "unknown"):
            return decision  # two alike are the model's choice to make, unless it would say "I don't know"
        members.sort(key=lambda s: -s.probability)
        chosen = tuple(members[:CLARIFY_LIMIT])
        return Decision("clarify", chosen, f"asks a family by its shared name; {len(members)} members answer it",
                        tuple(s.option.entry_id for s in chosen))

    def _member_unpicked(self, question: Question, decision: Decision, evidence: tuple[Evidence, ...], per_entry: list[Scored]) -> Decision:
        """"Mastering number years?" names a family by its shared name and asks a field several of its current
        members give: answering one member is a guess unless a word of the question belongs to that member alone
        ("mastering number multiplication") — so ask which, showing each member's answer.
        """
        best = decision.best
        lead = question.lead
        if decision.action != "answer" or best is None or not (lead in REQUIRED_FIELDS or lead == "who_for"):
            return decision
        attributes = question.attributes
        named_years = {str(year) for year in attributes.years} - self.lists.family_words(evidence)  # "year 5 to 8" may be the name
        if attributes.named_phases or attributes.roles or named_years or question.numbers or any(e.code_hit for e in evidence):
            return decision  # a phase, role, year group, figure or code can pick the member; verification judges it
        wanted = REQUIRED_FIELDS.get(lead, frozenset({"who_for", "summary"}))
        scored = {s.option.entry_id: s for s in per_entry}
        members = [
            scored[e.id] for e in self.lists.named_family(evidence)
            if e.id in scored and (e.status == "current") != question.wants_history and e.kind != "information"
            and (lead not in REQUIRED_FIELDS or _fields_given(lead, e, wanted & scored[e.id].option.entry_kinds))
        ]
        if len(members) < 2 or best.option.entry_id not in {m.option.entry_id for m in members}:
            return decision
        said = question.content - self.lists.family_words(evidence, kinds=True) - KIND_WORDS - self.index.neutral - cue_terms()
        own = self._entry_words(best.option.evidence.indexed)
        others = set().union(*(self._entry_words(m.option.evidence.indexed) for m in members if m is not best and m.option.entry_id != best.option.entry_id))
        if said & own - others:
            return decision
        members.sort(key=lambda s: -s.probability)
        chosen = tuple(members[:CLARIFY_LIMIT])
        return Decision("clarify", chosen, f"names a family by its shared name; nothing said picks one of its {len(members)} members",
                        tuple(s.option.entry_id for s in chosen))

    def _family_unpicked(self, question: Question, decision: Decision, evidence: tuple[Evidence, ...], per_entry: list[Scored]) -> Decision:
        """"Core maths CPD, what does it involve?" asks about a family by its shared name and nothing beyond it:
        rather than "I don't have anything on that", ask which member is meant, showing what each is.
        """
        if decision.action != "unknown" or question.lead not in {"what", "who_for"} or decision.missing not in {(), ("confidence",)}:
            return decision
        attributes = question.attributes
        if attributes.roles or attributes.years or question.numbers or any(e.code_hit for e in evidence):
            return decision
        scored = {s.option.entry_id: s for s in per_entry}
        family = self.lists.family_members(evidence)  # "the lead programme": the Lead Programmes
        if attributes.named_phases:
            family = [e for e in family if attributes.named_phases & set(e.phases)]
        members = [scored[e.id] for e in family if e.id in scored]
        if len(members) < 2:
            return decision
        if self._asked_beyond_the_family(question, evidence):
            return decision  # it asks about something beyond the name ("core maths UCAS points"): not known as asked
        members.sort(key=lambda s: -s.probability)
        chosen = tuple(members[:CLARIFY_LIMIT])
        return Decision("clarify", chosen, f"asks about a family by its shared name alone; {len(members)} current members",
                        tuple(s.option.entry_id for s in chosen))

    @staticmethod
    def _entry_words(indexed: EntryIndex) -> frozenset[str]:
        """Every word an entry's names, keywords and text use."""
        return frozenset(indexed.content).union(*indexed.name_sets, *indexed.keyword_sets)

    def _the_one_with_the_field(self, member: Scored, wanted: frozenset[str], family: list[Scored], options: Sequence[Option]) -> Decision:
        """"When did the mastery specialist programme close?": of the family so named only one has a closing date —
        answer with it, naming the others in case one of them was meant.
        """
        fields = [o for o in options if o.entry_id == member.option.entry_id and o.unit.kind in wanted]
        chosen = max(fields, key=lambda o: self.model.rank_score(o.values)) if fields else member.option
        others = tuple(s for s in family if s is not member)[:CLARIFY_LIMIT - 1]
        return Decision("answer", (Scored(chosen, member.probability, member.gate_values),),
                        "asks a family for a field only one member has", alternatives=others)
