"""The staff commands of the command line: ``report`` and ``deadlines --ics`` (wired in ``bot/cli.py``)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when used, so building the command line stays light
    from bot.knowledge.base import KnowledgeBase


def add_report_parser(commands: Any) -> None:
    """Add ``report`` to the sub-command parsers."""
    report = commands.add_parser(
        "report", help="what teachers asked that the bot could not answer, 👎 answers, counts by topic and phase"
    )
    report.add_argument("--since", default="30d", help="period: 30d, 12h, 4w or a date YYYY-MM-DD (default 30d)")
    report.add_argument("--csv", type=Path, metavar="FILE", help="also write the report as CSV ('-' for standard output)")
    report.add_argument(
        "--database", metavar="PATH_OR_URL",
        help="SQLite file or postgresql:// address (default: the database_url or database_path setting)",
    )


def report_command(
    knowledge_dir: Path,
    since_text: str,
    csv_path: Path | None,
    database: str | Path | None,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Print the staff report (and write the CSV); exit code 0 (also with nothing recorded yet), 1 (bad
    knowledge base or an unwritable CSV) or 2 (bad usage).
    """
    from bot.knowledge.loader import load_knowledge
    from bot.knowledge.problems import KnowledgeError
    from bot.staff.report import build_report, parse_since, render_report, report_csv
    from bot.staff.storage import DATABASE_ERRORS, describe_failure, is_postgres_url, open_database

    now = now or dt.datetime.now(dt.UTC)
    try:
        since = parse_since(since_text, now)
    except ValueError as error:
        print(f"hubbot report: {error}", file=sys.stderr)
        return 2
    if database is None:
        from bot.config import ConfigError, load_settings

        try:
            settings = load_settings()
        except ConfigError as error:
            print(f"hubbot report: {error}", file=sys.stderr)
            return 2
        database = settings.database_url.get_secret_value() if settings.database_url else settings.database_path
    if not is_postgres_url(str(database)):
        database = Path(database)
        if not database.exists():
            print(f"No questions recorded yet: there is no database at {database} "
                  "(the bot creates it when it records its first question).")
            return 0
    try:
        kb = load_knowledge(knowledge_dir)
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    try:
        with open_database(database) as storage:
            report = build_report(storage, kb, since, now)
    except DATABASE_ERRORS as error:
        # A PostgreSQL failure names the server itself (never with the password); a file is named here.
        where = "" if is_postgres_url(str(database)) else f" at {database}"
        print(f"hubbot report: cannot read the records{where}: {describe_failure(error)}", file=sys.stderr)
        return 1
    if csv_path is not None and str(csv_path) == "-":
        sys.stdout.write(report_csv(report))
        return 0
    if report.total == 0:
        print(f"No questions recorded yet since {since:%d %B %Y}.")
    else:
        print(render_report(report))
    if csv_path is not None:
        return _write(csv_path, report_csv(report).encode("utf-8"), "the CSV")
    return 0


def _write(path: Path, content: bytes, what: str) -> int:
    """Write a file the user named; a missing folder or a refusal is one clear line, exit 1."""
    if not path.parent.is_dir():
        print(f"hubbot: cannot write {what} to {path}: the folder {path.parent} does not exist", file=sys.stderr)
        return 1
    try:
        path.write_bytes(content)
    except OSError as error:
        print(f"hubbot: cannot write {what} to {path}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"wrote {what} to {path}")
    return 0


def ics_command(kb: KnowledgeBase, path: Path, phase_text: str | None) -> int:
    """Write the deadlines calendar to ``path`` ('-' for standard output)."""
    from bot.listings import parse_phase
    from bot.staff.calendar import build_calendar, calendar_deadlines

    phase = parse_phase(phase_text)
    if phase_text and phase is None:
        print(f"unknown phase {phase_text!r}: use early-years, primary, secondary, post-16 or cross-phase", file=sys.stderr)
        return 2
    content = build_calendar(kb, phase=phase).to_ical()
    if str(path) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    count = len(calendar_deadlines(kb, phase))
    return _write(path, content, f"{count} deadline{'s' if count != 1 else ''}")
