"""Source credits name every document a reply drew on.

A sentence of the knowledge base that appears in a reply must have its document among the reply's
credits ("Source: …"). Checked on the held-out question sets, the golden questions and every
entry's full description (/programme), dated after the last deadline and before it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from bot.engine.wording import first_sentence
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Source
from bot.render import render_text
from tests.conftest import ROOT, TODAY

SETS = [ROOT / "eval" / name for name in ("holdout.yaml", "holdout2.yaml", "fresh1.yaml")]
QUESTIONS = [item["q"] for path in SETS for item in yaml.safe_load(path.read_text(encoding="utf-8"))]
QUESTIONS += [item["q"] for item in yaml.safe_load((Path(__file__).parent / "golden.yaml").read_text(encoding="utf-8"))]
TELLING = 40  # first sentences at least this long say something only their document says


def sentences_and_documents(kb: KnowledgeBase) -> dict[str, set[str]]:
    """Each sourced text's first sentence, with the titles of the documents it is quoted from."""
    found: dict[str, set[str]] = defaultdict(set)

    def walk(value: Any) -> None:
        if isinstance(value, BaseModel):
            source = getattr(value, "source", None)
            for name in ("text", "answer", "summary"):
                text = getattr(value, name, None)
                if isinstance(text, str) and isinstance(source, Source) and len(first_sentence(text)) >= TELLING:
                    found[first_sentence(text)].add(kb.hub.document_title(source.file))
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    for entry in kb:
        walk(entry)
    return found


@pytest.mark.parametrize("today", [TODAY, dt.date(2025, 4, 22)], ids=["after the deadlines", "before"])
def test_every_document_a_reply_quotes_is_credited(engine, kb, today: dt.date) -> None:
    sentences = sentences_and_documents(kb)
    replies = [engine.answer(question, today) for question in QUESTIONS]
    replies += [engine.describe(entry.id, today) for entry in kb]
    uncredited = []
    for reply in replies:
        if reply.status == "clarify":
            continue  # a choice of names, no facts
        text = render_text(reply, limit=100_000)
        for sentence, documents in sentences.items():
            if sentence in text and not documents & set(reply.sources):
                uncredited.append(f"{reply.question[:60]!r}: {sentence[:50]!r} from {sorted(documents)}")
    assert not uncredited, "\n".join(uncredited[:20])
