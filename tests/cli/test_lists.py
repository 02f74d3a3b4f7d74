"""Lists: cut between items with a count of the rest, information topics apart from offers, a source line."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from bot.discord_app.embeds import deadlines_embed
from bot.knowledge.loader import load_knowledge
from bot.knowledge.problems import KnowledgeError
from bot.knowledge.schema import Phase
from bot.listings import deadlines_text, phase_text
from bot.render import MAX_TEXT, render_text
from bot.reply import Reply, ReplySection
from bot.validate import summary
from tests.conftest import KNOWLEDGE, TODAY

ITEM = "• Offer {n} — A Work Group for teachers on one thing. It meets six times across the year."


def long_list(count: int, **extra: str) -> Reply:
    items = "\n".join(ITEM.format(n=n) for n in range(count))
    return Reply(question="q", status="answered", headline="Here is what the hub offers:\n" + items, intent="list",
                 sources=("Kent & Medway Maths Hub newsletter (spring 2025)",), extra=extra)


def test_a_list_too_long_for_one_message_is_cut_between_items_and_says_how_many_more() -> None:
    text = render_text(long_list(40))
    assert len(text) <= MAX_TEXT
    shown = [line for line in text.splitlines() if line.startswith("• ")]
    assert all(re.fullmatch(r"• Offer \d+ — .*year\.", line) for line in shown)  # every item whole
    assert f"…and {40 - len(shown)} more" in text
    assert text.endswith("_Source: Kent & Medway Maths Hub newsletter (spring 2025)_")  # the source line stays


def test_a_list_that_stands_for_a_longer_one_points_to_the_whole_list() -> None:
    text = render_text(long_list(3, more="3", see_all="/programmes primary"))
    assert "…and 3 more — /programmes primary shows all" in text
    cut = render_text(long_list(40, more="3", see_all="/programmes primary"))
    shown = len([line for line in cut.splitlines() if line.startswith("• ")])
    assert f"…and {40 - shown + 3} more — /programmes primary shows all" in cut


def test_details_go_before_list_items_and_a_long_line_ends_at_a_sentence() -> None:
    reply = Reply(question="q", status="answered", headline="First sentence here. " * 150,
                  sections=(ReplySection("Detail", "x" * 500),))
    text = render_text(reply)
    assert len(text) <= MAX_TEXT and text.endswith("here.") and "Detail" not in text


def test_the_bots_own_long_lists_are_cut_whole(engine) -> None:
    for question in ("primary cpd options from hub?", "what can the hub offer a secondary maths dept?"):
        text = render_text(engine.answer(question, TODAY))
        assert len(text) <= MAX_TEXT
        assert re.search(r"^…and \d+ more( — /programmes \S+ shows all)?$", text, re.M), text
        assert "_Source: " in text


def test_information_topics_are_not_counted_as_offers(engine, kb) -> None:
    entries = engine.programmes_for_phase(Phase.POST_16)
    offers = [e for e in entries if e.kind != "information"]
    topics = [e for e in entries if e.kind == "information"]
    assert topics, "the bundled knowledge base has an information topic for post-16 (the AMSP)"
    text = phase_text(entries, Phase.POST_16, TODAY, kb.hub)
    first = text.splitlines()[0]
    assert first == f"**Post-16** — {len(offers)} offers, {len(topics)} information topic" + ("s" if len(topics) > 1 else "")
    information = text.split("Information:\n", 1)[1]
    assert all(topic.name in information for topic in topics)
    assert not any(offer.name in information for offer in offers)


def test_phase_and_deadline_lists_carry_their_sources_and_say_when_cut(engine, kb) -> None:
    entries = engine.programmes_for_phase(Phase.PRIMARY)
    text = phase_text(entries, Phase.PRIMARY, TODAY, kb.hub, limit=5)
    assert f"…and {len(entries) - 5} more — /programmes primary shows all" in text
    assert len([line for line in text.splitlines() if line.startswith("• ")]) == 5
    source = text.splitlines()[-1]
    assert source.startswith("_Source: ") and ".txt" not in source  # document titles, not file names
    deadlines = deadlines_text(kb, dt.date(2025, 6, 1))  # the spring 2025 round closed recently
    assert deadlines.splitlines()[-1].startswith("_Source: Kent & Medway Maths Hub newsletter")


# ----- "Recently closed" means recently ----------------------------------------------------------
CLOSED = "Secondary Mastery Specialist Programme — Applications closed 28 April 2025"


def test_recently_closed_means_within_the_hubs_window(kb) -> None:
    assert kb.hub.recently_closed_days == 90
    soon_after = deadlines_text(kb, dt.date(2025, 6, 1))  # 34 days after 28 April 2025
    assert "Recently closed:" in soon_after and CLOSED in soon_after
    long_after = deadlines_text(kb, TODAY)  # 19 months after
    assert "Recently closed" not in long_after and "28 April 2025" not in long_after
    assert "No open deadlines" in long_after
    embed = deadlines_embed(None, TODAY, kb)
    assert "Recently closed" not in embed.description and "28 April 2025" not in embed.description
    assert "Recently closed:" not in summary(kb, TODAY, None)


def test_the_window_is_set_in_hub_yaml(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE, root, ignore=shutil.ignore_patterns("schema"))
    hub = root / "hub.yaml"
    hub.write_text(hub.read_text(encoding="utf-8").replace("recently_closed_days: 90", "recently_closed_days: 30"),
                   encoding="utf-8")
    narrow = load_knowledge(root, today=TODAY, cache=None)
    assert narrow.hub.recently_closed_days == 30
    assert CLOSED not in deadlines_text(narrow, dt.date(2025, 6, 1))
    assert CLOSED in deadlines_text(narrow, dt.date(2025, 5, 28))
    hub.write_text(hub.read_text(encoding="utf-8").replace("recently_closed_days: 30", "recently_closed_days: 0"),
                   encoding="utf-8")
    with pytest.raises(KnowledgeError) as refused:
        load_knowledge(root, today=TODAY, cache=None)
    assert any("hub.yaml" in str(p) and "recently_closed_days" in str(p) for p in refused.value.problems)
