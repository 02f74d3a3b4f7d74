"""The background warm-up: every entry's answer units built ahead of the questions, answers unchanged."""

from __future__ import annotations

import asyncio
import threading

from bot.discord_app.knowledge import KnowledgeService
from bot.engine.engine import Engine
from bot.knowledge.cache import ParseCache
from bot.knowledge.loader import load_knowledge
from bot.render import render_text
from tests.conftest import KNOWLEDGE, TODAY

QUESTIONS = ("when does the sms close?", "how many hubs", "is the TA sktm for primary or secondary?", "sktm days")


def test_prepare_builds_every_entry_and_changes_no_answer() -> None:
    kb = load_knowledge(KNOWLEDGE, today=TODAY, cache=ParseCache())
    cold = Engine(kb, cache=ParseCache())
    before = [render_text(cold.answer(q, TODAY)) for q in QUESTIONS]
    warmed = Engine(kb, cache=ParseCache())
    assert warmed.prepare() == len(kb)
    assert all(warmed.units.built(entry_id) for entry_id in kb.entries)
    assert warmed.prepare() == 0  # nothing left to build
    assert [render_text(warmed.answer(q, TODAY)) for q in QUESTIONS] == before


def test_prepare_stops_when_told() -> None:
    kb = load_knowledge(KNOWLEDGE, today=TODAY, cache=ParseCache())
    stop = threading.Event()
    stop.set()
    assert Engine(kb, cache=ParseCache()).prepare(stop) == 0


def test_the_service_warms_up_each_version_it_puts_in_service() -> None:
    service = KnowledgeService.load(KNOWLEDGE)
    assert service.wait_prepared(timeout=30)
    first = service.current
    assert all(first.engine.units.built(entry_id) for entry_id in first.kb.entries)
    asyncio.run(service.reload())
    assert service.current is not first and service.wait_prepared(timeout=30)
    assert all(service.current.engine.units.built(entry_id) for entry_id in service.current.kb.entries)


def test_a_save_while_another_thread_adds_items_does_not_fail(tmp_path) -> None:
    cache = ParseCache(tmp_path / "cache.marshal")
    done = threading.Event()

    def add() -> None:
        for number in range(20_000):
            cache.put(f"units:{number}", (1, 2, 3, 4, 5))
        done.set()

    writer = threading.Thread(target=add)
    writer.start()
    while not done.is_set():
        cache.save()
    writer.join()
    cache.save()
    assert len(ParseCache(tmp_path / "cache.marshal")) == len(cache)
