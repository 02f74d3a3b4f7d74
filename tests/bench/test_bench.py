"""`python -m bot bench` on a tiny knowledge base: every table, label and target is there, and it never fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.bench import report
from bot.bench.machine import BM25_MISSING, bm25_version, cpu_model
from bot.bench.questions import MIX
from tests.conftest import ROOT

SYSTEMS = (report.HUB, report.WRATIO, report.TOKENSET, report.BM25)


def bench(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bench", "--sizes", "30", "--questions", "12", "--no-real", "--json", str(out), *extra],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env={**os.environ, **(env or {})},
    )
    return done, json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict]:
    return bench(tmp_path_factory.mktemp("bench"))


def test_the_report_has_every_table_labelled_with_the_machine(tiny) -> None:
    done, _ = tiny
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert f"Machine: {cpu_model()}" in text and "cores" in text and "CPython" in text
    for heading in ("Load and memory", "cold caches", "tight loop", "by question type", "Autocomplete", "Targets"):
        assert heading in text
    assert "| 30 |" in text
    assert "RSS peak MB" in text and "a reload's extra RSS MB" in text
    assert "hubbot faster than WRatio" in text and "×" in text
    assert "Bench footprint: parent" in text


def test_every_figure_is_measured_interleaved(tiny) -> None:
    _, data = tiny
    [size] = data["results"]
    assert size["entries"] == 30
    measured = size["latency"]["cold"]
    expected = SYSTEMS if bm25_version() else SYSTEMS[:3]
    assert set(measured) == set(expected)
    assert all(stats["n"] == 12 and 0 < stats["p50"] <= stats["p99"] for stats in measured.values())
    assert size["warm"]["rss_steady_mb"] > size["warm"]["rss_start_mb"] > 0
    assert size["warm"]["peak_rss_mb"] >= size["warm"]["rss_steady_mb"]
    # both loads are timed; at 30 entries cold and warm take about the same, so their order is noise, not a check
    assert size["cold"]["seconds"] > 0 and size["warm"]["seconds"] > 0
    assert size["latency"]["autocomplete"]["index"]["n"] > 0
    assert set(size["latency"]["by_kind"]) <= set(MIX)


def test_a_missing_bm25s_is_said_plainly_and_nothing_fails(tmp_path) -> None:
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "bm25s.py").write_text("raise ImportError('not installed')\n", encoding="utf-8")
    done, data = bench(tmp_path, env={"PYTHONPATH": os.pathsep.join([str(blocker), str(ROOT)])})
    assert done.returncode == 0, done.stderr
    assert BM25_MISSING in done.stdout
    assert data["bm25s"] is None
    assert report.BM25 not in data["results"][0]["latency"]["cold"]


def test_targets_are_read_from_the_figures_and_never_fail() -> None:
    def sized(entries: int, hub_p99: float, bm25_p99: float) -> dict:
        stats = {report.HUB: {"p50": 0.5, "p99": hub_p99}, report.WRATIO: {"p50": 50.0, "p99": 90.0},
                 report.TOKENSET: {"p50": 20.0, "p99": 40.0}, report.BM25: {"p50": 0.4, "p99": bm25_p99}}
        return {"label": f"{entries:,}", "entries": entries, "latency": {"cold": stats}}

    met = report.targets_text([sized(1000, 1.0, 1.0), sized(5000, 1.5, 1.0)])
    assert "p99 with cold caches at 5,000 entries (≤ 2 ms): 1.50 ms — met" in met
    assert "within 3× of bm25s" in met and "1.5× bm25s — met" in met
    assert "warm restart at 50,000 (≤ 3 s): not measured in this run" in met
    missed = report.targets_text([sized(5000, 9.0, 1.0)])
    assert "9.00 ms — MISSED" in missed and "9.0× bm25s — MISSED" in missed


def test_bad_sizes_are_one_clear_line() -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "bench", "--sizes", "lots"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "hubbot bench: --sizes takes whole numbers separated by commas, not 'lots'"


def test_the_hubs_bench_measures_one_process_per_hub_count(tmp_path: Path) -> None:
    out = tmp_path / "hubs.json"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bench", "--hubs", "1,2", "--sizes", "30", "--questions", "6", "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "MB per hub beyond the first" in done.stdout and f"Machine: {cpu_model()}" in done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    one, two = data["results"]
    assert (one["hubs"], two["hubs"], one["entries_per_hub"], two["entries_per_hub"]) == (1, 2, 30, 30)
    assert len(two["rss_after_mb"]) == len(two["load_seconds"]) == 2
    assert two["rss_steady_mb"] > two["rss_start_mb"] > 0
    assert two["latency"]["n"] == 12  # six questions to each of the two hubs


def test_bad_hub_counts_are_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "bench", "--hubs", "0,x"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 2 and "--hubs takes whole numbers" in done.stderr and "Traceback" not in done.stderr


def test_prepared_builds_the_units_first_and_says_so(tmp_path: Path, tiny) -> None:
    done, data = bench(tmp_path, "--prepared")
    assert done.returncode == 0, done.stderr
    [size] = data["results"]
    assert size["latency"]["prepared_s"] > 0
    assert "answer units were built before the questions" in done.stdout and "30 " in done.stdout
    plain, unprepared = tiny
    assert unprepared["results"][0]["latency"]["prepared_s"] is None
    assert "built by the first question that reaches each entry" in plain.stdout
