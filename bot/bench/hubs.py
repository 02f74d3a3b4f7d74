"""``python -m bot bench --hubs 1,10,40``: what one bot process holds and costs per hub it serves.

For each knowledge-base size, as many distinct synthetic knowledge bases as the largest hub count are
written (each from its own seed, so no two hubs share entries or parsed files); then, for each hub
count, one fresh process loads that many hubs the way the bot does (``KnowledgeService`` per hub, with
discord.py imported) and asks every hub the traffic-like question mix in turn. The figures: RSS at
start, after loading and steady after answering (so MB per hub), load time, and answer latency when
questions go to the hubs in turn (the CPU caches then hold another hub's data: the honest case).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.bench.command import BenchSettings, _progress, _run
from bot.bench.machine import load_average, machine_label

DEFAULT_HUB_COUNTS = (1, 10, 40)


def run_hubs(sizes: tuple[int, ...], counts: tuple[int, ...], settings: BenchSettings) -> dict[str, Any]:
    """Every hub-count measurement, as plain data."""
    data: dict[str, Any] = {"machine": machine_label(), "load_average_before": load_average(),
                            "started": time.strftime("%Y-%m-%d %H:%M"), "questions": settings.questions, "results": []}
    with tempfile.TemporaryDirectory(prefix="hubbot-bench-hubs-") as tmp:
        for size in sizes:
            dirs = []
            for number in range(max(counts)):
                directory = Path(tmp) / f"size-{size}" / f"hub-{number}"
                _progress(f"{size:,} entries: writing hub {number + 1} of {max(counts)}")
                written = _run("write", {"size": size, "dir": str(directory), "seed": 100 + number}, settings)
                if "error" in written:
                    data["results"].append({"entries": size, "hubs": max(counts), "error": written["error"]})
                    break
                dirs.append(str(directory))
            else:
                for count in counts:
                    _progress(f"{size:,} entries: one process holding {count} hub{'s' if count != 1 else ''}")
                    found = _run("hubs", {"dirs": dirs[:count], "questions": settings.questions, "seed": settings.seed}, settings)
                    data["results"].append({"entries": size, "hubs": count, **found})
            shutil.rmtree(Path(tmp) / f"size-{size}", ignore_errors=True)
    data["load_average_after"] = load_average()
    return data


def _mb(value: float | None) -> str:
    return f"{value:,.0f}" if value is not None else "–"


def hubs_table(data: dict[str, Any]) -> str:
    lines = [
        "| entries per hub | hubs | load, all hubs s | RSS start / loaded / steady / peak MB | MB per hub beyond the first "
        "| answer ms p50 / p99 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    one_hub = {r["entries"]: r for r in data["results"] if r.get("hubs") == 1 and "error" not in r}
    for result in data["results"]:
        if "error" in result:
            lines.append(f"| {result['entries']:,} | {result['hubs']} | failed: {result['error']} | | | |")
            continue
        start, steady = result["rss_start_mb"], result["rss_steady_mb"]
        first = one_hub.get(result["entries"])
        per_hub = (
            (steady - first["rss_steady_mb"]) / (result["hubs"] - 1)
            if first is not None and result["hubs"] > 1 and steady is not None and first["rss_steady_mb"] is not None
            else None
        )
        latency = result["latency"]
        lines.append(
            f"| {result['entries_per_hub']:,} | {result['hubs']} | {sum(result['load_seconds']):.1f} | "
            f"{_mb(start)} / {_mb(result['rss_after_mb'][-1])} / {_mb(steady)} / {_mb(result['peak_rss_mb'])} | "
            f"{_per_hub(per_hub)} | {latency['p50']:.2f} / {latency['p99']:.2f} |"
        )
    return "\n".join(lines)


def _per_hub(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}"


def render_hubs(data: dict[str, Any]) -> str:
    before, after = data["load_average_before"], data["load_average_after"]
    return "\n\n".join([
        f"## hubbot bench, hubs per process — {data['started']}",
        f"Machine: {data['machine']}; load average {before:.2f} before, {after:.2f} after." if before is not None
        and after is not None else f"Machine: {data['machine']}.",
        hubs_table(data),
        f"Each row is one fresh process (discord.py imported, as in the bot) loading that many distinct synthetic "
        f"hubs, then asking each hub {data['questions']} traffic-like questions, each question to the next hub in "
        "turn. RSS as the kernel counts it; MB per hub beyond the first = (steady − steady with one hub) ÷ (hubs − 1), so the "
        "costs every bot has once (discord.py, the spelling dictionary loaded by the first question) are not counted "
        "per hub.",
    ])


def hubs_command(sizes: tuple[int, ...], counts: tuple[int, ...], settings: BenchSettings, json_path: Path | None) -> int:
    """Run the hub-count bench and print its table; exit 0 whatever the figures."""
    data = run_hubs(sizes, counts, settings)
    print(render_hubs(data))
    if json_path is not None:
        json_path.write_text(json.dumps(data, indent=1), encoding="utf-8")
        _progress(f"wrote {json_path}")
    return 0
