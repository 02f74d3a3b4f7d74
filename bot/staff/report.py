"""The staff report: what teachers asked that the bot could not answer, which questions they passed
to the hub team and are still waiting for an answer, which answers were unhelpful, and how many
questions each topic and phase drew — what staff need to decide what to
add to the knowledge base next.

:func:`build_report` reads a :class:`~bot.staff.storage.Storage` for a period;
:func:`render_report` gives plain text (whole for the command line, or fitted to a Discord message),
:func:`report_csv` a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import PHASE_LABELS, Phase
from bot.staff.storage import KEPT_STATUSES, Handoff, InteractionRecord, Storage, VotedAnswer

DEFAULT_SINCE = "30d"
SIMILARITY = 80  # token_set_ratio at or above which two questions are "the same question"
EXAMPLES = 3
DISCORD_LIMIT = 2000
NO_TOPIC = "(no topic)"

# Words that say nothing about what was asked; dropped before comparing questions.
STOPWORDS = frozenset(
    """a an the is are was were be been am do does did i im me my we our us you your it its this that
    these those there here to for of on in at by and or but so if can could would should will shall
    may might must have has had how what when where which who whom why please hi hello hey thanks
    thank any anyone get got about just tell know want need with from into""".split()
)


# ----- the period -----------------------------------------------------------------------------------
_SPAN = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """The start of a period: ``30d``, ``12h``, ``4w`` before ``now``, or a date ``YYYY-MM-DD`` (UTC).

    Raises :class:`ValueError` with a readable message for anything else.
    """
    match = _SPAN.match(text)
    if match:
        return now - int(match.group(1)) * _UNITS[match.group(2).lower()]
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a period: {text!r} (use e.g. 30d, 12h, 4w or a date YYYY-MM-DD)") from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


# ----- grouping similar questions -------------------------------------------------------------------
def normalise(question: str) -> str:
    """Lower case, punctuation and filler words removed, simple plurals folded: what is compared."""
    words = utils.default_process(question).split()
    kept = [_singular(word) for word in words if word not in STOPWORDS]
    return " ".join(kept or words)


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class QuestionGroup:
    """Questions that read as the same question."""

    count: int
    examples: tuple[str, ...]
    statuses: dict[str, int]
    topics: tuple[str, ...]  # entries the bot offered (for ``clarify``), most often first
    last_asked: dt.datetime


def group_questions(
    records: Sequence[InteractionRecord], threshold: float = SIMILARITY, examples: int = EXAMPLES
) -> list[QuestionGroup]:
    """Cluster questions by ``token_set_ratio`` over normalised text, most frequent group first.

    Distinct wordings are taken most frequent first; each joins the first group whose leading
    wording it matches at ``threshold`` or above, or starts a new group.
    """
    by_text: dict[str, list[InteractionRecord]] = defaultdict(list)
    for record in records:
        by_text[normalise(record.question)].append(record)
    wordings = sorted(by_text, key=lambda text: (-len(by_text[text]), by_text[text][0].asked_at, text))
    leaders: list[str] = []
    members: list[list[str]] = []
    for text in wordings:
        found = process.extractOne(text, leaders, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=threshold)
        if found is None:
            leaders.append(text)
            members.append([text])
        else:
            members[found[2]].append(text)
    groups = [_group([record for text in texts for record in by_text[text]], examples) for texts in members]
    groups.sort(key=lambda group: (-group.count, -group.last_asked.timestamp(), group.examples))
    return groups


def _group(records: list[InteractionRecord], examples: int) -> QuestionGroup:
    wordings = Counter(record.question.strip() for record in records)
    latest = {record.question.strip(): record.asked_at for record in records}
    shown = sorted(wordings, key=lambda text: (-wordings[text], -latest[text].timestamp(), text))
    topics = Counter(topic for record in records for topic in record.topics)
    return QuestionGroup(
        count=len(records),
        examples=tuple(shown[:examples]),
        statuses=dict(Counter(record.status for record in records)),
        topics=tuple(topic for topic, _ in topics.most_common()),
        last_asked=max(record.asked_at for record in records),
    )


# ----- the report -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopicVotes:
    topic: str
    label: str
    up: int
    down: int


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    questions: int


@dataclass(frozen=True)
class Report:
    """Everything the staff report shows, for one period."""

    since: dt.datetime
    until: dt.datetime
    total: int
    by_status: dict[str, int]
    groups: list[QuestionGroup]
    downvoted_topics: list[TopicVotes]
    downvoted_answers: list[VotedAnswer]
    votes_up: int
    votes_down: int
    by_topic: list[Count]
    by_phase: list[Count]
    labels: dict[str, str] = field(default_factory=dict)
    handoffs: list[Handoff] = field(default_factory=list)  # made in the period, and every one still open
    hub: str | None = None  # the hub's name, when the report is of one hub of several

    def label(self, topic: str) -> str:
        return self.labels.get(topic, topic)

    @property
    def handed_off(self) -> list[Handoff]:
        """Hand-offs made in the period."""
        return [handoff for handoff in self.handoffs if handoff.handed_off_at >= self.since]

    @property
    def open_handoffs(self) -> list[Handoff]:
        """Hand-offs still waiting for a staff answer, whenever made, oldest first."""
        return [handoff for handoff in self.handoffs if handoff.is_open]


def build_report(
    storage: Storage, kb: KnowledgeBase, since: dt.datetime, now: dt.datetime, hub_id: str | None = None,
    *, hub: str | None = None,
) -> Report:
    """The report for ``since`` up to ``now``; topics are named and phased from ``kb``.

    ``hub_id``: only that hub's records (``kb`` is then that hub's knowledge base); None: every
    record. ``hub`` names the hub in the heading (for a deployment of several hubs).
    """
    labels = {entry.id: entry.name for entry in kb}
    unanswered = storage.interactions(since, statuses=sorted(KEPT_STATUSES), hub_id=hub_id)
    voted = storage.voted_answers(since, hub_id=hub_id)
    counts = storage.question_counts(since.astimezone(dt.UTC).date(), hub_id=hub_id)

    by_status: Counter[str] = Counter()
    topic_counts: Counter[str] = Counter()
    phase_counts: Counter[str] = Counter()
    for row in counts:
        by_status[row.status] += row.questions
        for topic in row.topics or (NO_TOPIC,):
            topic_counts[topic] += row.questions
        phases = {phase for topic in row.topics if (entry := kb.get(topic)) for phase in entry.phases}
        for phase in phases or {NO_TOPIC}:
            phase_counts[phase.value if isinstance(phase, Phase) else phase] += row.questions

    topic_votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for answer in voted:
        for topic in answer.interaction.topics or (NO_TOPIC,):
            topic_votes[topic][0] += answer.up
            topic_votes[topic][1] += answer.down
    downvoted_topics = sorted(
        (TopicVotes(topic, labels.get(topic, topic), up, down) for topic, (up, down) in topic_votes.items() if down),
        key=lambda votes: (-votes.down, votes.up, votes.label),
    )
    downvoted_answers = sorted(
        (answer for answer in voted if answer.down),
        key=lambda answer: (-answer.down, answer.up, answer.interaction.asked_at),
    )
    phase_order = {phase.value: index for index, phase in enumerate(Phase)}
    return Report(
        since=since,
        until=now,
        total=sum(by_status.values()),
        by_status={status: by_status[status] for status in ("answered", "clarify", "unknown")},
        groups=group_questions(unanswered),
        downvoted_topics=downvoted_topics,
        downvoted_answers=downvoted_answers,
        votes_up=sum(answer.up for answer in voted),
        votes_down=sum(answer.down for answer in voted),
        by_topic=[
            Count(topic, labels.get(topic, topic), n)
            for topic, n in sorted(topic_counts.items(), key=lambda item: (-item[1], labels.get(item[0], item[0])))
        ],
        by_phase=[
            Count(key, PHASE_LABELS[Phase(key)] if key in phase_order else key, n)
            for key, n in sorted(phase_counts.items(), key=lambda item: (phase_order.get(item[0], 99), item[0]))
        ],
        labels=labels,
        handoffs=storage.handoffs(since, hub_id=hub_id),
        hub=hub,
    )


# ----- plain text -----------------------------------------------------------------------------------
def _day(moment: dt.datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


_MARKDOWN = re.compile(r"([\\*_`~|>#\[\]])")


# Terminal escape sequences: CSI (ESC [ … or the one-byte CSI), OSC / DCS / APC / PM / SOS strings
# up to BEL or ST, and any other ESC + one character.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b.?",
    re.DOTALL,
)
# Characters that reorder or hide text in a terminal (bidirectional controls) or break lines.
_INVISIBLE = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def printable(text: str) -> str:
    """Teachers' text made safe to print: escape sequences removed, control and bidirectional
    characters dropped (line breaks and tabs become spaces), runs of spaces collapsed.
    """
    text = _ESCAPES.sub("", text)
    kept = (
        " " if char in "\t\n\r\x0b\x0c\u2028\u2029" else char
        for char in text
        if char in "\t\n\r\x0b\x0c\u2028\u2029"
        or (char not in _INVISIBLE and unicodedata.category(char) != "Cc")
    )
    return " ".join("".join(kept).split())


def _clip(text: str, limit: int) -> str:
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_report(report: Report, *, limit: int | None = None, markdown: bool = False) -> str:
    """The report as text: complete when ``limit`` is None, else shortened to fit ``limit`` characters
    (e.g. :data:`DISCORD_LIMIT`), dropping the least frequent items first. ``markdown`` bolds the
    headings and escapes teachers' text, for Discord.
    """
    if limit is None:
        return _render(report, items=None, clip=None, markdown=markdown)
    for items, clip in ((10, 120), (8, 100), (6, 90), (5, 80), (4, 70), (3, 60), (2, 50), (1, 40), (0, 40)):
        text = _render(report, items=items, clip=clip, markdown=markdown)
        if len(text) <= limit:
            return text
    return _clip(text, limit)


def _render(report: Report, *, items: int | None, clip: int | None, markdown: bool) -> str:
    def heading(text: str) -> str:
        return f"**{text}**" if markdown else text

    def quoted(text: str) -> str:
        text = _clip(text, clip) if clip else printable(text)
        return "“" + (_MARKDOWN.sub(r"\\\1", text) if markdown else text) + "”"

    def take(rows: Sequence[object]) -> tuple[Sequence[object], str | None]:
        if items is None or len(rows) <= items:
            return rows, None
        return rows[:items], f"  … and {len(rows) - items} more (full report: python -m bot report)"

    status = report.by_status
    lines = [
        heading(f"Staff report{f' of {report.hub}' if report.hub else ''}: {_day(report.since)} to {_day(report.until)}"),
        f"{report.total} question{'s' if report.total != 1 else ''}: {status['answered']} answered, "
        f"{status['clarify']} needed a choice (clarify), {status['unknown']} unknown. "
        f"Votes: {report.votes_up} 👍, {report.votes_down} 👎.",
        "",
        heading("Questions the bot could not answer (most frequent first)"),
    ]
    groups, more = take(report.groups)
    if not groups:
        lines.append("None in this period.")
    for number, group in enumerate(groups, 1):
        assert isinstance(group, QuestionGroup)
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(group.statuses.items()))
        examples = " · ".join(quoted(example) for example in group.examples)
        line = f"{number}. ×{group.count} ({statuses}): {examples}"
        if group.topics:
            line += " — offered: " + ", ".join(report.label(topic) for topic in group.topics[:3])
        lines.append(line)
    if more:
        lines.append(more)

    lines += ["", heading("Questions passed to the hub team"), _handoff_counts(report)]
    waiting, more = take(report.open_handoffs)
    if waiting:
        lines.append("Still waiting for an answer (oldest first):")
    for handoff in waiting:
        assert isinstance(handoff, Handoff)
        lines.append(f"• {_day(handoff.handed_off_at)}: {quoted(handoff.interaction.question)}")
    if more:
        lines.append(more)

    lines += ["", heading("Answers with the most 👎")]
    if not report.downvoted_topics:
        lines.append("No 👎 in this period.")
    else:
        topics, more = take(report.downvoted_topics)
        lines.append("By topic:")
        for votes in topics:
            assert isinstance(votes, TopicVotes)
            lines.append(f"• {votes.label}: {votes.down} 👎, {votes.up} 👍")
        if more:
            lines.append(more)
        answers, more = take(report.downvoted_answers)
        lines.append("By question:")
        for answer in answers:
            assert isinstance(answer, VotedAnswer)
            topic = ", ".join(report.label(t) for t in answer.interaction.topics) or NO_TOPIC
            lines.append(f"• {quoted(answer.interaction.question)} → {topic}: {answer.down} 👎, {answer.up} 👍")
        if more:
            lines.append(more)

    lines += ["", heading("Questions by topic")]
    counts, more = take(report.by_topic)
    lines += [f"• {count.label}: {count.questions}" for count in counts if isinstance(count, Count)] or ["None."]
    if more:
        lines.append(more)
    lines += ["", heading("Questions by phase")]
    lines += [f"• {count.label}: {count.questions}" for count in report.by_phase] or ["None."]
    return "\n".join(lines)


def _handoff_counts(report: Report) -> str:
    made = report.handed_off
    answered = sum(1 for handoff in made if handoff.outcome == "answered")
    unreachable = sum(1 for handoff in made if handoff.outcome == "unreachable")
    waiting = len(report.open_handoffs)
    line = f"{len(made)} in this period: {answered} answered"
    if unreachable:
        line += f", {unreachable} closed unanswered (the teacher could no longer be reached)"
    line += f". {waiting} open hand-off{'s' if waiting != 1 else ''}"
    older = sum(1 for handoff in report.open_handoffs if handoff.handed_off_at < report.since)
    return line + (f" ({older} from before this period)." if older else ".")


# ----- CSV ----------------------------------------------------------------------------------------
CSV_COLUMNS = ("section", "rank", "item", "detail", "questions", "thumbs_up", "thumbs_down")


def report_csv(report: Report) -> str:
    """The report as one CSV table; ``section`` says which part of the report a row belongs to."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(tuple(_cell(value) for value in row) for row in _csv_rows(report))
    return buffer.getvalue()


def _cell(value: object) -> object:
    """Teachers' text made printable; what a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    if value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _csv_rows(report: Report) -> Iterable[tuple[object, ...]]:
    for status, n in report.by_status.items():
        yield ("status", "", status, "", n, "", "")
    for rank, group in enumerate(report.groups, 1):
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(group.statuses.items()))
        detail = " | ".join(group.examples[1:])
        yield ("unanswered", rank, group.examples[0], f"{statuses}; {detail}" if detail else statuses, group.count, "", "")
    made = report.handed_off
    for outcome in ("answered", "unreachable"):
        yield ("handoffs", "", outcome, "", sum(1 for h in made if h.outcome == outcome), "", "")
    yield ("handoffs", "", "open", "", len(report.open_handoffs), "", "")
    for rank, handoff in enumerate(report.open_handoffs, 1):
        yield ("open_handoff", rank, handoff.interaction.question, f"handed off {handoff.handed_off_at.date().isoformat()}", "", "", "")
    for rank, votes in enumerate(report.downvoted_topics, 1):
        yield ("downvoted_topic", rank, votes.label, votes.topic, "", votes.up, votes.down)
    for rank, answer in enumerate(report.downvoted_answers, 1):
        topics = ", ".join(report.label(topic) for topic in answer.interaction.topics)
        yield ("downvoted_answer", rank, answer.interaction.question, topics, "", answer.up, answer.down)
    for rank, count in enumerate(report.by_topic, 1):
        yield ("topic", rank, count.label, count.key, count.questions, "", "")
    for rank, count in enumerate(report.by_phase, 1):
        yield ("phase", rank, count.label, count.key, count.questions, "", "")


def report_for_discord(
    storage: Storage,
    kb: KnowledgeBase,
    since: str = DEFAULT_SINCE,
    now: dt.datetime | None = None,
    hub_id: str | None = None,
    hub: str | None = None,
) -> str:
    """The report for ``/kb report``: Markdown, at most :data:`DISCORD_LIMIT` characters, of hub
    ``hub_id``'s records (named ``hub`` in the heading when given).

    Raises :class:`ValueError` (with a message to show) when ``since`` is not a period.
    """
    now = now or dt.datetime.now(dt.UTC)
    report = build_report(storage, kb, parse_since(since, now), now, hub_id, hub=hub)
    return render_report(report, limit=DISCORD_LIMIT, markdown=True)
