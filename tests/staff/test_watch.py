"""Watching the knowledge directory: a change to a YAML file calls the reload, once per burst."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.knowledge.problems import KnowledgeError, Problem
from bot.staff.watch import KnowledgeWatcher

QUIET_MS = 150


async def wait_for(condition, touch=None, timeout: float = 15.0) -> None:
    """Wait until ``condition()``; call ``touch()`` now and then meanwhile (the watcher may not be ready yet)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        if touch:
            touch()
        await asyncio.sleep(0.3)


def knowledge_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    (directory / "entries").mkdir(parents=True)
    (directory / "hub.yaml").write_text("name: A\n", encoding="utf-8")
    return directory


async def test_a_changed_file_calls_the_reload_and_stop_ends_the_watch(tmp_path: Path) -> None:
    directory = knowledge_dir(tmp_path)
    calls: list[float] = []

    async def reload() -> None:
        calls.append(time.monotonic())

    watcher = KnowledgeWatcher(directory, reload, quiet_ms=QUIET_MS, debounce_ms=2000)
    task = watcher.start()
    try:
        entry = directory / "entries" / "a.yaml"
        counter = iter(range(1000))
        await wait_for(lambda: calls, touch=lambda: entry.write_text(f"id: a{next(counter)}\n", encoding="utf-8"))
        await asyncio.sleep(QUIET_MS * 3 / 1000)

        # A burst of saves is one reload.
        calls.clear()
        for number in range(5):
            entry.write_text(f"id: burst{number}\n", encoding="utf-8")
            (directory / "entries" / f"b{number}.yaml").write_text("id: b\n", encoding="utf-8")
        await wait_for(lambda: calls)
        await asyncio.sleep(QUIET_MS * 4 / 1000)
        assert len(calls) == 1
    finally:
        await watcher.stop()
    assert task.done() and not watcher.running


async def test_other_files_are_ignored(tmp_path: Path) -> None:
    directory = knowledge_dir(tmp_path)
    calls: list[str] = []

    async def reload() -> None:
        calls.append("reload")

    watcher = KnowledgeWatcher(directory, reload, quiet_ms=QUIET_MS, debounce_ms=2000)
    watcher.start()
    try:
        hub = directory / "hub.yaml"
        await wait_for(lambda: calls, touch=lambda: hub.write_text(f"name: {time.time()}\n", encoding="utf-8"))
        await asyncio.sleep(QUIET_MS * 3 / 1000)
        calls.clear()
        (directory / "entries" / ".a.yaml.swp").write_text("x", encoding="utf-8")
        (directory / "notes.txt").write_text("x", encoding="utf-8")
        (directory / "entries" / "a.yaml~").write_text("x", encoding="utf-8")
        await asyncio.sleep(1.0)
        assert calls == []
    finally:
        await watcher.stop()


async def test_a_failing_reload_does_not_stop_the_watch(tmp_path: Path) -> None:
    directory = knowledge_dir(tmp_path)
    outcomes: list[str] = []

    async def reload() -> None:
        outcomes.append("call")
        if len(outcomes) == 1:
            raise KnowledgeError([Problem("entries/a.yaml", 3, 1, "bad")])
        if len(outcomes) == 2:
            raise RuntimeError("unexpected")

    watcher = KnowledgeWatcher(directory, reload, quiet_ms=QUIET_MS, debounce_ms=2000)
    watcher.start()
    try:
        entry = directory / "entries" / "a.yaml"
        await wait_for(lambda: len(outcomes) >= 3, touch=lambda: entry.write_text(f"id: {time.time()}\n", encoding="utf-8"))
        assert watcher.running
        assert watcher.reloads >= 1
    finally:
        await watcher.stop()
