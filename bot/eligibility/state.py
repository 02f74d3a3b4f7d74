"""The state of one eligibility check: which entry, which version of its checks, the answers so far.

The state travels as a short token — ``<entry>.<version>.<answers>`` such as
``mastering-number-ks2.3fa1.yu`` — so a Discord button can carry it in its ``custom_id`` (at most
100 characters) and survive a restart, and the console can keep it between lines.

* ``<entry>`` is the entry id, or ``~`` and 8 hex digits of its hash when the id is too long to fit.
* ``<version>`` is 4 hex digits of a hash of the entry's checks (questions and expected answers),
  so an answer given to an older wording of the questions is never applied to a newer one.
* ``<answers>`` is one letter per question answered: ``y`` yes, ``n`` no, ``u`` not sure.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from bot.knowledge.schema import Criterion, EligibilityCheck, Entry

MAX_CHECKS = 20
"""The most structured checks one entry may have: the answers must fit in a button's custom_id."""

MAX_TOKEN = 80
"""The longest token; leaves room in Discord's 100-character custom_id for a prefix."""

VERSION_LENGTH = 4
DIGEST_LENGTH = 8
_TOKEN = re.compile(
    rf"(?P<ref>[a-z0-9]+(?:-[a-z0-9]+)*|~[0-9a-f]{{{DIGEST_LENGTH}}})"
    rf"\.(?P<version>[0-9a-f]{{{VERSION_LENGTH}}})\.(?P<answers>[ynu]{{0,{MAX_CHECKS}}})"
)
TOKEN_PATTERN = _TOKEN.pattern
"""A regular expression matching exactly one token (for a Discord DynamicItem template)."""


class Answer(str, Enum):
    """An answer to one yes/no question; the value is its letter in a token."""

    YES = "y"
    NO = "n"
    UNSURE = "u"

    @property
    def label(self) -> str:
        return {Answer.YES: "Yes", Answer.NO: "No", Answer.UNSURE: "Not sure"}[self]

    def meets(self, check: EligibilityCheck) -> bool:
        """Whether this answer meets the check (never true for "not sure")."""
        return self is not Answer.UNSURE and self.value == check.meets[0]


_ANSWER_WORDS = {
    Answer.YES: {"y", "yes", "yeah", "yep", "yup", "true"},
    Answer.NO: {"n", "no", "nope", "false"},
    Answer.UNSURE: {"?", "u", "unsure", "not sure", "dont know", "don't know", "no idea", "maybe", "idk", "not certain"},
}


def parse_answer(text: str) -> Answer | None:
    """An answer typed at the console: y / n / ? and the usual words for them; None otherwise."""
    cleaned = " ".join(text.lower().replace("\u2019", "'").strip().rstrip(".!").split())
    for answer, words in _ANSWER_WORDS.items():
        if cleaned in words:
            return answer
    return None


class StateError(ValueError):
    """A token that cannot be used: malformed, for an unknown entry, or for older questions.

    ``entry_id`` is the entry the token was for, when that is still known, so the caller can
    offer to start again.
    """

    def __init__(self, message: str, entry_id: str | None = None) -> None:
        super().__init__(message)
        self.entry_id = entry_id


def checked(entry: Entry) -> list[Criterion]:
    """The entry's criteria that have a structured yes/no check, in order: the flow's questions."""
    return [criterion for criterion in entry.eligibility if criterion.check is not None]


def checks_version(entry: Entry) -> str:
    """4 hex digits that change whenever a question, its expected answer or their order changes."""
    text = "\n".join(f"{c.check.meets}|{c.check.question}" for c in checked(entry) if c.check)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:VERSION_LENGTH]


def entry_digest(entry_id: str) -> str:
    """The short stand-in for an entry id too long for a token."""
    return "~" + hashlib.sha256(entry_id.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


@dataclass(frozen=True)
class FlowState:
    """Where a teacher is in one entry's check: the answers given so far, oldest first."""

    entry_id: str
    version: str
    answers: tuple[Answer, ...] = ()

    @classmethod
    def start(cls, entry: Entry) -> FlowState:
        """The state before the first question."""
        return cls(entry.id, checks_version(entry))

    def answer(self, answer: Answer) -> FlowState:
        """The state after one more answer."""
        return FlowState(self.entry_id, self.version, (*self.answers, answer))

    def restart(self) -> FlowState:
        return FlowState(self.entry_id, self.version)

    def encode(self) -> str:
        """The token for this state (at most :data:`MAX_TOKEN` characters)."""
        tail = f".{self.version}.{''.join(a.value for a in self.answers)}"
        if len(self.entry_id) + VERSION_LENGTH + 2 + MAX_CHECKS <= MAX_TOKEN:
            ref = self.entry_id
        else:
            ref = entry_digest(self.entry_id)
        token = ref + tail
        if len(token) > MAX_TOKEN or len(self.answers) > MAX_CHECKS:
            raise ValueError(f"too many answers for a token: {len(self.answers)}")
        return token


def decode(token: str, entries: Iterable[Entry]) -> FlowState:
    """The state a token stands for, checked against the current ``entries``.

    Raises :class:`StateError` when the token is malformed, names no current entry, or was made
    for a different version of the entry's questions.
    """
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise StateError(f"not an eligibility-check token: {token[:40]!r}")
    ref = match["ref"]
    entry = next((e for e in entries if (e.id == ref if not ref.startswith("~") else entry_digest(e.id) == ref)), None)
    if entry is None:
        raise StateError("that programme is no longer in the knowledge base")
    if match["version"] != checks_version(entry):
        raise StateError("the questions for this programme have changed since the check started", entry.id)
    answers = tuple(Answer(letter) for letter in match["answers"])
    if len(answers) > len(checked(entry)):
        raise StateError("more answers than this programme has questions", entry.id)
    return FlowState(entry.id, match["version"], answers)
