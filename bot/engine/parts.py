"""The separate questions of one message: "How many RIWGs were there, and who led the theme?" asks two things.

Each part is answered on its own and the answers are given together; the first part is the message as a whole,
so a one-question message is answered exactly as before.
"""

from __future__ import annotations

import re

from bot.engine.text import clean
from bot.engine.understand import asking_sentences, says_nothing, sentences

MAX_PARTS = 3  # questions answered from one message (the whole message counts as the first)
PART_WORDS = 3  # words each half of "…, and who …" needs to count as a question of its own

_ASKING = re.compile(
    r"^(?:so |and |but |also |then )*(?:what|whats|when|where|who|which|why|how|is|are|can|could|does|do|did|will|would|should)\b"
)
# ", and who led it?": a second question joined to the first by "and"
_JOINED = re.compile(r",?\s+(?:and|also|plus)\s+(?=(?:who|what|when|where|which|how|is|are|can|could|does|do|did|will|would)\b)",
                     re.IGNORECASE)
# "how many groups, how many schools?": a question word after a comma, when what comes before asks too
_LISTED = re.compile(r",\s+(?=(?:who|what|when|where|which|how)\b)", re.IGNORECASE)


def question_parts(message: str) -> list[str]:
    """The questions a message asks, in order; one or none means it asks a single thing."""
    parts: list[str] = []
    for sentence in asking_sentences(sentences(message)):
        if says_nothing(sentence) or not (sentence.rstrip().endswith("?") or _ASKING.search(clean(sentence))):
            continue
        pieces = _JOINED.split(sentence)
        if len(pieces) == 1 and _ASKING.search(clean(sentence)):
            pieces = _LISTED.split(sentence)
        if len(pieces) == 2 and all(len(piece.split()) >= PART_WORDS for piece in pieces):
            parts.extend(piece.strip() for piece in pieces)
        else:
            parts.append(sentence.strip())
    return parts[:MAX_PARTS]
