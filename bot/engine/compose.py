"""Compose replies from an entry's fields: the fact asked for first, then what the user needs to act."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.engine.dates import DeadlineStatus
from bot.engine.eligibility import assess_situation
from bot.engine.general import GeneralReplies
from bot.engine.index import EntryIndex, Item, KnowledgeIndex
from bot.engine.intents import detect_intents
from bot.engine.query import Query
from bot.engine.text import clean
from bot.engine.wording import bullets, clause, first_sentence, numbers_of, section_title, sentence
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Entry, LinkKind, Phase, Source
from bot.reply import Reply, ReplyLink, ReplySection

_TWO_QUESTIONS = re.compile(
    r"\?.+\?|\b(and|also|plus) (do|does|is|are|can|will|would|what|how|when|who|where|if)\b|\balso\b"
)
STAND_IN_COVERAGE = 0.75  # share of the question's own words a snippet must cover to replace a missing field
# Intents whose field can be added to an answer about something else.
SECOND_INTENTS = ("deadline", "time_commitment", "cost", "apply", "eligibility", "who_for")
ACTION_LINKS = (LinkKind.APPLICATION, LinkKind.EXPRESSION_OF_INTEREST, LinkKind.REQUEST, LinkKind.SURVEY)


@dataclass(frozen=True)
class ItemMatch:
    """How well one snippet covers the question's words beyond the entry's name."""

    item: Item
    overlap: float
    shared: int
    coverage: float

    @property
    def strong(self) -> bool:
        """Enough to answer in place of the field asked for (an FAQ written for this question)."""
        return self.overlap >= 4.0 and (self.shared >= 2 or self.coverage >= 0.6)

    @property
    def relevant(self) -> bool:
        """Worth showing: two of the question's words, or most of them."""
        return self.overlap >= 2.5 or (self.overlap >= 1.5 and (self.shared >= 2 or self.coverage >= 0.5))

    @property
    def leads(self) -> bool:
        """Enough to lead a "what is" answer: several rare words, or all of the question's own words."""
        return (
            self.overlap >= 2.5
            or (self.shared >= 3 and self.overlap >= 2.0)
            or (self.coverage >= 0.99 and self.overlap >= 1.5)
        )


class Composer(GeneralReplies):
    """Builds :class:`Reply` objects for one knowledge-base version."""

    def __init__(self, kb: KnowledgeBase, index: KnowledgeIndex) -> None:
        super().__init__(kb)
        self.index = index
        # The hub-wide statement on cost, used when a programme has none of its own.
        self.general_cost = next(
            (e for e in kb if e.cost and Phase.CROSS_PHASE in e.phases and e.kind == "information"), None
        )

    # ----- helpers -------------------------------------------------------------------------
    def _titles(self, sources: Iterable[Source]) -> tuple[str, ...]:
        return self.kb.hub.document_titles(sources)

    @staticmethod
    def _links(entry: Entry, kinds: Iterable[LinkKind] | None = None, limit: int = 3) -> tuple[ReplyLink, ...]:
        wanted = set(kinds) if kinds is not None else None
        chosen = [link for link in entry.links if wanted is None or link.kind in wanted]
        return tuple(ReplyLink(link.label, link.kind.value, link.url) for link in chosen[:limit])

    def best_items(
        self, indexed: EntryIndex, query: Query, kinds: tuple[str, ...], exclude: frozenset[str] = frozenset()
    ) -> list[tuple[float, Item]]:
        """The entry's snippets of the given kinds ranked by how much of the question they cover."""
        return [(found.overlap, found.item) for found in self.item_matches(indexed, query, kinds, exclude)]

    def item_matches(
        self,
        indexed: EntryIndex,
        query: Query,
        kinds: tuple[str, ...],
        exclude: frozenset[str] = frozenset(),
        *,
        every_word: bool = False,
    ) -> list[ItemMatch]:
        """Snippets ranked by the question words they share (``every_word``: "schools", "first" count too)."""
        words = (frozenset(query.content) if every_word else query.topic_words) - exclude
        # A word the knowledge base never uses is likely what the question is really about: it weighs double.
        unknown = 2 * math.log(1 + self.index.entry_count)
        total = sum(self.index.content_idf.get(word, unknown) for word in words) or 1.0
        found = []
        for item in indexed.items:
            if item.kind not in kinds:
                continue
            shared = words & item.words
            overlap = sum(self.index.content_idf.get(word, 0.0) for word in shared)
            if query.numbers:
                overlap += 2.5 * len(query.numbers & numbers_of(item.text))
            if overlap > 0:
                found.append(ItemMatch(item, overlap, len(shared), overlap / total))
        found.sort(key=lambda match: -match.overlap)
        return found

    def _reply(
        self,
        query: Query,
        entry: Entry,
        intent: str,
        headline: str,
        sources: list[Source],
        *,
        sections: list[ReplySection] | None = None,
        links: tuple[ReplyLink, ...] = (),
        confidence: float,
        status: str = "answered",
        topics: tuple[str, ...] | None = None,
    ) -> Reply:
        return Reply(
            question=query.raw,
            status=status,  # type: ignore[arg-type]
            headline=headline,
            intent=intent,
            sections=tuple(sections or ()),
            links=links,
            topics=topics or (entry.id,),
            confidence=round(confidence, 2),
            title=entry.name,
            sources=self._titles(sources),
            last_reviewed=entry.last_reviewed.isoformat(),
        )

    # ----- one entry -----------------------------------------------------------------------
    def answer_entry(
        self, query: Query, indexed: EntryIndex, intent: str, today: dt.date, confidence: float, name_words: frozenset[str]
    ) -> Reply:
        """Answer ``intent`` about one entry; say plainly when the entry lacks that fact.

        The field the intent asks for is the default answer; a snippet (FAQ, fact, stage,
        criterion) that covers the question's own words clearly better leads instead, with the
        field under it — unless the field is one worded against today (deadlines) or a figure.
        """
        reply = self._build(intent, query, indexed, today, confidence, name_words)
        reply = self._second_intent(query, indexed, intent, reply, today, confidence, name_words)
        decisive = query.intents.scores.get(intent, 0.0) >= 1.5  # a bare "when" is not a deadline question
        if reply.intent in {"stats", "stages", "deadline", "cost", "contact", "links", "venue"} and decisive:
            return self._with_stage(query, indexed, reply)
        if intent == "eligibility" and assess_situation(indexed.entry, query.terms, self.index):
            return reply  # the teacher's own situation, read against the criteria, comes first
        snippets = self.item_matches(indexed, query, ("faq", "fact", "stage", "criterion"), name_words)
        best = snippets[0] if snippets else None
        if best is None or not best.relevant or best.item.text in reply.headline:
            return self._with_stage(query, indexed, reply)
        if reply.status == "unknown":
            # The field asked for is missing: a snippet may stand in only if it covers the question
            # ("answer sheets for Checkpoints?" is not answered by what Checkpoints are).
            about_intent = intent in detect_intents(self.index.mapped(best.item.label or best.item.text)).ranked()
            covers = best.coverage >= STAND_IN_COVERAGE
            if covers and best.strong and (about_intent or intent in {"what_is", "who_for", "existence", "eligibility", "apply"}):
                return self._faq_reply(query, indexed, best.item, reply, confidence)
            if intent == "deadline" and not decisive and covers:
                # "when's the influence event?" is not about a closing date: a snippet that has it answers
                return self._faq_reply(query, indexed, best.item, reply, confidence)
            return reply
        if best.strong or best.overlap >= self._overlap(query, reply.headline, name_words) + 1.0:
            return self._faq_reply(query, indexed, best.item, reply, confidence)
        return self._with_stage(query, indexed, reply)

    def _build(
        self, intent: str, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]
    ) -> Reply:
        builder = getattr(self, f"_answer_{intent}", self._answer_what_is)
        return builder(query, indexed, today, confidence, name_words)

    def _second_intent(
        self, query: Query, indexed: EntryIndex, intent: str, reply: Reply, today: dt.date, confidence: float,
        name_words: frozenset[str],
    ) -> Reply:
        """Questions often ask two things ("do we pay, and is release time covered?").

        When the entry lacks the first but has the second, answer the second and say the first
        is not known; when it has both, add the second under the first.
        """
        others = [i for i in query.intents.ranked() if i != intent and query.intents.scores[i] >= 2.0]
        second = next((i for i in others if i in SECOND_INTENTS), None)
        if second is None:
            return reply
        extra = self._build(second, query, indexed, today, confidence, name_words)
        if extra.status != "answered":
            return reply
        if reply.status == "unknown":
            if not _TWO_QUESTIONS.search(clean(query.raw)):
                return reply  # "closing date for the EOI?" asks one thing: the EOI is its object, not a question
            note = ReplySection("Not in my notes", first_sentence(reply.headline))
            return replace(extra, sections=(*extra.sections, note)[:4])
        if extra.headline in reply.headline:
            return reply
        section = ReplySection(section_title(second), extra.headline)
        return replace(reply, sections=(section, *reply.sections)[:4])

    def _overlap(self, query: Query, text: str, exclude: frozenset[str]) -> float:
        """How much of the question's own words a text covers (rarer words count more)."""
        words = frozenset(self.index.analyse(text))
        return sum(self.index.content_idf.get(word, 0.0) for word in (query.topic_words - exclude) & words)

    def _with_stage(self, query: Query, indexed: EntryIndex, reply: Reply) -> Reply:
        """Add the stage the question names ("year 2", "Embedding") when the answer lacks it."""
        position = mentioned_stage(indexed.entry, query, self.index)
        if position is None or reply.intent == "stages" or reply.status != "answered":
            return reply
        stage = indexed.entry.stages[position]
        if stage.summary in reply.headline:
            return reply
        section = ReplySection(stage.name, stage.summary)
        return replace(reply, sections=(section, *reply.sections)[:4])

    def _faq_reply(self, query: Query, indexed: EntryIndex, item: Item, field_reply: Reply, confidence: float) -> Reply:
        entry = indexed.entry
        sections = []
        position = mentioned_stage(entry, query, self.index)
        if position is not None and entry.stages[position].summary != item.text:
            sections.append(ReplySection(entry.stages[position].name, entry.stages[position].summary))
        if field_reply.status == "answered" and field_reply.headline != item.text:
            sections.append(ReplySection(section_title(field_reply.intent), field_reply.headline))
        sections.extend(field_reply.sections)
        return self._reply(
            query, entry, field_reply.intent, item.text, [item.source],
            sections=sections[:3], links=field_reply.links or self._links(entry, ACTION_LINKS), confidence=confidence,
        )

    def _missing(self, query: Query, entry: Entry, intent: str, what: str, confidence: float) -> Reply:
        headline = (
            f"I don't have {what} for the {entry.name} in my notes, so I won't guess. {self.hub_contact()}"
        )
        return self._reply(
            query, entry, intent, headline, [entry.summary.source],
            sections=[ReplySection("What I do know", entry.summary.text)],
            confidence=confidence, status="unknown",
        )

    def _answer_deadline(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, _: frozenset[str]) -> Reply:
        entry = indexed.entry
        if not entry.deadlines:
            return self._missing(query, entry, "deadline", "a closing date", confidence)
        lines = [DeadlineStatus(deadline, today).wording() for deadline in entry.deadlines]
        sections = self._apply_sections(entry)
        return self._reply(
            query, entry, "deadline", f"{entry.name}: " + " ".join(lines),
            [d.source for d in entry.deadlines], sections=sections,
            links=self._links(entry, ACTION_LINKS), confidence=confidence,
        )

    def _apply_sections(self, entry: Entry) -> list[ReplySection]:
        sections = []
        how = entry.how_to_apply
        if how and how.prerequisites:
            sections.append(ReplySection("Before you apply", bullets(how.prerequisites)))
        if how and how.steps:
            sections.append(ReplySection("How to apply", bullets(how.steps)))
        return sections

    def _answer_apply(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        how = entry.how_to_apply
        links = self._links(entry, ACTION_LINKS) or self._links(entry)
        if not how and not links:
            return self._missing(query, entry, "apply", "how to apply", confidence)
        wants_before = bool(re.search(r"\b(before|need|first|prerequisite|eligible|register|account)\b", " ".join(query.words)))
        if how and how.prerequisites and wants_before:
            headline = f"Before you apply for the {entry.name}: " + " ".join(sentence(p) for p in how.prerequisites)
            sections = [ReplySection("How to apply", bullets(how.steps))] if how.steps else []
        elif how and how.steps:
            headline = f"How to apply for the {entry.name}: " + " ".join(sentence(s) for s in how.steps)
            sections = [ReplySection("Before you apply", bullets(how.prerequisites))] if how.prerequisites else []
        else:
            headline = f"For the {entry.name}, use the {links[0].label}."
            sections = []
        sources = [how.source] if how else [link.source for link in entry.links]
        if entry.deadlines:
            sections.append(ReplySection("Deadline", " ".join(DeadlineStatus(d, today).wording() for d in entry.deadlines)))
            sources += [d.source for d in entry.deadlines]
        return self._reply(query, entry, "apply", headline, sources, sections=sections, links=links, confidence=confidence)

    def _answer_eligibility(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        if not entry.eligibility:
            if entry.who_for:
                reply = self._answer_who_for(query, indexed, today, confidence, name_words)
                return reply
            return self._missing(query, entry, "eligibility", "eligibility criteria", confidence)
        situation = assess_situation(entry, query.terms, self.index)
        sources = [c.source for c in entry.eligibility]
        all_criteria = ReplySection("All the criteria", bullets(c.text for c in entry.eligibility))
        if situation.not_met:
            criterion = situation.not_met[0]
            check = criterion.check
            assert check is not None
            headline = f"No — from what you describe, that rules you out of the {entry.name}. {check.not_met}"
            sections = [all_criteria]
            suggestions = [self.kb.entries[s] for s in check.suggest if s in self.kb.entries and s != entry.id]
            if suggestions:
                sections.insert(0, ReplySection("You could look at", bullets(f"{s.name} — {first_sentence(s.summary.text)}" for s in suggestions)))
            return self._reply(query, entry, "eligibility", headline, sources, sections=sections,
                               confidence=confidence, topics=(entry.id, *[s.id for s in suggestions]))
        if situation.met:
            remaining = [c for c in entry.eligibility if c not in situation.met]
            headline = (
                "From what you describe, you meet: " + "; ".join(clause(c.text) for c in situation.met) + "."
            )
            sections = [ReplySection("Still to check", bullets(c.text for c in remaining))] if remaining else []
            if not remaining:
                headline += f" That covers every published criterion for the {entry.name}."
            return self._reply(query, entry, "eligibility", headline, sources, sections=sections,
                               links=self._links(entry, ACTION_LINKS), confidence=confidence)
        headline = f"To take part in the {entry.name}, you need to meet all of these:\n" + bullets(c.text for c in entry.eligibility)
        sections = [ReplySection("Who it's for", entry.who_for.text)] if entry.who_for else []
        return self._reply(query, entry, "eligibility", headline, sources, sections=sections,
                           links=self._links(entry, ACTION_LINKS), confidence=confidence)

    def _answer_time_commitment(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        if not entry.time_commitment:
            return self._from_items_or_missing(query, indexed, "time_commitment", "the time commitment", confidence, name_words)
        sections = self._extra_item_sections(query, indexed, name_words, entry.time_commitment.text)
        return self._reply(query, entry, "time_commitment", f"{entry.name}: {entry.time_commitment.text}",
                           [entry.time_commitment.source], sections=sections, confidence=confidence)

    def _answer_cost(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        if entry.cost:
            return self._reply(query, entry, "cost", f"{entry.name}: {entry.cost.text}", [entry.cost.source], confidence=confidence)
        general = self.general_cost
        asks_about_pay = re.search(
            r"\b(paid|salary|tlr|allowance|pay rise|wage|extra money|supply|cover money|cover cost|backfill|reimburse)",
            clean(query.raw),
        )
        if general and general.cost and entry.kind != "information" and not asks_about_pay:
            headline = (
                f"My notes don't give a cost for the {entry.name} specifically. In general: {general.cost.text} "
                "Check with the hub for this programme."
            )
            return self._reply(query, entry, "cost", headline, [general.cost.source], confidence=min(confidence, 0.6),
                               topics=(entry.id, general.id))
        return self._missing(query, entry, "cost", "the cost", confidence)

    def _answer_contact(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        missing = self.missing_contact_detail(query)
        if missing:
            return self._missing(query, entry, "contact", f"the hub's {missing}", confidence)
        headline = f"For the {entry.name}, talk to your local Maths Hub. {self.hub_contact()}"
        sections = self._apply_sections(entry)
        return self._reply(query, entry, "contact", headline, [entry.summary.source], sections=sections,
                           links=self._links(entry, ACTION_LINKS), confidence=confidence)

    def _answer_who_for(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        text = entry.who_for.text if entry.who_for else entry.summary.text
        source = entry.who_for.source if entry.who_for else entry.summary.source
        prefix = "Yes — " if query.intents.has("existence", 2.0) else ""
        sections = self._extra_item_sections(query, indexed, name_words, text)
        if entry.who_for:
            sections.insert(0, ReplySection("What it is", entry.summary.text))
        return self._reply(query, entry, "who_for", f"{prefix}{entry.name} — {text}", [source],
                           sections=sections[:2], links=self._links(entry, ACTION_LINKS), confidence=confidence)

    def _answer_existence(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        if entry.status == "historical":
            return self._answer_what_is(query, indexed, today, confidence, name_words)
        sections = [ReplySection("Who it's for", entry.who_for.text)] if entry.who_for else []
        return self._reply(query, entry, "existence", f"Yes — there is the {entry.name}. {entry.summary.text}",
                           [entry.summary.source], sections=sections, links=self._links(entry, ACTION_LINKS), confidence=confidence)

    def _answer_what_is(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        items = self.item_matches(indexed, query, ("faq", "fact", "stage"), name_words)
        sections = []
        headline = entry.summary.text
        sources = [entry.summary.source]
        # A snippet leads when it covers the question's own words well ("what does an ISP do?").
        if items and items[0].leads and items[0].item.text not in headline:
            item = items[0].item
            tied = [m.item for m in items[1:3] if m.item.kind == item.kind == "fact" and m.overlap >= 0.9 * items[0].overlap]
            if tied:  # "the three cultures": several facts answer together
                item = replace(item, text=" ".join([item.text, *(t.text for t in tied)]))
            headline, sections = item.text, [ReplySection("What it is", entry.summary.text)]
            sources = [item.source, entry.summary.source]
        elif entry.who_for:
            sections.append(ReplySection("Who it's for", entry.who_for.text))
        if entry.status == "historical":
            sections.append(ReplySection("Note", f"This ran in {entry.academic_year or 'an earlier year'} and is not a current offer."))
        if entry.codes:
            sections.append(ReplySection("Code", ", ".join(entry.codes)))
        prefix = "Yes — " if query.intents.has("existence", 2.0) and entry.status == "current" else ""
        title = f"{prefix}{entry.name}: " if not headline.startswith(entry.name) else prefix
        return self._reply(query, entry, "what_is", title + headline, sources, sections=sections[:3],
                           links=self._links(entry, ACTION_LINKS), confidence=confidence)

    def _answer_stats(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        scored = []
        for match in self.item_matches(indexed, query, ("fact", "faq", "field"), frozenset(), every_word=True):
            # A figures question is best answered by a sentence that has a figure in it.
            has_figure = bool(re.search(r"\d|\b(two|three|four|five|six|half|quarter)\b", match.item.text))
            scored.append((match.overlap + (1.5 if has_figure else 0.0), match.item))
        scored.sort(key=lambda pair: -pair[0])
        if not scored:
            return self._missing(query, entry, "stats", "that figure", confidence)
        top = scored[0][0]
        chosen = [item for score, item in scored[:3] if score >= 0.6 * top][:2]
        headline = " ".join(item.text for item in chosen)
        return self._reply(query, entry, "stats", headline, [item.source for item in chosen], confidence=confidence)

    def _answer_stages(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        if not entry.stages:
            return self._answer_what_is(query, indexed, today, confidence, name_words)
        names = [stage.name for stage in entry.stages]
        sequence = " → ".join(names)
        text = " ".join(query.words)
        current = mentioned_stage(entry, query, self.index)
        wants_next = bool(re.search(r"\b(next|after|then|finished|completed|done|following)\b", text))
        if current is not None and wants_next and current + 1 < len(entry.stages):
            following = entry.stages[current + 1]
            headline = f"After {entry.stages[current].name} comes {following.name}: {following.summary}"
        elif current is not None and not wants_next:
            stage = entry.stages[current]
            headline = f"{entry.name} — {stage.name}: {stage.summary}"
        else:
            headline = f"{entry.name} runs in this order: {sequence}."
        sections = [ReplySection("The stages", bullets(f"{s.name}: {s.summary}" for s in entry.stages))]
        return self._reply(query, entry, "stages", headline, [s.source for s in entry.stages], sections=sections, confidence=confidence)

    def _answer_links(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        entry = indexed.entry
        links = self._links(entry, limit=5)
        if not links:
            return self._missing(query, entry, "links", "a page or form to point you to", confidence)
        labels = "; ".join(link.label for link in links)
        headline = f"For more on the {entry.name}, the hub points to: {labels}."
        return self._reply(query, entry, "links", headline, [link.source for link in entry.links[:5]],
                           links=links, confidence=confidence)

    def _answer_venue(self, query: Query, indexed: EntryIndex, today: dt.date, confidence: float, name_words: frozenset[str]) -> Reply:
        return self._missing(query, indexed.entry, "venue", "where or when the sessions are held", confidence)

    def _from_items_or_missing(
        self, query: Query, indexed: EntryIndex, intent: str, what: str, confidence: float, name_words: frozenset[str]
    ) -> Reply:
        items = self.best_items(indexed, query, ("faq", "fact", "stage"), name_words)
        if items and items[0][0] >= 3.0:
            item = items[0][1]
            return self._reply(query, indexed.entry, intent, f"{indexed.entry.name}: {item.text}", [item.source], confidence=confidence * 0.9)
        return self._missing(query, indexed.entry, intent, what, confidence)

    def _extra_item_sections(self, query: Query, indexed: EntryIndex, name_words: frozenset[str], shown: str) -> list[ReplySection]:
        items = self.best_items(indexed, query, ("faq", "fact", "stage"), name_words)
        if items and items[0][0] >= 3.0 and items[0][1].text not in shown:
            return [ReplySection("Also", items[0][1].text)]
        return []

    def listing_hint(self, entry: Entry, query: Query) -> str:
        """The entry's snippet that speaks to the question ("SEND in mainstream"), else what it is."""
        indexed = self.index.entries.get(entry.id)
        if indexed is not None and query.topic_words:
            matches = self.item_matches(indexed, query, ("fact", "faq", "stage"), frozenset(indexed.names[0]))
            if matches and matches[0].relevant:
                return first_sentence(matches[0].item.text)
        return super().listing_hint(entry, query)

    def candidate_hint(self, entry: Entry, intent: str, today: dt.date, query: Query | None = None) -> str:
        """For a figures question, each candidate's best figure; otherwise as for any reply."""
        if intent == "stats" and query is not None and entry.id in self.index.entries:
            for match in self.item_matches(self.index.entries[entry.id], query, ("fact",), every_word=True):
                if re.search(r"\d", match.item.text):
                    return match.item.text
        return super().candidate_hint(entry, intent, today, query)

    def describe(self, query: Query, indexed: EntryIndex, today: dt.date) -> Reply:
        """Everything the bot knows about one entry, field by field (for `/programme`)."""
        entry = indexed.entry
        sections = []
        if entry.who_for:
            sections.append(ReplySection("Who it's for", entry.who_for.text))
        if entry.eligibility:
            sections.append(ReplySection("Eligibility", bullets(c.text for c in entry.eligibility)))
        if entry.time_commitment:
            sections.append(ReplySection("Time commitment", entry.time_commitment.text))
        if entry.cost:
            sections.append(ReplySection("Cost", entry.cost.text))
        if entry.deadlines:
            sections.append(ReplySection("Deadline", " ".join(DeadlineStatus(d, today).wording() for d in entry.deadlines)))
        sections.extend(self._apply_sections(entry))
        if entry.stages:
            sections.append(ReplySection("Stages", " → ".join(s.name for s in entry.stages)))
        if entry.status == "historical":
            sections.append(ReplySection("Note", f"This ran in {entry.academic_year or 'an earlier year'} and is not a current offer."))
        sources = [entry.summary.source] + [d.source for d in entry.deadlines]
        return self._reply(query, entry, "describe", entry.summary.text, sources, sections=sections,
                           links=self._links(entry, limit=5), confidence=1.0)

def mentioned_stage(entry: Entry, query: Query, index: KnowledgeIndex) -> int | None:
    """The position of the stage the question names ("year 2", "embedding"), if exactly one."""
    found = index.entries[entry.id].stages_named(query.terms)
    return found[0][0] if len(found) == 1 else None
