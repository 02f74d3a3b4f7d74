"""The command line as users meet it: help that documents --today, and one clear line for each mistake."""

from __future__ import annotations

import subprocess
import sys

from bot.staff.storage import SQLiteStorage
from tests.conftest import ROOT


def hubbot(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr + done.stdout


def test_ask_help_documents_today() -> None:
    done = hubbot("ask", "--help")
    assert done.returncode == 0
    assert "--today YYYY-MM-DD" in done.stdout and "pretend today is this date" in done.stdout


def test_ask_today_changes_the_deadline_wording() -> None:
    before = hubbot("ask", "--today", "2025-04-01", "when does the secondary mastery specialist programme close?")
    after = hubbot("ask", "--today", "2026-12-01", "when does the secondary mastery specialist programme close?")
    assert "close on Monday 28 April 2025 (extended deadline) — in 27 days" in before.stdout
    assert "That date has passed" in after.stdout


def test_output_cut_short_by_a_pipe_is_quiet() -> None:
    many = "what is sktm?\n" * 400  # far more than a pipe holds, so the writer meets the closed pipe
    done = subprocess.run(f"{sys.executable} -m bot ask --jsonl | head -c 10", shell=True, capture_output=True,
                          input=many, text=True, cwd=ROOT, timeout=120)
    assert "Traceback" not in done.stderr and "Broken pipe" not in done.stderr


def test_ics_to_a_missing_folder_is_one_clear_line(tmp_path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "deadlines.ics"
    done = hubbot("deadlines", "--ics", str(target))
    assert done.returncode == 1
    no_traceback(done)
    assert done.stderr.strip().splitlines() == [
        f"hubbot: cannot write 1 deadline to {target}: the folder {target.parent} does not exist"]
    assert not target.exists()


def test_report_before_any_question_is_recorded(tmp_path) -> None:
    missing = hubbot("report", "--database", str(tmp_path / "hubbot.sqlite3"))
    assert missing.returncode == 0
    assert missing.stdout.startswith("No questions recorded yet")
    no_traceback(missing)
    empty = tmp_path / "empty.sqlite3"
    SQLiteStorage(empty).close()
    done = hubbot("report", "--database", str(empty), "--since", "2026-01-01")
    assert done.returncode == 0
    assert done.stdout.strip() == "No questions recorded yet since 01 January 2026."


def test_a_file_that_is_not_a_database_is_one_clear_line(tmp_path) -> None:
    bad = tmp_path / "hubbot.sqlite3"
    bad.write_text("not a database " * 100, encoding="utf-8")
    done = hubbot("report", "--database", str(bad))
    assert done.returncode == 1
    no_traceback(done)
    assert done.stderr.strip().splitlines() == [
        f"hubbot report: cannot read the records at {bad}: DatabaseError: file is not a database"]


def test_a_bad_since_is_one_clear_line(tmp_path) -> None:
    database = tmp_path / "hubbot.sqlite3"
    SQLiteStorage(database).close()
    for since in ("soon", "30x", "2026-13-45"):
        done = hubbot("report", "--since", since, "--database", str(database))
        assert done.returncode == 2
        no_traceback(done)
        [line] = done.stderr.strip().splitlines()
        assert line == f"hubbot report: not a period: {since!r} (use e.g. 30d, 12h, 4w or a date YYYY-MM-DD)"


def test_deadlines_take_stage_words() -> None:
    done = hubbot("deadlines", "--phase", "y8", "--today", "2026-11-22")
    assert done.returncode == 0 and done.stdout.startswith("**Deadlines for Secondary**")
    bad = hubbot("deadlines", "--phase", "nursery")
    assert bad.returncode == 2 and "ks2" in bad.stderr


def test_validate_verbose_works_as_the_grouped_warnings_say() -> None:
    short = hubbot("validate")
    assert short.returncode == 0 and "--verbose lists them" in short.stdout
    full = hubbot("validate", "--verbose")
    assert full.returncode == 0, full.stderr
    assert full.stdout.count("has no url yet") >= 3 and "--verbose lists them" not in full.stdout
