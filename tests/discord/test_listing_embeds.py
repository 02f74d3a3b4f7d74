"""/programmes and /deadlines as embeds: offers counted apart from information topics, cut between
lines with a count of the rest, and the documents credited — as in the console and the CLI.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.discord_app import limits
from bot.discord_app.embeds import deadlines_embed, programmes_embed
from bot.knowledge.schema import Phase
from bot.listings import offers_and_topics
from tests.conftest import TODAY


def test_information_topics_are_listed_apart_and_not_counted_as_offers(engine, kb) -> None:
    entries = engine.programmes_for_phase(Phase.CROSS_PHASE)
    offers, topics = offers_and_topics(entries)
    assert offers and topics
    embed = programmes_embed(Phase.CROSS_PHASE, entries, TODAY, kb.hub)
    assert embed.title == f"Cross-phase and leadership: {len(offers)} offers, {len(topics)} information topics"
    listed, information = embed.description.split("**Information**")
    assert all(offer.name in listed for offer in offers) and not any(topic.name in listed for topic in topics)
    assert all(topic.name in information for topic in topics)
    assert embed.footer.text.startswith("Source: ") and ".txt" not in embed.footer.text


def test_a_long_phase_list_is_cut_between_lines_and_says_how_many_more(engine, kb) -> None:
    [model] = [e for e in engine.programmes_for_phase(Phase.PRIMARY) if e.id == "mastering-number-ks2"]
    many = [model.model_copy(update={"id": f"offer-{n}", "name": f"Offer number {n} " + "x" * 60}) for n in range(300)]
    embed = programmes_embed(Phase.PRIMARY, many, TODAY, kb.hub)
    assert len(embed.description) <= limits.EMBED_DESCRIPTION and len(embed) <= limits.EMBED_TOTAL
    lines = embed.description.splitlines()
    shown = [line for line in lines if line.startswith("• ")]
    assert all(re.fullmatch(r"• \*\*Offer number \d+ x{60}\*\*( — .*)?", line) for line in shown)  # every line whole
    assert lines[-1] == f"…and {300 - len(shown)} more"
    assert embed.title == "Primary: 300 offers"


def test_deadlines_credit_their_documents(kb) -> None:
    embed = deadlines_embed(Phase.SECONDARY, dt.date(2025, 4, 22), kb)
    assert "Secondary Mastery Specialist Programme" in embed.description
    assert embed.footer.text.startswith("Source: Kent & Medway Maths Hub newsletter (spring 2025) · as of 22 April 2025")
