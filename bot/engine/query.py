"""A question as the engine understands it: normalised words, intents, phases and numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.index import KnowledgeIndex, significant
from bot.engine.intents import Intents, detect_intents, detect_phases
from bot.engine.text import MAX_QUESTION_CHARS, clean, numbers_in, stem
from bot.knowledge.schema import Phase

_HISTORY = re.compile(r"\b(ay1718|2017|2018|ncp17k\w*|ncp|historical|back in|used to|old|previous|previously|originally|history of|started in 201)\b")
# Requests for work the bot does not do (writing resources, teaching a method, marking).
_TASK_REQUEST = re.compile(
    r"^(can|could|would|will) (you|u) (please )?(write|make|create|generate|produce|give me|explain how|explain|mark|solve|work out|calculate|teach|recommend|suggest|help me (write|plan|teach|mark))\b"
    r"|\b(recommend|suggest) (a|an|some|any) (good )?(app|apps|website|websites|book|books|resource|resources|scheme|game|games|worksheet)\b"
    r"|^(write|make|create|generate|explain|solve|calculate|mark|plan) (me |us )?(a|an|some|the|\d+)?\b"
    r"|\bso (i|we) can teach\b|\blesson plan\b|\bworksheet\b|\bwhat is \d+\s*[-+x*/]\s*\d+"
    r"|\bhow (do|can|should|would|to) (i|we|you)? ?(teach|explain|solve|mark|calculate|work out|differentiate|plan a lesson)\b"
    r"|\b(tips|ideas|advice|activities|resources) (for|on|with) (teaching|explaining|planning|getting)\b"
)


_CODE_QUESTION = re.compile(r"\b(code|codes|ncp|ncp number|reference number)\b")


@dataclass(frozen=True)
class Query:
    """Everything the engine reads from one question."""

    raw: str
    words: tuple[str, ...]
    terms: tuple[str, ...]
    content: tuple[str, ...]
    intents: Intents
    phases: dict[Phase, float]
    numbers: frozenset[str]
    wants_history: bool
    is_task_request: bool
    topic_words: frozenset[str]
    asks_code: bool = False

    @property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.content)

    @property
    def is_empty(self) -> bool:
        return not self.content


def understand(question: str, index: KnowledgeIndex) -> Query:
    """Read a question: normalise, correct typos, map synonyms, detect intents and phases."""
    text = question[:MAX_QUESTION_CHARS]
    words = index.mapped(text)
    matching = [stem(word) for word in words]
    content = significant(matching)
    cleaned = clean(text).strip()
    return Query(
        raw=text,
        words=tuple(words),
        terms=tuple(matching),
        content=content,
        intents=detect_intents(words),
        phases=detect_phases(words),
        numbers=frozenset(numbers_in(words)),
        wants_history=bool(_HISTORY.search(" ".join(words)) or _CODE_QUESTION.search(" ".join(words))),
        is_task_request=bool(_TASK_REQUEST.search(cleaned)),
        topic_words=frozenset(word for word in content if word not in index.neutral),
        asks_code=bool(_CODE_QUESTION.search(" ".join(words))),
    )
