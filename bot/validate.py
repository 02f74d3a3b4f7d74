"""`python -m bot validate`: check the knowledge base the way hub staff need — every problem at once.

Errors are listed one by one. Warnings of the same kind ("link … has no url yet") are counted on
one line, so a real problem stands out; ``verbose`` lists each of them. A hub with no contact
detail is said first and last, because teachers then have nowhere to go.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.engine.dates import today_in_london
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.checks import NO_CONTACT
from bot.knowledge.loader import load_knowledge
from bot.knowledge.problems import KnowledgeError, Problem
from bot.knowledge.schema import PHASE_LABELS, Phase
from bot.listings import deadline_overview

# Warnings counted on one line, by a pattern of their message: (pattern, what N of them are, what to do).
GROUPS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"has no url yet"), "links without an address", "add each url when the hub publishes it"),
    (re.compile(r"\) has passed$"), "deadlines that have passed", "update them for the next round"),
    (re.compile(r"^academic year .* is over$"), "entries whose academic year is over", "review them against newer sources"),
    (re.compile(r"^last reviewed "), "entries last reviewed more than a year ago", "review them"),
    (re.compile(r"depends on when it is read"), "texts with relative time words", "write the year the source speaks of"),
    (re.compile(r"past offer, so the flow won't suggest it"), "suggestions of past offers", "suggest current offers"),
    (re.compile(r"^FAQ question .*, not from "), "FAQ questions that reach another entry or none",
     "reword them or name the programme"),
    (re.compile(r"has no title in hub\.yaml"), "files quoting documents without a title in hub.yaml",
     "list each document under documents: with its title"),
)
GROUP_FROM = 3  # fewer warnings of a kind than this are listed one by one


def validate_command(directory: Path, sources: Path | None, today: dt.date | None, verbose: bool = False) -> int:
    """Print errors (exit 1) or warnings and a summary (exit 0)."""
    day = today or today_in_london()
    try:
        kb = load_knowledge(directory, today=day, sources_dir=sources)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem)
        count = len(exc.problems)
        print(f"\n✗ {count} error{'s' if count != 1 else ''} — the bot keeps serving the last good version until they are fixed.")
        return 1
    no_contact = not kb.hub.has_contact_detail
    if no_contact:
        print(f"⚠ {NO_CONTACT}.\n")
    warnings = [w for w in kb.warnings if w.message != NO_CONTACT] + _unreached_faqs(kb, day)
    for line in warning_lines(warnings, verbose):
        print(line)
    print(summary(kb, day, sources))
    if no_contact:
        print("⚠ No contact detail in hub.yaml (email, website or phone).")
    return 0


def _unreached_faqs(kb: KnowledgeBase, today: dt.date) -> list[Problem]:
    """FAQ questions the engine answers from another entry (or not at all), so staff see it as they write one."""
    from bot.engine.engine import Engine
    from bot.engine.selfcheck import unreached_faqs

    return unreached_faqs(Engine(kb), today)


def validate_hubs(config: Path, sources: Path | None, today: dt.date | None, verbose: bool = False) -> int:
    """Check the knowledge folder of every hub ``config`` names (one after another, each headed by
    its hub); exit 1 when any has errors, 2 when the settings cannot be read.
    """
    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings(config)
    except ConfigError as error:
        print(f"hubbot validate: {error}", file=sys.stderr)
        return 2
    failed = []
    for number, hub in enumerate(settings.hub_list):
        print(f"{chr(10) if number else ''}== hub {hub.id}: {hub.knowledge_dir}")
        if validate_command(hub.knowledge_dir, sources, today, verbose) != 0:
            failed.append(hub.id)
    count = len(settings.hub_list)
    if failed:
        print(f"\n✗ {len(failed)} of {count} hub{'s' if count != 1 else ''} with errors: {', '.join(failed)}.")
        return 1
    print(f"\n✓ every hub's knowledge base is valid ({count} hub{'s' if count != 1 else ''}).")
    return 0


def warning_lines(warnings: Sequence[Problem], verbose: bool = False) -> list[str]:
    """Each warning, or, unless ``verbose``, one line per kind that has many."""
    if verbose:
        return [str(w) for w in warnings]
    grouped: dict[int, list[Problem]] = {}
    single: list[Problem] = []
    for warning in warnings:
        kind = next((i for i, (pattern, _, _) in enumerate(GROUPS) if pattern.search(warning.message)), None)
        if kind is None:
            single.append(warning)
        else:
            grouped.setdefault(kind, []).append(warning)
    lines = []
    for kind, found in sorted(grouped.items()):
        if len(found) < GROUP_FROM:
            single.extend(found)
            continue
        _, what, todo = GROUPS[kind]
        files = len({w.file for w in found})
        lines.append(f"warning: {len(found)} {what} in {files} file{'s' if files != 1 else ''} ({todo}; --verbose lists them)")
    return [str(w) for w in sorted(single, key=Problem.sort_key)] + lines


def summary(kb: KnowledgeBase, today: dt.date, sources: Path | None) -> str:
    """Entries by phase, open and recently closed deadlines, and what was checked."""
    counts = kb.counts_by_phase()
    historical = sum(1 for entry in kb if entry.status == "historical")
    lines = [
        "",
        f"✓ {len(kb)} entries loaded (version {kb.version}); {len(kb.warnings)} warning(s).",
        "Current entries by phase: " + ", ".join(f"{PHASE_LABELS[p]} {counts[p]}" for p in Phase),
        f"Historical entries: {historical}",
        f"Outside topics (not hub offers): {len(kb.outside)}",
    ]
    missing_urls = sum(1 for entry in kb for link in entry.links if not link.url)
    if missing_urls:
        lines.append(f"Links still without an address: {missing_urls}")
    upcoming, closed = deadline_overview(kb, today)
    lines.append("Upcoming deadlines: " + ("; ".join(line.text() for line in upcoming) if upcoming else "none"))
    if closed:
        lines.append("Recently closed: " + "; ".join(line.text() for line in closed))
    lines.append(
        f"Quotes and figures checked against {sources}." if sources and sources.is_dir()
        else "Quotes not checked (no source documents found; pass --sources DIR)."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.validate [DIR] [--sources DIR] [--verbose]``."""
    from bot.cli import PROJECT_ROOT, default_sources

    parser = argparse.ArgumentParser(prog="python -m bot.validate", description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=PROJECT_ROOT / "knowledge")
    parser.add_argument("--sources", type=Path)
    parser.add_argument("--verbose", action="store_true", help="list every warning instead of counting them by kind")
    args = parser.parse_args(argv)
    return validate_command(args.directory, args.sources or default_sources(), None, args.verbose)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
