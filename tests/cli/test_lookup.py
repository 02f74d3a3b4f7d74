"""Typed programme names: exact codes and names, honest near-misses, and an autocomplete that stays fuzzy."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rapidfuzz import process

import bot.lookup
from bot.console import Console
from bot.lookup import SETTINGS, NameLookup, programme_reply
from bot.render import render_text
from tests.conftest import ROOT, TODAY

NONSENSE = ["xyz", "banana", "sats", "qwertyuiop", "zzzz qqqq xxxx"]


@pytest.fixture(scope="module")
def lookup(kb) -> NameLookup:
    return NameLookup.of(kb)


@pytest.mark.parametrize("typed", NONSENSE)
def test_a_name_that_matches_nothing_opens_nothing(engine, lookup, typed) -> None:
    assert lookup.resolve(typed) is None
    assert lookup.matches(typed) == []
    assert lookup.near_misses(typed) == []
    reply = programme_reply(engine, typed, TODAY)
    assert reply.status == "unknown"
    assert not reply.topics and not reply.candidates
    text = render_text(reply)
    assert text.startswith("No programme by that name")
    assert not any(entry.name in text for entry in engine.kb)


@pytest.mark.parametrize("typed", ["NCP17-09", "ncp17-09", "ncp17 09", "NCP1709"])
def test_a_code_resolves_exactly(lookup, typed) -> None:
    assert lookup.resolve(typed).id == "ncp17-09-mathematical-thinking-gcse"


def test_a_code_two_past_work_groups_shared_asks_which(engine, lookup) -> None:
    assert lookup.resolve("NCP17-15") is None
    reply = programme_reply(engine, "NCP17-15", TODAY)
    assert reply.status == "clarify"
    assert {c.entry_id for c in reply.candidates} == {"ncp17-15-primary-ta-ske", "ncp17-15-secondary-ta-ske"}


def test_a_code_one_keystroke_off_offers_the_codes_next_to_it(engine, lookup) -> None:
    assert lookup.resolve("NCP17-99") is None
    near = lookup.near_misses("NCP17-99")
    assert near and all(any(code.startswith("NCP17-") and code.endswith("9") for code in e.codes) for e in near)
    text = render_text(programme_reply(engine, "NCP17-99", TODAY))
    assert text.startswith("**No programme by that name")
    assert "Mathematical Thinking and the new GCSE" in text


def test_an_exact_name_or_alias_opens_that_programme(engine) -> None:
    for typed, title in [("Secondary MS", "Secondary Mastery Specialist Programme"), ("mn ks2", "Mastering Number at KS2"),
                         ("teaching-for-mastery", "Teaching for Mastery Programme")]:
        reply = programme_reply(engine, typed, TODAY)
        assert reply.status == "answered" and reply.title == title


def test_typos_in_a_whole_name_still_find_it(lookup) -> None:
    assert [e.id for e in lookup.matches("secondry mastry specalist")] == ["secondary-mastery-specialist"]
    assert {e.id for e in lookup.matches("mastering numbr")} == {
        "mastering-number-ks2", "mastering-number-reception-ks1", "mastering-number-parent-project"}


def test_near_misses_share_the_telling_words_only(lookup) -> None:
    near = lookup.near_misses("mastering number secondary")
    assert near and all(e.name.startswith("Mastering Number") for e in near)


def test_autocomplete_stays_fuzzy(lookup, kb) -> None:
    assert [e.id for e in lookup.suggest("mastering num")[:3]] == [
        "mastering-number-ks2", "mastering-number-reception-ks1", "mastering-number-parent-project"]
    assert lookup.suggest("secondry mast")[0].id == "secondary-mastery-specialist"
    assert lookup.suggest("ncp17-0")[0].codes[0].startswith("NCP17-0")
    assert lookup.suggest("xyz") == []
    everything = lookup.suggest("")
    assert len(everything) == 25 and all(e.status == "current" for e in everything)
    assert all(e.status == "current" for e in lookup.suggest("ncp", current_only=True))


def test_the_console_says_no_programme_by_that_name(engine) -> None:
    console = Console(engine, today=TODAY)
    for typed in NONSENSE:
        for command in ("/programme", "/eligibility"):
            text = console.respond(f"{command} {typed}")
            assert "by that name" in text
            assert not any(entry.name in text for entry in engine.kb), (command, typed)
    assert "Mastering Number at KS2" in console.respond("/eligibility mastering number secondary")


def test_python_m_bot_programme() -> None:
    found = subprocess.run([sys.executable, "-m", "bot", "programme", "NCP17-09"],
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert found.returncode == 0
    assert found.stdout.startswith("**Mathematical Thinking and the new GCSE**")
    missing = subprocess.run([sys.executable, "-m", "bot", "programme", "banana"],
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert missing.returncode == 1
    assert "No programme by that name" in missing.stdout


# ----- a synthetic knowledge base of 5,000 programmes ----------------------------------------------
def test_synthetic_codes_and_names_resolve_exactly(synthetic) -> None:
    lookup = NameLookup(synthetic)
    coded = [e for e in synthetic if e.codes][:50]
    for entry in coded:
        assert lookup.resolve(entry.codes[0]) is entry
        assert lookup.resolve(entry.codes[0].lower().replace("-", " ")) is entry
    for entry in synthetic[::500]:
        assert lookup.resolve(entry.name) is entry
        assert lookup.suggest(entry.name)[0] is entry


def test_synthetic_nonsense_finds_nothing(synthetic) -> None:
    lookup = NameLookup(synthetic)
    for typed in NONSENSE:
        assert lookup.matches(typed) == [] and lookup.near_misses(typed) == [] and lookup.suggest(typed) == []


def test_synthetic_typed_beginnings_and_typos(synthetic) -> None:
    lookup = NameLookup(synthetic)
    entry = next(e for e in synthetic if e.name.startswith("Developing ") and len(e.name.split()) == 5)
    words = entry.name.lower().split()
    beginning = " ".join(words[:3]) + " " + words[3][:4]
    starting = {e.id for e in synthetic if e.name.lower().startswith(beginning)}
    assert {e.id for e in lookup.suggest(beginning)[: len(starting)]} == starting
    typos = " ".join(word[:2] + word[3:] if len(word) >= 6 else word for word in words)  # a letter dropped
    assert typos != entry.name.lower()
    assert lookup.suggest(typos)[0] is entry


def test_autocomplete_scores_a_bounded_number_of_names(synthetic, monkeypatch) -> None:
    """rapidfuzz runs over the index's candidates, not over every one of the 5,000 entries."""
    lookup = NameLookup(synthetic)
    scored: list[int] = []
    real = process.extract

    def counting(query, choices, **options):
        scored.append(len(choices))
        return real(query, choices, **options)

    monkeypatch.setattr(bot.lookup.process, "extract", counting)
    for typed in ["d", "de", "dev", "developing", "developing prim", "work group", "fractions work"]:
        assert lookup.suggest(typed)
    names_per_entry = max(len(names) for names in lookup.names)
    assert max(scored) <= SETTINGS.candidates * names_per_entry < len(synthetic)
