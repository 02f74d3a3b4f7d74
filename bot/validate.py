"""`python -m bot validate`: check the knowledge base the way hub staff need — every problem at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.engine.dates import today_in_london
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.loader import load_knowledge
from bot.knowledge.problems import KnowledgeError
from bot.knowledge.schema import PHASE_LABELS, Phase
from bot.listings import deadline_overview


def validate_command(directory: Path, sources: Path | None, today: dt.date | None) -> int:
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
    for warning in kb.warnings:
        print(warning)
    print(summary(kb, day, sources))
    return 0


def summary(kb: KnowledgeBase, today: dt.date, sources: Path | None) -> str:
    """Entries by phase, open and recently closed deadlines, and what was checked."""
    counts = kb.counts_by_phase()
    historical = sum(1 for entry in kb if entry.status == "historical")
    lines = [
        "",
        f"✓ {len(kb)} entries loaded (version {kb.version}); {len(kb.warnings)} warning(s).",
        "Current entries by phase: " + ", ".join(f"{PHASE_LABELS[p]} {counts[p]}" for p in Phase),
        f"Historical entries: {historical}",
    ]
    missing_urls = sum(1 for entry in kb for link in entry.links if not link.url)
    if missing_urls:
        lines.append(f"Links still without an address: {missing_urls} (listed above as warnings)")
    upcoming, closed = deadline_overview(kb, today)
    lines.append("Upcoming deadlines: " + ("; ".join(line.text() for line in upcoming) if upcoming else "none"))
    if closed:
        lines.append("Recently closed: " + "; ".join(line.text() for line in closed))
    lines.append(
        f"Quotes checked word for word against {sources}." if sources and sources.is_dir()
        else "Quotes not checked (no source documents found; pass --sources DIR)."
    )
    return "\n".join(lines)

