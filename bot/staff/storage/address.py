"""Where the records are: a SQLite file's path, or a PostgreSQL address — and how to name it safely."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres_url(target: str | Path) -> bool:
    """Whether ``target`` is a PostgreSQL address (``postgresql://…``) rather than a file's path."""
    return isinstance(target, str) and urlsplit(target).scheme in POSTGRES_SCHEMES and "://" in target


def safe_label(url: str) -> str:
    """``url`` without its password or query, to name the database in logs and messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a number: left out rather than shown wrong
        port = ""
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"
