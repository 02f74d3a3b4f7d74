"""Read a YAML file into plain Python data while remembering where every value was written.

PyYAML's ``safe_load`` forgets line numbers and silently keeps the last of two duplicate
keys. Here the file is composed into nodes and converted by hand, so every problem can
name its line and column, duplicate keys are reported, and dates stay text until the
schema checks them (so "31 April" gets a clear message instead of a crash).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.knowledge.problems import Problem

Path = tuple[str | int, ...]

try:  # libyaml makes composing thousands of entries several times faster
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_SCALARS = yaml.constructor.SafeConstructor()


@dataclass
class LocatedData:
    """Parsed data plus the (line, column) of each value and each mapping key, 1-based."""

    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of ``path``, or of its nearest written ancestor."""
        table = self.keys if key else self.values
        while True:
            if path in table:
                return table[path]
            if key and path in self.values:
                return self.values[path]
            if not path:
                return (None, None)
            path = path[:-1]
            table = self.values


class YamlProblems(Exception):
    """The file is not valid YAML, or has structural problems such as duplicate keys."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def read_yaml(text: str, file: str) -> LocatedData:
    """Parse one YAML document; raise :class:`YamlProblems` naming every structural problem."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise YamlProblems([_syntax_problem(exc, file, text)]) from None
    except yaml.YAMLError as exc:  # e.g. ReaderError for control characters
        raise YamlProblems([_plain_problem(exc, file)]) from None
    located = LocatedData(data=None)
    if node is None:
        return located
    problems: list[Problem] = []
    located.data = _convert(node, (), located, problems, file, set())
    if problems:
        raise YamlProblems(problems)
    return located


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(
    node: yaml.Node,
    path: Path,
    located: LocatedData,
    problems: list[Problem],
    file: str,
    active: set[int],
) -> Any:
    located.values[path] = _pos(node)
    if id(node) in active:
        line, col = _pos(node)
        problems.append(Problem(file, line, col, "an alias refers to itself (a recursive structure)"))
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates are checked by the schema, with a clear message
        build = _SCALARS.yaml_constructors.get(node.tag)
        if build is None:
            return node.value
        try:
            return build(_SCALARS, node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            return node.value
    active.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            return [
                _convert(item, (*path, index), located, problems, file, active)
                for index, item in enumerate(node.value)
            ]
        if isinstance(node, yaml.MappingNode):
            return _convert_mapping(node, path, located, problems, file, active)
    finally:
        active.discard(id(node))
    return None  # pragma: no cover - PyYAML has only three node kinds


def _convert_mapping(
    node: yaml.MappingNode,
    path: Path,
    located: LocatedData,
    problems: list[Problem],
    file: str,
    active: set[int],
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line, col = _pos(key_node)
        if key_node.tag == "tag:yaml.org,2002:merge":
            problems.append(Problem(file, line, col, "merge keys (<<) are not supported; write the fields out"))
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(file, line, col, "a field name must be plain text, not a list or mapping"))
            continue
        key = str(key_node.value)
        if key in result:
            first_line = located.keys.get((*path, key), (None,))[0]
            problems.append(
                Problem(file, line, col, f"duplicate field '{key}' (first written on line {first_line})")
            )
            continue
        located.keys[(*path, key)] = (line, col)
        result[key] = _convert(value_node, (*path, key), located, problems, file, active)
    return result


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = (exc.problem or str(exc)).strip()
    if _line_has_tab(text, line) or "\t" in problem:
        message = "a tab character is used here; YAML indentation must use spaces"
    elif "expected a single document" in problem or "but found another document" in str(exc):
        message = "the file holds more than one YAML document (a second '---'); keep one entry per file"
    else:
        context = f" {exc.context}" if exc.context else ""
        message = f"YAML syntax error:{context} {problem}".replace("  ", " ")
    return Problem(file, line, column, message)


def _line_has_tab(text: str, line: int | None) -> bool:
    if line is None:
        return False
    lines = text.splitlines()
    return 0 < line <= len(lines) and "\t" in lines[line - 1]


def _plain_problem(exc: yaml.YAMLError, file: str) -> Problem:
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, yaml.reader.ReaderError):
        message = "the file contains a character YAML does not allow (a control character or invalid text)"
        line = None
    return Problem(file, line + 1 if isinstance(line, int) else None, column + 1 if isinstance(column, int) else None, message)
