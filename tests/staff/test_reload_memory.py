"""Reloads do not leak: after 500 reloads of an unchanged knowledge base the bot's memory is flat.

Each run is a fresh interpreter (memory left by other tests would hide or fake a leak) that loads
the knowledge base as the bot does, answers a question, reloads it through the same
``KnowledgeService.reload`` the file watcher and ``/kb reload`` use, answering after every reload
(so per-version caches, such as the typo corrector's, are built each time), and reports the
resident set size after a warm-up and at the end.

500 reloads of the two-entry test knowledge base take seconds; a leak of one engine per reload
would keep about 40 kB each (20 MB). The bundled knowledge base (about 0.25 MB per leaked engine)
is reloaded 100 times, which a leak would also take far past the 5 MB allowed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE, ROOT

SMALL = Path(__file__).resolve().parents[1] / "discord" / "knowledge"
FLAT_MB = 5.0
CHILD = textwrap.dedent(
    """
    import asyncio, gc, json, sys
    from pathlib import Path
    from bot.bench.machine import rss_mb
    from bot.discord_app.knowledge import KnowledgeService

    async def main(directory, reloads, question):
        service = KnowledgeService.load(Path(directory))
        for _ in range(20):  # warm up: caches, interned strings, the allocator's pools
            await service.reload()
            service.current.engine.answer(question)
        gc.collect()
        start = rss_mb()
        for _ in range(reloads):
            await service.reload()
            service.current.engine.answer(question)
        gc.collect()
        print(json.dumps({"start": start, "end": rss_mb()}))

    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
    """
)


def reload_memory(directory: Path, reloads: int, question: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(directory), str(reloads), question],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("directory", "reloads", "question"),
    [
        (SMALL, 500, "when do number club applications close?"),
        (KNOWLEDGE, 100, "wen do aplications close for the secondary mastery specalist programme"),  # a typo to correct
    ],
    ids=["500 reloads of a small knowledge base", "100 reloads of the bundled one"],
)
def test_memory_is_flat_after_many_reloads_of_an_unchanged_knowledge_base(
    directory: Path, reloads: int, question: str
) -> None:
    memory = reload_memory(directory, reloads, question)
    grown = memory["end"] - memory["start"]
    assert grown < FLAT_MB, f"RSS grew {grown:.1f} MB over {reloads} reloads ({memory['start']:.1f} → {memory['end']:.1f} MB)"
