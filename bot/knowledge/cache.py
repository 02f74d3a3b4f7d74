"""Parsed YAML (and each entry's search index) kept by content hash, so unchanged files are not redone.

Parsing YAML is most of the cost of loading a large knowledge base. A reload after staff
edit one file re-parses that file only (the in-memory cache), and a restart reuses the
data of every unchanged file (the optional on-disk cache, written with :mod:`marshal`,
which can hold only plain data and never runs code). Validation always runs in full, and
a cached value of the wrong shape is ignored (the file is parsed again).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CACHE_FORMAT = 3  # 3: each value is held as its marshal bytes
MAGIC = "hubbot-parse-cache"
MAX_ITEMS = 50_000  # the least it keeps; a knowledge base with more files reserves more (see reserve)
COMPACT_FACTOR = 2  # rewrite the file when it holds this many times more records than live items
# How many parts each kind of cached value has, by key prefix: parsed files store (data,
# positions); the search index stores seven parts per entry, the answer units five (each unit's analysis,
# the FAQs' analysed questions, the roles and key stages its names say, the typo corrections it rests on). A value of another shape is from damage or other code, and is
# not used (the file is parsed again); a file whose records do not read cleanly is ignored whole.
SHAPES = {"index:": 7, "units:": 5, "": 2}


def _well_shaped(key: str, value: Any) -> bool:
    if value is None:
        return True
    size = next(size for prefix, size in SHAPES.items() if key.startswith(prefix))
    return isinstance(value, tuple | list) and len(value) == size


def digest(raw: bytes) -> str:
    """The content hash used as the cache key."""
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()


class ParseCache:
    """Parsed data by content hash; ``path`` makes it persist between runs.

    Full, it forgets its oldest items one at a time (never all at once). On disk it is a header
    and then one marshal record per change, so a save appends only what changed since the last
    one; the file is rewritten whole only when stale records outnumber live ones. A file that
    does not read cleanly (damaged, another format) is ignored and rebuilt.
    """

    def __init__(self, path: Path | None = None, max_items: int = MAX_ITEMS) -> None:
        self.path = path
        self.max_items = max_items
        self._reserved = 0
        # Each value is kept as its marshal bytes, decoded when asked for: a value is read once per load,
        # and as Python objects a 5,000-entry knowledge base's cache took 104 MB, as bytes 19 MB.
        self._items: dict[str, bytes] = {}
        self._pending: dict[str, bytes | None] = {}  # changed since the last save; None marks a removal
        self._records = 0  # records in the file on disk
        self._rewrite = True  # the next save writes the whole file
        # Answers (on worker threads), a background warm-up and a reload's save share one cache: a save must not
        # walk the items while another thread adds one.
        self._lock = threading.RLock()
        if path is not None:
            self._read(path)

    def __len__(self) -> int:
        return len(self._items)

    def reserve(self, count: int) -> None:
        """Make room for at least ``count`` items (the loader reserves two per entry file)."""
        self._reserved = max(self._reserved, count)

    @property
    def capacity(self) -> int:
        return max(self.max_items, self._reserved)

    def get(self, key: str) -> Any | None:
        """The value put under ``key`` (a fresh copy), or None; a value of the wrong shape counts as none."""
        raw = self._items.get(key)
        if raw is None:
            return None
        try:
            value = marshal.loads(raw)  # noqa: S302 - our own plain data
        except (EOFError, ValueError, TypeError):
            value = None
        return value if value is not None and _well_shaped(key, value) else None

    def put(self, key: str, data: Any) -> None:
        try:
            raw = marshal.dumps(data)
        except ValueError:  # not plain data: nothing to keep
            return
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = raw
            self._pending[key] = raw
            while len(self._items) > self.capacity:
                oldest = next(iter(self._items))
                del self._items[oldest]
                self._pending[oldest] = None

    def keep_only(self, keys: set[str]) -> None:
        """Forget data of files that no longer exist in this form."""
        with self._lock:
            for key in [key for key in self._items if key not in keys]:
                del self._items[key]
                self._pending[key] = None

    def save(self) -> None:
        """Write what changed (appended, or the whole file when due); a failure to write is not an error."""
        with self._lock:
            self._save()

    def _save(self) -> None:
        if self.path is None or not (self._pending or self._rewrite):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            stale = self._records + len(self._pending) > COMPACT_FACTOR * max(len(self._items), 1) + 64
            if self._rewrite or stale or not self.path.exists():
                self._write_all()
            else:
                with self.path.open("ab") as handle:
                    for key, value in self._pending.items():
                        marshal.dump((key, value), handle)
                self._records += len(self._pending)
            self._pending.clear()
        except (OSError, ValueError):
            self._rewrite = True

    def _write_all(self) -> None:
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")  # type: ignore[union-attr]
        with temporary.open("wb") as handle:
            marshal.dump((MAGIC, CACHE_FORMAT), handle)
            for record in self._items.items():
                marshal.dump(record, handle)
        temporary.replace(self.path)  # type: ignore[arg-type]
        self._records = len(self._items)
        self._rewrite = False

    def _read(self, path: Path) -> None:
        items: dict[str, Any] = {}
        records = 0
        try:
            with gc_paused(), path.open("rb") as handle:
                if marshal.load(handle) != (MAGIC, CACHE_FORMAT):  # noqa: S302 - our own file of plain data
                    raise ValueError("another cache format")
                while True:
                    try:
                        record = marshal.load(handle)  # noqa: S302
                    except EOFError:
                        break
                    if not (isinstance(record, tuple) and len(record) == 2 and isinstance(record[0], str)
                            and isinstance(record[1], bytes | None)):
                        raise ValueError("a record of the wrong shape")
                    key, value = record
                    records += 1
                    if value is None:
                        items.pop(key, None)
                    else:
                        items[key] = value
        except FileNotFoundError:
            return
        except Exception:
            self._items, self._records, self._rewrite = {}, 0, True
            return
        # Everything read is kept: the loader reserves room for its knowledge base only after reading,
        # so trimming here to the default size threw half of a 50,000-entry cache away on every start.
        # The next put trims to the capacity then in force.
        self._items, self._records, self._rewrite = items, records, False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many long-lived objects.

    Loading allocates hundreds of thousands of objects that all survive; the collector would
    walk them again and again for nothing (a large share of the load time at 5,000 entries).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def default_cache_path() -> Path:
    """``$HUBBOT_CACHE_DIR/cache.marshal``, by default under ``~/.cache/hubbot``."""
    base = Path(os.environ.get("HUBBOT_CACHE_DIR") or Path.home() / ".cache" / "hubbot")
    return base / "cache.marshal"


def code_fingerprint(module_file: str, *siblings: str) -> str:
    """A hash of a module's source and its sibling modules', so derived data follows code changes."""
    folder = Path(module_file).parent
    hasher = hashlib.sha1(usedforsecurity=False)
    for path in [Path(module_file), *(folder / name for name in siblings)]:
        try:
            hasher.update(path.read_bytes())
        except OSError:
            hasher.update(path.name.encode())
    return hasher.hexdigest()[:12]


def persist(cache: ParseCache, path: Path | None = None) -> None:
    """Make ``cache`` read from and save to disk (by default :func:`default_cache_path`)."""
    cache.path = path or default_cache_path()
    cache._read(cache.path)
    cache._pending.clear()
