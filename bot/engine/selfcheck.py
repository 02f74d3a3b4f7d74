"""Does the knowledge base answer its own FAQ phrasings? Each FAQ question is asked of the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from bot.engine.engine import Engine
from bot.knowledge.problems import Problem


@dataclass(frozen=True)
class FaqReach:
    """One FAQ question, the entry it is listed under, and what the engine did with it."""

    entry_id: str
    question: str
    status: str
    topics: tuple[str, ...]

    @property
    def reached(self) -> bool:
        """Answered, and from its own entry first."""
        return self.status == "answered" and self.topics[:1] == (self.entry_id,)

    def problem(self, file: str) -> Problem:
        if self.status == "answered":
            got = f"is answered from {self.topics[0]}" if self.topics else "is answered without an entry"
        elif self.status == "clarify":
            got = "gets a 'which one do you mean?' (" + ", ".join(self.topics[:3]) + ")"
        else:
            got = "is declined"
        return Problem(
            file, None, None,
            f"FAQ question {self.question!r} {got}, not from {self.entry_id}: word it more like a teacher would, "
            "or name the programme in it",
            "warning",
        )


def faq_reach(engine: Engine, today: dt.date) -> Iterator[FaqReach]:
    """Every FAQ question of every entry, asked as a teacher would ask it."""
    for entry in engine.kb:
        for faq in entry.faqs:
            for question in faq.questions:
                reply = engine.answer(question, today)
                yield FaqReach(entry.id, question, reply.status, tuple(reply.topics))


def unreached_faqs(engine: Engine, today: dt.date) -> list[Problem]:
    """A warning, at the entry's file, for each FAQ question that does not reach its entry."""
    return [
        reach.problem(engine.kb.files.get(reach.entry_id, reach.entry_id))
        for reach in faq_reach(engine, today)
        if not reach.reached
    ]
