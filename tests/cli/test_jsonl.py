"""`ask --jsonl`: every input line answered, whatever its bytes, and every output line valid UTF-8 JSON."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

BATCH = (
    b"when does the secondary mastery specialist programme close?\n"
    b"is \xff\xfe SKTM \x80 free? caf\xe9\n"  # not UTF-8: stray bytes and a Latin-1 accent
    b"\xed\xa0\x80 lone surrogate, encoded\r\n"  # what UTF-8 forbids, with a Windows line ending
    b"\n"
    b"who is teaching for mastery for?"  # the last line has no newline
)


def run(stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "ask", "--jsonl", "--today", "2026-12-01"], input=stdin,
                          capture_output=True, cwd=ROOT, timeout=120)


def test_every_line_is_answered_in_valid_utf8_json() -> None:
    done = run(BATCH)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]  # strict UTF-8
    assert len(rows) == 5
    assert rows[0]["status"] == "answered" and "28 April 2025" in rows[0]["text"]
    assert rows[1]["question"] == "is \ufffd\ufffd SKTM \ufffd free? caf\ufffd"
    assert rows[2]["question"].endswith("lone surrogate, encoded")  # no stray "\r"
    assert rows[3]["question"] == "" and rows[3]["text"]
    assert rows[4]["question"] == "who is teaching for mastery for?" and rows[4]["status"] == "answered"
    for row in rows:
        assert set(row) == {"question", "status", "text", "topics", "confidence"}


def test_the_same_answers_as_one_question_at_a_time() -> None:
    batch = run(b"what is sktm?\nwho can do mastering number at ks2?\n")
    rows = [json.loads(line) for line in batch.stdout.decode("utf-8").splitlines()]
    single = subprocess.run([sys.executable, "-m", "bot", "ask", "--today", "2026-12-01", "who can do mastering number at ks2?"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert rows[1]["text"] == single.stdout.rstrip("\n")
