"""Text normalisation shared by questions and the knowledge base: both sides become the same tokens."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

MAX_QUESTION_CHARS = 1000

STOPWORDS = frozenset(
    (
        "a an the and or but if of in on at to for from by with about as into onto than then so too very "
        "is are was were be been being am do does did doing done have has had having will would shall should "
        "can could may might must i me my we us our you your he him his she her it its they them their this "
        "that these those there here what which who whom whose when where why how any all some just also "
        "please pls plz thanks thank hi hello hey ok okay yes no not dont doesnt isnt arent wont cant "
        "im ive id youre theyre thats whats hows lol like really quite bit still else get got go going "
        "know tell want wanted wants need needs needed one ones anyone someone anything something "
        "whether etc eg ie via per true right actually basically wondering wonder think guys folks everyone "
        "cheers sorry mate btw fyi back r u ur w wat "
        # chat filler: "bump — anyone know …", "tbh", "idk"
        "bump bumping anybody somebody tia afaik iirc imo imho tbh ngl haha omg thx ty yeah yep nope hmm idk dunno ppl "
        # text speak for "and" / "question" ("kent n medway")
        "n q "
        # discourse words: how often, how sure, who said so — never what a question is about ("do we normally…",
        # "I was told…", "I reckon…", "is it even…", "or rather…", "straight away", "anyway")
        "normally usually always often sometimes ever even rather fairly pretty completely totally simply "
        "apparently presumably generally typically honestly literally seriously obviously definitely probably "
        "told heard said reckon suppose supposed guess assume assumed believe mentioned anyway along straight "
        "gone wait until"
    ).split()
)

# Words that carry the question's intent rather than its topic; they never identify an entry.
FUNCTION_WORDS = frozenset(
    (
        "deadline apply cost eligible time commitment contact information statistic programme professional "
        "development maths mathematic school teacher hub offer option way much many long date form list "
        "available everything opportunity menu range choice staff people colleague department dept next after "
        "before first last info detail more stuff thing"
    ).split()
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u2013": "-", "\u2014": "-", "\u2212": "-"})
_ACADEMIC_YEAR = re.compile(r"\b(20)?(\d\d)\s*[/\-]\s*(20)?(\d\d)\b")
_YEAR_GROUP = re.compile(r"\b(?:y|yr|yrs|year|years)\s*(\d{1,2})\b")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_CODE = re.compile(r"\bncp\s*(\d\d)\s*-?\s*(\d\d[a-c]?)\b")
_TOKEN = re.compile(r"\d+(?:st|nd|rd|th)\b|\d+(?:\.\d+)?%?|[a-z0-9]+")
_CONTRACTIONS = re.compile(r"'(s|t|re|ve|d|ll|m)\b")
# What each contraction's tail stands for: "we'd" is "we would", never the word "wed", nor "we'll" "well";
# "don't" stays "dont" (one word the negation checks read) and "the hub's" is the hub.
_CONTRACTED = {"s": "", "t": "t", "re": " are", "ve": " have", "d": " would", "ll": " will", "m": " am"}
_TIMES = re.compile(r"(\d)\s*(?:x|×)\s*(\d)")


# Words that only name a school phase or stage.
PHASE_TERMS = frozenset(
    "post16 primary secondary earlyyear reception ks1 ks2 ks3 ks4 year sixth college infant junior".split()
)


def _academic_year(match: re.Match[str]) -> str:
    first, second = int(match.group(2)), int(match.group(4))
    slashed_or_long = "/" in match.group(0) or bool(match.group(1))
    if second == (first + 1) % 100 and (slashed_or_long or first >= 14):
        return f" ay{first:02d}{second:02d} "
    return match.group(0)


def clean(text: str) -> str:
    """Lowercase plain text: accents removed, dashes and quotes unified."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.translate(_APOSTROPHES)
    return text.lower()


def tokens(text: str, correct: Callable[[list[str]], list[str]] | None = None) -> list[str]:
    """Split text into normalised word tokens (before vocabulary mapping).

    Academic years become ``ay2526``, year groups ``year 8``, programme codes ``ncp17-10a``,
    ``1,349`` becomes ``1349``; ``&`` reads as ``and``; plurals are folded to the singular —
    after ``correct`` (of the list of words), when given, so a typo is read as typed ("cots" is "cost", not "cot").
    """
    text = clean(text)
    if "&" in text or "+" in text:
        text = text.replace("&", " and ").replace("+", " plus ")
    if "%" in text:
        text = _BARE_PERCENT.sub(" percent ", text)
    if "ncp" in text:
        text = _CODE.sub(lambda m: f" ncp{m.group(1)}k{m.group(2)} ", text)
    digits = _DIGIT.search(text) is not None  # no rule below adds a digit to a text without one
    if digits:
        if "/" in text or "-" in text:
            text = _ACADEMIC_YEAR.sub(_academic_year, text)
        if "," in text:
            text = _THOUSANDS.sub("", text)
        if "y" in text:
            text = _YEAR_GROUP.sub(lambda m: f" year {int(m.group(1))} ", text)
        if "x" in text or "\u00d7" in text:
            text = _TIMES.sub(r"\1 \2", text)
    if "send" in text:
        text = _SEND_VERB.sub(r"\1 get", text)
    if digits and _ORDINAL_YEAR.search(text):
        text = _ORDINAL_YEAR.sub(lambda m: f" {m.group(2)} {m.group(1)} ", text)
    if "'" in text:
        text = _CONTRACTIONS.sub(lambda m: _CONTRACTED[m.group(1)], text).replace("'", "")
    found = _TOKEN.findall(text)
    if not _TEXT_SPEAK.keys().isdisjoint(found):
        found = [w for word in found for w in _TEXT_SPEAK.get(word, (word,))]
    if correct is not None:
        found = correct(found)
    return fold_all(found, singular, _SINGULAR_CACHE)


# "Which one should I send her to?" sends someone: the verb, not SEND (special educational needs), which
# the vocabulary spells the same once lower-cased.
_SEND_VERB = re.compile(
    r"\b(should|would|could|can|will|to|i|we|you|please|pls|and|do|not|they|she|he|who|shall|might|must)\s+send\b"
    r"(?!\s+(?:pupils?|children|kids|students?|learners?|needs|provision|maths|team|department|leads?|leaders?|co-?ordinators?|cos?)\b)"
)

# Text-speak read as the words it stands for, before typo correction, so question cues match it
# ("where r the events held", "wen does it close", "is there one nxt yr").
_TEXT_SPEAK: dict[str, tuple[str, ...]] = {
    short: tuple(full.split()) for short, full in {
        "r": "are", "u": "you", "ur": "your", "wat": "what", "wot": "what", "wht": "what", "wen": "when", "hw": "how",
        "abt": "about", "cud": "could", "wud": "would", "shud": "should", "nxt": "next", "thru": "through",
        "b4": "before", "yr": "year", "yrs": "years", "coz": "because", "cos": "because", "bc": "because",
        "wanna": "want to", "gonna": "going to", "dunno": "do not know", "sum1": "someone", "any1": "anyone",
        "tmrw": "tomorrow", "2moro": "tomorrow", "wk": "week", "wks": "weeks", "hr": "hour", "hrs": "hours",
        "prog": "programme", "progs": "programmes", "sch": "school", "skl": "school", "schl": "school",
    }.items()
}

FOLD_CACHE_SIZE = 200_000  # words remembered per fold; past it words are still folded, just not remembered


def fold_all(words: list[str], fold: Callable[[str], str], cache: dict[str, str]) -> list[str]:
    """``fold`` applied to every word, remembering results (words repeat a great deal)."""
    found = []
    for word in words:
        folded = cache.get(word)
        if folded is None:
            folded = fold(word)
            if len(cache) < FOLD_CACHE_SIZE:
                cache[word] = folded
        found.append(folded)
    return found


_DIGIT = re.compile(r"\d")
_BARE_PERCENT = re.compile(r"(?<![\d\s])%|(?<!\d)\s%|^%")
_ORDINAL_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th) (year|stage|session|term)\b")
_SINGULAR_CACHE: dict[str, str] = {}


_KEEP_S = ("ss", "us", "is", "ics", "ous", "news", "as", "ths", "ies")
_NOT_PLURAL = frozenset(["does", "goes", "has", "was", "yes", "this", "its", "always", "perhaps", "towards", "afterwards", "series", "sometimes"])


def singular(word: str) -> str:
    """A light, predictable plural folding (``schools`` → ``school``, ``activities`` → ``activity``)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_KEEP_S) or word in _NOT_PLURAL or word[0].isdigit():
        return word
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1]


_KEEP_ING_ED = frozenset("during bring thing thinking something anything nothing everything string spring morning evening need feed seed speed breed embed shed bed red".split())


def stem(word: str) -> str:
    """Fold -ing and -ed endings (``supporting`` → ``support``, ``funded`` → ``fund``) for matching."""
    if len(word) < 6 or word in _KEEP_ING_ED or not word.isalpha():
        return word
    if word.endswith("ing") and len(word) - 3 >= 4:
        return word[:-3]
    if word.endswith("ied"):
        return word[:-3] + "y"
    if word.endswith("ed") and len(word) - 2 >= 4:
        return word[:-2]
    return word


def numbers_in(words: list[str]) -> set[str]:
    """The distinctive numbers among tokens (11 and above, percentages, decimals); not small counts."""
    found = set()
    for word in words:
        if word[0].isdigit():
            bare = word.rstrip("%")
            is_year = bare.isdigit() and len(bare) == 4 and 1990 <= int(bare) <= 2039
            if "." in bare or word.endswith("%") or (bare.isdigit() and int(bare) > 10 and not is_year):
                found.add(bare)
    return found
