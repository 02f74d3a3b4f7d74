"""The event loop stays free: with an engine slowed on purpose, a burst of concurrent questions is
answered (or deferred) within Discord's 3 s and the gateway heartbeat keeps its rhythm.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio

from bot.config import Settings
from bot.discord_app.knowledge import KnowledgeService, Snapshot
from bot.discord_app.offload import default_threads
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import APP_ID, TEACHER_ID, FakeDiscord

DEADLINE = 3.0
HEARTBEAT_MS = 400
BURST = 100
SLOW = 0.05
CHANNEL_MESSAGE, DEFERRED = 4, 5


def spins_for(seconds: float) -> int:
    """How many turns of an empty Python loop take ``seconds`` of CPU on this machine, alone."""
    turns = 100_000
    started = time.perf_counter()
    for _ in range(turns):
        pass
    return int(turns * seconds / (time.perf_counter() - started))


class SlowEngine:
    """The real engine, each answer, lookup and search made ``delay`` seconds slower (sleeping, as
    an engine waiting on I/O would) or, ``busy``, by that much pure-Python CPU work (holding the GIL).
    """

    def __init__(self, engine: Any, delay: float, *, busy: bool = False) -> None:
        self._engine = engine
        self._delay = delay
        self._busy = busy
        self._spins = spins_for(delay) if busy else 0
        self.calls = 0

    def _wait(self) -> None:
        self.calls += 1
        if not self._busy:
            time.sleep(self._delay)
            return
        for _ in range(self._spins):
            pass

    def answer(self, *args: Any, **kwargs: Any) -> Any:
        self._wait()
        return self._engine.answer(*args, **kwargs)

    def describe(self, *args: Any, **kwargs: Any) -> Any:
        self._wait()
        return self._engine.describe(*args, **kwargs)

    def search_names(self, *args: Any, **kwargs: Any) -> Any:
        self._wait()
        return self._engine.search_names(*args, **kwargs)

    def programmes_for_phase(self, *args: Any, **kwargs: Any) -> Any:
        self._wait()
        return self._engine.programmes_for_phase(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The fake with a short heartbeat interval, so a blocked event loop would show within the test."""
    fake = FakeDiscord(heartbeat_interval_ms=HEARTBEAT_MS)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def slowed(
    knowledge: KnowledgeService, delay: float = SLOW, *, busy: bool = False
) -> tuple[KnowledgeService, SlowEngine]:
    engine = SlowEngine(knowledge.current.engine, delay, busy=busy)
    return KnowledgeService(knowledge.directory, Snapshot(kb=knowledge.current.kb, engine=engine)), engine  # type: ignore[arg-type]


async def burst(fake_discord: FakeDiscord, count: int) -> list[tuple[float, int, dict]]:
    """``count`` people run /ask at once; for each: seconds to Discord's first response, its type, the payload."""

    async def one(person: int) -> tuple[float, int, dict]:
        question = [{"name": "question", "type": 3, "value": f"when do mastering number applications close? ({person})"}]
        started = time.monotonic()
        payload, response = await fake_discord.slash("ask", question, user_id=TEACHER_ID + person)
        return time.monotonic() - started, response.body["type"], payload

    return await asyncio.gather(*(one(person) for person in range(count)))


def heartbeat_gaps(fake_discord: FakeDiscord, since: float) -> list[float]:
    beats = [t for t in fake_discord.heartbeats if t >= since]
    return [later - earlier for earlier, later in itertools.pairwise(beats)]


async def test_a_burst_of_slow_answers_meets_the_deadline_and_keeps_the_heartbeat(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    service, engine = slowed(knowledge)
    await start_bot(settings_for(), service)
    await fake_discord.wait_for(lambda: len(fake_discord.heartbeats) >= 2)
    started = time.monotonic()
    results = await burst(fake_discord, BURST)
    # Every deferred answer arrives as a followup; wait for them all, then for two more heartbeats.
    deferred = [payload for _, kind, payload in results if kind == DEFERRED]
    for payload in deferred:
        await fake_discord.request("POST", rf"/webhooks/{APP_ID}/{payload['token']}")
    beats = len(fake_discord.heartbeats)
    await fake_discord.wait_for(lambda: len(fake_discord.heartbeats) >= beats + 2)

    timings = sorted(elapsed for elapsed, _, _ in results)
    assert engine.calls == BURST
    assert {kind for _, kind, _ in results} <= {CHANNEL_MESSAGE, DEFERRED}
    assert timings[-1] < DEADLINE, f"slowest first response {timings[-1]:.2f} s"
    gaps = heartbeat_gaps(fake_discord, started)
    assert len(gaps) >= 2
    interval = HEARTBEAT_MS / 1000
    # A heartbeat is due every interval; a busy loop would push it back by the time it was blocked.
    assert max(gaps) < interval + 0.1, f"heartbeat gaps {[round(g, 3) for g in gaps]}"
    print(
        f"\n{BURST} concurrent /ask, {SLOW * 1000:.0f} ms engine: first response p50 {statistics.median(timings):.2f} s, "
        f"max {timings[-1]:.2f} s, {len(deferred)} deferred; heartbeat gaps max {max(gaps):.3f} s (interval {interval} s)"
    )


LONG = 1.2  # an answer this slow would hold every other interaction up if it ran on the event loop


def option(name: str, value: str) -> list[dict]:
    return [{"name": name, "type": 3, "value": value}]


async def test_no_entry_point_runs_the_engine_on_the_event_loop(
    start_bot: StartBot,
    settings_for: Callable[..., Settings],
    knowledge: KnowledgeService,
    fake_discord: FakeDiscord,
) -> None:
    service, engine = slowed(knowledge, LONG)
    bot = await start_bot(settings_for())
    payload, clarify = await fake_discord.slash("ask", option("question", "tell me about mastering number"))
    candidate = next(
        item["custom_id"]
        for row in clarify.body["data"]["components"]
        for item in row["components"]
        if item.get("custom_id", "").startswith("hubbot:entry:")
    )
    clarify_message = fake_discord.response_message(payload)
    bot.hubs.only.knowledge = service  # from now on every lookup takes LONG seconds

    entry_points: dict[str, Callable[[], Any]] = {
        "/ask": lambda: fake_discord.slash("ask", option("question", "what is teaching for mastery?")),
        "mention": lambda: fake_discord.say(f"<@{bot.user.id}> what is teaching for mastery?"),
        "/programme": lambda: fake_discord.slash("programme", option("name", "mastering number")),
        "/programmes": lambda: fake_discord.slash("programmes", option("phase", "primary")),
        "/eligibility": lambda: fake_discord.slash("eligibility", option("programme", "mastering")),
        "autocomplete": lambda: fake_discord.autocomplete("programme", "name", "mastering"),
        "answer button": lambda: fake_discord.click(clarify_message, candidate),
    }
    reached: set[str] = set()
    for name, start in entry_points.items():
        calls = engine.calls
        # The test shares the bot's event loop: time from the start, so a loop the engine blocked shows.
        started = time.monotonic()
        slow = asyncio.create_task(start())
        await asyncio.sleep(0.05)  # let the slow interaction reach the engine
        _, help_reply = await fake_discord.slash("help")
        waited = time.monotonic() - started
        assert help_reply.body["data"]["embeds"]
        assert waited < LONG / 3, f"{name}: /help waited {waited:.2f} s behind the engine"
        await slow
        # Let the slow work finish before the next entry point (name lookups may not reach the engine).
        deadline = time.monotonic() + LONG + 2
        while engine.calls == calls and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if engine.calls != calls:
            reached.add(name)
    assert {"/ask", "mention", "/programmes", "answer button"} <= reached, reached


def test_one_worker_while_the_loop_needs_the_other_core() -> None:
    assert (default_threads(1), default_threads(2), default_threads(4), default_threads(64)) == (1, 1, 2, 2)
