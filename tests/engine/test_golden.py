"""Golden questions (tests/engine/golden.yaml) keep their status and the facts their answers give."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.render import render_text
from tests.conftest import TODAY

GOLDEN = yaml.safe_load((Path(__file__).parent / "golden.yaml").read_text(encoding="utf-8"))


# An item with `known_wrong: why` is a regression the engine has not fixed yet: it must keep failing (strict),
# so the day it is fixed the mark has to go.
CASES = [
    pytest.param(item, marks=pytest.mark.xfail(strict=True, reason=item["known_wrong"])) if item.get("known_wrong") else item
    for item in GOLDEN
]


@pytest.mark.parametrize("item", CASES, ids=[item["q"][:50] or "<empty>" for item in GOLDEN])
def test_golden_question(engine, item) -> None:
    reply = engine.answer(item["q"], TODAY)
    text = render_text(reply)
    assert reply.status == item["status"], text
    for pattern in item["expect"]:
        assert re.search(pattern, text, re.IGNORECASE), f"/{pattern}/ not in: {text}"
    assert len(text) <= 1800
