"""JSON Schemas of the knowledge-base files, so editors can complete and check them as staff type."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from bot.knowledge.schema import Entry, HubInfo, OutsideTopics, Vocabulary

SCHEMAS: dict[str, type[BaseModel]] = {
    "entry.schema.json": Entry,
    "hub.schema.json": HubInfo,
    "vocabulary.schema.json": Vocabulary,
    "outside.schema.json": OutsideTopics,
}


def schema_text(model: type[BaseModel]) -> str:
    """The model's JSON Schema (draft 2020-12), pretty-printed."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema file into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = directory / name
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
