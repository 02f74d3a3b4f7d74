"""The peers hubbot is timed against, each answering from the same knowledge base.

- :class:`FuzzyFaqBot`: the usual first attempt at an FAQ bot — rapidfuzz ``extractOne`` over
  every FAQ question string, with ``WRatio`` or ``token_set_ratio``; it returns the best FAQ's answer.
- :class:`Bm25Retriever`: bm25s over each entry's text; **retrieval only** (the top entries, no reply
  composed), so it is a floor for "find the right entry", not a bot. Needs the ``bench`` extra.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot.bench.report import BM25, TOKENSET, WRATIO
from bot.knowledge.schema import Entry


class FuzzyFaqBot:
    """The best-matching FAQ question's answer, by one rapidfuzz scorer over every FAQ question."""

    def __init__(self, entries: Iterable[Entry], scorer: Callable[..., float]) -> None:
        self.scorer = scorer
        self.questions: list[str] = []
        self.answers: list[str] = []
        for entry in entries:
            for faq in entry.faqs:
                for question in faq.questions:
                    self.questions.append(utils.default_process(question))
                    self.answers.append(faq.answer)

    def answer(self, question: str) -> str | None:
        best = process.extractOne(utils.default_process(question), self.questions, scorer=self.scorer, processor=None)
        return self.answers[best[2]] if best else None


def entry_text(entry: Entry) -> str:
    """Everything an entry says, as one passage for BM25."""
    parts = [entry.name, *entry.aliases, *entry.keywords, *entry.codes, entry.summary.text]
    parts += [field.text for field in (entry.who_for, entry.time_commitment, entry.cost) if field]
    parts += [criterion.text for criterion in entry.eligibility] + [fact.text for fact in entry.facts]
    parts += [f"{' '.join(faq.questions)} {faq.answer}" for faq in entry.faqs]
    return "\n".join(parts)


class Bm25Retriever:
    """The ids of the entries whose text best matches a question, by bm25s (retrieval only)."""

    def __init__(self, entries: Iterable[Entry], top: int = 5) -> None:
        import bm25s  # the bench extra; the caller checks bm25_version() first

        listed = list(entries)
        self.ids = [entry.id for entry in listed]
        self.top = min(top, len(listed))
        self.tokenizer = bm25s.tokenization.Tokenizer(stopwords="en")
        corpus = self.tokenizer.tokenize([entry_text(e) for e in listed], show_progress=False, return_as="ids")
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)

    def answer(self, question: str) -> list[str]:
        tokens = self.tokenizer.tokenize([question], update_vocab=False, show_progress=False, return_as="ids")
        if not tokens or not tokens[0]:
            return []
        found, _ = self.retriever.retrieve(tokens, k=self.top, show_progress=False, n_threads=0)
        return [self.ids[int(i)] for i in found[0]]


def build_peers(entries: list[Entry], with_bm25: bool) -> dict[str, Any]:
    """The peers by label, in the order the tables show them."""
    peers: dict[str, Any] = {
        WRATIO: FuzzyFaqBot(entries, fuzz.WRatio),
        TOKENSET: FuzzyFaqBot(entries, fuzz.token_set_ratio),
    }
    if with_bm25:
        peers[BM25] = Bm25Retriever(entries)
    return peers
