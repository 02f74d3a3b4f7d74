"""``python -m bot bench``: run every measurement in its own process, one at a time, and print the report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.bench import report
from bot.bench.machine import BM25_MISSING, bm25_version, load_average, machine_label, peak_rss_mb

REAL_KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
DEFAULT_SIZES = (100, 1000, 5000)
LARGE_SIZE = 50_000
# One thread each for numpy and friends: the bench uses one core at a time, so it can run beside CI.
QUIET_THREADS = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")}


@dataclass(frozen=True)
class BenchSettings:
    """What a run measures; the defaults are what the README's figures used."""

    sizes: tuple[int, ...] = DEFAULT_SIZES
    questions: int = 400
    real: bool = True
    seed: int = 11
    evict_mb: int = 24  # written between calls so each cold call starts with the CPU caches evicted
    tight_every: int = 4  # every n-th question is also timed in a tight loop
    repeats: int = 3  # calls per tight-loop timing (the fastest counts)
    timeout_s: int = 3600  # per measurement; a 50,000-entry cold load takes minutes on a slow machine
    prepared: bool = False  # answer units built before the questions (the Discord bot's background warm-up)


def _run(task: str, arguments: dict[str, Any], settings: BenchSettings) -> dict[str, Any]:
    """One measurement in a fresh process; a failure is reported, never raised."""
    command = [sys.executable, "-m", "bot.bench.worker", task, json.dumps(arguments)]
    env = {**os.environ, **QUIET_THREADS}
    try:
        done = subprocess.run(command,  # noqa: S603 - our own interpreter and module, arguments as JSON
                               capture_output=True, text=True, timeout=settings.timeout_s, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"took longer than {settings.timeout_s} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return {"error": last[:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def measure(label: str, directory: Path, settings: BenchSettings, with_bm25: bool, real: bool = False) -> dict[str, Any]:
    """Cold load, warm restart with memory and reloads, then latency, each in its own process."""
    cache = directory.parent / "parse-cache.marshal"
    common = {"dir": str(directory), "cache": str(cache), "questions": settings.questions, "seed": settings.seed}
    _progress(f"  {label}: cold load")
    result: dict[str, Any] = {"label": label, "real": real}
    result["cold"] = _run("load", {**common, "mode": "cold"}, settings)
    _progress(f"  {label}: warm restart, memory and reloads")
    result["warm"] = _run("load", {**common, "mode": "warm"}, settings)
    result["entries"] = result["cold"].get("entries") or result["warm"].get("entries") or 0
    _progress(f"  {label}: latency, interleaved with the peers")
    result["latency"] = _run("latency", {**common, "bm25": with_bm25, "evict_mb": settings.evict_mb,
                                         "tight_every": settings.tight_every, "repeats": settings.repeats,
                                         "prepared": settings.prepared}, settings)
    return result


def run(settings: BenchSettings) -> dict[str, Any]:
    """Every measurement of a run, as plain data."""
    started = {"machine": machine_label(), "load_average_before": load_average(), "bm25s": bm25_version(),
               "settings": asdict(settings), "started": time.strftime("%Y-%m-%d %H:%M")}
    results = []
    with tempfile.TemporaryDirectory(prefix="hubbot-bench-") as tmp:
        if settings.real:
            home = Path(tmp) / "real"
            shutil.copytree(REAL_KNOWLEDGE, home / "knowledge", ignore=shutil.ignore_patterns("schema"))
            _progress("measuring the bundled knowledge base")
            measured = measure("real", home / "knowledge", settings, started["bm25s"] is not None, real=True)
            measured["label"] = f"real ({measured['entries']})"
            results.append(measured)
        for size in settings.sizes:
            home = Path(tmp) / f"size-{size}"
            _progress(f"measuring {size:,} synthetic entries: writing them")
            written = _run("write", {"size": size, "dir": str(home / "knowledge")}, settings)
            if "error" in written:
                results.append({"label": f"{size:,}", "entries": size, "cold": written})
                continue
            results.append(measure(f"{size:,}", home / "knowledge", settings, started["bm25s"] is not None))
            shutil.rmtree(home, ignore_errors=True)  # 50,000 YAML files need not wait for the end
    return {**started, "results": results, "load_average_after": load_average(), "parent_peak_rss_mb": peak_rss_mb()}


def render(run_data: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    from bot.bench.questions import MIX, TYPO_KINDS, TYPO_SHARE

    results = run_data["results"]
    settings = run_data["settings"]
    before, after = run_data["load_average_before"], run_data["load_average_after"]
    mix = ", ".join(f"{kind} {share:.0%}" for kind, share in MIX.items())
    children = [r[task].get("peak_rss_mb") for r in results for task in ("cold", "warm", "latency")
                if isinstance(r.get(task), dict) and r[task].get("peak_rss_mb")]
    parts = [
        f"## hubbot bench — {run_data['started']}",
        f"Machine: {run_data['machine']}; load average {before:.2f} before, {after:.2f} after "
        "(other work on the machine makes every figure noisier)." if before is not None and after is not None
        else f"Machine: {run_data['machine']}.",
        f"Questions: {settings['questions']} per knowledge base — {mix}; a typo in {TYPO_SHARE:.0%} of them "
        f"({', '.join(TYPO_KINDS)}).",
        f"bm25s {run_data['bm25s']}: retrieval only (the top entries, no reply composed)." if run_data["bm25s"]
        else f"**{BM25_MISSING}**",
        "### Load and memory (each column from a fresh process; RSS as the kernel counts it)",
        report.load_table(results),
        "Warm restart: the files unchanged since the last run (parse cache on disk). Live reload: the unchanged "
        "files again in the running process, the new version built while the old one answers; its extra RSS is "
        "what stays after the old one is dropped.",
        "### Answer latency with cold caches, ms p50 / p99 (peers interleaved question by question)",
        report.latency_table(results, "cold"),
        f"Each question asked for the first time, {settings['evict_mb']} MB written before every call to evict "
        "the CPU caches; whoever goes first rotates. Ratios are peer ÷ hubbot (how many times faster hubbot is), "
        "last column hubbot ÷ bm25s." + (
            " Every entry's answer units were built before the questions (`--prepared`, as the Discord bot does in "
            "the background after each load): " + report.prepared_text(results) + "."
            if settings.get("prepared") else " Answer units are built by the first question that reaches each entry."),
        "### Answer latency in a tight loop, ms p50 / p99",
        report.latency_table(results, "tight"),
        f"Every {settings['tight_every']}th question, fastest of {settings['repeats']} back-to-back calls "
        "(warm caches: the flattering figure).",
        "### hubbot by question type, cold caches, ms p50 / p99",
        report.kind_table(results),
        "### Autocomplete per keystroke (cold caches)",
        report.autocomplete_table(results),
        "### Targets (from the README; the bench reports them, it never fails on them)",
        report.targets_text(results),
        f"Bench footprint: parent {run_data['parent_peak_rss_mb']:.0f} MB, largest measuring process "
        f"{max(children, default=0):.0f} MB; one process and one core at a time.",
    ]
    errors = report.errors_text(results)
    if errors:
        parts += ["### Measurements that failed", errors]
    return "\n\n".join(parts)


def bench_command(settings: BenchSettings, json_path: Path | None = None) -> int:
    """Run the bench and print the report; exit 0 whatever the figures (they depend on the machine)."""
    if bm25_version() is None:
        _progress(BM25_MISSING)
    data = run(settings)
    print(render(data))
    if json_path is not None:
        json_path.write_text(json.dumps(data, indent=1), encoding="utf-8")
        _progress(f"wrote {json_path}")
    return 0
