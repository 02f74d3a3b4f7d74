"""Whatever text a staff member saves, the loader answers with its own error type or a knowledge base."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.knowledge.base import KnowledgeBase
from bot.knowledge.loader import load_knowledge
from bot.knowledge.problems import KnowledgeError
from tests.conftest import FIXTURES

YAML_PIECES = st.sampled_from(
    [
        "id: ", "name: ", "phases: [", "]", "- ", "  ", "\t", ": ", "{", "}", "&a ", "*a", "<<: ", "---\n",
        "'", '"', "#", "\n", "2025-04-31", "null", "~", "yes", "[1, 2]", "!!python/object ", "%YAML 1.2\n",
        "deadlines:\n  - date: ", "summary:\n  text: ", "source: {file: x, quote: y}", "\x00", "é", "🙂", "?",
    ]
)
YAML_ISH = st.one_of(st.text(max_size=300), st.lists(YAML_PIECES | st.text(max_size=5), max_size=40).map("".join))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(YAML_ISH)
def test_loader_never_fails_with_anything_but_its_own_error(tmp_path_factory, text: str) -> None:
    root = Path(tmp_path_factory.mktemp("kb"))
    shutil.copytree(FIXTURES / "kb_base", root, dirs_exist_ok=True)
    (root / "entries" / "fuzzed.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        result = load_knowledge(root, cache=None)
    except KnowledgeError as exc:
        assert exc.problems, "a KnowledgeError always says what is wrong"
        assert all(problem.file for problem in exc.problems)
    else:
        assert isinstance(result, KnowledgeBase)
