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


def _units_through(path: Path, directory: Path) -> dict[str, tuple]:
    from bot.engine.engine import Engine
    from bot.knowledge.cache import ParseCache

    cache = ParseCache(path)
    engine = Engine(load_knowledge(directory, today=TODAY, cache=cache), cache)
    found = {entry.id: (engine.units.of(entry.id), engine.units.faq_questions(entry.id)) for entry in engine.kb}
    cache.save()
    return found


def test_answer_units_read_from_the_parse_cache_are_those_built(tmp_path: Path) -> None:
    from tests.conftest import KNOWLEDGE

    path = tmp_path / "cache.marshal"
    built = _units_through(path, KNOWLEDGE)  # analysed, then saved
    assert any(key.startswith("units:") for key in _keys(path))
    assert _units_through(path, KNOWLEDGE) == built  # read back


def test_answer_units_stay_cached_across_an_edit_elsewhere_and_follow_their_corrections(tmp_path: Path) -> None:
    import shutil

    from bot.engine.engine import Engine
    from bot.engine.units import UnitIndex
    from bot.knowledge.cache import ParseCache
    from tests.conftest import KNOWLEDGE

    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root, ignore=shutil.ignore_patterns("schema"))
    path = tmp_path / "cache.marshal"
    _units_through(path, root)
    edited = min((root / "entries").glob("*.yaml"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("teachers", "teachers zyxwvutsr", 1), encoding="utf-8")
    cache = ParseCache(path)
    engine = Engine(load_knowledge(root, today=TODAY, cache=cache), cache)
    fresh = UnitIndex(engine.index)
    built = []
    original = UnitIndex._build

    def counting(self, indexed, specs=None, faq_words=None):
        built.append(indexed.entry.id)
        return original(self, indexed, specs, faq_words)

    UnitIndex._build = counting
    try:
        read = {entry.id: engine.units.of(entry.id) for entry in engine.kb}
    finally:
        UnitIndex._build = original
    assert len(built) < len(read) // 2  # a new word elsewhere leaves most entries' analyses standing
    assert read == {entry.id: fresh._build(engine.index.entries[entry.id]) for entry in engine.kb}

    # A stored correction that no longer holds sends the entry to be analysed again.
    key = next(k for k in cache._items if k.startswith("units:"))
    stored = cache.get(key)
    words, results = stored[4]
    assert words
    cache.put(key, (*stored[:4], [words, ["not-what-it-became", *results[1:]]]))
    assert not engine.units._same_corrections(cache.get(key)[4])


def _keys(path: Path) -> list[str]:
    from bot.knowledge.cache import ParseCache

    return list(ParseCache(path)._items)


def test_common_english_read_pair_by_pair_is_the_decoded_lists() -> None:
    import gzip
    import importlib.resources
    import json

    from bot.engine.vocabulary import COMMON_WORD_FREQUENCY, common_english

    resource = importlib.resources.files("spellchecker") / "resources" / "en.json.gz"
    frequencies = json.loads(gzip.decompress(resource.read_bytes()))
    assert common_english() == {word for word, count in frequencies.items() if count >= COMMON_WORD_FREQUENCY}


def test_cue_searches_skipped_for_missing_words_find_what_the_patterns_find(engine) -> None:
    import re

    from bot.engine.asks import _unit_cues, ask_types, required_text

    assert required_text(re.compile(r"\bwho (?:is|s)\b|(?<!key )\bstages?\b")) == {"who ", "stage"}
    assert required_text(re.compile(r"\bwho\b|\w+")) is None  # a branch that spells nothing promises nothing
    texts = [" ".join(engine.index.corrected(q)) for e in engine.kb for faq in e.faqs for q in faq.questions]
    texts += [unit.text.lower() for e in engine.kb for unit in engine.units.of(e.id)]
    for cue in (*ask_types(), *_unit_cues()):
        for text in texts:
            assert bool(cue.search(text)) == bool(cue.pattern.search(text)), (cue.name, text)


def test_cue_index_finds_the_types_each_whole_pattern_finds(engine) -> None:
    """:class:`CueIndex` (alternatives searched apart, skipped by their needles' first characters) names the types
    whose whole patterns match, in order; searching no further than the first, it names that one.
    """
    from bot.engine.asks import _alternatives, _ask_index, _unit_cue_index, _unit_cues, ask_types

    assert _alternatives(r"(?:\bwho (?:is|s)\b)|(?:[|(]x|y(?:z|w))") == [r"\bwho (?:is|s)\b", "[|(]x", "y(?:z|w)"]
    texts = [" ".join(engine.index.corrected(q)) for e in engine.kb for faq in e.faqs for q in faq.questions]
    texts += [unit.text.lower() for e in engine.kb for unit in engine.units.of(e.id)]
    for cues, index in ((ask_types(), _ask_index()), (_unit_cues(), _unit_cue_index())):
        for text in texts:
            found = tuple(cue.name for cue in cues if cue.pattern.search(text))
            assert index.names_in(text) == found, text
            assert index.names_in(text, first_only=True) == found[:1], text


def test_options_built_per_entry_have_the_values_of_the_long_way(engine) -> None:
    """:meth:`QuestionFeatures.entry_options` (one rapidfuzz pass over an entry's FAQ questions, a blank check for
    units sharing no asked word) gives, value for value, what :func:`unit_values` and the per-unit checks give.
    """
    import yaml

    from bot.engine.features import QuestionFeatures
    from bot.engine.verify import EntryFocus, FocusWeights
    from tests.conftest import ROOT

    questions = [item["q"] for item in yaml.safe_load((ROOT / "tests" / "engine" / "golden.yaml").read_text(encoding="utf-8"))]
    questions += ["year 2 of the secondary mastery specialist programme", "what does year 3 of the maths hub faq say"]
    compared = 0
    for text in questions:
        analysis = engine.analyse(text)
        features, weights = QuestionFeatures(analysis.question), FocusWeights(engine.index, analysis.question)
        for option in analysis.options:
            checks, unit = EntryFocus(weights, option.evidence), option.unit
            faq = unit.kind == "faq"
            texts = engine.units.faq_questions(option.entry_id)[unit.position] if faq else ()
            faq_covered = checks.faq_question_overlap(engine.units.faq_terms(option.entry_id)[unit.position]) if faq else 0.0
            named = min(1.0, max(float(option.evidence.named), option.evidence.name_score))
            values = features.unit_values(unit, checks.focus_check(unit), option.situation, option.entry_kinds, texts,
                                          checks.asked_overlap(unit.terms), named, faq_covered)
            assert repr(option.values[-len(values):]) == repr(tuple(values)), (text, option.entry_id, unit.kind)
            assert option.focus == checks.focus_check(unit)
            compared += 1
    assert compared > 1000


def test_rank_scores_worked_out_once_per_values_tuple_are_each_options_own(engine) -> None:
    """Options sharing a values tuple are scored once; every score is still the option's own rank score, bit for bit."""
    from bot.engine.decide import score_options

    for text in ("how many days is the primary mastery specialist programme?", "sktm cost", "who is the TA programme for?"):
        analysis = engine.analyse(text)
        scores, _ = score_options(engine.model, list(analysis.options))
        assert scores == [engine.model.rank_score(o.values) for o in analysis.options]
        assert len({id(o.values) for o in analysis.options}) < len(analysis.options)  # some units do share one
