"""Turn pydantic validation errors into plain-words problems located in the YAML file."""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz, process

from bot.knowledge.problems import Problem
from bot.knowledge.yaml_source import LocatedData, Path


def problems_from_validation(
    error: ValidationError, model: type[BaseModel], located: LocatedData, file: str
) -> list[Problem]:
    """One problem per pydantic error, with line, column and a suggestion where one exists."""
    problems = []
    for detail in error.errors(include_url=False):
        path: Path = tuple(detail["loc"])
        is_key = detail["type"] == "extra_forbidden"
        line, column = located.locate(path, key=is_key)
        problems.append(Problem(file, line, column, _message(detail, path, model)))
    return problems


def _message(detail: dict[str, Any], path: Path, model: type[BaseModel]) -> str:
    kind = detail["type"]
    where = _dotted(path)
    field = str(path[-1]) if path else ""
    value = detail.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_at(model, path[:-1])
        hint = _suggest(field, allowed)
        return f"unknown field '{field}'" + (f" — did you mean '{hint}'?" if hint else f" (allowed: {', '.join(allowed)})")
    if kind == "missing":
        return f"missing required field '{where}'"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"'{where}' is not a real date: {value!r} ({detail.get('ctx', {}).get('error', detail['msg'])}); write YYYY-MM-DD"
    if kind == "enum":
        choices = _enum_values(model, path)
        hint = _suggest(str(value), choices)
        text = f"unknown value {value!r} for '{where}'"
        if hint:
            text += f" — did you mean '{hint}'?"
        return text + (f" (allowed: {', '.join(choices)})" if choices else "")
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        return f"'{where}' must be one of {expected}, not {value!r}"
    if kind == "string_too_short":
        return f"'{where}' is empty; write the text or remove the field"
    if kind == "too_short":
        return f"'{where}' needs at least {detail.get('ctx', {}).get('min_length', 1)} item(s)"
    if kind == "string_pattern_mismatch":
        return f"'{where}' has the wrong form: {value!r} ({_pattern_hint(field, path)})"
    if kind in {"list_type", "dict_type", "model_type", "string_type", "int_type", "bool_type"}:
        return f"'{where}' should be {_TYPE_WORDS.get(kind, kind)}, not {_describe(value)}"
    if kind == "value_error":
        return f"'{where}': {detail['msg'].removeprefix('Value error, ')}"
    return f"'{where}': {detail['msg']}"


_TYPE_WORDS = {
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (the field is empty)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _pattern_hint(field: str, path: Path) -> str:
    if field in {"id", "group", "related", "suggest"} or (len(path) > 1 and path[-2] in {"related", "suggest"}):
        return "use lowercase words and digits joined by hyphens, e.g. 'mastering-number-ks2'"
    if field == "academic_year":
        return "write it like 2025/26"
    return "see knowledge/README.md"


def _dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the file)"


def _suggest(word: str, choices: list[str]) -> str | None:
    if not choices or not word:
        return None
    best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=70)
    return best[0] if best else None


def _unwrap(annotation: Any) -> Any:
    """The model or enum inside Optional[...] / list[...] / Annotated[...], if any."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (list, tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _unwrap(arg)
            if isinstance(found, type) and issubclass(found, (BaseModel, Enum)):
                return found
        return None
    return annotation


def _resolve(model: type[BaseModel], path: Path) -> Any:
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _unwrap(info.annotation)
    return current


def _fields_at(model: type[BaseModel], path: Path) -> list[str]:
    target = _resolve(model, path)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def _enum_values(model: type[BaseModel], path: Path) -> list[str]:
    target = _resolve(model, path)
    if isinstance(target, type) and issubclass(target, Enum):
        return [str(member.value) for member in target]
    return []
