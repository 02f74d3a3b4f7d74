"""Rules for the tests themselves."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
MOCKS = {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock"}


def test_every_mock_has_a_spec() -> None:
    """A mock without a spec accepts any attribute, so a test keeps passing after the real API changes."""
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in MOCKS and not any(k.arg in {"spec", "spec_set"} for k in node.keywords) and not node.args:
                offenders.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert not offenders, "mocks without a spec: " + ", ".join(offenders)
