"""Shortcuts the engine takes for speed give what the long way gives."""

from __future__ import annotations

from pathlib import Path

from bot.bench.synthetic import synthetic_entries, write_knowledge
from bot.engine.asks import FIELD_KINDS
from bot.engine.units import _specs, field_kinds
from bot.knowledge.loader import load_knowledge
from tests.conftest import TODAY


def test_field_kinds_are_the_field_units_the_entry_has(kb, tmp_path: Path) -> None:
    write_knowledge(synthetic_entries(200), tmp_path / "knowledge")
    for entry in [*kb, *load_knowledge(tmp_path / "knowledge", today=TODAY)]:
        assert field_kinds(entry) == {spec[0] for spec in _specs(entry)} & FIELD_KINDS, entry.id


def test_current_entries_having_a_field_are_those_whose_units_have_it(engine) -> None:
    for kinds in ({"deadline"}, {"cost", "time"}, {"apply", "link"}, {"criterion", "eligibility"}, set()):
        slow = [e for e in engine.kb.current_entries() if kinds & {u.kind for u in engine.units.of(e.id)}]
        assert list(engine.units.current_having(frozenset(kinds))) == slow


def test_a_full_fold_cache_still_folds(monkeypatch) -> None:
    from bot.engine import text

    monkeypatch.setattr(text, "FOLD_CACHE_SIZE", 0)
    assert text.fold_all(["schools", "teachers"], text.singular, {}) == ["school", "teacher"]
