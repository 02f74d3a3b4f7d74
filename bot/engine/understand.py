"""Stage 1 — understand: a question's words, what it asks, what it must be about, and who it is for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bot.engine.asks import DATA, counted_alike, detect_asks
from bot.engine.index import KnowledgeIndex
from bot.engine.text import FUNCTION_WORDS, MAX_QUESTION_CHARS, PHASE_TERMS, STOPWORDS, clean, numbers_in, stem, tokens
from bot.knowledge.schema import Phase

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|(?<=\?)(?=\S)")
# A spaced dash before a question word: after a long lead-in it starts the question ("our PE teacher
# covers a Year 7 set and is pretty shaky – is there …"); a short lead-in ("the post 16 one - who is it
# for") is the question's topic and stays with it.
_DASH_QUESTION = re.compile(
    r"\s+[-\u2013\u2014]+\s+(?=(?:is|are|can|could|do|does|did|will|would|what|whats|when|where|who|which|how|why|any)\b)",
    re.IGNORECASE,
)
LEAD_IN_WORDS = 10
_A_LIST_NAMED = re.compile(r"\b(?:in|on|from|of) (?:the|that|this) (?:\w+ )?list\b")
_LIST_FIRST = re.compile(r"^(?:(?:please|pls|can you|could you|just) )*list\b|\b(?:list|name) (?:all|every)\b|\bfull list\b")
_QUESTION_START = re.compile(
    r"^(?:so |and |but |also |ok |okay |right |then |hi |hello |hey |sorry )*(?:what|whats|when|where|who|whom|whose|which|why|how|is|are|am|was|were|do|does|did|can|could|will|would|should|shall|may|has|have|any|anything|tell|explain|list|describe|please|pls|give|show|need|i need to know|i d like to know|i would like to know|i want to know|i m looking for|looking for|wondering|just wondering|quick question)\b"
)
_HISTORY = re.compile(r"\b(ay1718|2017|2018|ncp17k\w*|historical|back in|used to|old|previous|previously|originally|history of|started in 201|first cohort|very first|discontinued)\b")
_PHASE_PATTERNS: dict[Phase, list[tuple[re.Pattern[str], float]]] = {
    Phase.EARLY_YEARS: [(re.compile(r"\bearlyyear\b"), 1.0), (re.compile(r"\breception\b|\bnursery\b"), 0.8)],
    Phase.PRIMARY: [(re.compile(r"\bprimary\b"), 1.0), (re.compile(r"\bks1\b|\bks2\b"), 0.8), (re.compile(r"\byear [1-6]\b"), 0.7)],
    Phase.SECONDARY: [(re.compile(r"\bsecondary\b"), 1.0), (re.compile(r"\bks3\b|\bks4\b|\bgcse\b"), 0.8), (re.compile(r"\byear (?:7|8|9|10|11)\b"), 0.7)],
    Phase.POST_16: [(re.compile(r"\bpost16\b"), 1.0), (re.compile(r"\balevel\b|\bcoremaths\b|\bresit\b|\bfsq\b|\byear 1[23]\b"), 0.8)],
}


@dataclass(frozen=True)
class Attributes:
    """Who and what the question is about besides an offer's name."""

    phases: dict[Phase, float] = field(default_factory=dict)  # 1.0 = named outright, less = implied
    roles: frozenset[str] = frozenset()  # roles an offer would be for ("ta", "ect" …)
    years: frozenset[int] = frozenset()  # year groups named
    academic_years: frozenset[str] = frozenset()  # "ay2526" …
    stages: frozenset[str] = frozenset()  # key stages named or implied by year groups ("reception", "ks1" … "ks4")
    asked_stages: frozenset[str] = frozenset()  # key stages the asking sentence names outright ("… for KS3?")

    @property
    def named_phases(self) -> frozenset[Phase]:
        return frozenset(phase for phase, strength in self.phases.items() if strength >= 1.0)


@dataclass(frozen=True)
class Question:
    """Everything the later stages read from one message."""

    raw: str
    words: tuple[str, ...]  # normalised, typo-corrected, vocabulary-mapped
    terms: tuple[str, ...]  # words with -ing/-ed folded: what the index matches
    content: frozenset[str]  # terms that can identify a topic (no stopwords)
    asks: tuple[str, ...]  # question types, leading first (from the sentence that asks)
    focus: frozenset[str]  # terms the answer must be about, beyond any offer's name
    attributes: Attributes
    numbers: frozenset[str]
    wants_history: bool
    asked_text: str  # the normalised sentence(s) that ask, for explanations
    asked_content: frozenset[str] = frozenset()  # topic terms of the sentence(s) that ask (context sentences aside)
    counted: frozenset[str] = frozenset()  # what a "how many …" asks to count ("people", "schools"), and its like
    stated: tuple[str, ...] | None = None  # terms of the sentences that state rather than ask what, how, why … (None: all)

    @property
    def stated_terms(self) -> tuple[str, ...]:
        """What a stated situation is read from: "What's the HFL trial about?" asks about that trial, it does not
        say the school is in it.
        """
        return self.terms if self.stated is None else self.stated

    @property
    def is_empty(self) -> bool:
        """Nothing to go on: no word but stopwords and one-digit numbers ("2", "??"); a figure alone ("7,576?")
        is something to look up.
        """
        return not any(not term.isdigit() or len(term) >= 2 for term in self.content)

    @property
    def lead(self) -> str:
        return self.asks[0] if self.asks else "what"

    @property
    def asks_whether_may(self) -> bool:
        """It asks whether someone may take part, or which offer fits them."""
        return not _MAY_ASKS.isdisjoint(self.asks)

    def weighs_situation(self, ruled_out: bool) -> bool:
        """A situation it states is to be judged against an offer's criteria: it asks whether they may take
        part — or, asking nothing ("independent school eef trial?"), states one that rules them out.
        """
        return self.asks_whether_may or (ruled_out and not self.asks and not _WH_WORD.search(self.asked_text))


_MAY_ASKS = frozenset({"eligibility", "which"})
CODE_PREFIX = "ncp"  # the vocabulary's word for Network Collaborative Projects, whose codes start NCP
_WH_WORD = re.compile(r"^(?:(?:so|and|but|ok|okay|hi|hey) )?(?:what|whats|how|why|when|where|who|whom|whose)\b")

# Words that say what kind of offer something is, not which one ("the work group", "the programme").
KIND_WORDS = frozenset({"workgroup", "programme", "community", "project", "course", "network", "group", "work"})


@cache
def cue_words() -> frozenset[str]:
    """Words that only say what kind of question it is (asks.yaml ``cue_words``), as written."""
    raw = yaml.safe_load((DATA / "asks.yaml").read_text(encoding="utf-8"))
    return frozenset(tokens(raw["cue_words"]))


@cache
def cue_terms() -> frozenset[str]:
    """:func:`cue_words` as the engine's terms (stemmed)."""
    return frozenset(stem(word) for word in cue_words())


@cache
def _role_patterns() -> tuple[dict[str, re.Pattern[str]], frozenset[str]]:
    raw = yaml.safe_load((Path(DATA) / "attributes.yaml").read_text(encoding="utf-8"))
    return {role: re.compile(pattern) for role, pattern in raw["roles"].items()}, frozenset(raw.get("asker_only", ()))


def roles_in(text: str, audience_only: bool = False) -> frozenset[str]:
    """The roles named in normalised ``text``; ``audience_only`` drops roles that usually describe the asker."""
    patterns, asker_only = _role_patterns()
    found = frozenset(role for role, pattern in patterns.items() if pattern.search(text))
    return found - asker_only if audience_only else found


def phases_in(text: str) -> dict[Phase, float]:
    """Phases the text names (1.0) or implies through key stages, year groups and qualifications.

    A span ("from early years to post-16", "nursery to sixth form") names every phase it covers.
    """
    found: dict[Phase, float] = {}
    for phase, patterns in _PHASE_PATTERNS.items():
        strength = max((weight for pattern, weight in patterns if pattern.search(text)), default=0.0)
        if strength:
            found[phase] = strength
    for low, high in _PHASE_SPAN.findall(text) if len(found) >= 2 else ():
        start, end = _PHASE_ORDER.index(_SPAN_END[low]), _PHASE_ORDER.index(_SPAN_END[high])
        for phase in _PHASE_ORDER[start:end + 1]:
            found[phase] = 1.0
    return found


_PHASE_ORDER = [Phase.EARLY_YEARS, Phase.PRIMARY, Phase.SECONDARY, Phase.POST_16]
_SPAN_END = {"earlyyear": Phase.EARLY_YEARS, "reception": Phase.EARLY_YEARS, "nursery": Phase.EARLY_YEARS,
             "primary": Phase.PRIMARY, "ks1": Phase.PRIMARY, "secondary": Phase.SECONDARY, "ks3": Phase.SECONDARY,
             "post16": Phase.POST_16, "sixth form": Phase.POST_16, "alevel": Phase.POST_16}
_SPAN_WORD = "|".join(sorted(_SPAN_END, key=len, reverse=True))
_PHASE_SPAN = re.compile(rf"\b({_SPAN_WORD})s? (?:to|until|till|through|thru|up to|all the way to) (?:the )?({_SPAN_WORD})s?\b")


_STAGE_OF_YEAR = {1: "ks1", 2: "ks1", 3: "ks2", 4: "ks2", 5: "ks2", 6: "ks2", 7: "ks3", 8: "ks3", 9: "ks3", 10: "ks4", 11: "ks4"}
_YEAR_RANGE = re.compile(r"\byear (\d{1,2}) (?:(?:to|and|or) )?(?:year )?(\d{1,2})\b")


_KEY_STAGE = re.compile(r"\b(reception|ks[1-4])\b")  # "year 3" may be a programme's third year, "KS2" never is


def stages_in(text: str) -> frozenset[str]:
    """Key stages a normalised text names, or implies by its year groups ("year 5 to 8" → ks2, ks3)."""
    found = set(_KEY_STAGE.findall(text))
    years = {int(y) for y in re.findall(r"\byear (\d{1,2})\b", text)}
    for low, high in _YEAR_RANGE.findall(text):
        if int(low) < int(high) <= 13:
            years.update(range(int(low), int(high) + 1))
    found.update(_STAGE_OF_YEAR[y] for y in years if y in _STAGE_OF_YEAR)
    return frozenset(found)


def sentences(text: str) -> list[str]:
    """The message split into sentences (a question mark ends one even without a space)."""
    found = []
    for part in _SENTENCE_END.split(text):
        if not part or not part.strip():
            continue
        pieces = _DASH_QUESTION.split(part, maxsplit=1)
        if len(pieces) == 2 and len(pieces[0].split()) >= LEAD_IN_WORDS:
            found.extend(piece.strip() for piece in pieces)
        else:
            found.append(part.strip())
    return found


def asking_sentences(parts: list[str]) -> list[str]:
    """The sentences that ask something; all of them when none looks like a question.

    A bare request ("Can you tell me?", "Is that right?") asks about the sentence before it, which
    is kept with it: "My head asked me to find out the deadline for … . Can you tell me?"
    """
    asking = [i for i, part in enumerate(parts) if part.rstrip().endswith("?") or _QUESTION_START.search(clean(part))]
    if not asking:
        return parts
    kept = set(asking)
    kept.update(i - 1 for i in asking if i > 0 and says_nothing(parts[i]))
    return [parts[i] for i in sorted(kept)]


def says_nothing(part: str) -> bool:
    """No word of the sentence is about anything, and it asks nothing more specific than "tell me"."""
    words = [stem(word) for word in re.findall(r"[a-z0-9']+", clean(part))]
    empty = STOPWORDS | FUNCTION_WORDS | _REQUEST_WORDS
    return all(word in empty for word in words) and set(detect_asks(" ".join(words))) <= {"what"}


_REQUEST_WORDS = frozenset(  # beside the stopwords ("tell", "know", "me", "please" …): words that only ask for help
    stem(w) for w in ("help", "confirm", "correct", "idea", "advise", "advice", "clarify", "possible")
)


# Parts of a message that never carry its meaning here: Discord mentions, custom emoji, addresses,
# links and long numbers (phone numbers, ids).
_NOISE = re.compile(
    r"<a?:\w+:\d+>|<[@#][!&]?\d+>|<t:\d+(?::\w)?>|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d ()-]{6,}\d|@\w+"
)


def without_noise(text: str) -> str:
    """The message without mentions (Discord's and typed "@Jo"), emoji codes, email addresses, links and phone-like numbers."""
    return _NOISE.sub(" ", text) if ("<" in text or "@" in text or "http" in text or "www." in text or any(c.isdigit() for c in text)) else text


def understand(question: str, index: KnowledgeIndex) -> Question:
    """Read a message: normalise, correct typos, map synonyms, find what it asks and what about."""
    original = question[:MAX_QUESTION_CHARS] if isinstance(question, str) else str(question)[:MAX_QUESTION_CHARS]
    text = without_noise(original)
    corrected = index.corrected(text)
    words = index.mapper.apply(corrected)
    terms = tuple(stem(word) for word in words)
    if _about_the_network(text, terms, index):
        text = _BARE_HUBS.sub("maths hubs", clean(text))
        corrected = index.corrected(text)
        words = index.mapper.apply(corrected)
        terms = tuple(stem(word) for word in words)
    parts = sentences(text)
    asking = asking_sentences(parts)
    asked_tokens = index.corrected(" ".join(asking))
    asked_text = " ".join(asked_tokens)
    whole_text = " ".join(corrected)
    # as written first; else as the vocabulary reads it ("prereqs", "sign-up"); else the whole message
    asks = detect_asks(asked_text) or detect_asks(" ".join(index.mapper.apply(asked_tokens))) or detect_asks(whole_text)
    if "list" in asks and _LIST_FIRST.search(asked_text):  # "list all the primary SKTM programmes …" is a list first
        asks = ("list", *(ask for ask in asks if ask != "list"))
    elif asks[:1] == ("list",) and _A_LIST_NAMED.search(asked_text):
        # "in the 2017-18 list, what did NCP17-08a do?": the list is a document, not a request
        asks = detect_asks(_A_LIST_NAMED.sub(" ", asked_text)) or asks[1:]
    if "code" in asks:  # "ncp code for the continuity one?": the codes' prefix is part of asking for a code
        terms = tuple(t for t in terms if t != CODE_PREFIX)
    mapped_whole = " ".join(words)
    attributes = Attributes(
        phases=phases_in(mapped_whole),
        roles=roles_in(whole_text, audience_only=True),
        years=frozenset(int(m.group(1)) for m in re.finditer(r"\byear (\d{1,2})\b", whole_text)),
        academic_years=frozenset(w for w in words if w.startswith("ay") and w[2:].isdigit()),
        stages=stages_in(mapped_whole),
        asked_stages=frozenset(_KEY_STAGE.findall(" ".join(index.mapper.apply(asked_tokens)))),
    )
    asked_terms = [stem(w) for w in index.mapper.apply(asked_tokens) if w != CODE_PREFIX or "code" not in asks]
    cue = cue_terms()
    focus = frozenset(
        term for term in asked_terms
        if term not in STOPWORDS and term not in FUNCTION_WORDS and term not in cue
        and term not in PHASE_TERMS and not term.isdigit() and term not in index.neutral and term not in _MONTHS
    )
    return Question(
        raw=original,
        words=tuple(words),
        terms=terms,
        content=frozenset(t for t in terms if t not in STOPWORDS),
        asks=asks,
        focus=focus,
        attributes=attributes,
        numbers=frozenset(numbers_in(list(words))),
        wants_history=bool(_HISTORY.search(mapped_whole)),
        asked_text=asked_text,
        asked_content=frozenset(t for t in asked_terms if t not in STOPWORDS),
        counted=_counted(asked_terms),
        stated=_stated_terms(parts, index) if len(parts) > 1 else None,
    )


def _stated_terms(parts: list[str], index: KnowledgeIndex) -> tuple[str, ...] | None:
    """The terms of every sentence but those asking what, how, why … about something ("what if …" states one)."""
    asking = [part for part in parts if _WH_WORD.search(clean(part)) and not _SUPPOSING.search(clean(part))]
    if not asking:
        return None
    kept = " ".join(part for part in parts if part not in asking)
    return tuple(stem(word) for word in index.mapper.apply(index.corrected(kept)))


_SUPPOSING = re.compile(r"^(?:(?:so|and|but|ok|okay|hi|hey) )?(?:what|how) (?:if|about if)\b")


# "How many hubs?", "do hubs charge?": hubs in the plural, with nothing else to go on, are the Maths Hubs
# network ("the hub" alone is the asker's own hub, and names nothing).
_BARE_HUBS = re.compile(r"(?<!maths )(?<!math )\bhubs\b")


def _about_the_network(text: str, terms: tuple[str, ...], index: KnowledgeIndex) -> bool:
    """The message's only topic is "hubs" in the plural."""
    if not _BARE_HUBS.search(clean(text)):
        return False
    return all(t in STOPWORDS or t in index.neutral or t in PHASE_TERMS or t.isdigit() or t.startswith("ay") for t in terms)


# A month is a value the question states or checks ("extended to 28 March?"), never what the answer is about.
_MONTHS = frozenset(stem(m) for m in (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec").split())

_COUNT_CUE = re.compile(r"\b(?:how many|number of|numbers of|percentage of|proportion of|count of) ((?:\w+ ?){1,3})")
COUNTED_REACH = 3  # topic words after "how many" that say what is counted


def _counted(asked_terms: list[str]) -> frozenset[str]:
    """The nouns a count question counts: "how many people took part" → people (and participant, teacher …)."""
    found: set[str] = set()
    for match in _COUNT_CUE.finditer(" ".join(asked_terms)):
        words = [w for w in match.group(1).split() if w not in STOPWORDS and not w.isdigit()][:COUNTED_REACH]
        found.update(words)
    return counted_alike(frozenset(found))
