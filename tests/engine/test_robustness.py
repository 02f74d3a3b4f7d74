"""Any text gets a reply, never an exception, in bounded time."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import render_text
from tests.conftest import TODAY

ODD_INPUTS = [
    "",
    " ",
    "\x00\x01\x02",
    "a" * 10_000,
    "deadline " * 2_000,
    "🙂🎉📐" * 300,
    "**bold** __under__ `code` ```block``` > quote",
    "@everyone @here <@&123> <#456>",
    "\u202e\u200b\ufeff",
    "NCP17-" * 500,
    "\n\n\n",
]


def test_odd_inputs(engine) -> None:
    for question in ODD_INPUTS:
        start = time.perf_counter()
        reply = engine.answer(question, TODAY)
        text = render_text(reply)
        assert reply.status in {"answered", "clarify", "unknown"}
        assert 0 < len(text) <= 1800
        assert "@everyone" not in text and "@here" not in text
        assert time.perf_counter() - start < 1.0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_text_gets_a_reply(engine, question: str) -> None:
    reply = engine.answer(question, TODAY)
    text = render_text(reply)
    assert reply.status in {"answered", "clarify", "unknown"}
    assert 0 < len(text) <= 1800
    assert 0.0 <= reply.confidence <= 1.0


def test_no_question_hits_the_safety_net(engine, caplog) -> None:
    """The engine catches any exception so the bot never crashes; no real question may need that."""
    import yaml

    from tests.conftest import ROOT

    questions = [item["q"] for item in yaml.safe_load((ROOT / "tests" / "engine" / "golden.yaml").read_text())]
    holdout = ROOT / "eval" / "holdout.yaml"
    if holdout.exists():
        questions += [item["q"] for item in yaml.safe_load(holdout.read_text())]
    with caplog.at_level("ERROR", logger="bot.engine.engine"):
        for question in questions + ODD_INPUTS:
            engine.answer(question, TODAY)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
