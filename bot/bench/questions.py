"""A question mix that looks like traffic, drawn from any knowledge base's entries.

Each question type has its own templates, written in the two styles teachers use (see
``../shared/eval/train.yaml``): terse messages with abbreviations and typos, and long chatty
ones where the question sits inside context. A share of questions then gets a typo of one of
several kinds. Every question is labelled with its type, so latency can be read per type.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the bench's parent process reads MIX without loading the schema
    from bot.knowledge.schema import Entry

# Share of each question type in the mix (summing to 1), after the kinds of real questions.
MIX = {
    "keyword": 0.22,  # terse, naming an offer by an alias or a keyword
    "chatty": 0.18,  # a long message with context around the question
    "phase list": 0.08,
    "family list": 0.06,
    "figures": 0.06,
    "eligibility": 0.06,
    "ambiguous": 0.06,
    "two-part": 0.04,
    "out of scope": 0.24,
}
TYPO_SHARE = 0.35
TYPO_KINDS = ("dropped letter", "swapped letters", "doubled letter", "neighbouring key", "joined words")

ASKS = {
    "deadline": ["when does {n} close", "{n} deadline?", "is {n} still open", "too late for {n}?",
                 "{n} apps still open? 🙏", "{n} deadline was end of march right"],
    "time": ["how many days is {n}", "{n} time commitment", "{n} still 15 days right", "how much release time for {n}"],
    "cost": ["is {n} free", "{n} cost?", "do we pay for {n}", "how much is {n} per teacher"],
    "who": ["who is {n} for", "{n} whos it for", "is {n} for primary too", "can a TA do {n}"],
    "apply": ["how do i apply for {n}", "{n} application form?", "sign up for {n}", "where's the form for {n}"],
    "what": ["what is {n}", "tell me about {n} pls", "{n} session format?", "whats changed in {n}"],
}
OPENERS = [
    "Hi all, I'm a Year 4 class teacher in Medway and our head has asked me to look into {n}.",
    "Quick one from a secondary head of department — we've had an email about {n}.",
    "Hello! I'm the maths lead at a small rural primary and I keep hearing colleagues mention {n}.",
    "I'm putting together our CPD plan for next year and {n} came up in a staff meeting.",
    "Our SENCO and I were chatting about {n} at lunch and neither of us could remember the details.",
    "Governor here. Our maths lead says we might get involved with {n}.",
]
CLOSERS = ["Thanks so much!", "Any help appreciated.", "Cheers", "", "Thank you in advance 😊", "Sorry if this is obvious!"]
QUESTIONS = ["Could someone tell me {ask}?", "Does anyone know {ask}?", "I'd love to know {ask}.",
             "What I really need to know is {ask}."]
CHATTY_ASKS = ["when applications close", "how many days it takes", "whether it costs anything",
               "who it's actually for", "how we apply", "what it involves week to week"]
PHASE_WORDS = {
    "early-years": ["eyfs", "early years", "nursery", "reception"],
    "primary": ["primary", "ks1", "ks2", "y3", "year 5"],
    "secondary": ["secondary", "ks3", "y7", "year 9", "gcse"],
    "post-16": ["sixth form", "post 16", "fe college", "a level"],
    "cross-phase": ["leadership", "maths leads", "all phases"],
}
PHASE_LISTS = ["whats on for {p}", "{p} cpd options from hub?", "anything for {p}?", "list {p} work groups",
               "what does the hub offer for {p}", "I'm new to teaching {p} — what programmes could I join this year?"]
FAMILY_LISTS = ["what {t} programmes are there?", "list all the {t} offers", "how many {t} work groups r there",
                "We want to build a CPD map around {t} across the school. Could you list everything the hub runs on it?"]
FIGURES = ["how many schools took part in {n}?", "{n} participant numbers 23/24", "what % of people said {n} changed their teaching"]
ELIGIBILITY = ["our TA teaches year 3 — can she join {n}?", "can an independent school do {n}",
               "is {n} ok for a non-specialist who only teaches y8?", "we're an academy in a MAT, eligible for {n}?",
               "Our science teacher picks up two maths lessons a week with Year 8. Could she sign up for {n}, or is it just for maths specialists?"]
AMBIGUOUS = ["the {t} one?", "the {p} one", "{t} deadline?", "is there a form", "how many schools took part",
             "{t} whos it for"]
TWO_PART = ["how many days is {n} and what does it cost?", "who is {n} for, and when does it close?",
            "is {n} free and how do i apply"]
OUT_OF_SCOPE = [
    "what's the weather like in margate", "can you write me a worksheet on {t}", "who won the football last night",
    "how much should a TLR be", "when are the year 6 SATs", "ks2 sats 2027 dates?", "mtc pass mark?",
    "best pizza near the hub", "book the hall thurs for our {t} session", "when is our next ofsted due",
    "ofsted deep dive maths questions list pls", "english hub phonics cpd in kent", "npq leading primary maths deadline",
    "my son is stuck on {t} homework, can you explain it?",
    "I'm a Year 3 teacher and my class are really stuck on column subtraction with exchanging. What's the best way to teach it?",
    "Can our trust book a room at the lead school for an INSET day in February? We need space for about 60 people.",
    "who runs maths cpd in scotland", "science learning partnership ks3 courses", "is the staff car park open on saturday",
]


@dataclass(frozen=True)
class Question:
    """One question of the mix, with its type and the typo it was given (if any)."""

    text: str
    kind: str
    typo: str = ""


def question_mix(entries: Sequence[Entry], count: int, seed: int = 11) -> list[Question]:
    """``count`` questions about ``entries``, in the proportions of :data:`MIX`."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic questions, not security
    current = [entry for entry in entries if entry.status == "current"] or list(entries)
    kinds, weights = zip(*MIX.items(), strict=True)
    found = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        text = _question(kind, current, rng)
        typo = ""
        if rng.random() < TYPO_SHARE:
            typo = rng.choice(TYPO_KINDS)
            text = typo_of(text, typo, rng)
        found.append(Question(text, kind, typo))
    return found


def _question(kind: str, entries: Sequence[Entry], rng: random.Random) -> str:
    entry = rng.choice(entries)
    name = _how_named(entry, rng)
    topic = _topic(entry, rng)
    phase_word = rng.choice(PHASE_WORDS[rng.choice(entry.phases).value])
    fill = {"n": name, "t": topic, "p": phase_word}
    if kind == "keyword":
        return rng.choice(rng.choice(list(ASKS.values()))).format(**fill)
    if kind == "chatty":
        opener = rng.choice(OPENERS).format(n=name)
        ask = rng.choice(QUESTIONS).format(ask=rng.choice(CHATTY_ASKS))
        return " ".join(part for part in (opener, ask, rng.choice(CLOSERS)) if part)
    templates = {"phase list": PHASE_LISTS, "family list": FAMILY_LISTS, "figures": FIGURES,
                 "eligibility": ELIGIBILITY, "ambiguous": AMBIGUOUS, "two-part": TWO_PART,
                 "out of scope": OUT_OF_SCOPE}[kind]
    return rng.choice(templates).format(**fill)


def _how_named(entry: Entry, rng: random.Random) -> str:
    """The entry as people name it: its name, an alias or a keyword, often in lower case."""
    choice = rng.choice([entry.name, *entry.aliases, *entry.aliases, *entry.keywords[:1]])
    return choice.lower() if rng.random() < 0.6 else choice


def _topic(entry: Entry, rng: random.Random) -> str:
    """A family or topic word: the entry's group in words, else a keyword."""
    if entry.group and rng.random() < 0.5:
        return entry.group.split("-")[0]
    return rng.choice([*entry.keywords, entry.name]).split()[0].lower()


NEIGHBOURS = {row[i]: row[i - 1] + row[(i + 1) % len(row)] for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
              for i in range(len(row))}


def typo_of(text: str, kind: str, rng: random.Random) -> str:
    """``text`` with one typo of ``kind`` in one of its longer words."""
    words = text.split(" ")
    long_words = [i for i, word in enumerate(words) if len(re.sub(r"\W", "", word)) >= 5]
    if not long_words:
        return text
    index = rng.choice(long_words)
    word = words[index]
    cut = rng.randrange(1, len(word) - 1)
    if kind == "dropped letter":
        words[index] = word[:cut] + word[cut + 1 :]
    elif kind == "swapped letters":
        words[index] = word[:cut] + word[cut + 1] + word[cut] + word[cut + 2 :]
    elif kind == "doubled letter":
        words[index] = word[:cut] + word[cut] + word[cut:]
    elif kind == "neighbouring key":
        letter = word[cut].lower()
        words[index] = word[:cut] + rng.choice(NEIGHBOURS.get(letter, letter)) + word[cut + 1 :]
    elif kind == "joined words" and index + 1 < len(words):
        words[index : index + 2] = [words[index] + words[index + 1]]
    return " ".join(words)
