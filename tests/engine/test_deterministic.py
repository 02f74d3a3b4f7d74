"""The same question gets the same reply in every process: no answer depends on Python's string-hash seed."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

# questions whose replies list several offers, the kind a set's iteration order could reorder
QUESTIONS = [
    "how do we join the secondary leadership community?",
    "someone told me to try 'the one with the lesson study', is that a maths hub programme?",
    "lead programme whos it for",
    "sktm days?",
    "what is there for secondary?",
]


def _replies(seed: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--jsonl", "--today", "2026-12-01"], input="\n".join(QUESTIONS) + "\n",
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120, check=True,
    )
    return done.stdout.splitlines()


def test_replies_do_not_depend_on_the_hash_seed() -> None:
    first, second = _replies("1"), _replies("2")
    assert len(first) == len(QUESTIONS)
    assert first == second
