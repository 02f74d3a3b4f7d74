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
    report.add_argument("--config", type=Path, metavar="FILE", help="settings file naming the hubs (default: config.yaml if present)")
    report.add_argument("--hub", metavar="ID", help="only this hub's records (with several hubs configured: else one report per hub)")


def report_command(
    knowledge_dir: Path,
    since_text: str,
    csv_path: Path | None,
    database: str | Path | None,
    *,
    config: Path | None = None,
    hub_id: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Print the staff report (and write the CSV); exit code 0 (also with nothing recorded yet), 1 (bad
    knowledge base or an unwritable CSV) or 2 (bad usage).

    The hubs are the settings' (``config``, else ``config.yaml`` if present): with ``hubs`` listed,
    one report per hub (each named from its own knowledge base), or only ``hub_id``'s; without,
    the one hub, whose topics are named from ``knowledge_dir`` — the records of every hub unless
    ``hub_id`` is given.
    """
    from bot.config import DEFAULT_HUB_ID, ConfigError, load_settings
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
    try:
        settings = load_settings(config)
    except ConfigError as error:
        print(f"hubbot report: {error}", file=sys.stderr)
        return 2
    several = bool(settings.hubs)
    hubs = {hub.id: hub.knowledge_dir for hub in settings.hub_list} if several else {DEFAULT_HUB_ID: knowledge_dir}
    if hub_id is not None and hub_id not in hubs:
        print(f"hubbot report: no hub {hub_id!r} in the settings (hubs: {', '.join(hubs)})", file=sys.stderr)
        return 2
    if csv_path is not None and several and hub_id is None and len(hubs) > 1:
        print(f"hubbot report: several hubs are configured: name one for the CSV with --hub ({', '.join(hubs)})", file=sys.stderr)
        return 2
    chosen = [hub_id] if hub_id is not None else list(hubs)
    if database is None:
        database = settings.database_url.get_secret_value() if settings.database_url else settings.database_path
    if not is_postgres_url(str(database)):
        database = Path(database)
        if not database.exists():
            print(f"No questions recorded yet: there is no database at {database} "
                  "(the bot creates it when it records its first question).")
            return 0
    try:
        kbs = {hub: load_knowledge(hubs[hub]) for hub in chosen}
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    try:
        with open_database(database) as storage:
            reports = [
                build_report(
                    storage, kbs[hub], since, now,
                    hub if several or hub_id is not None else None,  # the one hub of a file without hubs: every record
                    hub=f"{kbs[hub].hub.name} ({hub})" if several else None,
                )
                for hub in chosen
            ]
    except DATABASE_ERRORS as error:
        # A PostgreSQL failure names the server itself (never with the password); a file is named here.
        where = "" if is_postgres_url(str(database)) else f" at {database}"
        print(f"hubbot report: cannot read the records{where}: {describe_failure(error)}", file=sys.stderr)
        return 1
    if csv_path is not None and str(csv_path) == "-":
        sys.stdout.write(report_csv(reports[0]))
        return 0
    if len(reports) > 1:
        counts = ", ".join(f"{hub} {report.total}" for hub, report in zip(chosen, reports, strict=True))
        total = sum(report.total for report in reports)
        print(f"All {len(reports)} hubs: {total} question{'s' if total != 1 else ''} since {since:%d %B %Y} ({counts}).\n")
    for number, report in enumerate(reports):
        if number:
            print()
        if report.total == 0:
            whose = f" for {report.hub}" if report.hub else ""
            print(f"No questions recorded yet{whose} since {since:%d %B %Y}.")
        else:
            print(render_report(report))
    if csv_path is not None:
        return _write(csv_path, report_csv(reports[0]).encode("utf-8"), "the CSV")
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
