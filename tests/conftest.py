"""Shared fixtures: the bundled knowledge base and an engine over it, built once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.loader import load_knowledge

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
