"""Parsed YAML (and each entry's search index) kept by content hash, so unchanged files are not redone.

Parsing YAML is most of the cost of loading a large knowledge base. A reload after staff
edit one file re-parses that file only (the in-memory cache), and a restart reuses the
data of every unchanged file (the optional on-disk cache, written with :mod:`marshal`,
which can hold only plain data and never runs code). Validation always runs in full.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CACHE_FORMAT = 1
MAX_ITEMS = 50_000


def digest(raw: bytes) -> str:
    """The content hash used as the cache key."""
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()


class ParseCache:
    """Parsed data by content hash; ``path`` makes it persist between runs."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._items: dict[str, Any] = {}
        self._dirty = False
        if path is not None:
            self._read(path)

    def get(self, key: str) -> Any | None:
        return self._items.get(key)

    def put(self, key: str, data: Any) -> None:
        if len(self._items) >= MAX_ITEMS:
            self._items.clear()
        self._items[key] = data
        self._dirty = True

    def keep_only(self, keys: set[str]) -> None:
        """Forget data of files that no longer exist in this form."""
        stale = [key for key in self._items if key not in keys]
        for key in stale:
            del self._items[key]
        self._dirty = self._dirty or bool(stale)

    def save(self) -> None:
        """Write the cache atomically if it changed; a failure to write is not an error."""
        if self.path is None or not self._dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(marshal.dumps((CACHE_FORMAT, self._items)))
            temporary.replace(self.path)
            self._dirty = False
        except OSError:
            pass

    def _read(self, path: Path) -> None:
        try:
            with gc_paused():
                version, items = marshal.loads(path.read_bytes())  # noqa: S302 - our own file of plain data
        except (OSError, EOFError, ValueError, TypeError):
            return
        if version == CACHE_FORMAT and isinstance(items, dict):
            self._items = items


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
