"""What a question asks for (deadline, eligibility, cost…) and which school phases it mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.schema import Phase

# Each intent: regular expressions over the normalised, vocabulary-mapped words joined by spaces,
# with a weight. The strongest intent leads the answer; the others may add sections.
_INTENT_PATTERNS: dict[str, list[tuple[str, float]]] = {
    "deadline": [
        (r"\bdeadline\b", 3.0),
        (r"\bwhen\b.*\b(close|closing|closed|shut|end|due|apply|submit|open)\b", 2.5),
        (r"\b(close|closing|closed|shut)\b", 1.5),
        (r"\bby when\b|\bwhat date\b|\bwhich date\b|\bdate\b", 1.5),
        (r"\b(still open|still apply|too late|missed (it|the deadline|the date|out)|extended|extension|still time|in time|open for apply|taking apply|accepting apply)\b", 2.5),
        (r"\bwhen\b(?! (was|were|did|has|have)\b)", 0.6),
    ],
    "eligibility": [
        (r"\beligible\b", 3.0),
        (r"\b(can|could|may)\b (we|i|a|an|our|my|they|she|he|the|someone|anyone)\b", 1.2),
        (r"\b(are|am|is) (we|i|they|she|he|it)\b (able|allowed|ok|okay)\b", 2.0),
        (r"\b(stop|stops|exclude|excludes|disqualify|disqualifies|bar|bars)\b", 2.0),
        (r"\bwho can\b|\bmust\b|\bhave to be\b|\bneed to be\b|\bonly for\b|\brequire", 1.5),
        (r"\bdo (we|i) (need|have) to\b|\bstill do\b|\bstill join\b|\bstill take part\b|\bstill apply\b", 1.2),
        (r"\bwould (she|he|they|we|i|it|that|this) (count|qualify|be eligible|be allowed|be ok|be able)\b", 2.5),
        (r"\bchecklist\b|\bmeet\b", 1.5),
    ],
    "time_commitment": [
        (r"\btime commitment\b", 3.0),
        (r"(?<!these )(?<!other )(?<!some )\b(day|days|hour|hours|session|sessions|week|weeks|term|terms)\b", 1.2),
        (r"\bper year\b|\ba year\b|\beach year\b", 0.8),
    ],
    "cost": [
        (r"\bcost\b", 3.0),
        (r"^(?!.*\b(day|days|time|session|sessions|hour|hours|week|weeks)\b)(?!.*\bhow much of\b).*\bhow much\b", 2.0),
        (r"\b(free|pay|pays|paying|payment|fund|funds|funded|funding|funder|money|budget|charge|invoice|subsidised)\b", 2.0),
    ],
    "apply": [
        (r"\bapply\b", 2.0),
        (r"\bform\b", 1.5),
        (r"\beoi\b", 2.5),
        (r"\bhow (do|does|can|would|should) (we|i|you|a|our|my|they|school)\b.*\b(join|get|getting|start|apply|take|do|end up)\b", 2.0),
        (r"\b(join|joining|enrol|nominate|put forward|link|request|before i can|before we can|what do i need)\b", 1.2),
        (r"\baxis\b", 2.0),
        (r"\bhow does (it|this|that) work\b|\bask for (it|this|that|them)\b|\bjust ask\b", 1.5),
    ],
    "contact": [
        (r"\bcontact\b", 2.5),
        (r"\bphone\b|\btelephone\b|\bemail address\b|\baddress\b|\bnumber for\b", 2.5),
        (r"\bname of\b.*\b(leader|lead|director|manager|head|headteacher)\b", 2.5),
        (r"\bwho (do|should|can) (i|we)\b", 2.0),
        (r"\bwho is\b.*\b(contact|lead|in charge|running)\b", 1.2),
    ],
    "what_is": [
        (r"^(what|whats) (is|are|was|were)\b|\bwhat (is|are|was|were) (the|a|an)\b", 1.5),
        (r"\btell me\b|\binfo\b|\binformation\b|\bexplain\b|\bdescribe\b|\boverview\b|\bdetails\b", 1.5),
        (r"\bwhat (do|does|did) .*\b(do|involve|cover|look at|focus|build|mean|about|for)\b", 1.5),
        (r"\bwhat happens\b|\bwhat kind\b|\bwhat sort\b|\bwhat type\b|\bwhat topic\b|\bwhat theme\b|\bwhat\b.*\babout\b", 1.2),
        (r"\bwas what\b|\bwhat was\b|\bwhat it is\b|\bwhat that is\b|\bwhats that\b|\bwhat that for\b", 1.5),
        (r"\bwhen (was|were|did|has|have)\b|\bhow (old|long ago)\b|\bhistory\b", 1.5),
        (r"\bmean\b|\bstand for\b", 1.0),
    ],
    "who_for": [
        (r"\bwho (is|are) (it|this|that|they|these|those)?\s?(for|aimed)\b|\bwho for\b|\bfor whom\b", 3.0),
        (r"\bwhat counts? as\b|\bcount as\b|\bwhat is meant by\b|\bdefinition\b|\bdefine\b|\bclass(es)? as\b", 3.0),
        (r"\baimed\b|\bsuitable\b|\btarget audience\b", 2.0),
        (r"\bexpected to\b|\bsupposed to\b|\bhave to (join|do|take part)\b|\bmust (we|i|they)\b", 2.0),
        (r"\b(is|are) (it|this|that|they) (for|just for|only for)\b|\bjust for\b|\bonly for\b", 2.0),
        (r"\bwho\b", 0.8),
        (r"\bfor (a|an|my|our|the)? ?(teacher|ta|ect|head|headteacher|hod|student|pupil|school)\b", 0.8),
        (r"\bfor (primary|secondary|post16|earlyyear|ks[1-5]|year \d+|reception)\b", 1.5),
    ],
    "list": [
        (r"\b(option|options|what is there|what s there|whats there|anything (for|on|about|in|we can)|what else|which programme|what programme|list|all the|menu|choices|range|offers|on offer|what can|available|which of the|which ones)\b", 1.5),
        (r"\bwhat (\w+ ){1,3}(programme|workgroup|project|community|course)s? (are|is) there\b", 1.5),
        (r"\b(programme|course|work group|project|community|opportunity|opportunities)s?\b.*\b(for|through|from|in)\b", 0.6),
    ],
    "stats": [
        (r"\bhow many\b|\bnumber of\b|\bstatistic\b|\bpercent|%|\bproportion\b|\bfigure\b|\bhow much of\b|\bhow (big|large)\b|\bsize of\b", 2.5),
        (r"\b(total|grown|growth|ambition|target|targets|goal|goals|aim|aims)\b", 1.5),
    ],
    "stages": [
        (r"\b(order|sequence|stages|stage|step|steps|progression|pathway|journey)\b", 1.8),
        (r"\bwhat( s|s)? next\b|\bnext\b|\bafter\b|\bthen what\b|\bcomes after\b|\bfollowing year\b|\bfinished\b|\bcompleted\b", 1.8),
    ],
    "links": [
        (r"\bread more\b|\bmore info\b|\bmore information\b|\bblog\b|\binformation sheet\b|\bwebsite\b|\bweb page\b|\bwebpage\b|\bwhere can (i|we) (find|read|see|get)\b", 2.5),
        (r"\blink\b|\burl\b|\bpage\b", 1.2),
    ],
    "venue": [
        (r"\b(venue|location|where (is|are|does|do|will) .*\b(held|run|hosted|take place|located|be)\b|which (school|building|town) (host|run))", 3.0),
        (r"\b(place|space|seat)s? (left|available|remaining)\b|\bsession dates?\b|\b(what|which) dates?\b|\bwhen are the sessions?\b|\btimetable\b|\bschedule\b", 3.0),
    ],
    "existence": [
        (r"\b(is|are) there\b|\bexist|\bdo you have\b|\bdo (hubs|maths hub|you|they|the hub) (do|offer|run|have)\b", 2.0),
        (r"\bany\b", 1.0),
        (r"\bdoes that exist\b|\bis that a thing\b", 2.5),
    ],
}

_COMPILED = {
    intent: [(re.compile(pattern), weight) for pattern, weight in patterns]
    for intent, patterns in _INTENT_PATTERNS.items()
}
# One search per intent first: most questions match few intents, so most pattern lists are skipped.
_ANY = {intent: re.compile("|".join(f"(?:{pattern})" for pattern, _ in patterns)) for intent, patterns in _INTENT_PATTERNS.items()}

# Explicit phase words, and words that imply a phase (year groups, roles, qualifications).
_PHASE_PATTERNS: dict[Phase, list[tuple[str, float]]] = {
    Phase.EARLY_YEARS: [(r"\bearlyyear\b", 1.0), (r"\breception\b", 0.8)],
    Phase.PRIMARY: [
        (r"\bprimary\b", 1.0),
        (r"\bks1\b|\bks2\b", 0.8),
        (r"\byear [1-6]\b", 0.7),
        (r"\breception\b", 0.5),
    ],
    Phase.SECONDARY: [
        (r"\bsecondary\b", 1.0),
        (r"\bks3\b|\bks4\b|\bgcse\b", 0.8),
        (r"\byear (7|8|9|10|11)\b", 0.7),
        (r"\b(department|dept|hod)\b", 0.5),
    ],
    Phase.POST_16: [
        (r"\bpost16\b", 1.0),
        (r"\balevel\b|\bcoremaths\b|\bresit\b|\bfsq\b|\byear 1[23]\b", 0.8),
    ],
}

_COMPILED_PHASES = {
    phase: [(re.compile(pattern), weight) for pattern, weight in patterns] for phase, patterns in _PHASE_PATTERNS.items()
}
_ANY_PHASE = re.compile("|".join(f"(?:{pattern})" for patterns in _PHASE_PATTERNS.values() for pattern, _ in patterns))


@dataclass(frozen=True)
class Intents:
    """Intent scores for a question, strongest first."""

    scores: dict[str, float]

    @property
    def primary(self) -> str:
        ranked = self.ranked()
        return ranked[0] if ranked else "what_is"

    def ranked(self) -> list[str]:
        order = sorted(self.scores.items(), key=lambda item: (-item[1], _TIE_ORDER.index(item[0])))
        return [intent for intent, score in order if score > 0]

    def has(self, intent: str, minimum: float = 1.0) -> bool:
        return self.scores.get(intent, 0.0) >= minimum


# When two intents score the same, the more specific one leads.
_TIE_ORDER = [
    "venue", "deadline", "eligibility", "time_commitment", "cost", "links", "apply", "contact", "stats", "stages",
    "who_for", "list", "what_is", "existence",
]


def detect_intents(words: list[str]) -> Intents:
    """Score every intent over the question's normalised words."""
    text = " ".join(words)
    scores = {
        intent: sum(weight for pattern, weight in patterns if pattern.search(text))
        for intent, patterns in _COMPILED.items()
        if _ANY[intent].search(text)
    }
    return Intents({intent: score for intent, score in scores.items() if score > 0})


def detect_phases(words: list[str]) -> dict[Phase, float]:
    """Phases the question names or implies, with a strength (1.0 = named outright)."""
    text = " ".join(words)
    found: dict[Phase, float] = {}
    if not _ANY_PHASE.search(text):
        return found
    for phase, patterns in _COMPILED_PHASES.items():
        strength = max((weight for pattern, weight in patterns if pattern.search(text)), default=0.0)
        if strength:
            found[phase] = strength
    return found
