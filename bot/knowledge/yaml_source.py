"""Read a YAML file into plain Python data while keeping where every value was written.

PyYAML's ``safe_load`` forgets line numbers and silently keeps the last of two duplicate
keys. Here the file is composed into nodes and converted by hand, so every problem can
name its line and column and duplicate keys are reported. Scalars stay text (except an
empty value, which is nothing) and the schema converts them: "31 April" gets a clear
message instead of a crash, and ``meets: no`` stays the word "no", not a boolean.
Positions are looked up in the node tree only when a problem needs one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from bot.knowledge.limits import MAX_LIST_ITEMS, MAX_TEXT_CHARS, MAX_VALUES
from bot.knowledge.problems import Problem

Path = tuple[str | int, ...]

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
_STR = "tag:yaml.org,2002:str"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class _TextLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Composes nodes without guessing scalar types (the schema does that)."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _STR
        return super().resolve(kind, value, implicit)


@dataclass
class LocatedData:
    """Parsed data plus the node tree it came from, to find any value's (line, column)."""

    data: Any
    root: yaml.Node | None = None
    text: str | None = None  # when set and ``root`` is not, the tree is composed on first use
    shallow: dict[Path, tuple[int, int]] | None = None  # positions of values down to SHALLOW levels

    def locate(self, path: Path, *, key: bool = False) -> tuple[int | None, int | None]:
        """The 1-based position of ``path`` (of its key with ``key=True``), or of its nearest ancestor."""
        if not key and self.shallow is not None and path in self.shallow:
            return self.shallow[path]
        if self.root is None and self.text is not None:
            try:
                self.root = yaml.compose(self.text, Loader=_TextLoader)
            except yaml.YAMLError:
                self.text = None
        node = self.root
        if node is None:
            return (None, None)
        for depth, part in enumerate(path):
            child = key_node = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == part:
                        key_node, child = k, v
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                child = node.value[part]
            if child is None:
                break
            if key and depth == len(path) - 1 and key_node is not None:
                return _pos(key_node)
            node = child
        return _pos(node)


class YamlProblems(Exception):
    """The file is not valid YAML, or has structural problems such as duplicate keys."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


_PLAIN_TAGS = frozenset({None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


def screen(text: str, file: str) -> list[Problem]:
    """Problems found by reading the file's events, before any value is built.

    Anchors and aliases (``&name``, ``*name``) are refused: knowledge files don't need them, and
    nested aliases can make a 500-byte file expand to gigabytes. Tags such as
    ``!!python/object/apply`` are refused rather than silently dropped. Lists, texts and the
    number of values are bounded (:mod:`bot.knowledge.limits`). Stops at the first problem of
    each kind; a syntax error is left to the parser, which reports it.
    """
    problems: list[Problem] = []
    seen: set[str] = set()

    def report(kind: str, mark: yaml.Mark, message: str) -> None:
        if kind not in seen:
            seen.add(kind)
            problems.append(Problem(file, mark.line + 1, mark.column + 1, message))

    lists: list[int] = []  # items so far in each open list
    values = 0
    try:
        for event in yaml.parse(text, Loader=_TextLoader):
            if isinstance(event, yaml.AliasEvent):
                report("alias", event.start_mark, f"an alias (*{event.anchor}) repeats another value; knowledge files "
                       "don't allow aliases or anchors: write the value out")
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.SequenceEndEvent)):
                continue
            if isinstance(event, yaml.SequenceEndEvent):
                lists.pop()
                continue
            if event.anchor:
                report("alias", event.start_mark, f"an anchor (&{event.anchor}) marks a value to repeat; knowledge files "
                       "don't allow anchors or aliases: write each value out")
            if event.tag not in _PLAIN_TAGS:
                report(f"tag {event.tag}", event.start_mark, f"the tag '{_short_tag(event.tag)}' is not allowed: knowledge "
                       "files hold only text, lists and fields")
            values += 1
            if values > MAX_VALUES:
                report("values", event.start_mark, f"the file holds more than {MAX_VALUES:,} values; split it or shorten it")
                break
            if lists:
                lists[-1] += 1
                if lists[-1] == MAX_LIST_ITEMS + 1:
                    report("list", event.start_mark, f"a list with more than {MAX_LIST_ITEMS} items; keep lists shorter")
            if isinstance(event, yaml.SequenceStartEvent):
                lists.append(0)
            elif isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_TEXT_CHARS:
                report("text", event.start_mark, f"a text of {len(event.value):,} characters; a text may have at most "
                       f"{MAX_TEXT_CHARS:,}")
    except yaml.YAMLError:
        pass  # the parser reports syntax errors with their position
    return problems


def _short_tag(tag: str | None) -> str:
    return f"!!{tag.removeprefix('tag:yaml.org,2002:')}" if tag and tag.startswith("tag:yaml.org,2002:") else str(tag)


def read_yaml(text: str, file: str) -> LocatedData:
    """Parse one YAML document; raise :class:`YamlProblems` naming every structural problem."""
    node = _composed_within_limits(text)
    if node is _SCREEN:
        screened = screen(text, file)
        if screened:
            raise YamlProblems(screened)
        try:
            node = yaml.compose(text, Loader=_TextLoader)
        except yaml.MarkedYAMLError as exc:
            raise YamlProblems([_syntax_problem(exc, file, text)]) from None
        except yaml.YAMLError as exc:  # e.g. ReaderError for control characters
            raise YamlProblems([_plain_problem(exc, file)]) from None
    if node is None:
        return LocatedData(data=None)
    problems: list[Problem] = []
    data = _convert(node, problems, file, set())
    if problems:
        raise YamlProblems(problems)
    return LocatedData(data=data, root=node, shallow=shallow_positions(node))


_SCREEN = object()  # the file needs the event-by-event screen
# Where an anchor (&name) can start: at the start of a line, after a space or a flow indicator. Text
# anywhere else ("Q&A") cannot hold one; a file with an '&' in such a place is screened event by event.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:?-])&", re.M)
_TREE_TAGS = frozenset({_STR, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


def _composed_within_limits(text: str) -> Any:
    """The file's node tree, composed by the parser alone, when :func:`screen` would find nothing; else ``_SCREEN``.

    Most files are well formed: for them one pass of the (C) parser is enough, and the limits are
    checked on the tree. Anything the tree cannot show for certain — a possible anchor, a syntax
    error, a value past a limit — sends the file through the event screen and its messages.
    """
    if _MAYBE_ANCHOR.search(text):
        return _SCREEN
    try:
        root = yaml.compose(text, Loader=_TextLoader)
    except yaml.YAMLError:
        return _SCREEN
    return root if root is None or _within_limits(root) else _SCREEN


def _within_limits(root: yaml.Node) -> bool:
    """Whether :func:`screen`'s checks all pass, counted as it counts events (a list counts every value
    inside it but those inside a nested list); an alias (a node met twice) or a tag fails.
    """
    seen: set[int] = set()
    counts: list[int] = []
    values = 0
    stack: list[tuple[yaml.Node, int]] = [(root, -1)]
    while stack:
        node, owner = stack.pop()
        if id(node) in seen or node.tag not in _TREE_TAGS:
            return False
        seen.add(id(node))
        values += 1
        if owner >= 0:
            counts[owner] += 1
            if counts[owner] > MAX_LIST_ITEMS:
                return False
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > MAX_TEXT_CHARS:
                return False
        elif isinstance(node, yaml.SequenceNode):
            counts.append(0)
            stack.extend((child, len(counts) - 1) for child in node.value)
        else:
            for key, value in node.value:
                stack.append((key, owner))
                stack.append((value, owner))
    return values <= MAX_VALUES


SHALLOW = 3  # e.g. ("deadlines", 0, "date"): deep enough for every warning
# The fields warnings point at; other positions are found in the file when a problem needs them.
WARNED_FIELDS = frozenset({"id", "academic_year", "last_reviewed", "deadlines", "links", "website", "email"})


def shallow_positions(root: yaml.Node) -> dict[Path, tuple[int, int]]:
    """Positions of the fields warnings point at, cheap to keep and cache."""
    found: dict[Path, tuple[int, int]] = {}
    stack: list[tuple[Path, yaml.Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        found[path] = _pos(node)
        if len(path) >= SHALLOW or (path and path[0] not in WARNED_FIELDS):
            continue
        if isinstance(node, yaml.MappingNode):
            stack.extend(((*path, str(k.value)), v) for k, v in node.value if isinstance(k, yaml.ScalarNode))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((*path, i), v) for i, v in enumerate(node.value))
    return found


def _pos(node: yaml.Node) -> tuple[int, int]:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


def _convert(node: yaml.Node, problems: list[Problem], file: str, active: set[int]) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return None if not node.style and node.value in _NULLS else node.value
    if id(node) in active:
        line, col = _pos(node)
        problems.append(Problem(file, line, col, "an alias refers to itself (a recursive structure)"))
        return None
    active.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            return [_convert(item, problems, file, active) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            return _convert_mapping(node, problems, file, active)
    finally:
        active.discard(id(node))
    return None  # pragma: no cover - PyYAML has only three node kinds


def _convert_mapping(node: yaml.MappingNode, problems: list[Problem], file: str, active: set[int]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and not key_node.style and key_node.value == "<<":
            line, col = _pos(key_node)
            problems.append(Problem(file, line, col, "merge keys (<<) are not supported; write the fields out"))
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            line, col = _pos(key_node)
            problems.append(Problem(file, line, col, "a field name must be plain text, not a list or mapping"))
            continue
        key = str(key_node.value)
        if key in result:
            line, col = _pos(key_node)
            first = next(k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == key)
            message = f"duplicate field '{key}' (first written on line {_pos(first)[0]})"
            problems.append(Problem(file, line, col, message))
            continue
        result[key] = _convert(value_node, problems, file, active)
    return result


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str, text: str) -> Problem:
    """The syntax error where the mistake starts, in plain words (not the parser's own)."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = (exc.problem or str(exc)).strip()
    context = (exc.context or "").strip()
    start = exc.context_mark
    opened = (start.line + 1, start.column + 1) if start else (line, column)
    if _line_has_tab(text, line) or "\t" in problem:
        message = "a tab character is used here; YAML indentation must use spaces"
    elif "expected a single document" in problem or "but found another document" in str(exc):
        message = "the file holds more than one YAML document (a second '---'); keep one entry per file"
    elif "quoted scalar" in context:
        quote = _char_at(text, start) or '"'
        line, column = opened
        message = f"this quote ({quote}), opened on line {line}, is never closed: add the closing {quote}"
    elif "flow sequence" in context:
        line, column = opened
        message = f"this list in [brackets], opened on line {line}, is not closed: add ']' (or a ',' between items)"
    elif "flow mapping" in context:
        line, column = opened
        message = f"these {{braces}}, opened on line {line}, are not closed: add '}}' (or a ',' between fields)"
    elif "mapping values are not allowed" in problem and _looks_like_a_field(text, line, column):
        message = "this line is indented more than the field above it: line it up with the fields around it"
    elif "mapping values are not allowed" in problem:
        message = "a colon followed by a space inside a value: put the whole value in double quotes"
    elif "simple key" in context and "expected ':'" in problem:
        line, column = opened
        message = "this line has no ':' after the field name (write it as 'field: value')"
    elif "did not find expected key" in problem or "expected <block end>" in problem:
        message = "this line is not indented like the lines around it: line it up with the field or list item it belongs to"
    elif "found character" in problem and "cannot start any token" in problem:
        message = f"{problem.split(' that ')[0]} cannot start a value here: put the value in double quotes"
    else:
        message = f"YAML syntax error: {context} {problem}".replace("  ", " ").replace(": :", ":")
    return Problem(file, line, column, message)


def _looks_like_a_field(text: str, line: int | None, column: int | None) -> bool:
    """Whether the line at the error is an indented ``field: value`` whose colon is where the parser stopped."""
    lines = text.splitlines()
    if line is None or column is None or not 0 < line <= len(lines):
        return False
    found = re.match(r"^(\s+)[A-Za-z_][\w-]*:(\s|$)", lines[line - 1])
    return bool(found) and found.end(0) - len(found.group(2)) == column


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    if 0 <= mark.line < len(lines) and 0 <= mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


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
