"""The eligibility flow: from a state to the next question, or to the outcome.

:func:`step` walks an entry's structured checks in order with the answers so far:

* an answer that does not meet a check stops the flow: outcome ``not-met``, with the check's
  ``not_met`` text and the entries it suggests instead;
* "not sure" carries on, and the end outcome is ``unsure``: what to check, and the hub contact;
* every check met: ``met`` — the next step (the application or expression-of-interest form) and
  its deadline as of today;
* an entry without structured checks: ``no-checks`` — its criteria as text, and who it is for;
* an entry that is no longer offered: ``not-offered``.

Criteria without a check are never asked; they are listed at the end to confirm ("also make sure").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from bot.eligibility.state import Answer, FlowState, StateError, checked, decode
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.checks import academic_year_end, plain
from bot.knowledge.schema import Entry, Link, LinkKind, Source
from bot.listings import next_deadline

OutcomeKind = Literal["met", "not-met", "unsure", "no-checks", "not-offered"]
NEXT_STEP_KINDS = (LinkKind.APPLICATION, LinkKind.EXPRESSION_OF_INTEREST, LinkKind.REQUEST)
ALTERNATIVE_LINE = 160


@dataclass(frozen=True)
class Answered:
    """A question already answered, for the recap."""

    question: str
    answer: Answer


@dataclass(frozen=True)
class Alternative:
    """An entry suggested instead, with one line about it."""

    entry_id: str
    name: str
    line: str


@dataclass(frozen=True)
class NextStep:
    """A form to fill in (or a page to read); ``url`` is None when the hub has not published its address."""

    label: str
    url: str | None
    kind: Literal["form", "information"] = "form"


@dataclass(frozen=True)
class Question:
    """The next question to ask: number ``number`` of ``total``."""

    state: FlowState
    entry_name: str
    number: int
    total: int
    text: str
    answered: tuple[Answered, ...]

    def after(self, answer: Answer) -> FlowState:
        """The state once this question is answered."""
        return self.state.answer(answer)


@dataclass(frozen=True)
class Outcome:
    """Where the flow ends, with everything needed to say so (see the module docstring)."""

    kind: OutcomeKind
    state: FlowState
    entry_name: str
    headline: str
    reason: str = ""
    failed: str = ""
    alternatives: tuple[Alternative, ...] = ()
    checkable: tuple[Alternative, ...] = ()
    to_check: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    who_for: str | None = None
    next_step: NextStep | None = None
    more_information: NextStep | None = None
    how_to_apply: tuple[str, ...] = ()
    deadline: str | None = None
    round_closed: bool = False  # every deadline has passed: the form is not a next step, the next round is
    notes: tuple[str, ...] = ()
    contact: str = ""
    answered: tuple[Answered, ...] = ()
    sources: tuple[str, ...] = ()
    last_reviewed: dt.date | None = None


Step = Question | Outcome


def start(kb: KnowledgeBase, entry_id: str, today: dt.date) -> Step:
    """The first step of the check for ``entry_id`` (raises :class:`StateError` if it is unknown)."""
    entry = kb.get(entry_id)
    if entry is None:
        raise StateError(f"no entry {entry_id!r}")
    return step(kb, FlowState.start(entry), today)


def resume(kb: KnowledgeBase, token: str, today: dt.date) -> Step:
    """The step a token stands for (raises :class:`StateError` for a stale or broken token)."""
    return step(kb, decode(token, kb), today)


def named(kb: KnowledgeBase, text: str) -> Entry | None:
    """The entry whose id, name, alias or code is exactly ``text`` (ignoring case and punctuation).

    Current entries win over historical ones that share a name.
    """
    if text in kb.entries:
        return kb.entries[text]
    wanted = plain(text)
    if not wanted:
        return None
    found = [e for e in kb if wanted in {plain(name) for name in (e.name, *e.aliases, *e.codes)}]
    found.sort(key=lambda e: e.status != "current")
    return found[0] if found else None


def short_name(entry: Entry, limit: int) -> str:
    """The entry's name if it fits in ``limit`` characters, else its longest alias that does
    (a button label must tell "SKTM for Primary Teachers" from "SKTM for Primary Teaching Assistants").
    """
    if len(entry.name) <= limit:
        return entry.name
    fitting = [alias for alias in entry.aliases if len(alias) <= limit]
    return max(fitting, key=len) if fitting else entry.name[: limit - 1].rstrip() + "…"


def has_checks(entry: Entry) -> bool:
    """Whether the entry has at least one structured check, i.e. a real step-by-step flow."""
    return bool(checked(entry))


def step(kb: KnowledgeBase, state: FlowState, today: dt.date) -> Step:
    """The next question for ``state``, or the outcome when the flow is over."""
    entry = kb.get(state.entry_id)
    if entry is None:
        raise StateError("that programme is no longer in the knowledge base")
    criteria = checked(entry)
    if entry.status == "historical":
        return _not_offered(kb, entry, state)
    if not criteria:
        return _no_checks(kb, entry, state, today)
    answered: list[Answered] = []
    unsure: list[str] = []
    for index, criterion in enumerate(criteria):
        check = criterion.check
        assert check is not None
        if index == len(state.answers):
            return Question(state, entry.name, index + 1, len(criteria), check.question, tuple(answered))
        answer = state.answers[index]
        answered.append(Answered(check.question, answer))
        if answer is Answer.UNSURE:
            unsure.append(check.unsure or f"Check this criterion: {criterion.text}")
        elif not answer.meets(check):
            if len(state.answers) > index + 1:
                raise StateError("answers continue after the check stopped", entry.id)
            return _not_met(kb, entry, state, criterion.text, check.not_met, check.suggest, tuple(answered), today)
    if unsure:
        return _unsure(kb, entry, state, tuple(unsure), tuple(answered), today)
    return _met(kb, entry, state, tuple(answered), today)


# ----- outcomes ---------------------------------------------------------------------------------


def _met(kb: KnowledgeBase, entry: Entry, state: FlowState, answered: tuple[Answered, ...], today: dt.date) -> Outcome:
    return Outcome(
        "met",
        state,
        entry.name,
        headline=met_headline(entry.name) + ".",
        also=_unchecked(entry),
        answered=answered,
        **_next_steps(kb, entry, today),
    )


def _unsure(
    kb: KnowledgeBase, entry: Entry, state: FlowState, to_check: tuple[str, ...], answered: tuple[Answered, ...], today: dt.date
) -> Outcome:
    count = len(to_check)
    things = "one thing" if count == 1 else f"{count} things"
    return Outcome(
        "unsure",
        state,
        entry.name,
        headline=(
            f"You may be eligible for {the(entry.name)}: you meet the criteria you were sure about, "
            f"but check {things} first."
        ),
        to_check=to_check,
        also=_unchecked(entry),
        answered=answered,
        **_next_steps(kb, entry, today),
    )


def _not_met(
    kb: KnowledgeBase,
    entry: Entry,
    state: FlowState,
    criterion: str,
    reason: str,
    suggest: list[str],
    answered: tuple[Answered, ...],
    today: dt.date,
) -> Outcome:
    alternatives = tuple(
        Alternative(other.id, other.name, _one_line(other.summary.text))
        for other_id in suggest
        if other_id != entry.id and (other := kb.get(other_id)) is not None and other.status == "current"
    )
    return Outcome(
        "not-met",
        state,
        entry.name,
        headline=f"From your answers, you don't meet the published criteria for {the(entry.name)}.",
        reason=reason,
        failed=criterion,
        alternatives=alternatives,
        answered=answered,
        contact=kb.hub.contact_line(),
        notes=_dated(entry, today),
        sources=kb.hub.document_titles([c.source for c in entry.eligibility]),
        last_reviewed=entry.last_reviewed,
    )


def _no_checks(kb: KnowledgeBase, entry: Entry, state: FlowState, today: dt.date) -> Outcome:
    criteria = tuple(c.text for c in entry.eligibility)
    if criteria:
        headline = (
            f"{the(entry.name, capital=True)} has no yes/no criteria I can walk you through, "
            "but these are the published criteria to confirm:"
        )
    else:
        headline = f"The published details of {the(entry.name)} don't list eligibility criteria, so there is nothing to check step by step."
    about = [entry.who_for.source] if entry.who_for else [entry.summary.source]
    related = [kb.get(other_id) for other_id in entry.related]
    checkable = tuple(
        Alternative(other.id, other.name, _one_line(other.summary.text))
        for other in related
        if other is not None and other.status == "current" and has_checks(other)
    )
    return Outcome(
        "no-checks",
        state,
        entry.name,
        headline=headline,
        criteria=criteria,
        who_for=entry.who_for.text if entry.who_for else None,
        checkable=checkable[:3],
        **_next_steps(kb, entry, today, about),
    )


def _not_offered(kb: KnowledgeBase, entry: Entry, state: FlowState) -> Outcome:
    when = entry.academic_year or "an earlier year"
    return Outcome(
        "not-offered",
        state,
        entry.name,
        headline=f"{the(entry.name, capital=True)} ran in {when} and is not a current offer, so there is no eligibility to check.",
        who_for=entry.who_for.text if entry.who_for else None,
        contact=kb.hub.contact_line(),
        sources=kb.hub.document_titles([entry.summary.source]),
        last_reviewed=entry.last_reviewed,
    )


def _next_steps(kb: KnowledgeBase, entry: Entry, today: dt.date, about: list[Source] | None = None) -> dict[str, Any]:
    """The form, the deadline as of today, how to apply, notes, contact and sources of an outcome.

    When the round has closed (the entry's last deadline has passed) the form and the steps are
    not offered as the next step: the deadline says it closed and to ask the hub about the next round.
    """
    status = next_deadline(entry, today)
    closed = status is not None and not status.is_open
    link = None if closed else _next_link(entry)
    sources: list[Source] = [c.source for c in entry.eligibility] + (about or [])
    if link:
        sources.append(link.source)
    if status:
        sources.append(status.deadline.source)
    how = entry.how_to_apply
    information = next((link for link in entry.links if link.kind == LinkKind.INFORMATION), None)
    return {
        "next_step": NextStep(link.label, link.url) if link else None,
        "more_information": NextStep(information.label, information.url, "information") if information else None,
        "how_to_apply": tuple(how.steps) if how and not link and not closed else (),
        "deadline": status.wording() if status else None,
        "round_closed": closed,
        "notes": _dated(entry, today),
        "contact": kb.hub.contact_line(),
        "sources": kb.hub.document_titles(sources),
        "last_reviewed": entry.last_reviewed,
    }


def _next_link(entry: Entry) -> Link | None:
    for kind in NEXT_STEP_KINDS:
        link = next((link for link in entry.links if link.kind == kind), None)
        if link:
            return link
    return None


def _unchecked(entry: Entry) -> tuple[str, ...]:
    return tuple(c.text for c in entry.eligibility if c.check is None)


def _dated(entry: Entry, today: dt.date | None) -> tuple[str, ...]:
    """A note when the criteria were published for an academic year that is over."""
    if entry.academic_year and today and academic_year_end(entry.academic_year) < today:
        return (f"These details were published for {entry.academic_year}; the hub can confirm they still apply.",)
    return ()


def met_headline(entry_name: str) -> str:
    return f"You meet the published criteria for {the(entry_name)}"


_COUNT_NOUNS = re.compile(
    r"\b(programmes?|trials?|projects?|work groups?|communit(?:y|ies)|exchange|conference|survey|network|themes|logo|goals)\b",
    re.IGNORECASE,
)


def the(name: str, *, capital: bool = False) -> str:
    """``name`` with "the" when it is a programme, trial, project… ("the PD Lead Programme"),
    bare when it is a proper name such as "Mastering Number at KS2".
    """
    if not _COUNT_NOUNS.search(name):
        return name
    return ("The " if capital else "the ") + name


def _one_line(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.S)
    line = " ".join((match.group(1) if match else text).split())
    if len(line) > ALTERNATIVE_LINE:
        line = line[: ALTERNATIVE_LINE - 1].rsplit(" ", 1)[0] + "…"
    return line

