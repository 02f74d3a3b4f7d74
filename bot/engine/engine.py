"""The answer engine: question in, structured reply out — answered, clarify or unknown."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import re

from bot.engine.compose import Composer
from bot.engine.dates import today_in_london
from bot.engine.index import KnowledgeIndex
from bot.engine.query import Query, understand
from bot.engine.ranking import Match, rank
from bot.engine.text import PHASE_TERMS
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.cache import ParseCache, gc_paused
from bot.knowledge.loader import MEMORY_CACHE
from bot.knowledge.schema import PHASE_LABELS, Entry, Phase
from bot.reply import Reply

log = logging.getLogger(__name__)

MIN_SCORE = 0.5  # below this, the best match is a guess and the bot declines
TIE_MARGIN = 0.15  # matches this close to the best are treated as equally likely
MIN_COVERAGE = 0.5  # an entry not named outright must know at least this share of the question's words
RIVAL_MARGIN = 0.4  # how far behind a match naming different words can be and still compete
LIST_LIMIT = 10
# Intents answered by one field of an entry; "venue" has no field, so it is never known.
FIELD_OF_INTENT = {"deadline": "deadlines", "time_commitment": "time_commitment", "cost": "cost", "venue": "venue_unknown"}


class Engine:
    """Answers questions from one knowledge-base version; build a new Engine to swap versions."""

    def __init__(self, kb: KnowledgeBase, cache: ParseCache | None = MEMORY_CACHE) -> None:
        self.kb = kb
        gc.unfreeze()  # earlier engines' objects may be collected once nothing uses them
        with gc_paused():
            self.index = KnowledgeIndex(kb, cache)
        # The knowledge base and index live as long as this engine: keep the collector from
        # re-walking them on every answer (at 5,000 entries that was most of an answer's time).
        gc.freeze()
        self.composer = Composer(kb, self.index)

    def answer(self, question: str, today: dt.date | None = None) -> Reply:
        """The reply to ``question`` as of ``today`` (default: today in Europe/London). Never raises."""
        day = today or today_in_london()
        try:
            return self._answer(question if isinstance(question, str) else str(question), day)
        except Exception:
            log.exception("answer failed for a question of %d characters", len(str(question)))
            query = understand("", self.index)
            return self.composer.out_of_scope(query, " (something went wrong on my side)")

    def _answer(self, question: str, today: dt.date) -> Reply:
        query = understand(question, self.index)
        if query.is_empty:
            return self.composer.empty(query)
        ranked = rank(self.index, query)
        matches = [m for m in ranked if m.coverage >= _coverage_needed(m)]
        top = matches[0] if matches else None
        expanded = self._acronym(query, ranked, today)
        if expanded is not None:
            return expanded
        if query.is_task_request and not (top and top.named):
            return self.composer.out_of_scope(query)
        only_phase = bool(query.phases) and not (query.topic_words - PHASE_TERMS - {w for w in query.topic_words if w.isdigit()})
        asks_for_offers = query.intents.has("list", 1.0) or query.intents.has("existence", 1.0)
        if only_phase and (asks_for_offers or not query.intents.ranked()):
            listed = self._phase_list(query, today)
            if listed is not None:
                return listed
        asks_who = query.intents.has("contact", 2.0)
        if query.intents.has("list", 1.5) and not asks_who and not (top and top.named and _alone(matches)):
            listed = self._list(query, matches, today)
            if listed is not None:
                return listed
        if top is None or top.score < MIN_SCORE:
            return self._nothing_named(query, today)
        close = [m for m in matches if m.score >= max(MIN_SCORE, top.score - TIE_MARGIN)]
        # A rival that accounts for name words the top match does not is a real alternative
        # even a little further behind ("MN for infants or juniors?" names two programmes).
        close += [
            m for m in matches
            if m not in close and m.score >= max(MIN_SCORE, top.score - RIVAL_MARGIN)
            and m.name_mass >= 1.5 and m.name_words - top.explained
            and not (top.well_named and not m.named and m.name_words <= top.explained | top.indexed.content.keys())
        ]
        # Entries named by exactly the same words are told apart only by other evidence, not by
        # which has the shorter alias ("the mastery one back in 17/18" fits four Work Groups).
        close += [
            m for m in matches
            if m not in close and m.name_words and m.explained == top.explained
            and top.score - m.score <= RIVAL_MARGIN and top.other_evidence - m.other_evidence < TIE_MARGIN
        ]
        if top.indexed.entry.status == "current" and not query.wants_history:
            close = [m for m in close if m.indexed.entry.status == "current"]  # past offers only when asked
        winner = _clear_winner(close)
        if winner is None and query.intents.primary == "stats":
            winner = _best_figure(close)  # a figure is quoted from its source whichever entry holds it
        if winner is None:
            return self._clarify(query, matches, close, today)
        return self._single(query, winner, matches, today)

    # ----- decisions -----------------------------------------------------------------------
    def _single(self, query: Query, winner: Match, matches: list[Match], today: dt.date) -> Reply:
        others = [m.score for m in matches if m is not winner]
        margin = winner.score - (max(others) if others else 0.0)
        base = 0.75 if winner.named else 0.5
        confidence = min(0.98, base + 0.25 * min(1.0, margin / 0.5) + 0.05 * min(1.0, winner.score - MIN_SCORE))
        intent = _answer_intent(query, winner.indexed.entry)
        asks_if_allowed = query.intents.has("eligibility", 1.0) or intent == "apply" or not query.intents.ranked()
        if winner.situation and asks_if_allowed and intent in {"apply", "who_for", "what_is", "existence"}:
            intent = "eligibility"  # "our science teacher teaches Y8 — could we sign up?"
        return self.composer.answer_entry(query, winner.indexed, intent, today, confidence, winner.own_name_words)

    def _clarify(self, query: Query, matches: list[Match], close: list[Match], today: dt.date) -> Reply:
        top = close[0]
        chosen = [m for m in close if not (m.name_words < top.name_words)]
        group = top.indexed.entry.group
        if group:
            chosen += [
                m for m in matches
                if m not in chosen and m.indexed.entry.group == group and m.score >= MIN_SCORE and m.name_words
            ]
        entries = [m.indexed.entry for m in chosen][:5]
        if query.intents.has("list", 1.5):
            return self.composer.listing(query, entries, "Here is what I found:", today, 0.6)
        intent = query.intents.primary
        field_missing_everywhere = intent in FIELD_OF_INTENT and not any(
            getattr(entry, FIELD_OF_INTENT[intent], None) for entry in entries
        )
        if field_missing_everywhere:  # no candidate could answer, so asking which one would only delay "I don't know"
            return self.composer.missing_for_all(query, entries, intent)
        return self.composer.clarify(query, entries, intent, today, confidence=0.4)

    def _acronym(self, query: Query, matches: list[Match], today: dt.date) -> Reply | None:
        """Answer 'what does SKTM stand for?' from the vocabulary, with the offers that use it."""
        found = _ACRONYM.search(" ".join(query.words))
        if not found:
            return None
        word = next(group for group in found.groups() if group)
        expansion = self.index.mapper.expansion(word)
        if expansion is None:
            return None
        related = [m.indexed.entry for m in matches if m.name_words and m.indexed.entry.status == "current"][:6]
        return self.composer.expansion(query, word, expansion, related, today)

    def _list(self, query: Query, matches: list[Match], today: dt.date) -> Reply | None:
        if matches and matches[0].score >= MIN_SCORE:
            top = matches[0].score
            related = [m.indexed.entry for m in matches if m.score >= max(MIN_SCORE, top - 0.3)]
            related = [e for e in related if e.status == "current" or query.wants_history]
            if len(related) >= 2:
                return self.composer.listing(query, related[:LIST_LIMIT], "Here is what the hub offers on that:", today, 0.65)
            topic = matches[0].indexed.entry
            if topic.kind == "information" and matches[0].name_words:
                # "what LLME development programmes are there?": the offers an information topic points to
                offers = [self.kb.entries[i] for i in topic.related if i in self.kb.entries]
                offers = [e for e in offers if e.status == "current" and e.kind != "information"]
                if len(offers) >= 2:
                    return self.composer.listing(query, offers[:LIST_LIMIT], f"Offers linked to {topic.name}:", today, 0.6)
            return None
        return self._phase_list(query, today)

    def _phase_list(self, query: Query, today: dt.date) -> Reply | None:
        if not query.phases:
            return None
        phase = max(query.phases.items(), key=lambda item: item[1])[0]
        entries = self.programmes_for_phase(phase)
        if not entries:
            return None
        heading = f"For {PHASE_LABELS[phase]}, the hub offers:"
        return self.composer.listing(query, entries[:LIST_LIMIT], heading, today, 0.6)

    def _nothing_named(self, query: Query, today: dt.date) -> Reply:
        if query.intents.has("contact", 2.0):
            return self.composer.contact_reply(query)
        if query.intents.has("list", 1.0) or query.intents.has("existence", 1.0) or query.intents.has("who_for", 2.0):
            listed = self._phase_list(query, today)
            if listed is not None:
                return listed
        return self.composer.out_of_scope(query)

    # ----- helpers the Discord layer and CLI use ---------------------------------------------
    def programmes_for_phase(self, phase: Phase) -> list[Entry]:
        """Current offers for a phase: programmes and Work Groups before information topics."""
        order = {"programme": 0, "work-group": 1, "project": 2, "community": 3, "support": 4, "information": 5}
        return sorted(self.kb.for_phase(phase), key=lambda e: (order.get(e.kind, 9), e.name))

    def describe(self, entry_id: str, today: dt.date | None = None) -> Reply | None:
        """A full description of one entry (for `/programme`), or None for an unknown id."""
        indexed = self.index.entries.get(entry_id)
        if indexed is None:
            return None
        query = understand(indexed.entry.name, self.index)
        return self.composer.describe(query, indexed, today or today_in_london())

    def search_names(self, text: str, limit: int = 25) -> list[Entry]:
        """Entries whose names best match partial text, for autocomplete (current entries first)."""
        from rapidfuzz import fuzz, process

        entries = list(self.kb)
        if not text.strip():
            return sorted(self.kb.current_entries(), key=lambda e: e.name)[:limit]
        choices = {e.id: " ".join([e.name, *e.aliases]).lower() for e in entries}
        found = process.extract(text.lower(), choices, scorer=fuzz.partial_ratio, limit=limit * 2, score_cutoff=50)
        ranked = sorted(found, key=lambda hit: (-hit[1], self.kb.entries[hit[2]].status != "current"))
        return [self.kb.entries[hit[2]] for hit in ranked[:limit]]


def _coverage_needed(match: Match) -> float:
    """How much of the question an entry must know: less when the question names or describes it."""
    if match.named:
        return 0.0
    if match.well_named:
        return MIN_COVERAGE - 0.35  # most of an alias, in words, even inside a long chatty question
    if match.name_words or match.code_hit:
        return MIN_COVERAGE - 0.2
    if match.keyword_score or match.number_hits:
        return MIN_COVERAGE - 0.25  # a phrase that describes the entry is good evidence
    return MIN_COVERAGE


_ACRONYM = re.compile(
    r"\bwhat (?:does|do|is|s) (?:an? |the )?(\w{2,10}) (?:stand for|mean|short for)\b"
    r"|\bwhat is (\w{2,10}) short for\b|^(\w{2,10}) (?:stand for|stands for|meaning)\b"
)


def _best_figure(close: list[Match]) -> Match | None:
    """For a figures question matching several entries, the one whose facts cover it best."""
    ranked = sorted(close, key=lambda m: (-m.item_score, -m.score))
    return ranked[0] if ranked and ranked[0].item_score > 0 else None


def _alone(matches: list[Match]) -> bool:
    return len(matches) < 2 or matches[0].score - matches[1].score >= TIE_MARGIN * 2


def _clear_winner(close: list[Match]) -> Match | None:
    """The one match that stands out among near-equal ones, or None when the user must choose."""
    if len(close) == 1:
        return close[0]
    dominant = [m for m in close if all(other.explained < m.explained for other in close if other is not m)]
    if dominant:  # one match accounts for everything every other one does, and more
        return dominant[0]
    top = close[0]
    rivals = close[1:]
    if top.code_hit and not any(m.code_hit for m in rivals):
        return top
    if not top.name_words:
        return None
    # The top match wins when it accounts for every word a rival's name accounts for, and more,
    # or when its own text talks about the rival but not the other way round ("the PD Lead
    # accreditation part of the secondary mastery specialist programme").
    if all(m.explained < top.explained or (not m.name_words and top.named) or _mentions(top, m) for m in rivals):
        return top
    return None


def _mentions(top: Match, rival: Match) -> bool:
    """The top entry's text covers the rival's name words, and the rival's text does not cover the top's."""
    top_words = top.explained | top.indexed.content.keys()
    rival_words = rival.explained | rival.indexed.content.keys()
    return bool(rival.name_words) and rival.name_words <= top_words and not top.name_words <= rival_words


def _answer_intent(query: Query, entry: Entry) -> str:
    """The intent to answer for a single entry (a list question about one entry is a 'what is')."""
    for intent in query.intents.ranked():
        if intent == "list" or (intent == "stages" and not entry.stages):
            continue
        if intent == "existence" and query.intents.has("who_for", 1.5):
            return "who_for"
        return intent
    return "what_is"
