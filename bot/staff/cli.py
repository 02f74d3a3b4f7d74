"""The staff commands of the command line: ``report`` and ``deadlines --ics`` (wired in ``bot/cli.py``)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from bot.knowledge.base import KnowledgeBase
from bot.knowledge.problems import KnowledgeError


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
    """Print the staff report (and write the CSV); exit code 0, 1 (no data or bad KB) or 2 (bad usage)."""
    from bot.knowledge.loader import load_knowledge
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
            print(f"hubbot report: no database at {database} yet (the bot creates it when it runs)", file=sys.stderr)
            return 1
    try:
        kb = load_knowledge(knowledge_dir)
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    try:
        with open_database(database) as storage:
            report = build_report(storage, kb, since, now)
    except DATABASE_ERRORS as error:
        print(f"hubbot report: cannot read the records: {describe_failure(error)}", file=sys.stderr)
        return 1
    if csv_path is not None and str(csv_path) == "-":
        sys.stdout.write(report_csv(report))
        return 0
    print(render_report(report))
    if csv_path is not None:
        csv_path.write_text(report_csv(report), encoding="utf-8", newline="")
        print(f"\nwrote {csv_path}")
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
    path.write_bytes(content)
    count = len(calendar_deadlines(kb, phase))
    print(f"wrote {count} deadline{'s' if count != 1 else ''} to {path}")
    return 0
