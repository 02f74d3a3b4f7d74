"""The benchmark's figures as Markdown tables, ratios beside times, and the targets they are read against."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The systems' labels, as the tables show them (the peers are built under these names).
HUB = "hubbot"
WRATIO = "rapidfuzz WRatio"
TOKENSET = "rapidfuzz token_set"
BM25 = "bm25s (retrieval only)"
NOT_RUN = "—"


@dataclass(frozen=True)
class Target:
    """A figure the README promises, and how to read it from the results."""

    what: str
    limit: str
    check: Callable[[list[dict[str, Any]]], tuple[str, bool] | None]  # (figure, met), or None if not measured


def _size(results: list[dict[str, Any]], entries: int) -> dict[str, Any] | None:
    return next((r for r in results if not r.get("real") and r["entries"] == entries), None)


def _get(result: dict[str, Any] | None, *path: str) -> Any:
    for key in path:
        if not isinstance(result, dict) or key not in result:
            return None
        result = result[key]
    return result


def _p99_cold_at_5000(results: list[dict[str, Any]]) -> tuple[str, bool] | None:
    p99 = _get(_size(results, 5000), "latency", "cold", HUB, "p99")
    return None if p99 is None else (f"{p99:.2f} ms", p99 <= 2.0)


def _ahead_of(peer: str) -> Callable[[list[dict[str, Any]]], tuple[str, bool] | None]:
    def check(results: list[dict[str, Any]]) -> tuple[str, bool] | None:
        ratios = []
        for result in results:
            hub, other = _get(result, "latency", "cold", HUB), _get(result, "latency", "cold", peer)
            if hub and other:
                ratios.append((result["label"], min(other["p50"] / hub["p50"], other["p99"] / hub["p99"])))
        if not ratios:
            return None
        worst = min(ratios, key=lambda item: item[1])
        return f"slowest margin {worst[1]:.1f}× (at {worst[0]})", worst[1] > 1.0

    return check


def _within_bm25(results: list[dict[str, Any]]) -> tuple[str, bool] | None:
    hub, bm25 = _get(_size(results, 5000), "latency", "cold", HUB), _get(_size(results, 5000), "latency", "cold", BM25)
    if not hub or not bm25:
        return None
    ratio = max(hub["p50"] / bm25["p50"], hub["p99"] / bm25["p99"])
    return f"{ratio:.1f}× bm25s", ratio <= 3.0


def _load_at_50000(mode: str, limit: float) -> Callable[[list[dict[str, Any]]], tuple[str, bool] | None]:
    def check(results: list[dict[str, Any]]) -> tuple[str, bool] | None:
        seconds = _get(_size(results, 50000), mode, "seconds")
        return None if seconds is None else (f"{seconds:.1f} s", seconds <= limit)

    return check


def _rss(real: bool, entries: int | None, limit: float) -> Callable[[list[dict[str, Any]]], tuple[str, bool] | None]:
    def check(results: list[dict[str, Any]]) -> tuple[str, bool] | None:
        found = next((r for r in results if r.get("real")), None) if real else _size(results, entries or 0)
        peak = _get(found, "warm", "peak_rss_mb")
        return None if peak is None else (f"{peak:.0f} MB peak", peak <= limit)

    return check


def _linear(results: list[dict[str, Any]]) -> tuple[str, bool] | None:
    small, large = _size(results, 1000), _size(results, 50000)
    if not small or not large:
        return None
    ratios = []
    for mode in ("cold", "warm"):
        a, b = _get(small, mode, "seconds"), _get(large, mode, "seconds")
        if a and b:
            ratios.append((b / large["entries"]) / (a / small["entries"]))
    if not ratios:
        return None
    return f"per-entry cost at 50,000 is {max(ratios):.2f}× that at 1,000", max(ratios) <= 1.5


TARGETS = [
    Target("p99 with cold caches at 5,000 entries", "≤ 2 ms", _p99_cold_at_5000),
    Target("ahead of rapidfuzz WRatio at every size (p50 and p99, interleaved)", "> 1×", _ahead_of(WRATIO)),
    Target("ahead of rapidfuzz token_set at every size (p50 and p99, interleaved)", "> 1×", _ahead_of(TOKENSET)),
    Target("within 3× of bm25s retrieval alone at 5,000 (p50 and p99)", "≤ 3×", _within_bm25),
    Target("warm restart at 50,000", "≤ 3 s", _load_at_50000("warm", 3.0)),
    Target("cold load at 50,000", "≤ 15 s", _load_at_50000("cold", 15.0)),
    Target("load linear to 50,000 (no cliff)", "≤ 1.5× per entry", _linear),
    Target("RSS at 50,000", "≤ 1 GB", _rss(False, 50000, 1024.0)),
    Target("RSS on the real knowledge base", "≤ 60 MB", _rss(True, None, 60.0)),
]


def _ms(stats: dict[str, float] | None) -> str:
    return NOT_RUN if not stats else f"{stats['p50']:.2f} / {stats['p99']:.2f}"


def _ratio(slow: dict[str, float] | None, fast: dict[str, float] | None) -> str:
    if not slow or not fast:
        return NOT_RUN
    return f"{slow['p50'] / fast['p50']:.1f}× / {slow['p99'] / fast['p99']:.1f}×"


def _num(value: float | None, digits: int = 2) -> str:
    return NOT_RUN if value is None else f"{value:,.{digits}f}"


def load_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| knowledge base | cold load s | warm restart s | ms/entry cold | ms/entry warm | live reload s | "
        "reload after one edit s | RSS at start MB | RSS steady MB | RSS peak MB | a reload's extra RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        cold, warm, n = r.get("cold") or {}, r.get("warm") or {}, r["entries"]
        extra = None
        if warm.get("rss_after_reload_mb") is not None and warm.get("rss_steady_mb") is not None:
            extra = warm["rss_after_reload_mb"] - warm["rss_steady_mb"]
        per_entry = [None if s.get("seconds") is None else s["seconds"] * 1000 / n for s in (cold, warm)]
        lines.append(
            f"| {r['label']} | {_num(cold.get('seconds'))} | {_num(warm.get('seconds'))} | {_num(per_entry[0], 3)} | "
            f"{_num(per_entry[1], 3)} | {_num(warm.get('reload_seconds'))} | {_num(warm.get('edit_reload_seconds'))} | "
            f"{_num(warm.get('rss_start_mb'), 0)} | {_num(warm.get('rss_steady_mb'), 0)} | "
            f"{_num(warm.get('peak_rss_mb'), 0)} | {_num(extra, 1)} |"
        )
    return "\n".join(lines)


def prepared_text(results: list[dict[str, Any]]) -> str:
    """How long building every entry's answer units took, per knowledge base."""
    parts = [f"{r['label']} {seconds:.2f} s" for r in results
             if (seconds := _get(r, "latency", "prepared_s")) is not None]
    return ", ".join(parts) or "not measured"


def latency_table(results: list[dict[str, Any]], mode: str) -> str:
    lines = [
        f"| knowledge base | {HUB} | {WRATIO} | {TOKENSET} | {BM25} | hubbot faster than WRatio | "
        "than token_set | hubbot ÷ bm25s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        found = _get(r, "latency", mode) or {}
        hub = found.get(HUB)
        lines.append(
            f"| {r['label']} | {_ms(hub)} | {_ms(found.get(WRATIO))} | {_ms(found.get(TOKENSET))} | {_ms(found.get(BM25))} | "
            f"{_ratio(found.get(WRATIO), hub)} | {_ratio(found.get(TOKENSET), hub)} | {_ratio(hub, found.get(BM25))} |"
        )
    return "\n".join(lines)


def kind_table(results: list[dict[str, Any]]) -> str:
    measured = [r for r in results if _get(r, "latency", "by_kind")]
    kinds = sorted({kind for r in measured for kind in r["latency"]["by_kind"]})
    lines = ["| question type | " + " | ".join(r["label"] for r in measured) + " |",
             "|---|" + "---:|" * len(measured)]
    for kind in kinds:
        lines.append(f"| {kind} | " + " | ".join(_ms(r["latency"]["by_kind"].get(kind)) for r in measured) + " |")
    return "\n".join(lines)


def autocomplete_table(results: list[dict[str, Any]]) -> str:
    lines = ["| knowledge base | index build ms | word index p50 / p99 ms | score every entry (`search_names`) p50 / p99 ms "
             "| index faster |", "|---|---:|---:|---:|---:|"]
    for r in results:
        found = _get(r, "latency", "autocomplete")
        if not found:
            continue
        lines.append(f"| {r['label']} | {found['build_ms']:.0f} | {_ms(found['index'])} | {_ms(found.get('scan'))} | "
                     f"{_ratio(found.get('scan'), found['index'])} |")
    return "\n".join(lines)


def targets_text(results: list[dict[str, Any]]) -> str:
    lines = []
    for target in TARGETS:
        measured = target.check(results)
        if measured is None:
            lines.append(f"- {target.what} ({target.limit}): not measured in this run")
        else:
            figure, met = measured
            lines.append(f"- {target.what} ({target.limit}): {figure} — {'met' if met else 'MISSED'}")
    return "\n".join(lines)


def errors_text(results: list[dict[str, Any]]) -> str:
    lines = [f"- {r['label']}, {task}: {r[task]['error']}" for r in results for task in ("cold", "warm", "latency")
             if isinstance(r.get(task), dict) and "error" in r[task]]
    return "\n".join(lines)
