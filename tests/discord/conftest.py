"""Fixtures for the loopback tests: a fake Discord, and the real bot connected to it.

Errors that discord.py (or the bot) logs instead of raising fail the test that caused them.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio

from bot.config import Settings
from bot.discord_app.client import HubBot
from bot.discord_app.knowledge import KnowledgeService
from bot.discord_app.runner import build_bot
from tests.discord.fake_discord import GUILD_ID, STAFF_CHANNEL_ID, STAFF_ROLE_ID, FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = ROOT / "knowledge"
SMALL_KNOWLEDGE_DIR = Path(__file__).resolve().parent / "knowledge"


class ErrorRecords(logging.Handler):
    """Collects ERROR log records from discord.py, the bot and the fake's web server (a request the
    fake cannot read is a harness failure worth seeing, not a timeout)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.expected = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("discord", "bot", "aiohttp.server", "aiohttp.web")):
            self.records.append(record)

    def expect(self, count: int) -> None:
        """The test causes ``count`` errors on purpose (e.g. to test the error handler)."""
        self.expected += count


@pytest.fixture
def logged_errors() -> Iterator[ErrorRecords]:
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    described = "\n".join(
        f"{r.name}: {r.getMessage()}\n{logging.Formatter().formatException(r.exc_info) if r.exc_info else ''}"
        for r in handler.records
    )
    assert len(handler.records) == handler.expected, f"errors were logged:\n{described}"


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeService:
    """The real knowledge base and engine, loaded once for every loopback test."""
    return KnowledgeService.load(KNOWLEDGE_DIR)


@pytest.fixture
def small_knowledge(tmp_path: Path) -> KnowledgeService:
    """A two-entry knowledge base (one form with an address) in a copy the test may change."""
    directory = tmp_path / "knowledge"
    shutil.copytree(SMALL_KNOWLEDGE_DIR, directory)
    return KnowledgeService.load(directory)


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def restore_endpoints() -> Iterator[None]:
    """Put discord.py's REST base and gateway back after a test pointed them at a fake."""
    rest, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = rest, gateway


@pytest.fixture
def settings_for(fake_discord: FakeDiscord, tmp_path: Path) -> Callable[..., Settings]:
    """Settings pointing at the fake; keyword arguments override any setting."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "knowledge_dir": KNOWLEDGE_DIR,
            "guild_ids": [GUILD_ID],
            "rest_base_url": fake_discord.rest_base_url,
            "gateway_url": fake_discord.gateway_url,
            "command_sync_state": tmp_path / "command-sync.json",
            "database_path": tmp_path / "hubbot.sqlite3",
            "watch_knowledge_dir": False,  # the loopback tests share one loaded copy of knowledge/
            "staff_role_ids": [STAFF_ROLE_ID],
            "staff_channel_id": STAFF_CHANNEL_ID,
            "cooldown_seconds": 0,
            "token": "fake-token",
        }
        values.update(overrides)
        return Settings.model_validate(values)

    return make


StartBot = Callable[..., Awaitable[HubBot]]


@pytest_asyncio.fixture
async def start_bot(
    fake_discord: FakeDiscord, knowledge: KnowledgeService, logged_errors: ErrorRecords, restore_endpoints: None
) -> AsyncIterator[StartBot]:
    """Starts the real bot against the fake and returns it once ready; closes it after the test.

    Keyword arguments go to the bot (e.g. ``clock``).
    """
    started: list[tuple[HubBot, asyncio.Task[None]]] = []

    async def start(settings: Settings, service: KnowledgeService | None = None, **options: Any) -> HubBot:
        bot = build_bot(settings, service or knowledge, guild_ready_timeout=0.01, **options)
        identified = fake_discord.identified
        running = asyncio.create_task(bot.start(settings.token.get_secret_value()))
        started.append((bot, running))
        session = asyncio.create_task(fake_discord.wait_for(lambda: fake_discord.identified > identified))
        await asyncio.wait({running, session}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():  # it failed to start: show why
            session.cancel()
            running.result()
        await session
        async with asyncio.timeout(10):
            await bot.wait_until_ready()
        return bot

    try:
        yield start
    finally:
        for bot, task in started:
            await bot.close()
            await task


@pytest_asyncio.fixture
async def bot(start_bot: StartBot, settings_for: Callable[..., Settings]) -> HubBot:
    """The bot with the test settings, connected and ready."""
    return await start_bot(settings_for())
