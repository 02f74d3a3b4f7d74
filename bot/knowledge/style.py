"""The one YAML style every knowledge file follows, and a formatter that writes it.

- Fields in the order the schema declares them; nested fields likewise.
- A value that fits on its line is written plain (``name: Teaching for Mastery Programme``), or in
  double quotes when plain YAML would misread it (``meets: "no"``, a colon followed by a space,
  a leading quote or dash).
- A longer text is a folded block (``>-``) wrapped at :data:`WIDTH` columns.
- Lists are block lists, one ``- `` item per line; an empty list or missing value is left out.

Run ``python -m bot.knowledge.style [--check] [DIR]`` to format the files under ``DIR`` (the
bundled ``knowledge/`` by default); ``--check`` only lists the files that differ.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from bot.knowledge.schema import Entry, OutsideTopics

WIDTH = 100
HEADERS = {
    "entry": "# yaml-language-server: $schema=../schema/entry.schema.json",
    "outside.yaml": "# yaml-language-server: $schema=schema/outside.schema.json",
}
# hub.yaml and vocabulary.yaml keep their hand-written comments, so only these are formatted.
MODELS: dict[str, type[BaseModel]] = {"outside.yaml": OutsideTopics}
_RESERVED = re.compile(r"^(?:y|yes|n|no|true|false|on|off|null|~|[-+]?\d[\d_.:eE+-]*)$", re.IGNORECASE)
_UNSAFE_START = tuple("-?:,[]{}#&*!|>'\"%@`")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _plain_ok(text: str) -> bool:
    if _DATE.match(text):
        return True
    return bool(
        text
        and text == text.strip()
        and "\n" not in text
        and not text.startswith(_UNSAFE_START)
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and not _RESERVED.match(text)
    )


def _scalar(text: str, indent: int, room: int) -> list[str]:
    """The lines of a scalar whose first line has ``room`` columns left."""
    if _plain_ok(text) and len(text) <= room:
        return [text]
    quoted = json.dumps(text, ensure_ascii=False)
    if len(quoted) <= room or "\n" in text or text != text.strip():
        return [quoted]
    lines, current = [], ""
    for word in text.split(" "):
        if current and indent + len(current) + 1 + len(word) > WIDTH:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    pad = " " * indent
    return [">-", *(pad + line for line in lines)]


def _ordered(value: Any, model: type[BaseModel] | None) -> Any:
    """``value`` with mapping keys in the model's field order (unknown keys last, as written)."""
    if isinstance(value, dict):
        fields = list(model.model_fields) if model else []
        keys = [k for k in fields if k in value] + [k for k in value if k not in fields]
        result = {}
        for key in keys:
            child = model.model_fields[key].annotation if model and key in model.model_fields else None
            result[key] = _ordered(value[key], _model_in(child))
        return result
    if isinstance(value, list):
        return [_ordered(item, model) for item in value]
    return value


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found:
            return found
    return None


def _present(value: Any) -> bool:
    return value not in (None, [], {}, "")


def _emit_mapping(value: dict[str, Any], indent: int, lines: list[str], first_prefix: str | None = None) -> None:
    """Each field of a mapping whose keys start at column ``indent`` (the first after ``first_prefix``)."""
    for position, (key, child) in enumerate((k, v) for k, v in value.items() if _present(v)):
        prefix = first_prefix if position == 0 and first_prefix is not None else " " * indent
        _emit_value(child, indent, lines, f"{prefix}{key}:")


def _emit_value(value: Any, indent: int, lines: list[str], prefix: str) -> None:
    """A field's value after its ``key:`` (``prefix``), the key being at column ``indent``."""
    if isinstance(value, dict):
        lines.append(prefix)
        _emit_mapping(value, indent + 2, lines)
    elif isinstance(value, list):
        lines.append(prefix)
        for item in value:
            _emit_item(item, indent + 2, lines)
    else:
        _emit_scalar(value, indent + 2, lines, prefix)


def _emit_item(item: Any, indent: int, lines: list[str]) -> None:
    """One list item, its dash at column ``indent``."""
    dash = " " * indent + "- "
    if isinstance(item, dict):
        _emit_mapping(item, indent + 2, lines, first_prefix=dash)
    else:
        _emit_scalar(item, indent + 2, lines, dash.rstrip())


def _emit_scalar(value: Any, continuation: int, lines: list[str], prefix: str) -> None:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    body = _scalar(text, continuation, WIDTH - len(prefix) - 1)
    lines.append(f"{prefix} {body[0]}")
    lines.extend(body[1:])


def format_data(data: dict[str, Any], model: type[BaseModel], header: str) -> str:
    """The house-style YAML text of one file's data."""
    lines = [header]
    _emit_mapping(_ordered(data, model), 0, lines)
    return "\n".join(lines) + "\n"


def _model_for(path: Path) -> tuple[type[BaseModel], str] | None:
    if path.parent.name == "entries":
        return Entry, HEADERS["entry"]
    if path.name in MODELS:
        return MODELS[path.name], HEADERS[path.name]
    return None


def format_file(path: Path) -> str | None:
    """The house-style text of a knowledge file (None when it is not one, or cannot be read)."""
    kind = _model_for(path)
    if kind is None:
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Text)  # noqa: S506 - text-only loader
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    return format_data(data, *kind)


class _Text(yaml.SafeLoader):
    """Reads every scalar as text, as the knowledge loader does."""


_Text.add_constructor("tag:yaml.org,2002:timestamp", _Text.construct_yaml_str)
for _tag in ("bool", "int", "float", "null"):
    _Text.add_constructor(f"tag:yaml.org,2002:{_tag}", _Text.construct_yaml_str)


def knowledge_files(root: Path) -> list[Path]:
    """outside.yaml and every entry file under ``root``."""
    found = [root / name for name in MODELS if (root / name).is_file()]
    return found + sorted((root / "entries").glob("*.yaml"))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [arg for arg in argv if arg != "--check"]
    root = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "knowledge"
    differ = []
    for path in knowledge_files(root):
        wanted = format_file(path)
        if wanted is None or wanted == path.read_text(encoding="utf-8"):
            continue
        differ.append(path)
        if not check:
            path.write_text(wanted, encoding="utf-8")
    for path in differ:
        print(f"{'not in the house style' if check else 'formatted'}: {path}")
    return 1 if check and differ else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
