"""The staff report: similar questions grouped, 👎 answers, counts by topic and phase, text and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge.base import KnowledgeBase
from bot.staff.report import (
    DISCORD_LIMIT,
    build_report,
    group_questions,
    normalise,
    parse_since,
    render_report,
    report_csv,
    report_for_discord,
)
from bot.staff.storage import SQLiteStorage
from tests.staff.conftest import NOW, Offer, make_kb, record, write_kb

OFFERS = [
    Offer("number-club", "Number Club", phases=("primary",)),
    Offer("algebra-circle", "Algebra Circle", phases=("secondary", "post-16")),
    Offer("leaders", "Leaders Network", phases=("cross-phase", "primary")),
]


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return make_kb(tmp_path / "knowledge", OFFERS)


def test_parse_since() -> None:
    assert parse_since("30d", NOW) == NOW - dt.timedelta(days=30)
    assert parse_since("12h", NOW) == NOW - dt.timedelta(hours=12)
    assert parse_since(" 2W ", NOW) == NOW - dt.timedelta(weeks=2)
    assert parse_since("2026-03-01", NOW) == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="not a period"):
        parse_since("last month", NOW)


def test_normalise_drops_filler_and_punctuation() -> None:
    assert normalise("When is the Maths Conference?!") == "math conference"
    assert normalise("Is it?") == "is it"  # nothing but filler: keep the words


def test_similar_questions_are_grouped_most_frequent_first() -> None:
    asked = [
        "When is the maths conference?",
        "when is the maths conference",
        "What date is the maths conference this year?",
        "maths conference date?",
        "Is there a maths conference in 2026?",
        "Do you run any chess clubs?",
        "chess club for year 5?",
        "Can I get a refund for the coding course?",
    ]
    records = [record(f"q{i}", text, asked_at=NOW - dt.timedelta(minutes=i)) for i, text in enumerate(asked)]
    groups = group_questions(records)
    assert [group.count for group in groups] == [5, 2, 1]
    conference, chess, refund = groups
    assert len(conference.examples) == 3
    assert all("conference" in example for example in conference.examples)
    assert conference.examples[0] == "When is the maths conference?"  # most recent of the most frequent wording
    assert all("chess" in example for example in chess.examples)
    assert refund.examples == ("Can I get a refund for the coding course?",)


def test_unrelated_questions_stay_apart() -> None:
    records = [record("a", "Who can join Number Club?"), record("b", "How much does Algebra Circle cost?")]
    assert len(group_questions(records)) == 2


def fill(storage: SQLiteStorage) -> None:
    """A month of questions: some unanswered, some clarified, some answered and voted on."""
    day = dt.timedelta(days=1)
    for i, text in enumerate(["Is there a maths conference?", "maths conference date", "When is the maths conference"]):
        storage.record_answer(record(f"u{i}", text, asked_at=NOW - i * day))
    storage.record_answer(record("c1", "club?", status="clarify", topics=("number-club", "algebra-circle")))
    storage.record_answer(record("old", "maths conference?", asked_at=NOW - 40 * day))  # before the period
    answered = [
        ("a1", "Who is Number Club for?", ("number-club",), [False, False]),
        ("a2", "When does Number Club start?", ("number-club",), [False, True]),
        ("a3", "Algebra Circle cost?", ("algebra-circle",), [True]),
        ("a4", "Leaders Network dates", ("leaders",), []),
    ]
    for answer_id, text, topics, votes in answered:
        item = record(answer_id, text, status="answered", topics=topics, asked_at=NOW - day)
        storage.record_answer(item)
        for up in votes:
            storage.record_vote(answer_id, up, NOW, item)


def test_report_contents(storage: SQLiteStorage, kb: KnowledgeBase) -> None:
    fill(storage)
    report = build_report(storage, kb, NOW - dt.timedelta(days=30), NOW)
    assert report.total == 8
    assert report.by_status == {"answered": 4, "clarify": 1, "unknown": 3}
    assert [group.count for group in report.groups] == [3, 1]
    assert report.groups[1].topics == ("number-club", "algebra-circle")
    assert [(v.label, v.down, v.up) for v in report.downvoted_topics] == [("Number Club", 3, 1)]
    assert [(a.interaction.answer_id, a.down) for a in report.downvoted_answers] == [("a1", 2), ("a2", 1)]
    assert (report.votes_up, report.votes_down) == (2, 3)
    by_topic = {count.label: count.questions for count in report.by_topic}
    assert by_topic == {"Number Club": 3, "Algebra Circle": 2, "Leaders Network": 1, "(no topic)": 3}
    # A question counts once per phase, however many of its topics share the phase.
    by_phase = {count.key: count.questions for count in report.by_phase}
    assert by_phase == {"primary": 4, "secondary": 2, "post-16": 2, "cross-phase": 1, "(no topic)": 3}

    text = render_report(report)
    assert "×3 (3 unknown)" in text
    assert "“Is there a maths conference?”" in text
    assert "Number Club: 3 👎, 1 👍" in text
    assert "“Who is Number Club for?” → Number Club: 2 👎, 0 👍" in text
    assert "Primary: 4" in text


def test_report_for_discord_fits_in_a_message(storage: SQLiteStorage, kb: KnowledgeBase) -> None:
    for i in range(300):
        word = hashlib.sha1(str(i).encode()).hexdigest()[:12]
        storage.record_answer(record(f"q{i}", f"Is there a course on {word} {'for teachers ' * (i % 5)}please?"))
    report = build_report(storage, kb, NOW - dt.timedelta(days=30), NOW)
    assert len(render_report(report)) > DISCORD_LIMIT
    short = render_report(report, limit=DISCORD_LIMIT, markdown=True)
    assert len(short) <= DISCORD_LIMIT
    assert short.startswith("**Staff report")
    assert "more (full report: python -m bot report)" in short


def test_markdown_in_questions_is_escaped_for_discord(storage: SQLiteStorage, kb: KnowledgeBase) -> None:
    storage.record_answer(record("m", "**free** `money`?"))
    report = build_report(storage, kb, NOW - dt.timedelta(days=1), NOW)
    assert "“\\*\\*free\\*\\* \\`money\\`?”" in render_report(report, limit=DISCORD_LIMIT, markdown=True)
    assert "“**free** `money`?”" in render_report(report)


def test_csv_export(storage: SQLiteStorage, kb: KnowledgeBase) -> None:
    fill(storage)
    storage.record_answer(record("f", "=HYPERLINK(\"http://evil\")"))
    report = build_report(storage, kb, NOW - dt.timedelta(days=30), NOW)
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    sections = {row["section"] for row in rows}
    assert sections == {"status", "unanswered", "handoffs", "downvoted_topic", "downvoted_answer", "topic", "phase"}
    first = next(row for row in rows if row["section"] == "unanswered")
    assert first["rank"] == "1" and first["questions"] == "3" and "maths conference" in first["item"]
    assert any(row["item"].startswith("'=HYPERLINK") for row in rows)  # not run as a formula
    topic = next(row for row in rows if row["section"] == "downvoted_topic")
    assert (topic["item"], topic["thumbs_down"], topic["thumbs_up"]) == ("Number Club", "3", "1")


def handed_off(storage: SQLiteStorage) -> None:
    """Three hand-offs in the period (one answered, one unreachable, one open) and one open from before."""
    day = dt.timedelta(days=1)
    hand_offs = [
        ("h-old", "Can someone ring me about the old course?", 45, None),
        ("h-answered", "Who do I talk to about funding?", 5, "answered"),
        ("h-lost", "Is the spring conference full?", 4, "unreachable"),
        ("h-open", "Can my TA come to the work group?", 2, None),
    ]
    for answer_id, text, days_ago, outcome in hand_offs:
        storage.record_answer(record(answer_id, text, asked_at=NOW - days_ago * day))
        storage.record_handoff(answer_id, NOW - days_ago * day)
        if outcome:
            storage.close_handoff(answer_id, outcome, NOW - (days_ago - 1) * day)


def test_report_lists_open_handoffs_whenever_made(storage: SQLiteStorage, kb: KnowledgeBase) -> None:
    handed_off(storage)
    report = build_report(storage, kb, NOW - dt.timedelta(days=30), NOW)
    assert [h.interaction.answer_id for h in report.open_handoffs] == ["h-old", "h-open"]
    text = render_report(report)
    section = text.split("Questions passed to the hub team\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        "3 in this period: 1 answered, 1 closed unanswered (the teacher could no longer be reached). "
        "2 open hand-offs (1 from before this period).",
        "Still waiting for an answer (oldest first):",
        "• 14 February 2026: “Can someone ring me about the old course?”",
        "• 29 March 2026: “Can my TA come to the work group?”",
    ]
    short = render_report(report, limit=DISCORD_LIMIT, markdown=True)
    assert "**Questions passed to the hub team**" in short and "Can my TA come to the work group?" in short
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    counts = {row["item"]: row["questions"] for row in rows if row["section"] == "handoffs"}
    assert counts == {"answered": "1", "unreachable": "1", "open": "2"}
    assert [row["item"] for row in rows if row["section"] == "open_handoff"] == [
        "Can someone ring me about the old course?",
        "Can my TA come to the work group?",
    ]

    storage.close_handoff("h-open", "answered", NOW)
    storage.close_handoff("h-old", "answered", NOW)
    text = render_report(build_report(storage, kb, NOW - dt.timedelta(days=30), NOW))
    assert "0 open hand-offs." in text and "Still waiting" not in text


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_kb(tmp_path / "knowledge", OFFERS)
    database = tmp_path / "hub.sqlite3"
    now = dt.datetime.now(dt.UTC)
    with SQLiteStorage(database) as storage:
        storage.record_answer(record("u", "Is there a maths conference?", asked_at=now - dt.timedelta(days=2)))
        storage.record_answer(record("o", "An old question?", asked_at=now - dt.timedelta(days=20)))
        storage.record_handoff("u", now - dt.timedelta(days=1))
    out_csv = tmp_path / "report.csv"
    code = main(["--knowledge", str(directory), "report", "--since", "7d", "--database", str(database), "--csv", str(out_csv)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Is there a maths conference?" in printed and "An old question?" not in printed
    assert "1 open hand-off." in printed, "python -m bot report shows the open hand-offs by default"
    assert "Is there a maths conference?" in out_csv.read_text(encoding="utf-8")

    assert main(["report", "--since", "soon", "--database", str(database)]) == 2
    capsys.readouterr()
    assert main(["report", "--database", str(tmp_path / "missing.sqlite3")]) == 0  # nothing recorded yet is no error
    assert "No questions recorded yet: there is no database" in capsys.readouterr().out


def test_report_for_discord(storage: SQLiteStorage, kb: KnowledgeBase) -> None:
    fill(storage)
    text = report_for_discord(storage, kb, "30d", now=NOW)
    assert len(text) <= DISCORD_LIMIT and "**Questions by phase**" in text
    with pytest.raises(ValueError, match="not a period"):
        report_for_discord(storage, kb, "yesterday", now=NOW)


HOSTILE = "\x1b[2J\x1b]0;owned\x07Is there\x1b[31m a trip\x1b[0m?\x07\x08\x00 \x9b1m\u202egnp.exe\nsecond line"
CONTROLS = ("\x1b", "\x07", "\x08", "\x00", "\x9b", "\u202e")


def test_teachers_text_cannot_drive_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_kb(tmp_path / "knowledge", OFFERS)
    database = tmp_path / "hub.sqlite3"
    now = dt.datetime.now(dt.UTC)
    with SQLiteStorage(database) as storage:
        storage.record_answer(record("u", HOSTILE, asked_at=now - dt.timedelta(hours=1)))
        kb_text = report_for_discord(storage, make_kb(tmp_path / "kb2", OFFERS), "7d", now=now)
    assert main(["--knowledge", str(directory), "report", "--since", "7d", "--database", str(database)]) == 0
    printed = capsys.readouterr().out
    assert main(["--knowledge", str(directory), "report", "--since", "7d", "--database", str(database), "--csv", "-"]) == 0
    csv_text = capsys.readouterr().out
    for shown in (printed, kb_text, csv_text):
        assert "Is there a trip?" in shown and "gnp.exe second line" in shown
        for control in CONTROLS:
            assert control not in shown, (control, shown)
