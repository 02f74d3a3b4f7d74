"""What machine a figure came from, and how much memory this process holds (RSS, from the kernel)."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
from pathlib import Path

MB = 1024 * 1024
BM25_MISSING = (
    "bm25s is not installed, so the bm25s peer (retrieval only) is left out of every table. "
    "Install it with: pip install -e '.[bench]'"
)


def cpu_model() -> str:
    """The CPU's model name (Linux), else what :mod:`platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - not available
        return None


def machine_label() -> str:
    """e.g. ``AMD EPYC, 2 cores (2 usable), CPython 3.11.2, Linux 6.1``."""
    python = f"{platform.python_implementation()} {platform.python_version()}"
    system = f"{platform.system()} {platform.release().split('-')[0]}"
    return f"{cpu_model()}, {os.cpu_count()} cores ({usable_cores()} usable), {python}, {system}"


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def rss_mb() -> float | None:
    """Resident set size of this process now, in MB (None where the kernel doesn't say)."""
    kb = _status_kb("VmRSS")
    return kb / 1024 if kb is not None else None


def peak_rss_mb() -> float:
    """The highest resident set size this process has had, in MB."""
    kb = _status_kb("VmHWM")
    if kb is not None:
        return kb / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024


def bm25_version() -> str | None:
    """The installed bm25s version, or None when it is missing or cannot be imported.

    Asked of a child interpreter, so the parent never loads bm25s and numpy just to know.
    """
    probe = "import bm25s, importlib.metadata as m; print(m.version('bm25s'))"
    try:
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or "unknown version"
