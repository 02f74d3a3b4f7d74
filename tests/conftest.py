"""Shared fixtures: the bundled knowledge base and an engine over it, built once per session."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.loader import load_knowledge
from tests.staff.postgres_server import REQUIRE_ENV, NoServer, PostgresServer, start_server

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A fixed "today" for tests: the 2025/26 deadlines have passed, as they have in real life.
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE, today=TODAY)


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    return Engine(kb)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on 127.0.0.1 for this test session, removed at the end.

    Without server binaries (or the psycopg driver) the tests that need it are skipped, saying
    why — unless HUBBOT_REQUIRE_POSTGRES=1 (as in CI), when they fail instead.
    """
    try:
        import psycopg  # noqa: F401 - the driver the PostgreSQL backend needs

        server = start_server()
    except (NoServer, ImportError) as error:
        reason = f"no PostgreSQL server for these tests: {error}"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires one)")
        pytest.skip(reason)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The address of a new, empty database on the test server, dropped after the test."""
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)
