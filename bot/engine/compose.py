"""Stage 5 — compose: the reply from what was decided; the fact asked for first, then what the user needs to act.

Composition never re-decides: it words the chosen unit(s), adds the fields the question also
asks for when the entry has them, and says plainly what is not known.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.engine.asks import detail_types, units_for
from bot.engine.dates import DeadlineStatus, today_in_london
from bot.engine.decide import Decision
from bot.engine.eligibility import Situation
from bot.engine.features import FEATURES, Option
from bot.engine.understand import Question
from bot.engine.units import Unit, UnitIndex
from bot.engine.verify import ROLE_LABELS
from bot.engine.wording import bullets, clause, first_sentence, is_yes_no, shorten, tied_to_its_question
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Entry, LinkKind, Source
from bot.reply import Candidate, Reply, ReplyLink, ReplySection

ACTION_LINKS = (LinkKind.APPLICATION, LinkKind.EXPRESSION_OF_INTEREST, LinkKind.REQUEST, LinkKind.SURVEY)
MAX_SECTIONS = 3
FAQ_SIMILARITY = FEATURES.index("faq_similarity")
# How close a yes/no question must be to an FAQ's own question for its "Yes." or "No." to answer it directly.
ASKED_AS_WRITTEN = 0.9
# How likely an answer from an offer the question does not name must be for a "not sure" reply to point to it
# ("The nearest I have is …") rather than say the notes have nothing on the question.
NEAREST_UNNAMED = 0.25  # (and the question must use one of its keywords: "intensive support partner")
LIST_LIMIT = 10
# What a question type asks for, in words, for "I don't have … for …".
MISSING_WORDS = {
    "deadline": "a closing date", "time": "the time commitment", "cost": "the cost", "apply": "how to apply",
    "eligibility": "eligibility criteria", "who_for": "who it is for", "stages": "stages", "code": "a programme code",
    "links": "a page or form to point you to", "venue": "venue or location details", "format": "how the sessions are given (online or in person)",
    "schedule": "session dates or times", "pay": "pay rates or expenses", "cover": "supply-cover funding details",
    "places": "how many places are left", "url": "web addresses", "participants": "which schools or teachers are taking part",
    "future": "dates for a future round", "personal": "anyone's own applications or records",
    "people": "staff names or contact people", "how_many": "that figure", "why": "the reason",
    "changed": "what changed", "when": "that date", "credits": "academic credits or what the programme counts towards",
    "results": "the trial's or evaluation's results", "funder": "funding details",
    "admin": "booking paperwork such as VAT, invoices, insurance or DBS checks", "materials": "copies of session materials",
}
SECTION_TITLES = {
    "deadline": "Deadline", "time": "Time commitment", "cost": "Cost", "apply": "How to apply",
    "criterion": "Eligibility", "eligibility": "Eligibility", "who_for": "Who it's for", "summary": "What it is",
    "stages": "Stages", "stage": "Stage", "link": "Links", "code": "Code", "fact": "Also", "faq": "Also",
}
SECOND_FIELDS = ("deadline", "time", "cost", "apply", "eligibility", "who_for", "code")


class Composer:
    """Words replies for one knowledge-base version."""

    def __init__(self, kb: KnowledgeBase, units: UnitIndex) -> None:
        self.kb = kb
        self.units = units

    # ----- shared pieces ---------------------------------------------------------------------
    def contact(self) -> str:
        return self.kb.hub.contact_line()

    def _titles(self, sources: Iterable[Source]) -> tuple[str, ...]:
        return self.kb.hub.document_titles(sources)

    @staticmethod
    def _links(
        entry: Entry, today: dt.date, kinds: Iterable[LinkKind] | None = None, limit: int = 3
    ) -> tuple[ReplyLink, ...]:
        """The entry's links of ``kinds``; once its round has closed, no forms to act on (only pages)."""
        wanted = set(kinds) if kinds is not None else set(LinkKind)
        if entry.deadlines and all(DeadlineStatus(d, today).days_left < 0 for d in entry.deadlines):
            wanted -= set(ACTION_LINKS)  # "closed" beside the closed round's form would contradict itself
        chosen = [link for link in entry.links if link.kind in wanted]
        return tuple(ReplyLink(link.label, link.kind.value, link.url) for link in chosen[:limit])

    def unit_of(self, entry_id: str, kind: str) -> Unit | None:
        return next((u for u in self.units.of(entry_id) if u.kind == kind), None)

    def word_unit(self, unit: Unit, entry: Entry, today: dt.date, situation: Situation | None = None) -> str:
        """A unit as a sentence a teacher reads (deadlines worded against today)."""
        kind = unit.kind
        if kind == "deadline":
            return " ".join(DeadlineStatus(d, today).wording() for d in entry.deadlines)
        if kind == "eligibility":
            return self._eligibility(entry, situation)
        if kind == "criterion" and situation and (situation.met or situation.not_met):
            return self._eligibility(entry, situation)
        if kind == "criterion":
            return unit.text
        if kind == "apply" and entry.how_to_apply:
            how = entry.how_to_apply
            parts = []
            if how.prerequisites:
                parts.append("Before you apply: " + " ".join(_sentence(p) for p in how.prerequisites))
            if how.steps:
                parts.append("How to apply:\n" + bullets(how.steps))
            return "\n".join(parts)
        if kind == "link":
            pages = self._links(entry, today, limit=len(entry.links))
            said = "The hub points to: " + "; ".join(link.label for link in pages) + "." if pages else ""
            if len(pages) < len(entry.links):  # the closed round's forms are left out: say it closed
                closed = " ".join(DeadlineStatus(d, today).wording() for d in entry.deadlines)
                said = f"{said} {closed}".strip()
            return said
        if kind == "stage":
            return f"{unit.label}: {unit.text}"
        if kind == "stages":
            return f"It runs in this order: {unit.text}."
        if kind == "code":
            return f"Its code is {unit.text}."
        return unit.text

    def _eligibility(self, entry: Entry, situation: Situation | None) -> str:
        if situation and situation.not_met:
            check = situation.not_met[0].check
            reason = f" {check.not_met}" if check else ""
            return f"No — from what you describe, that rules you out of the {entry.name}.{reason}"
        lines = bullets(c.text for c in entry.eligibility)
        if situation and situation.met:
            met = "; ".join(clause(c.text) for c in situation.met)
            remaining = [c for c in entry.eligibility if c not in situation.met]
            if not remaining:
                return f"From what you describe, you meet every published criterion: {met}."
            return f"From what you describe, you meet: {met}.\nStill to check:\n" + bullets(c.text for c in remaining)
        return f"To take part you need to meet all of these:\n{lines}"

    # ----- one answer ------------------------------------------------------------------------
    def answer(
        self, question: Question, option: Option, today: dt.date, confidence: float, support: tuple[Option, ...] = (),
        alternatives: tuple[Option, ...] = (), other_phase: bool = False,
    ) -> Reply:
        entry = option.evidence.indexed.entry
        unit = option.unit
        situation = option.situation if question.weighs_situation(bool(option.situation.not_met)) else None
        headline = _with_its_question(option, self.word_unit(unit, entry, today, situation), question)
        if other_phase:  # who it is for answers "may we?", with what the notes do not say
            phases = " and ".join(p.label.lower() for p in entry.phases)
            headline = (f"Who can take part, as my notes give it: {headline} (My notes list it as a {phases} offer, "
                        f"not {' or '.join(option.check.missing)}; the hub can confirm.)")
        if question.lead == "exists" and unit.kind in {"summary", "who_for"} and not _VERDICT.match(headline):
            headline = f"Yes. {headline}"  # "is there …?" is answered yes, then what it is
        sections: list[ReplySection] = []
        credits: list[tuple[Source, ...]] = []  # the sources of each section, so a section left out is not credited

        def add(title: str, body: str, sources: Iterable[Source] = ()) -> None:
            sections.append(ReplySection(title, body))
            credits.append(tuple(sources))

        shown = {unit.kind}
        for extra_option in support:
            extra_unit = extra_option.unit
            said = self.word_unit(extra_unit, entry, today, situation)
            if said == headline or any(said == section.body for section in sections):
                continue  # the same words twice say nothing more
            tied = extra_unit.kind == "faq" and extra_unit.label and tied_to_its_question(said)
            # "Only if …" under its own question; a field under its own title
            add(extra_unit.label if tied else SECTION_TITLES.get(extra_unit.kind, "Also"), said, extra_unit.sources)
            shown.add(extra_unit.kind)
        wanted = [k for k in units_for(question.asks[:1]) if k in SECOND_FIELDS]
        wanted += [k for ask in question.asks[1:3] for k in units_for((ask,)) if k in SECOND_FIELDS]
        for kind in dict.fromkeys(wanted):
            if kind in shown or (kind == "eligibility" and "criterion" in shown):
                continue
            extra = self.unit_of(entry.id, kind)
            if extra is not None and extra.text not in headline:
                add(SECTION_TITLES[kind], self.word_unit(extra, entry, today, situation), extra.sources)
                shown.add(kind)
        if unit.kind not in {"summary", "who_for", "eligibility", "criterion"} and question.lead in {"what", "who_for", "exists", "which"}:
            add("What it is", entry.summary.text, (entry.summary.source,))
        if entry.status == "historical":
            add("Note", f"This ran in {entry.academic_year or 'an earlier year'} and is not a current offer.")
        sections, credits = sections[:MAX_SECTIONS], credits[:MAX_SECTIONS]
        if alternatives:
            entries = [other.evidence.indexed.entry for other in alternatives]
            # each other offer's own answer when its best unit answers what was asked ("1,111 schools" beside "1,349")
            hints = [
                self.sourced_hint(entry, question, today, other if question.lead in other.unit.answers else None)
                for entry, other in zip(entries, alternatives, strict=True)
            ]
            others = [f"{entry.name}{_when_it_ran(entry)} — {shorten(said, 120)}" for entry, (said, _) in zip(entries, hints, strict=True)]
            add("If you meant another one", bullets(others), (source for _, credited in hints for source in credited))
            topics_extra = tuple(entry.id for entry in entries)
        else:
            topics_extra = ()
        wants_links = bool({"apply", "deadline"} & set(question.asks)) or unit.kind in {"apply", "deadline", "eligibility", "criterion"}
        links = self._links(entry, today, ACTION_LINKS) if wants_links else ()
        if unit.kind == "link":
            links = self._links(entry, today, limit=5)
        labels = {link.label for link in links}
        sources = [*unit.sources, *(source for credited in credits for source in credited)]
        sources += [link.source for link in entry.links if link.label in labels]
        return Reply(
            question=question.raw, status="answered", headline=headline, intent=question.lead,
            sections=tuple(sections), links=links, topics=(entry.id, *topics_extra),
            confidence=round(confidence, 2),
            title=entry.name, sources=self._titles(sources), last_reviewed=entry.last_reviewed.isoformat(),
        )

    # ----- not known -------------------------------------------------------------------------
    def not_known(self, question: Question, decision: Decision, today: dt.date) -> Reply:
        """Say exactly what is missing, and what is known nearby."""
        if decision.missing == ("task",):
            return self.out_of_scope(question, " — I can't write resources, mark work or give teaching advice")
        if decision.missing and decision.best is None:
            headline = f"I don't have {' or '.join(decision.missing)} in my notes, so I won't guess. {self.contact()}"
            return Reply(question=question.raw, status="unknown", headline=headline, intent=question.lead, confidence=0.3)
        best = decision.best
        if decision.missing == ("local person",):
            headline = (f"I don't have the names of people in those roles locally in my notes, so I won't guess: the sources "
                        f"name no {self.kb.hub.name} staff or school partners. {self.contact()}")
            return Reply(question=question.raw, status="unknown", headline=headline, intent=question.lead, confidence=0.3)
        if decision.missing == ("local",) and best is not None:
            return self._known_elsewhere(question, best.option, f"I don't have that figure for the {self.kb.hub.name}'s own area "
                                         "in my notes, so I won't guess; the sources give it for the Maths Hubs nationally.")
        if decision.missing[:1] == ("name",) and best is not None:
            entry = best.option.evidence.indexed.entry
            return self._known_elsewhere(question, best.option, f"I don't have anything called “{decision.missing[1]}” in my "
                                         f"notes, so I won't guess. The nearest I know is the {entry.name}.", about_entry=True)
        if decision.missing == ("family field",) and len(decision.chosen) >= 2 and question.lead in MISSING_WORDS:
            names = [s.option.evidence.indexed.entry.name for s in decision.chosen]
            headline = (f"I don't have {MISSING_WORDS[question.lead]} for any of the offers called that in my notes, so I "
                        f"won't guess. {self.contact()}")
            return Reply(question=question.raw, status="unknown", headline=headline, intent=question.lead,
                         sections=(ReplySection("The offers I know by that name", "\n".join(f"• {n}" for n in names)),),
                         topics=tuple(s.option.entry_id for s in decision.chosen), confidence=0.2)
        if decision.missing == ("sector",) and best is not None:
            return self._known_elsewhere(question, best.option, "I don't have the cost for independent schools in my notes, so "
                                         "I won't guess; the sources do not mention independent schools, only what is below.")
        named = best is not None and (best.option.evidence.named or best.option.evidence.name_score >= 0.5)
        near = best is not None and best.probability >= NEAREST_UNNAMED and best.option.evidence.keyword_hits > 0
        if (best is None or not (named or near)) and question.lead in detail_types() and question.lead in MISSING_WORDS:
            headline = f"I don't have {MISSING_WORDS[question.lead]} in my notes, so I won't guess. {self.contact()}"
            return Reply(question=question.raw, status="unknown", headline=headline, intent=question.lead, confidence=0.2)
        if best is None or not (named or near) or (best.probability < 0.05 and question.lead not in detail_types()):
            return self.out_of_scope(question)
        if question.lead in detail_types() and decision.missing != ("attribute",):
            decision = replace(decision, missing=("field",))  # a detail the sources never give, about a named offer
        option = best.option
        entry = option.evidence.indexed.entry
        why = decision.missing[0] if decision.missing else "confidence"
        if why == "attribute":
            headline = f"I have nothing in my notes for {_audience(question, option)}. The nearest I know is the {entry.name}."
        elif why == "field" and question.lead in MISSING_WORDS:
            headline = f"I don't have {MISSING_WORDS[question.lead]} for the {entry.name} in my notes, so I won't guess."
        else:
            # only words no entry mentions are what the notes lack ("rural"); the others are held, just not this way
            known = self.units.index.content_idf
            unknown = _as_written((w for w in option.focus.words if w not in known), question.raw)[:3]
            quoted = " or ".join(f"“{word}”" for word in unknown)
            about = f" (they never mention {quoted})" if unknown and why != "field" else ""
            headline = (
                f"I'm not sure I can answer that from my notes{about}, so I won't guess. "
                f"The nearest I have is the {entry.name}."
            )
        return Reply(
            question=question.raw, status="unknown", headline=f"{headline} {self.contact()}", intent=question.lead,
            sections=(ReplySection("What I do know", entry.summary.text),), topics=(entry.id,),
            confidence=round(best.probability, 2), title=entry.name, sources=self._titles([entry.summary.source]),
        )

    def _known_elsewhere(self, question: Question, option: Option, headline: str, about_entry: bool = False) -> Reply:
        """Not known as asked (for the hub's area, for independent schools, under that name): say so, with what is
        known — the option's own text, or with ``about_entry`` the nearest entry's summary.
        """
        entry = option.evidence.indexed.entry
        known, source = (entry.summary.text, [entry.summary.source]) if about_entry else (option.unit.text, list(option.unit.sources))
        return Reply(
            question=question.raw, status="unknown", headline=f"{headline} {self.contact()}", intent=question.lead,
            sections=(ReplySection("What I do know", known),), topics=(entry.id,), title=entry.name,
            confidence=0.2 if about_entry else 0.3, sources=self._titles(source),
        )

    def out_of_scope(self, question: Question, reason: str = "") -> Reply:
        headline = (
            f"Sorry — I don't have anything on that in my notes{reason}. I can only help with the {self.kb.hub.name}'s "
            f"professional-development offers (programmes, Work Groups, who can join, time commitment, costs, "
            f"deadlines and forms). {self.contact()}"
        )
        return Reply(question=question.raw, status="unknown", headline=headline, intent="out_of_scope", confidence=0.1)

    def outside(self, question: Question, name: str, reply: str, source: Source | None) -> Reply:
        tail = f"I can only help with the {self.kb.hub.name}'s professional-development offers."
        return Reply(
            question=question.raw, status="unknown", headline=f"{reply} {tail} {self.contact()}", intent="outside", confidence=0.2,
            title=name, sources=self._titles([source]) if source else (),
        )

    def empty(self, question: Question) -> Reply:
        headline = (
            f"Ask me about the {self.kb.hub.name}'s programmes — for example “when do applications close for the "
            "Secondary Mastery Specialist Programme?” or “what is there for early years?”."
        )
        return Reply(question=question.raw, status="unknown", headline=headline, intent="help", confidence=0.0)

    def hub_contact(
        self, question: Question, about: Entry | None = None, today: dt.date | None = None, among: Sequence[Entry] = (),
    ) -> Reply:
        """How to reach the hub, about one offer when the question names it (or the offers of a kind it asks about)."""
        if about is None:
            headline = (
                f"Your local Maths Hub is the {self.kb.hub.name}: they can tell you which Work Groups and programmes are "
                f"running near you and how to join. {self.contact()}"
            )
            sections = (ReplySection("Current ones in my notes", bullets([f"{e.name} — {shorten(e.summary.text, 100)}" for e in among])),) if among else ()
            return Reply(question=question.raw, status="answered", headline=headline, intent="contact", confidence=0.6,
                         title=self.kb.hub.name, sections=sections, topics=tuple(e.id for e in among))
        headline = (f"For the {about.name}, talk to your local Maths Hub, the {self.kb.hub.name}: they can tell you what is "
                    f"running near you and how to join. {self.contact()}")
        sections = []
        apply = self.unit_of(about.id, "apply")
        if apply is not None and today is not None:
            sections.append(ReplySection("How to apply", self.word_unit(apply, about, today)))
        return Reply(
            question=question.raw, status="answered", headline=headline, intent="contact", sections=tuple(sections),
            links=self._links(about, today or today_in_london(), ACTION_LINKS), topics=(about.id,), confidence=0.6, title=about.name,
            sources=self._titles([about.summary.source]), last_reviewed=about.last_reviewed.isoformat(),
        )

    # ----- several entries -------------------------------------------------------------------
    def hint(self, entry: Entry, question: Question, today: dt.date, option: Option | None = None) -> str:
        """A short line that helps the user choose, showing the fact asked about when known."""
        return self.sourced_hint(entry, question, today, option)[0]

    def sourced_hint(
        self, entry: Entry, question: Question, today: dt.date, option: Option | None = None
    ) -> tuple[str, tuple[Source, ...]]:
        """:meth:`hint` and the sources of what it says (for the reply's credits)."""
        for kind in units_for(question.asks[:1]):  # the field asked for, when the entry has it
            unit = self.unit_of(entry.id, kind)
            if unit is not None and kind in SECOND_FIELDS:
                line = first_sentence(self.word_unit(unit, entry, today))
                if "\n" not in line and not line.rstrip().endswith(":"):  # a list's lead-in tells nothing on one line
                    return line, tuple(unit.sources)
        if option is not None and option.unit.kind not in {"summary"}:
            return _telling_sentence(self.word_unit(option.unit, entry, today, option.situation)), tuple(option.unit.sources)
        missing = MISSING_WORDS.get(question.lead)
        summary = (entry.summary.source,)
        if question.lead in {"deadline", "time", "cost"} and missing:
            return f"no {missing.removeprefix('a ').removeprefix('the ')} in my notes — {first_sentence(entry.summary.text)}", summary
        return first_sentence(entry.summary.text), summary

    def clarify(self, question: Question, decision: Decision, today: dt.date) -> Reply:
        entries = [self.kb.entries[i] for i in decision.entries]
        options = {s.option.entry_id: s.option for s in decision.chosen}
        hints = [self.sourced_hint(e, question, today, options.get(e.id)) for e in entries]
        candidates = tuple(Candidate(e.id, e.name, shorten(said, 150)) for e, (said, _) in zip(entries, hints, strict=True))
        # "when's the closing date?" when only one offer has one: that one, to confirm
        heading = "Which one do you mean?" if len(candidates) != 1 else "Is it this one? It is the only one in my notes with that:"
        return Reply(
            question=question.raw, status="clarify", headline=heading, intent=question.lead,
            candidates=candidates, topics=tuple(e.id for e in entries), confidence=0.4, title=heading,
            sources=self._titles(source for _, credited in hints for source in credited),
        )

    def listing(
        self, question: Question, entries: list[Entry], heading: str, today: dt.date, see_all: str | None = None,
    ) -> Reply:
        """Entries as a list, each with the line that says why it is there; a cut list says how many more."""
        shown = entries[:LIST_LIMIT]
        hints = [self.sourced_hint(entry, question, today) for entry in shown]
        lines = [f"{entry.name} — {_telling_sentence(said)}" for entry, (said, _) in zip(shown, hints, strict=True)]
        extra = {"more": str(len(entries) - len(shown))} if len(entries) > len(shown) else {}
        if see_all:
            extra["see_all"] = see_all
        return Reply(
            question=question.raw, status="answered", headline=heading + "\n" + bullets(lines), intent="list",
            topics=tuple(e.id for e in shown), confidence=0.65, title=heading.rstrip(":"),
            sources=self._titles(source for _, credited in hints for source in credited), extra=extra,
        )

    def compare(self, question: Question, options: list[Option], today: dt.date) -> Reply:
        sections = []
        sources: list[Source] = []
        for option in options:
            entry = option.evidence.indexed.entry
            parts = [self.word_unit(option.unit, entry, today)]
            for kind in ("who_for", "summary"):
                unit = self.unit_of(entry.id, kind)
                if unit is not None and unit.text not in parts[0] and len(parts) < 2:
                    parts.append(unit.text)
                    sources.extend(unit.sources)
            sections.append(ReplySection(entry.name, "\n".join(parts)))
            sources.extend(option.unit.sources)
        names = " and ".join(o.evidence.indexed.entry.name for o in options)
        return Reply(
            question=question.raw, status="answered", headline=f"Side by side: {names}.", intent="compare",
            sections=tuple(sections), topics=tuple(o.entry_id for o in options), confidence=0.7,
            sources=self._titles(sources),
        )

    def acronym(self, question: Question, pairs: list[tuple[str, str]], related: list[Entry]) -> Reply:
        headline = "\n".join(f"{word.upper()} stands for {expansion}." for word, expansion in pairs)
        if related:
            headline += "\n" + bullets(f"{e.name} — {shorten(first_sentence(e.summary.text), 110)}" for e in related)
        return Reply(
            question=question.raw, status="answered", headline=headline, intent="acronym",
            topics=tuple(e.id for e in related), confidence=0.8, sources=self._titles(e.summary.source for e in related),
        )

    def describe(self, entry: Entry, today: dt.date) -> Reply:
        """Everything the bot knows about one entry, field by field (for `/programme`)."""
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
        how = entry.how_to_apply
        if how and how.prerequisites:
            sections.append(ReplySection("Before you apply", bullets(how.prerequisites)))
        if how and how.steps:
            sections.append(ReplySection("How to apply", bullets(how.steps)))
        if entry.stages:
            sections.append(ReplySection("Stages", " → ".join(s.name for s in entry.stages)))
        if entry.status == "historical":
            sections.append(ReplySection("Note", f"This ran in {entry.academic_year or 'an earlier year'} and is not a current offer."))
        links = self._links(entry, today, limit=5)
        shown = {link.label for link in links}
        # Every field shown above, credited: the documents of every fact on the page.
        sources = [entry.summary.source, *(field.source for field in (entry.who_for, entry.time_commitment, entry.cost) if field)]
        sources += [c.source for c in entry.eligibility] + [d.source for d in entry.deadlines]
        sources += [how.source] if how and (how.prerequisites or how.steps) else []
        sources += [stage.source for stage in entry.stages]
        sources += [link.source for link in entry.links if link.label in shown]
        return Reply(
            question=entry.name, status="answered", headline=entry.summary.text, intent="describe",
            sections=tuple(sections), links=links, topics=(entry.id,), confidence=1.0,
            title=entry.name, sources=self._titles(sources), last_reviewed=entry.last_reviewed.isoformat(),
        )


def _when_it_ran(entry: Entry) -> str:
    """" (past: 2017/18)" after a past offer's name, so a list of other offers never words it as current."""
    return f" (past: {entry.academic_year or 'an earlier year'})" if entry.status == "historical" else ""


def _telling_sentence(text: str) -> str:
    """The first sentence that says something on its own ("Yes." and "No." say nothing in a list of choices)."""
    first = first_sentence(text)
    if len(first) < 25 and len(text) > len(first):
        return first_sentence(text[len(first) :].strip()) or first
    return first


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _as_written(words: Iterable[str], raw: str) -> list[str]:
    """The words the user typed just so (at least four letters), sorted: a reading's stems and typo guesses
    ("gett", "r") would only puzzle them.
    """
    typed = set(re.findall(r"[a-z][a-z'-]{3,}", raw.lower()))
    return sorted(word for word in words if word in typed)


_VERDICT = re.compile(r"^(?:yes|no)\b[.,:;!]?\s*(?:[-–—]\s*)?(?=\S)", re.IGNORECASE)
def _with_its_question(option: Option, text: str, question: Question) -> str:
    """An FAQ answer such as "Only if they teach at least 50% …" led by its own question, unless the user asked
    that yes/no question itself: "No." to "do we need to name the teacher?" would answer "can we still apply?" wrongly.
    """
    unit = option.unit
    if unit.kind != "faq" or not unit.label or not tied_to_its_question(text):
        return text
    if is_yes_no(question.asked_text) and option.values[FAQ_SIMILARITY] >= ASKED_AS_WRITTEN:
        return text
    return f"{unit.label.rstrip(' ?')}? {text}"


def _audience(question: Question, option: Option) -> str:
    """Who or what the question asked for that no entry offers: "secondary early career teachers"."""
    missing = list(option.check.missing)
    roles = [ROLE_LABELS.get(r, r) for r in sorted(question.attributes.roles)]
    if len(missing) == 1 and roles and not any(label in missing[0] for label in roles):
        return f"{missing[0]} {' or '.join(roles)}"
    return " and ".join(missing) + " like that"
