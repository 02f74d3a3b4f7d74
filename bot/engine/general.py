"""Replies that are about no single entry: which-one questions, lists, the hub's contact, declines."""

from __future__ import annotations

import datetime as dt
import re

from bot.engine.dates import DeadlineStatus
from bot.engine.query import Query
from bot.engine.text import clean
from bot.engine.wording import bullets, first_sentence, shorten
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Entry
from bot.reply import Candidate, Reply


class GeneralReplies:
    """Replies built from the knowledge base as a whole rather than from one entry's fields."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def hub_contact(self) -> str:
        return self.kb.hub.contact_line()

    def missing_contact_detail(self, query: Query) -> str | None:
        """The contact detail asked for ("phone number", "email address") when the hub has not given it."""
        text = clean(query.raw)
        hub = self.kb.hub
        if re.search(r"\b(phone|telephone|ring|call)\b", text):
            return "phone number"
        if re.search(r"\bemail\b", text) and not hub.email:
            return "email address"
        if re.search(r"\b(website|web address|url)\b", text) and not hub.website:
            return "website address"
        if re.search(r"\b(postal address|office address|where is the (hub|office))\b", text):
            return "address"
        if re.search(r"\bname of\b.*\b(lead|leader|director|manager|head)\b|\bwho (is|s) (the |our )?(hub )?(lead|leader|director|manager)\b", text):
            return "staff names"
        return None

    def contact_reply(self, query: Query) -> Reply:
        """How to reach the hub, when the question names no offer ("who do I ask about Work Groups near me?")."""
        missing = self.missing_contact_detail(query)
        if missing:
            headline = f"I don't have the hub's {missing} in my notes. {self.hub_contact()}"
            return Reply(question=query.raw, status="unknown", headline=headline, intent="contact", confidence=0.3)
        headline = (
            f"Your local Maths Hub is the {self.kb.hub.name}: they can tell you which Work Groups and programmes are "
            f"running near you and how to join. {self.hub_contact()}"
        )
        return Reply(question=query.raw, status="answered", headline=headline, intent="contact", confidence=0.6,
                     title=self.kb.hub.name)

    def candidate_hint(self, entry: Entry, intent: str, today: dt.date, query: Query | None = None) -> str:
        """A short line that helps the user choose, showing the fact asked about when known."""
        if intent == "deadline" and entry.deadlines:
            return DeadlineStatus(entry.deadlines[0], today).short()
        if intent == "time_commitment" and entry.time_commitment:
            return first_sentence(entry.time_commitment.text)
        if intent in {"who_for", "eligibility"} and entry.who_for:
            return first_sentence(entry.who_for.text)
        if intent in {"links", "apply"} and entry.links:
            return "Links: " + "; ".join(link.label for link in entry.links[:3])
        hint = first_sentence(entry.summary.text)
        if entry.codes:
            hint = f"{', '.join(entry.codes)} — {hint}"
        return hint

    def clarify(self, query: Query, entries: list[Entry], intent: str, today: dt.date, confidence: float) -> Reply:
        candidates = tuple(Candidate(e.id, e.name, shorten(self.candidate_hint(e, intent, today, query), 150)) for e in entries)
        return Reply(
            question=query.raw,
            status="clarify",
            headline="Which one do you mean?",
            intent=intent,
            candidates=candidates,
            topics=tuple(e.id for e in entries),
            confidence=round(confidence, 2),
            title="Which one do you mean?",
        )

    def listing_hint(self, entry: Entry, query: Query) -> str:
        """Why an entry is in a list: by default, what it is."""
        return first_sentence(entry.summary.text)

    def listing(self, query: Query, entries: list[Entry], heading: str, today: dt.date, confidence: float) -> Reply:
        lines = []
        for entry in entries:
            hint = shorten(self.listing_hint(entry, query), 140)
            upcoming = [d for d in entry.deadlines if d.date >= today]
            if upcoming:
                hint += f" ({DeadlineStatus(upcoming[0], today).short()})"
            lines.append(f"{entry.name} — {hint}")
        return Reply(
            question=query.raw,
            status="answered",
            headline=heading + "\n" + bullets(lines),
            intent="list",
            topics=tuple(e.id for e in entries),
            confidence=round(confidence, 2),
            title=heading.rstrip(":"),
            sources=self.kb.hub.document_titles(e.summary.source for e in entries),
        )

    def expansion(self, query: Query, word: str, expansion: str, related: list[Entry], today: dt.date) -> Reply:
        """An abbreviation written out, with the offers whose names use it."""
        headline = f"{word.upper()} stands for {expansion}."
        if related:
            headline += "\n" + bullets(f"{e.name} — {shorten(first_sentence(e.summary.text), 110)}" for e in related)
        return Reply(
            question=query.raw, status="answered", headline=headline, intent="acronym",
            topics=tuple(e.id for e in related), confidence=0.8, title=None,
            sources=self.kb.hub.document_titles(e.summary.source for e in related),
        )

    def missing_for_all(self, query: Query, entries: list[Entry], intent: str) -> Reply:
        """None of the offers the question could mean has the fact asked for."""
        what = {"deadline": "a closing date", "time_commitment": "the time commitment", "cost": "the cost",
                "venue": "where or when the sessions are held"}.get(intent, "that")
        headline = (
            f"I don't have {what} for any of these in my notes, so I won't guess:\n"
            + bullets(entry.name for entry in entries) + f"\n{self.hub_contact()}"
        )
        return Reply(question=query.raw, status="unknown", headline=headline, intent=intent,
                     topics=tuple(e.id for e in entries), confidence=0.3)

    def out_of_scope(self, query: Query, reason: str = "") -> Reply:
        headline = (
            f"Sorry — I can only help with the {self.kb.hub.name}'s professional-development offers "
            "(programmes, Work Groups, who can join, time commitment, costs, deadlines and forms), "
            f"and I don't have anything on that{reason}. {self.hub_contact()}"
        )
        return Reply(question=query.raw, status="unknown", headline=headline, intent="out_of_scope", confidence=0.1)

    def empty(self, query: Query) -> Reply:
        headline = (
            f"Ask me about the {self.kb.hub.name}'s programmes — for example “when do applications close for the "
            "Secondary Mastery Specialist Programme?” or “what is there for early years?”."
        )
        return Reply(question=query.raw, status="unknown", headline=headline, intent="help", confidence=0.0)
