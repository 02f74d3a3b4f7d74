"""Checks across files (ids, aliases, references, quoted sources) and freshness warnings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from rapidfuzz import fuzz, process

from bot.eligibility.state import MAX_CHECKS
from bot.knowledge.evidence import relative_time_warnings, unsupported_figures
from bot.knowledge.problems import Problem, Severity
from bot.knowledge.schema import Entry, OutsideTopics, Source

if TYPE_CHECKING:
    from bot.knowledge.loader import ParsedFile


def plain(text: str) -> str:
    """Lowercase words only, for comparing names and aliases."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def cross_checks(
    parsed: list[ParsedFile],
    sources_dir: Path | None,
    extra_files: Sequence[ParsedFile] = (),
    titles: dict[str, str] | None = None,
    broken: dict[str, str] | None = None,
) -> list[Problem]:
    """Duplicate ids, aliases claimed twice, unknown references, unverifiable quotes and figures.

    ``extra_files`` are parsed files that are not entries (outside topics) whose quotes and texts are
    checked too; ``titles`` maps source files to their titles (a title can give a text's year);
    ``broken`` maps the ids of entry files that have errors to those files, so a reference to one
    says where the real problem is.
    """
    problems: list[Problem] = []
    files_by_id: dict[str, list[ParsedFile]] = {}
    for item in parsed:
        entry = _entry(item)
        files_by_id.setdefault(entry.id, []).append(item)
        if Path(item.path).stem != entry.id:
            line, column = item.located.locate(("id",))
            problems.append(Problem(item.path, line, column, f"file name differs from id '{entry.id}'", "warning"))
    for entry_id, items in files_by_id.items():
        for item in items if len(items) > 1 else ():
            others = ", ".join(Path(other.path).name for other in items if other is not item)
            line, column = item.located.locate(("id",))
            problems.append(Problem(item.path, line, column, f"duplicate id '{entry_id}' (also used in {others})"))
    problems.extend(_alias_conflicts(parsed))
    problems.extend(_list_aliases(parsed))
    problems.extend(_unknown_references(parsed, set(files_by_id), broken or {}))
    problems.extend(flow_checks(parsed))
    problems.extend(_outside_conflicts(extra_files))
    for item in [*parsed, *extra_files]:
        problems.extend(relative_time_warnings(item.path, item.model, item.located.locate))
    if sources_dir is not None and sources_dir.is_dir():
        problems.extend(_unverified_sources([*parsed, *extra_files], sources_dir))
        for item in [*parsed, *extra_files]:
            problems.extend(unsupported_figures(item.path, item.model, item.located.locate, sources_dir, titles or {}))
    return problems


def _outside_conflicts(others: Sequence[ParsedFile]) -> Iterator[Problem]:
    """Outside topics with the same id, or a phrase that names two of them."""
    for item in others:
        model = item.model
        if not isinstance(model, OutsideTopics):
            continue
        ids: dict[str, int] = {}
        phrases: dict[str, str] = {}
        for index, topic in enumerate(model.topics):
            if topic.id in ids:
                line, column = item.located.locate(("topics", index, "id"))
                yield Problem(item.path, line, column, f"duplicate topic id '{topic.id}' (also topic {ids[topic.id] + 1})")
            ids.setdefault(topic.id, index)
            for position, variant in enumerate(topic.variants):
                key = plain(variant)
                owner = phrases.setdefault(key, topic.id)
                if owner != topic.id:
                    line, column = item.located.locate(("topics", index, "variants", position))
                    yield Problem(item.path, line, column, f"'{variant}' already names topic '{owner}'")


def _entry(item: ParsedFile) -> Entry:
    assert isinstance(item.model, Entry)
    return item.model


def _alias_conflicts(parsed: list[ParsedFile]) -> Iterator[Problem]:
    """Every place a name or alias is used by more than one entry, each naming the other entries."""
    claims: dict[str, list[tuple[ParsedFile, tuple[str | int, ...], str, str]]] = {}
    for item in parsed:
        entry = _entry(item)
        names = [(("name",), entry.name)] + [(("aliases", i), alias) for i, alias in enumerate(entry.aliases)]
        seen_here: set[str] = set()
        for path, name in names:
            key = plain(name)
            if key and key not in seen_here:
                seen_here.add(key)
                claims.setdefault(key, []).append((item, path, name, entry.id))
    for uses in claims.values():
        owners = {entry_id for _, _, _, entry_id in uses}
        if len(owners) < 2:
            continue
        for item, path, name, entry_id in uses:
            others = ", ".join(f"'{other}'" for other in sorted(owners - {entry_id}))
            line, column = item.located.locate(path)
            yield Problem(item.path, line, column, f"the name or alias '{name}' is also claimed by entry {others}")


_LIST_WORDING = re.compile(r"^(?:every|all(?: the)?|list of|any)\s", re.IGNORECASE)


def _list_aliases(parsed: list[ParsedFile]) -> Iterator[Problem]:
    """Aliases worded as a list question ("every SKTM programme"): they make the overview the answer to "list
    every SKTM programme", where the engine would list the family's members.
    """
    for item in parsed:
        for i, alias in enumerate(_entry(item).aliases):
            if _LIST_WORDING.match(alias):
                line, column = item.located.locate(("aliases", i))
                yield Problem(item.path, line, column, f"the alias '{alias}' is worded as a list question; drop it "
                              "(the engine lists a family's members itself)", "warning")


def _unknown_references(parsed: list[ParsedFile], known: set[str], broken: dict[str, str]) -> Iterator[Problem]:
    choices = sorted(known)
    for item in parsed:
        entry = _entry(item)
        references = [(("related", i), ref) for i, ref in enumerate(entry.related)]
        for c, criterion in enumerate(entry.eligibility):
            if criterion.check:
                references += [
                    (("eligibility", c, "check", "suggest", s), ref) for s, ref in enumerate(criterion.check.suggest)
                ]
        for path, ref in references:
            if ref not in known and ref in broken:
                line, column = item.located.locate(path)
                yield Problem(
                    item.path, line, column,
                    f"'{ref}' refers to {Path(broken[ref]).name}, which has an error (reported there); fix that file",
                    "warning",
                )
            elif ref not in known:
                line, column = item.located.locate(path)
                best = process.extractOne(ref, choices, scorer=fuzz.ratio, score_cutoff=70)
                hint = f" — did you mean '{best[0]}'?" if best else ""
                yield Problem(item.path, line, column, f"'{ref}' is not the id of any entry{hint}")


_YES_NO_QUESTION = re.compile(
    r"^(is|are|am|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)\b", re.IGNORECASE
)
_NEGATION = re.compile(r"\b(?:not|no|never|without|neither|cannot)\b|n't\b", re.IGNORECASE)


def _negated(text: str) -> bool:
    """Whether a sentence is negative overall: an odd number of negations ("not", "n't", "never"…)."""
    return len(_NEGATION.findall(text.replace("\u2019", "'"))) % 2 == 1


def flow_checks(parsed: list[ParsedFile]) -> Iterator[Problem]:
    """Problems that would break an entry's eligibility flow (`/eligibility`).

    Each criterion's question must be answerable yes or no; no question may be asked twice in one
    flow, and one asked twice with opposite expected answers makes the later criterion — and every
    criterion after it — impossible to reach; ``meets`` must agree with how the criterion and the
    question are phrased; an entry must not suggest itself (or an entry twice) instead; a phrase
    cannot show a criterion both met and not met; and the answers must fit in a button.
    """
    historical = {_entry(item).id for item in parsed if _entry(item).status == "historical"}
    for item in parsed:
        entry = _entry(item)

        def problem(
            path: tuple[str | int, ...], message: str, severity: Severity = "error", *, key: bool = False, item: ParsedFile = item
        ) -> Problem:
            line, column = item.located.locate(path, key=key)
            return Problem(item.path, line, column, message, severity)

        asked: dict[str, tuple[int, str]] = {}
        numbered = [(index, criterion) for index, criterion in enumerate(entry.eligibility) if criterion.check]
        if len(numbered) > MAX_CHECKS:
            yield problem(
                ("eligibility", numbered[MAX_CHECKS][0], "check"),
                f"more than {MAX_CHECKS} yes/no checks: a flow's answers must fit in a Discord button; "
                "keep the rest as criteria without a check",
                key=True,
            )
        for index, criterion in numbered:
            check = criterion.check
            assert check is not None
            at = ("eligibility", index, "check")
            question = " ".join(check.question.split())
            if not (question.endswith("?") and _YES_NO_QUESTION.match(question)):
                yield problem(
                    (*at, "question"),
                    "the question can't be answered yes or no: start it with Is, Are, Do, Does, Has, Can… and end it with '?'",
                )
            key = plain(question)
            if key in asked:
                first, first_meets = asked[key]
                if first_meets == check.meets:
                    yield problem((*at, "question"), f"criterion {first + 1} already asks this question, so the flow would ask it twice")
                else:
                    yield problem(
                        (*at, "question"),
                        f"criterion {first + 1} asks the same question but is met by '{first_meets}', so this criterion "
                        "can never be met: it and every criterion after it are unreachable",
                    )
            else:
                asked[key] = (index, check.meets)
            expected = "no" if _negated(criterion.text) != _negated(question) else "yes"
            if check.meets != expected:
                yield problem(
                    (*at, "meets"),
                    f"meets: '{check.meets}' contradicts the wording: the criterion is "
                    f"{'negative' if _negated(criterion.text) else 'positive'} and the question "
                    f"{'negative' if _negated(question) else 'positive'}, so the answer that meets it is '{expected}'",
                )
            for position, ref in enumerate(check.suggest):
                if ref == entry.id:
                    yield problem((*at, "suggest", position), "an entry can't suggest itself as the alternative; suggest other entries")
                elif ref in check.suggest[:position]:
                    yield problem((*at, "suggest", position), f"'{ref}' is suggested twice")
                elif ref in historical:
                    yield problem(
                        (*at, "suggest", position), f"'{ref}' is a past offer, so the flow won't suggest it", "warning"
                    )
            met = {plain(phrase) for phrase in check.met_when}
            for position, phrase in enumerate(check.not_met_when):
                if plain(phrase) in met:
                    yield problem(
                        (*at, "not_met_when", position),
                        f"'{phrase}' is in both met_when and not_met_when, so it can never show the criterion met",
                    )


def _walk_sources(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Source]]:
    if isinstance(value, Source):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk_sources(getattr(value, name), (*path, name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk_sources(item, (*path, index))


@lru_cache(maxsize=64)
def _source_text(path: Path) -> str | None:
    try:
        return _squash(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _squash(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split()).lower()


def _unverified_sources(parsed: list[ParsedFile], sources_dir: Path) -> Iterator[Problem]:
    known = sorted(p.name for p in sources_dir.iterdir() if p.is_file())
    for item in parsed:
        for path, source in _walk_sources(item.model):
            text = _source_text(sources_dir / source.file) if source.file in known else None
            if text is None:
                line, column = item.located.locate((*path, "file"))
                best = process.extractOne(source.file, known, scorer=fuzz.ratio, score_cutoff=60)
                hint = f" — did you mean '{best[0]}'?" if best else ""
                yield Problem(item.path, line, column, f"source file '{source.file}' is not in {sources_dir}{hint}")
            elif _squash(source.quote) not in text:
                line, column = item.located.locate((*path, "quote"))
                yield Problem(
                    item.path, line, column, f"the quote is not found word for word in {source.file}: {source.quote[:60]!r}"
                )


def untitled_sources(parsed: Sequence[ParsedFile], titles: dict[str, str]) -> Iterator[Problem]:
    """A warning where a file first quotes a document that hub.yaml gives no title: replies would
    credit the bare file name (knowledge/README, "Add a new source document").
    """
    for item in parsed:
        warned: set[str] = set()
        for path, source in _walk_sources(item.model):
            if source.file in titles or source.file in warned:
                continue
            warned.add(source.file)
            line, column = item.located.locate((*path, "file"))
            yield Problem(
                item.path, line, column,
                f"source document '{source.file}' has no title in hub.yaml, so replies would credit it by its file "
                "name: list it under documents: with the title teachers know it by",
                "warning",
            )


NO_CONTACT = (
    "hub.yaml has no contact detail (email, website or phone): teachers who need a person are told only "
    "the contact sentence, with nowhere to go; add the hub's email, website or phone"
)


def academic_year_end(year: str) -> dt.date:
    """The last day of an academic year written like '2025/26' (31 August 2026)."""
    return dt.date(int(year[:4]) + 1, 8, 31)


def freshness_warnings(parsed: list[ParsedFile], hub: ParsedFile, today: dt.date) -> list[Problem]:
    """Passed deadlines, finished academic years, stale reviews and links still without an address."""
    warnings: list[Problem] = []

    def warn(item: ParsedFile, path: tuple[str | int, ...], message: str) -> None:
        line, column = item.located.locate(path)
        warnings.append(Problem(item.path, line, column, message, "warning"))

    for item in [hub, *parsed]:
        model = item.model
        reviewed = getattr(model, "last_reviewed", None)
        if reviewed and (today - reviewed).days > 365:
            warn(item, ("last_reviewed",), f"last reviewed {reviewed.isoformat()}, more than a year ago")
    hub_model = hub.model
    if not getattr(hub_model, "has_contact_detail", True):
        warn(hub, (), NO_CONTACT)
    for item in parsed:
        entry = _entry(item)
        if entry.status == "historical":
            continue
        for index, deadline in enumerate(entry.deadlines):
            if deadline.date < today:
                warn(item, ("deadlines", index, "date"), f"deadline '{deadline.label}' ({deadline.date.isoformat()}) has passed")
        if entry.academic_year and academic_year_end(entry.academic_year) < today:
            warn(item, ("academic_year",), f"academic year {entry.academic_year} is over")
        for index, link in enumerate(entry.links):
            if not link.url:
                warn(item, ("links", index), f"link '{link.label}' has no url yet; add it when the hub publishes it")
    return warnings
