"""One measurement in a fresh process: ``python -m bot.bench.worker TASK '{json arguments}'``.

Each task prints one JSON object on its last line. Running every measurement in its own process
keeps the figures honest (a cold load really is cold, peak RSS is that task's own) and keeps the
bench's parent process small.

- ``write``: write a synthetic knowledge base of ``size`` entries to ``dir``.
- ``load``: load ``dir`` with the parse cache at ``cache`` (``cold``: none yet; ``warm``: a restart);
  the warm run then answers the question mix, reloads the unchanged files and reloads after one edit,
  reporting RSS at each step.
- ``latency``: the question mix asked of hubbot and its peers, interleaved question by question,
  with cold caches and in a tight loop; and autocomplete per keystroke.
- ``hubs``: one bot process holding several hubs (``dirs``), loaded as the bot loads them (with
  discord.py imported, as a running bot has it): RSS after each hub, then the question mix of every
  hub asked in turn (each question to the next hub), timed.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

TODAY = dt.date(2026, 12, 1)
WARM_UP = 20  # questions (not measured) each system answers first, as a running bot has


def write(args: dict[str, Any]) -> dict[str, Any]:
    from bot.bench.synthetic import synthetic_entries, write_knowledge

    start = time.perf_counter()
    write_knowledge(synthetic_entries(args["size"], seed=args.get("seed", 7)), Path(args["dir"]))
    return {"seconds": time.perf_counter() - start}


def _load(directory: str, cache: Any) -> tuple[Any, Any, float]:
    """Load and index ``directory`` with a parse cache, as the bot does at start-up and on reload."""
    from bot.engine.engine import Engine
    from bot.knowledge.loader import load_knowledge

    start = time.perf_counter()
    kb = load_knowledge(directory, today=TODAY, cache=cache)
    engine = Engine(kb, cache)
    return kb, engine, time.perf_counter() - start


def _cache(path: str) -> Any:
    from bot.knowledge.cache import ParseCache

    return ParseCache(Path(path))


def load(args: dict[str, Any]) -> dict[str, Any]:
    from bot.bench.machine import peak_rss_mb, rss_mb
    from bot.bench.questions import question_mix
    from bot.engine.engine import Engine  # noqa: F401 - imported before the start figure, as a running bot has it

    gc.collect()
    found: dict[str, Any] = {"rss_start_mb": rss_mb()}
    start = time.perf_counter()
    cache = _cache(args["cache"])  # reading the on-disk cache is part of a warm restart
    kb, engine, _ = _load(args["dir"], cache)
    found.update(seconds=time.perf_counter() - start, entries=len(kb), rss_loaded_mb=rss_mb(), peak_rss_mb=peak_rss_mb())
    if args["mode"] != "warm":
        return found
    # Other questions than the latency task asks (its seed): the answer units analysed here are saved in
    # the parse cache by the reload below, as a running bot's are, and the latency task must not find
    # exactly its own questions' entries ready.
    for question in question_mix(list(kb), args["questions"], seed=args["seed"] + 3):
        engine.answer(question.text, TODAY)
    gc.collect()
    found["rss_steady_mb"] = rss_mb()
    # A live reload builds the new version while the old one still answers, then drops the old.
    kb, reloaded, found["reload_seconds"] = _load(args["dir"], cache)
    found["peak_reload_rss_mb"] = peak_rss_mb()
    engine = reloaded
    del reloaded
    gc.collect()
    found["rss_after_reload_mb"] = rss_mb()
    edited = min((Path(args["dir"]) / "entries").glob("*.yaml"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("teachers", "staff", 1), encoding="utf-8")
    kb, engine, found["edit_reload_seconds"] = _load(args["dir"], cache)
    found["peak_rss_mb"] = peak_rss_mb()
    return found


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

    return {"p50": statistics.median(ordered), "p90": at(0.9), "p99": at(0.99), "max": ordered[-1], "n": len(ordered)}


def _timed(function: Callable[[str], object], text: str) -> float:
    start = time.perf_counter_ns()
    function(text)
    return (time.perf_counter_ns() - start) / 1e6


def latency(args: dict[str, Any]) -> dict[str, Any]:
    from bot.bench.machine import peak_rss_mb
    from bot.bench.peers import build_peers
    from bot.bench.questions import question_mix
    from bot.lookup import NameLookup

    kb, engine, _ = _load(args["dir"], _cache(args["cache"]))
    prepared_s = None
    if args.get("prepared"):
        start = time.perf_counter()
        engine.prepare()
        prepared_s = time.perf_counter() - start
    entries = list(kb)
    systems: dict[str, Callable[[str], object]] = {"hubbot": lambda text: engine.answer(text, TODAY)}
    for label, peer in build_peers(entries, args["bm25"]).items():
        systems[label] = peer.answer
    for question in question_mix(entries, WARM_UP, seed=args["seed"] + 1):
        for function in systems.values():
            function(question.text)
    questions = question_mix(entries, args["questions"], seed=args["seed"])
    source = bytearray(args["evict_mb"] * 1024 * 1024)
    scratch = bytearray(len(source))

    def evict() -> None:  # write more memory than the CPU caches hold
        scratch[:] = source

    cold: dict[str, list[float]] = defaultdict(list)
    tight: dict[str, list[float]] = defaultdict(list)
    by_kind: dict[str, list[float]] = defaultdict(list)
    names = list(systems)
    for number, question in enumerate(questions):
        order = names[number % len(names) :] + names[: number % len(names)]  # nobody always goes first
        for name in order:
            evict()
            took = _timed(systems[name], question.text)
            cold[name].append(took)
            if name == "hubbot":
                by_kind[question.kind].append(took)
        if number % args["tight_every"] == 0:
            for name in order:
                tight[name].append(min(_timed(systems[name], question.text) for _ in range(args["repeats"])))
    found: dict[str, Any] = {
        "cold": {name: _percentiles(values) for name, values in cold.items()},
        "tight": {name: _percentiles(values) for name, values in tight.items()},
        "by_kind": {kind: _percentiles(values) for kind, values in sorted(by_kind.items())},
    }
    found["prepared_s"] = prepared_s
    found["autocomplete"] = _autocomplete(kb, engine, NameLookup, evict)
    found["peak_rss_mb"] = peak_rss_mb()
    return found


def _autocomplete(kb: Any, engine: Any, lookup_class: Any, evict: Callable[[], None]) -> dict[str, Any]:
    """Per-keystroke cost of suggestions: the word index against scoring every entry (``search_names``)."""
    import random

    from bot.bench.questions import typo_of

    rng = random.Random(5)  # noqa: S311 - reproducible prefixes, not security
    names = [entry.name for entry in rng.sample(list(kb), min(60, len(kb)))]
    typed = [name[:length] for name in names for length in (1, 3, 6, 10, 16, len(name))]
    typed += [typo_of(name.lower(), "dropped letter", rng) for name in names]
    start = time.perf_counter()
    lookup = lookup_class.of(kb)
    found: dict[str, Any] = {"build_ms": (time.perf_counter() - start) * 1000}
    index: list[float] = []
    scan: list[float] = []
    for text in typed:
        evict()
        index.append(_timed(lambda t: lookup.suggest(t, 25), text))
        if hasattr(engine, "search_names"):
            evict()
            scan.append(_timed(lambda t: engine.search_names(t, 25), text))
    found["index"] = _percentiles(index)
    if scan:
        found["scan"] = _percentiles(scan)
    return found


def hubs(args: dict[str, Any]) -> dict[str, Any]:
    import discord  # noqa: F401 - a running bot has the Discord client loaded

    from bot.bench.machine import peak_rss_mb, rss_mb
    from bot.bench.questions import question_mix
    from bot.discord_app.knowledge import KnowledgeService

    gc.collect()
    found: dict[str, Any] = {"hubs": len(args["dirs"]), "rss_start_mb": rss_mb(), "rss_after_mb": [], "load_seconds": []}
    services = []
    for directory in args["dirs"]:
        start = time.perf_counter()
        services.append(KnowledgeService.load(Path(directory)))
        found["load_seconds"].append(time.perf_counter() - start)
        gc.collect()
        found["rss_after_mb"].append(rss_mb())
    found["entries_per_hub"] = len(services[0].current.kb)
    mixes = [question_mix(list(service.current.kb), args["questions"], seed=args["seed"] + n) for n, service in enumerate(services)]
    for service, mix in zip(services, mixes, strict=True):  # each hub has answered a little, as in service
        for question in mix[:WARM_UP]:
            service.current.engine.answer(question.text, TODAY)
    timings: list[float] = []
    for number in range(args["questions"]):
        for service, mix in zip(services, mixes, strict=True):  # the next question goes to the next hub
            engine = service.current.engine
            timings.append(_timed(lambda text, engine=engine: engine.answer(text, TODAY), mix[number].text))
    gc.collect()
    found.update(latency=_percentiles(timings), rss_steady_mb=rss_mb(), peak_rss_mb=peak_rss_mb())
    return found


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "write": write, "load": load, "latency": latency, "hubs": hubs,
}


def main(argv: list[str]) -> int:
    task, arguments = argv
    result = TASKS[task](json.loads(arguments))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
