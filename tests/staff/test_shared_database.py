"""Several bot processes sharing one database (each test runs on PostgreSQL and on a SQLite file):
real subprocesses racing for the same due reminders post each exactly once, and the questions and
votes of every process land in one report.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

from bot.knowledge.base import KnowledgeBase
from bot.staff.reminders import send_due_reminders
from bot.staff.report import build_report
from bot.staff.storage import SQLiteStorage
from tests.staff.conftest import Database, Offer, make_kb
from tests.staff.test_reminders import london

ROOT = Path(__file__).resolve().parents[2]
FIRST_DAY = dt.date(2026, 4, 1)
OFFERS = [
    Offer(f"offer-{n}", f"Offer {n}", deadlines=(("Applications close", FIRST_DAY + dt.timedelta(days=10 + n)),))
    for n in range(12)
]
DAYS = [FIRST_DAY + dt.timedelta(days=n) for n in range(24)]

POSTER = textwrap.dedent(
    """
    import asyncio, datetime as dt, logging, sys
    sys.path.insert(0, {root!r})
    from bot.engine.dates import LONDON
    from bot.knowledge.loader import load_knowledge
    from bot.staff.reminders import send_due_reminders
    from bot.staff.storage import open_database

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    kb = load_knowledge({kb!r}, today=dt.date(2026, 9, 1))
    storage = open_database({target!r})

    async def send(reminder):
        await asyncio.sleep(0.02)  # a post takes a moment: time for the other process to post it too
        print(f"posted {{reminder.entry_id}} {{reminder.lead_days}}", flush=True)

    async def main():
        print("ready", flush=True)
        for line in sys.stdin:
            day = dt.date.fromisoformat(line.strip())
            now = dt.datetime.combine(day, dt.time(10), tzinfo=LONDON).astimezone(dt.UTC)
            await send_due_reminders(kb, storage, send, now=now)
            print("done", flush=True)

    asyncio.run(main())
    """
)


def start(script: str, log: Path) -> subprocess.Popen[str]:
    with log.open("w") as stderr:  # a file, so that a chatty log can never fill a pipe and stall it
        return subprocess.Popen(
            [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True
        )


def read_until(child: subprocess.Popen[str], last: str) -> list[str]:
    assert child.stdout is not None
    lines = []
    while (line := child.stdout.readline()) and line.strip() != last:
        lines.append(line.strip())
    assert line, f"the process ended early (exit {child.wait(timeout=10)})"
    return lines


async def single_process_posts(kb: KnowledgeBase) -> list[tuple[str, int]]:
    """What one process alone posts over the same days: the reference."""
    posted: list[tuple[str, int]] = []

    async def send(reminder: object) -> None:
        posted.append((reminder.entry_id, reminder.lead_days))  # type: ignore[attr-defined]

    with SQLiteStorage(":memory:") as storage:
        for day in DAYS:
            await send_due_reminders(kb, storage, send, now=london(day))
    return posted


def test_two_processes_racing_for_the_same_reminders_post_each_once(database: Database, tmp_path: Path) -> None:
    kb_dir = tmp_path / "knowledge"
    kb = make_kb(kb_dir, OFFERS)
    database.open().close()  # the schema exists: the race is for the reminders, not the migrations
    script = POSTER.format(root=str(ROOT), kb=str(kb_dir), target=str(database.target))
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    children = [start(script, log) for log in logs]
    posts: list[list[tuple[str, int]]] = [[], []]
    try:
        for child in children:
            read_until(child, "ready")
        for day in DAYS:
            for child in children:  # both wake up to the same due reminders at the same moment
                assert child.stdin is not None
                child.stdin.write(day.isoformat() + "\n")
                child.stdin.flush()
            for number, child in enumerate(children):
                for line in read_until(child, "done"):
                    _, entry, lead = line.split()
                    posts[number].append((entry, int(lead)))
        for child in children:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(timeout=30)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    errors = [log.read_text(encoding="utf-8") for log in logs]
    assert [child.returncode for child in children] == [0, 0], errors
    expected = asyncio.run(single_process_posts(kb))
    assert len(expected) == 36  # 12 deadlines x leads of 14, 7 and 1 days
    every_post = posts[0] + posts[1]
    assert sorted(every_post) == sorted(expected), "a reminder was posted twice, or not at all"
    # The two really raced: each found reminders due that the other had claimed first.
    refused = [sum("being posted by another process" in line for line in err.splitlines()) for err in errors]
    assert sum(refused) > 0, errors


RECORDER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from bot.reply import Reply
    from bot.staff.record_writer import RecordWriter
    from bot.staff.records import Recorder
    from bot.staff.storage import open_database

    name = sys.argv[1]
    storage = open_database({target!r})
    recorder, writer = Recorder(storage), RecordWriter()
    for i in range({count}):
        status = "unknown" if i % 3 == 0 else "answered"
        reply = Reply(question=f"{{name}} question {{i}}?", status=status, headline="h", intent="deadline",
                      topics=("offer-1",) if status == "answered" else (), confidence=0.9)
        record = recorder.new_record(reply, guild_id=1, channel_id=2, kb_version="v")
        writer.submit(lambda record=record: recorder.write(record), "answer")
        if i % 2 == 0:
            writer.submit(lambda answer_id=record.answer_id, up=(i % 4 == 0): recorder.record_vote(answer_id, up), "vote")
    writer.close(timeout=30)
    print(writer.dropped, flush=True)
    storage.close()
    """
)
QUESTIONS = 30


def test_questions_and_votes_from_every_process_land_in_one_report(database: Database, tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "knowledge", OFFERS)
    database.open().close()
    script = RECORDER.format(root=str(ROOT), target=str(database.target), count=QUESTIONS)
    children = [
        subprocess.Popen([sys.executable, "-c", script, name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("shard-a", "shard-b")
    ]
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], results
    assert [out.strip() for out, _ in results] == ["0", "0"]  # nothing dropped

    now = dt.datetime.now(dt.UTC)
    with database.open() as storage:
        report = build_report(storage, kb, now - dt.timedelta(days=1), now)
        kept = {record.question for record in storage.interactions(now - dt.timedelta(days=1))}
    assert report.total == 2 * QUESTIONS
    assert report.by_status["unknown"] == 2 * len(range(0, QUESTIONS, 3))
    votes = [i for i in range(QUESTIONS) if i % 2 == 0]
    assert report.votes_up == 2 * sum(1 for i in votes if i % 4 == 0)
    assert report.votes_down == 2 * sum(1 for i in votes if i % 4 != 0)
    assert sum(group.count for group in report.groups) == report.by_status["unknown"]
    # The unanswered questions of both processes, and the answered ones someone voted on.
    expected = {f"{name} question {i}?" for name in ("shard-a", "shard-b") for i in range(QUESTIONS) if i % 3 == 0 or i % 2 == 0}
    assert kept == expected
