"""Knowledge files that could take the bot down are refused quickly, in little memory, naming the file.

Each load runs in a child process with its address space capped (RLIMIT_AS), so a regression
fails the test instead of exhausting the machine; the child reports its time, its peak memory
and the problems it got.
"""

from __future__ import annotations

import asyncio
import json
import marshal
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.discord_app.knowledge import KnowledgeService
from bot.knowledge.cache import ParseCache
from bot.knowledge.loader import load_knowledge
from bot.knowledge.problems import KnowledgeError
from tests.conftest import FIXTURES, TODAY

LIMIT_BYTES = 400 * 1024 * 1024
SECONDS = 5.0
CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from bot.knowledge.loader import load_knowledge
    from bot.knowledge.problems import KnowledgeError
    start = time.perf_counter()
    try:
        load_knowledge(sys.argv[1], cache=None)
        problems = []
    except KnowledgeError as exc:
        problems = [str(p) for p in exc.problems]
    elapsed = time.perf_counter() - start
    # This process's own peak. Not ru_maxrss: on Linux it carries over the peak of the process that
    # started it (pytest, which may have been far bigger, e.g. while Hypothesis built its Unicode
    # tables on a first run), so it measured the test runner rather than the load.
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({{"elapsed": elapsed, "peak": peak, "problems": problems}}))
    """
).format(limit=LIMIT_BYTES)


def _kb(tmp_path: Path, name: str, text: str | bytes) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", root)
    target = root / "entries" / name
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    return root


def _load_in_child(root: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root)], capture_output=True, text=True, timeout=60,
        cwd=Path(__file__).resolve().parents[2], check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _refused(root: Path, file: str, words: str) -> list[str]:
    result = _load_in_child(root)
    assert result["elapsed"] < SECONDS, result["elapsed"]
    assert result["peak"] < LIMIT_BYTES, result["peak"]
    named = [p for p in result["problems"] if file in p]
    assert any(words in p for p in named), result["problems"]
    return result["problems"]


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    _refused(_kb(tmp_path, "bomb.yaml", _bomb(9)), "bomb.yaml:1:5", "don't allow anchors or aliases")


def test_a_huge_file_is_refused_by_its_size(tmp_path: Path) -> None:
    line = "  - " + "x" * 90 + "\n"
    text = "id: huge\nname: Huge\nkind: programme\naliases:\n" + line * (50_000_000 // len(line))
    problems = _refused(_kb(tmp_path, "huge.yaml", text), "huge.yaml", "a knowledge file may be at most 1 MB")
    assert any("50.0 MB" in p for p in problems)


def test_a_long_list_is_refused(tmp_path: Path) -> None:
    text = "id: long\nname: Long\nkind: programme\naliases: [" + ",".join(["a"] * 100_000) + "]\n"
    _refused(_kb(tmp_path, "long.yaml", text), "long.yaml:4:", "a list with more than 500 items")


def test_a_long_text_is_refused(tmp_path: Path) -> None:
    text = "id: wordy\nname: " + "word " * 150_000 + "\nkind: programme\n"
    _refused(_kb(tmp_path, "wordy.yaml", text), "wordy.yaml:2:7", "a text may have at most 20,000")


def test_python_tags_are_errors_not_dropped(tmp_path: Path) -> None:
    text = 'id: tagged\nname: !!python/object/apply:os.system ["echo hacked"]\nkind: programme\n'
    _refused(_kb(tmp_path, "tagged.yaml", text), "tagged.yaml:2:7", "the tag '!!python/object/apply:os.system' is not allowed")


def test_a_link_leaving_the_knowledge_folder_is_refused_without_reading_it(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("id: secret\nname: TOP-SECRET-VALUE\nkind: nonsense\n", encoding="utf-8")
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", root)
    os.symlink(secret, root / "entries" / "secret.yaml")
    problems = _refused(root, "secret.yaml", "a link to a file outside the knowledge folder")
    assert not any("TOP-SECRET-VALUE" in p or "nonsense" in p for p in problems)


def test_a_link_inside_the_knowledge_folder_is_fine(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", root)
    (root / "drafts").mkdir()
    (root / "entries" / "example-programme.yaml").rename(root / "drafts" / "example-programme.yaml")
    os.symlink(root / "drafts" / "example-programme.yaml", root / "entries" / "example-programme.yaml")
    assert list(load_knowledge(root, today=TODAY, cache=None).entries) == ["example-programme"]


@pytest.mark.parametrize(
    "damage",
    [
        b"not marshal at all",
        marshal.dumps((1, {"key": "value"})),  # the first format
        marshal.dumps(("hubbot-parse-cache", 2)) + marshal.dumps(("abc", ("only one part",))),
        marshal.dumps(("hubbot-parse-cache", 2)) + marshal.dumps(["a list", "not a record"]),
    ],
)
def test_a_damaged_parse_cache_is_ignored_and_rebuilt(tmp_path: Path, damage: bytes) -> None:
    cache_file = tmp_path / "cache.marshal"
    cache_file.write_bytes(damage)
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", root)
    kb = load_knowledge(root, today=TODAY, cache=ParseCache(cache_file))
    assert list(kb.entries) == ["example-programme"]
    again = ParseCache(cache_file)  # rewritten in the current format, and it loads
    assert len(again) >= 1
    assert list(load_knowledge(root, today=TODAY, cache=again).entries) == ["example-programme"]


def test_a_cached_value_of_the_right_shape_but_wrong_content_does_not_fail_a_good_file(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", root)
    cache = ParseCache()
    load_knowledge(root, today=TODAY, cache=cache)
    for key in list(cache._items):
        cache.put(key, ({"id": "x"}, None))
    assert list(load_knowledge(root, today=TODAY, cache=cache).entries) == ["example-programme"]


def test_the_last_good_version_keeps_answering_while_a_bomb_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_base", root)
    service = KnowledgeService.load(root)
    good = service.current
    (root / "entries" / "bomb.yaml").write_text(_bomb(9), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        asyncio.run(service.reload())
    assert any("bomb.yaml" in str(p) for p in caught.value.problems)
    assert service.current is good
    assert good.engine.answer("when do applications for the example programme close?", today=TODAY).status != "error"


# ----- the cache's size and writes (issue 13) ---------------------------------------------------
def test_the_cache_forgets_its_oldest_items_one_at_a_time() -> None:
    cache = ParseCache(max_items=3)
    for key in "abcd":
        cache.put(key, (key, None))
    assert [cache.get(key) for key in "abcd"] == [None, ("b", None), ("c", None), ("d", None)]


def test_the_cache_is_sized_by_the_knowledge_base() -> None:
    cache = ParseCache(max_items=3)
    cache.reserve(10)
    for number in range(10):
        cache.put(str(number), (number, None))
    assert len(cache) == 10


def test_a_cache_larger_than_the_default_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    cache = ParseCache(path, max_items=3)
    cache.reserve(10)
    for number in range(10):
        cache.put(str(number), (number, None))
    cache.save()
    reread = ParseCache(path, max_items=3)  # as at start-up: read before the loader reserves room
    reread.reserve(10)
    assert [reread.get(str(number)) for number in range(10)] == [(number, None) for number in range(10)]


def test_a_save_appends_only_what_changed(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    cache = ParseCache(path)
    for number in range(100):
        cache.put(f"k{number}", ({"n": number}, None))
    cache.save()
    size = path.stat().st_size
    cache.put("k100", ({"n": 100}, None))
    cache.save()
    grown = path.stat().st_size - size
    assert 0 < grown < size / 20  # one record appended, not the whole file again
    reread = ParseCache(path)
    assert reread.get("k100") == ({"n": 100}, None) and reread.get("k0") == ({"n": 0}, None)


def test_stale_keys_are_evicted_and_the_file_compacts(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    cache = ParseCache(path)
    for round_ in range(5):
        cache.keep_only(set())
        for number in range(100):
            cache.put(f"r{round_}-{number}", ({"n": number}, None))
        cache.save()
    reread = ParseCache(path)
    assert len(reread) == 100 and reread.get("r4-0") is not None and reread.get("r0-0") is None
    assert path.stat().st_size < 5 * ParseCache(path).__len__() * 40  # not five rounds of records


_TREE_CASES = [
    "a: 1\nb: [x, y]\n",
    "a: &x 1\nb: 2\n",  # an anchor alone
    "a: &x [1, 2]\nb: *x\n",
    "q: Q&A and R & D\n",
    "a: !!python/object:os.system x\n",
    "a: !!int 3\n",
    "a: !!str 3\nb: !x y\n",
    "a: b: c\n",
    "--- \na: 1\n--- \nb: 2\n",
    "items:\n" + "".join(f"  - {i}\n" for i in range(500)),
    "items:\n" + "".join(f"  - {i}\n" for i in range(501)),
    "items:\n" + "".join(f"  - {{k: {i}}}\n" for i in range(167)),  # 167 mappings of 3 values each: 501
    "items:\n" + "".join(f"  - [{i}, {i}]\n" for i in range(166)),  # a nested list counts once in its parent
    "t: " + "x" * 20_001 + "\n",
    "t: " + "x" * 20_000 + "\n",
    "",
    "\x07: 1\n",
]


@pytest.mark.parametrize("text", _TREE_CASES)
def test_files_read_in_one_pass_are_those_the_event_screen_passes(text: str) -> None:
    import yaml

    from bot.knowledge import yaml_source
    from bot.knowledge.yaml_source import _SCREEN, _composed_within_limits, screen

    if _composed_within_limits(text) is not _SCREEN:  # read in one pass: the screen finds nothing, it composes
        assert screen(text, "f.yaml") == []
        yaml.compose(text, Loader=yaml_source._TextLoader)


def test_every_bundled_file_passes_the_tree_check_as_the_event_screen_does() -> None:
    from bot.knowledge.yaml_source import _SCREEN, _composed_within_limits, screen
    from tests.conftest import FIXTURES, KNOWLEDGE

    one_pass = 0
    for path in [*KNOWLEDGE.rglob("*.yaml"), *FIXTURES.rglob("*.yaml")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        if _composed_within_limits(text) is not _SCREEN:
            one_pass += 1
            assert screen(text, path.name) == [], path
    assert one_pass > 50  # the one pass is the common case
