"""Load and validate a knowledge-base directory; the only loader the bot and `validate` use.

Layout: ``hub.yaml`` (:class:`HubInfo`), ``vocabulary.yaml`` (:class:`Vocabulary`), the optional
``outside.yaml`` (:class:`OutsideTopics`) and one :class:`Entry` per file in ``entries/``. Every
problem in every file is collected before failing, and the loader raises nothing but
:class:`KnowledgeError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from bot.knowledge.base import KnowledgeBase
from bot.knowledge.cache import ParseCache, gc_paused
from bot.knowledge.cache import digest as content_digest
from bot.knowledge.checks import cross_checks, freshness_warnings, untitled_sources
from bot.knowledge.limits import MAX_FILE_BYTES
from bot.knowledge.messages import problems_from_validation
from bot.knowledge.problems import KnowledgeError, Problem
from bot.knowledge.schema import Entry, HubInfo, OutsideTopics, Vocabulary
from bot.knowledge.yaml_source import LocatedData, YamlProblems, read_yaml

HUB_FILE = "hub.yaml"
VOCABULARY_FILE = "vocabulary.yaml"
OUTSIDE_FILE = "outside.yaml"
ENTRIES_DIR = "entries"

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class ParsedFile:
    """One file's validated model and the positions of its values."""

    path: str
    model: BaseModel
    located: LocatedData
    fingerprint: str


MEMORY_CACHE = ParseCache()  # shared by every load in this process, so reloads re-parse only edits


def load_knowledge(
    directory: str | Path,
    *,
    today: dt.date | None = None,
    sources_dir: str | Path | None = None,
    cache: ParseCache | None = MEMORY_CACHE,
) -> KnowledgeBase:
    """Load every file under ``directory``; raise :class:`KnowledgeError` listing all errors.

    ``today`` dates the freshness warnings; ``sources_dir``, when given and present, is where
    the source documents live so every quoted source can be checked word for word; ``cache``
    holds parsed data of unchanged files (``None`` parses everything).
    """
    try:
        with gc_paused():
            kb = _load(Path(directory), today or dt.date.today(), Path(sources_dir) if sources_dir else None, cache)
            # Frozen before the collector is on again, or its first young collection would walk everything
            # just built (about 3 s at 50,000 entries). The engine built next unfreezes them and collects
            # once; freezing never keeps an object alive, only cyclic garbage uncollected until then.
            gc.freeze()
    except KnowledgeError:
        raise
    except Exception as exc:
        raise KnowledgeError([Problem(str(directory), None, None, f"could not load: {exc!r}")]) from exc
    if cache is not None:
        cache.save()
    return kb


def _load(root: Path, today: dt.date, sources_dir: Path | None, cache: ParseCache | None) -> KnowledgeBase:
    problems: list[Problem] = []
    digest = hashlib.sha256()
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), None, None, "knowledge directory not found")])

    inside = os.path.realpath(root)
    _REAL_FOLDERS.clear()
    hub = _parse_file(root / HUB_FILE, HubInfo, problems, digest, cache, required=True, inside=inside, root=root)
    vocabulary = _parse_file(root / VOCABULARY_FILE, Vocabulary, problems, digest, cache, required=False, inside=inside, root=root)
    outside = _parse_file(root / OUTSIDE_FILE, OutsideTopics, problems, digest, cache, required=False, inside=inside, root=root)
    entry_files = _yaml_files(root / ENTRIES_DIR)
    if not entry_files:
        problems.append(Problem(str(root / ENTRIES_DIR), None, None, "no entry files (*.yaml) found"))
    if cache is not None:
        cache.reserve(3 * len(entry_files) + 8)  # each entry's parsed data, its search index and its answer units
    parsed_entries: list[ParsedFile] = []
    broken: dict[str, str] = {}  # id (or file name) of an entry file that has an error → its path
    for path in entry_files:
        parsed = _parse_file(path, Entry, problems, digest, cache, required=True, inside=inside, root=root)
        if parsed is not None:
            parsed_entries.append(parsed)
        else:
            broken.update(dict.fromkeys(_guessed_ids(path), path))

    titles = {doc.file: doc.title for doc in hub.model.documents} if hub and isinstance(hub.model, HubInfo) else {}
    problems.extend(cross_checks(parsed_entries, sources_dir, [item for item in (outside,) if item], titles, broken))
    if hub is not None and isinstance(hub.model, HubInfo):
        problems.extend(untitled_sources([*parsed_entries, *(item for item in (outside,) if item)], titles))
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors or hub is None:
        raise KnowledgeError(errors)

    entries: dict[str, Entry] = {}
    files: dict[str, str] = {}
    for parsed in parsed_entries:
        entry = parsed.model
        assert isinstance(entry, Entry)
        entries[entry.id] = entry
        files[entry.id] = parsed.path
    hub_model = hub.model
    assert isinstance(hub_model, HubInfo)
    warnings = [problem for problem in problems if problem.severity == "warning"]
    warnings.extend(freshness_warnings(parsed_entries, hub, today))
    vocab_model = vocabulary.model if vocabulary else Vocabulary()
    assert isinstance(vocab_model, Vocabulary)
    outside_model = outside.model if outside else OutsideTopics()
    assert isinstance(outside_model, OutsideTopics)
    return KnowledgeBase(
        entries=entries,
        hub=hub_model,
        vocabulary=vocab_model,
        version=digest.hexdigest()[:12],
        loaded_at=dt.datetime.now(dt.UTC),
        files=files,
        warnings=tuple(sorted(warnings, key=Problem.sort_key)),
        fingerprints={parsed.model.id: parsed.fingerprint for parsed in parsed_entries},  # type: ignore[attr-defined]
        vocabulary_fingerprint=vocabulary.fingerprint if vocabulary else "",
        outside=tuple(outside_model.topics),
    )


_ID_LINE = re.compile(r"^id:\s*[\"']?([A-Za-z0-9-]+)", re.MULTILINE)


def _guessed_ids(path: str) -> set[str]:
    """The id a broken entry file was meant to have: its file name, and its ``id:`` line if readable."""
    found = {Path(path).stem}
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return found
    match = _ID_LINE.search(head)
    if match:
        found.add(match.group(1))
    return found


def _usable(cached: object) -> bool:
    """Whether a cached value has the shape parsing stores: (data, positions or None)."""
    return (
        isinstance(cached, tuple | list)
        and len(cached) == 2
        and (cached[0] is None or isinstance(cached[0], dict | list | str))
        and (cached[1] is None or isinstance(cached[1], dict))
    )


def _yaml_files(directory: Path) -> list[str]:
    """The YAML files directly in ``directory``, sorted by name (none if it does not exist)."""
    try:
        with os.scandir(directory) as found:
            # is_file() follows links, so a link is listed and then refused in _parse_file if it leaves the folder
            names = sorted(e.name for e in found if e.name.endswith((".yaml", ".yml")) and (e.is_file() or e.is_symlink()))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [os.path.join(directory, name) for name in names]


_REAL_FOLDERS: dict[str, str] = {}  # a folder's resolved path, for one load (cleared as each load starts)


def _real_folder(folder: str) -> str:
    found = _REAL_FOLDERS.get(folder)
    if found is None:
        found = _REAL_FOLDERS[folder] = os.path.realpath(folder)
    return found


def _parse_file(
    path: Path | str,
    model: type[Model],
    problems: list[Problem],
    digest: hashlib._Hash,
    cache: ParseCache | None,
    *,
    required: bool,
    inside: str | None = None,
    root: Path | None = None,
) -> ParsedFile | None:
    """Read, parse and validate one file, adding its problems; None when it is unusable.

    A file that is a link to somewhere outside the folder ``inside``, or larger than
    :data:`MAX_FILE_BYTES`, is refused without reading it.
    """
    name = str(path)
    try:
        status = None
        if inside is not None:
            with contextlib.suppress(OSError):
                status = os.lstat(name)
        if status is not None:
            # Only a link needs resolving itself; a plain file is where its (resolved) folder is.
            linked = stat.S_ISLNK(status.st_mode)
            target = os.path.realpath(name) if linked else os.path.join(_real_folder(os.path.dirname(name)), os.path.basename(name))
            if os.path.commonpath([inside, target]) != inside:
                problems.append(Problem(name, None, None, "the file is a link to a file outside the knowledge folder; "
                                        "copy the file into the folder instead"))
                return None
        size = status.st_size if status is not None and not linked else os.stat(name).st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(name, None, None, f"the file is {size / 1_000_000:.1f} MB; a knowledge file may be at "
                                    f"most {MAX_FILE_BYTES / 1_000_000:.0f} MB (split it into entries)"))
            return None
        with open(name, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        if required:
            problems.append(Problem(name, None, None, "file not found"))
        return None
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, None, None, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"))
        return None
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot read the file: {exc.strerror}"))
        return None
    # The version id hashes each file's place in the folder, not the path as typed ("knowledge",
    # "./knowledge/", an absolute path and a link to the folder give the same version).
    place = os.path.relpath(name, root) if root is not None else os.path.basename(name)
    digest.update(place.replace(os.sep, "/").encode() + b"\0" + raw + b"\0")
    key = content_digest(raw)
    cached = cache.get(key) if cache is not None else None
    if not _usable(cached):
        cached = None  # a cache entry of another shape (an old or damaged cache file) is parsed afresh
    if cached is not None:
        data, shallow = cached
        located = LocatedData(data=data, text=text, shallow=shallow)
    else:
        try:
            located = read_yaml(text, name)
        except YamlProblems as exc:
            problems.extend(exc.problems)
            return None
        if cache is not None and located.data is not None:
            cache.put(key, (located.data, located.shallow))
        # As from the cache: the node tree (several times the data's size) is composed again from the
        # text only if a problem needs a position beyond the shallow ones, so a cold load of many files
        # does not hold every file's tree until the end.
        located = LocatedData(data=located.data, text=text, shallow=located.shallow)
    if located.data is None:
        problems.append(Problem(name, 1, 1, "the file is empty"))
        return None
    if not isinstance(located.data, dict):
        line, column = located.locate(())
        problems.append(Problem(name, line, column, "the file must hold a mapping of fields (field: value), not a list or text"))
        return None
    try:
        return ParsedFile(name, model.model_validate(located.data), located, key)
    except ValidationError as exc:
        if cached is not None:  # the cache may be damaged: judge the file by its own text
            return _parse_file(path, model, problems, hashlib.sha256(), None, required=required, inside=inside, root=root)
        problems.extend(problems_from_validation(exc, model, located, name))
        return None
