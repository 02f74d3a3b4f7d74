"""Checks that a text says no more than its source: figures found in the quote, time made explicit.

- Every number, date, percentage and academic year in a text must appear in its quote, in the
  sentence(s) of the source around the quote, or in the source document's title (the annual
  report's "2023/24"). An entry's ``academic_year`` must itself be supported by its summary's
  quote that way; texts of the entry may then name that year.
- Relative time words ("now", "this year", "currently" …) are warned about: a reader in a later
  year cannot tell which year they mean. Write the year the source speaks of instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from bot.knowledge.problems import Problem
from bot.knowledge.schema import (
    FAQ,
    Criterion,
    Deadline,
    Entry,
    Fact,
    HowToApply,
    Link,
    OutsideTopic,
    Source,
    SourcedText,
    Stage,
)

Path_ = tuple[str | int, ...]
Locator = Callable[[Path_], tuple[int | None, int | None]]

_ACADEMIC = re.compile(r"(?<![\d.])(20)?(\d\d)\s*[/\-\u2013]\s*(20)?(\d\d)(?!\d|\.\d)")
# A phase's name is not a figure: "post-16", and "Key Stage 2" (the same as "KS2").
_PHASE_NAMES = re.compile(r"\bpost[\s-]?16\b|\bkey stage \d\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![A-Za-z\d.])(\d+(?:\.\d+)?|\.\d+)(?:\s?(?:st|nd|rd|th))?(?![A-Za-z\d]|\.\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_WORD_NUMBERS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "hundred": "100", "first": "1", "second": "2", "third": "3", "fourth": "4",
    "fifth": "5", "sixth": "6", "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10", "half": "50",
    "once": "1", "twice": "2", "dozen": "12", "twenty-sixth": "26",
}
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")

RELATIVE_TIME = re.compile(
    r"\b(now|nowadays|currently|at the moment|at present|presently|these days|to date|so far|recently|"
    r"soon|upcoming|today|tomorrow|yesterday|ago|"
    r"(?:this|next|last|coming|previous) (?:year|term|academic year|school year|autumn|spring|summer|month|week))\b",
    re.IGNORECASE,
)


def figures(text: str) -> set[str]:
    """The figures in a text, normalised: '1,500' → '1500', '58%' → '58', '25/26' and '2025-26' → 'ay2025/26'."""
    text = _PHASE_NAMES.sub(" ", _THOUSANDS.sub("", text.replace("\u2019", "'")))
    found: set[str] = set()

    def academic(match: re.Match[str]) -> str:
        first, second = int(match.group(2)), int(match.group(4))
        if second == (first + 1) % 100:
            found.add(f"ay20{first:02d}/{second:02d}")
            return " "
        return match.group(0)

    text = _ACADEMIC.sub(academic, text)
    for match in _NUMBER.finditer(text):
        value = match.group(1)
        if "." in value:
            value = value.rstrip("0").rstrip(".") if value.split(".")[1].strip("0") else value.split(".")[0]
            value = value if not value.startswith("0.") else value[1:]
        else:
            value = str(int(value))
        found.add(value)
    return found


def _word_figures(text: str) -> set[str]:
    return {_WORD_NUMBERS[word] for word in _WORD.findall(text.lower()) if word in _WORD_NUMBERS}


def _squash(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split()).lower()


@dataclass(frozen=True)
class SourceDocument:
    """A source document as one line of squashed text, remembering where its lines and sentences end."""

    flat: str
    breaks: tuple[int, ...]  # offsets where a new line or sentence starts

    def context(self, quote: str) -> str | None:
        """The sentence(s) of the document around a quote, or None when the quote is not in it."""
        needle = _squash(quote)
        at = self.flat.find(needle)
        if at < 0:
            return None
        end = at + len(needle)
        left = max((b for b in self.breaks if b <= at), default=0)
        right = min((b for b in self.breaks if b >= end), default=len(self.flat))
        return self.flat[left:right]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'‘“(])")


@lru_cache(maxsize=64)
def read_document(path: Path) -> SourceDocument | None:
    """The document at ``path``, prepared for quote lookups (None when it cannot be read)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    parts: list[str] = []
    breaks: list[int] = []
    offset = 0
    for line in raw.splitlines():
        for sentence in _SENTENCE_END.split(line):
            squashed = _squash(sentence)
            if not squashed:
                continue
            breaks.append(offset)
            parts.append(squashed)
            offset += len(squashed) + 1
    return SourceDocument(" ".join(parts), tuple(breaks))


# ----- which texts each source vouches for ------------------------------------------------------
def sourced_texts(model: BaseModel, path: Path_ = ()) -> Iterator[tuple[Path_, str, Source]]:
    """Every (path of the text, text, source that must support it) in a model, depth first."""
    if isinstance(model, SourcedText | Fact):
        yield (*path, "text"), model.text, model.source
    elif isinstance(model, Criterion):
        yield (*path, "text"), model.text, model.source
        if model.check:
            for name in ("question", "not_met", "unsure"):
                value = getattr(model.check, name)
                if value:
                    yield (*path, "check", name), value, model.source
    elif isinstance(model, Stage):
        yield (*path, "name"), model.name, model.source
        yield (*path, "summary"), model.summary, model.source
    elif isinstance(model, FAQ):
        yield (*path, "answer"), model.answer, model.source
    elif isinstance(model, HowToApply):
        for field in ("steps", "prerequisites"):
            for index, step in enumerate(getattr(model, field)):
                yield (*path, field, index), step, model.source
    elif isinstance(model, Link):
        yield (*path, "label"), model.label, model.source
    elif isinstance(model, Deadline):
        yield (*path, "date"), f"{model.date.day}", model.source
        if model.note:
            yield (*path, "note"), model.note, model.source
    elif isinstance(model, OutsideTopic):
        if model.source:
            yield (*path, "reply"), model.reply, model.source
    else:
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                yield from sourced_texts(value, (*path, name))
            elif isinstance(value, list | tuple):
                for index, item in enumerate(value):
                    if isinstance(item, BaseModel):
                        yield from sourced_texts(item, (*path, name, index))


# Fields that are not statements the bot makes: ids, quotes, and the phrases teachers type.
_NOT_STATEMENTS = frozenset(
    {"id", "file", "url", "kind", "status", "group", "meets", "related", "suggest", "phases", "codes",
     "aliases", "keywords", "questions", "met_when", "not_met_when", "variants", "academic_year"}
)


def plain_texts(model: BaseModel, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every text the bot says from a model (not quotes, which are the sources' own words, nor
    the phrases teachers type, such as FAQ questions and aliases).
    """
    if isinstance(model, Source):
        return
    for name in type(model).model_fields:
        if name in _NOT_STATEMENTS:
            continue
        value = getattr(model, name)
        if isinstance(value, str):
            yield (*path, name), value
        elif isinstance(value, BaseModel):
            yield from plain_texts(value, (*path, name))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from plain_texts(item, (*path, name, index))
                elif isinstance(item, str):
                    yield (*path, name, index), item


# ----- the checks ---------------------------------------------------------------------------------
def unsupported_figures(file: str, model: BaseModel, locate: Locator, sources_dir: Path, titles: dict[str, str]) -> Iterator[Problem]:
    """Figures in a model's texts that neither their quote, its sentence nor the document title gives."""
    year_ok: set[str] = set()
    if isinstance(model, Entry) and model.academic_year:
        year = f"ay{model.academic_year}"
        support = _support(model.summary.source, sources_dir, titles)
        if support is not None and year in support:
            year_ok.add(year)
        elif support is not None:
            line, column = locate(("academic_year",))
            yield Problem(
                file, line, column,
                f"academic_year {model.academic_year} is not given by the summary's quote, the sentence around it "
                f"or the title of {model.summary.source.file}; quote where the source gives the year, or leave it out",
            )
    for path, text, source in sourced_texts(model):
        support = _support(source, sources_dir, titles)
        if support is None:
            continue  # the quote itself is reported missing elsewhere
        missing = sorted(figures(text) - support - year_ok)
        if missing:
            shown = ", ".join(f"'{value.removeprefix('ay')}'" for value in missing)
            line, column = locate(path)
            yield Problem(
                file, line, column,
                f"{shown} {'is' if len(missing) == 1 else 'are'} not in this text's quote, the sentence around it or the "
                f"title of {source.file}: quote the sentence that gives {'it' if len(missing) == 1 else 'them'}, or leave "
                f"{'it' if len(missing) == 1 else 'them'} out",
            )


def _support(source: Source, sources_dir: Path, titles: dict[str, str]) -> set[str] | None:
    document = read_document(sources_dir / source.file)
    if document is None:
        return None
    context = document.context(source.quote)
    if context is None:
        return None
    title = titles.get(source.file, "")
    return figures(context) | figures(title) | figures(source.quote) | _word_figures(context)


def relative_time_warnings(file: str, model: BaseModel, locate: Locator) -> Iterator[Problem]:
    """Warnings for texts with words such as 'now' or 'next year' that depend on when they are read."""
    for path, text in plain_texts(model):
        match = RELATIVE_TIME.search(text)
        if match:
            line, column = locate(path)
            yield Problem(
                file, line, column,
                f"'{match.group(0)}' depends on when it is read; write the year the source speaks of "
                "(e.g. 'in 2025/26', 'in spring 2025')",
                "warning",
            )
