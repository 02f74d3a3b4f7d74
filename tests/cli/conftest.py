"""Fixtures for the command-line, console and lookup tests: a synthetic 5,000-entry knowledge base."""

from __future__ import annotations

import pytest

from bot.bench.synthetic import synthetic_entries
from bot.knowledge.schema import Entry

# The loopback fake Discord and the real bot, for the few lookups checked where Discord users meet them.
from tests.discord.conftest import *  # noqa: F403


@pytest.fixture(scope="session")
def synthetic() -> list[Entry]:
    """5,000 synthetic programmes, as the benchmark writes them, validated by the real schema."""
    return [Entry.model_validate(data) for data in synthetic_entries(5000)]
