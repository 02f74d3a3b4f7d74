"""Problems found in the knowledge base, and the one error type the loader raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (error) or worth a look (warning), located as precisely as known."""

    file: str
    line: int | None
    column: int | None
    message: str
    severity: Severity = "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        """File, then position: cheaper to sort by than the generated comparisons."""
        return (self.file, self.line or 0, self.column or 0, self.message)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base could not be loaded; ``problems`` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        count = len(self.problems)
        summary = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n… and {count - 20} more" if count > 20 else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the knowledge base:\n{summary}{more}")
