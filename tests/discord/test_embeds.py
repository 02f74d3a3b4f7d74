"""Reply → embed and components, without a connection: Discord's limits hold for any reply."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord_app import limits
from bot.discord_app.cooldown import Cooldowns
from bot.discord_app.embeds import FORMS_AND_LINKS_FIELD, FORMS_FIELD, LINKS_FIELD, reply_embed
from bot.discord_app.knowledge import KnowledgeService, Snapshot
from bot.discord_app.limits import clip
from bot.discord_app.replies import build_message
from bot.knowledge.schema import HubInfo
from bot.reply import Candidate, Reply, ReplyLink, ReplySection

HUB = HubInfo(
    name="Test Hub", contact="Contact the Test Hub.", email="hub@example.org", last_reviewed=dt.date(2026, 1, 1)
)
SMALL = Path(__file__).resolve().parent / "knowledge"


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return KnowledgeService.load(SMALL).current


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_clip_fits_and_marks_a_cut(value: str, limit: int) -> None:
    clipped = clip(value, limit)
    assert len(clipped) <= limit
    if len(value) <= limit:
        assert clipped == value
    else:
        assert clipped.endswith(limits.ELLIPSIS)


def test_clip_keeps_whole_words_and_lines() -> None:
    assert clip("one two three four five six", 20) == "one two three four…"
    assert clip("line one\nline two\nline three", 22) == "line one\nline two…"


texts = st.text(min_size=1, max_size=3000)
replies = st.builds(
    Reply,
    question=st.just("q"),
    status=st.sampled_from(["answered", "clarify", "unknown"]),
    headline=st.text(min_size=1, max_size=6000),
    title=st.none() | st.text(min_size=1, max_size=400),
    sections=st.lists(st.builds(ReplySection, title=st.text(min_size=1, max_size=300), body=texts), max_size=30).map(
        tuple
    ),
    links=st.lists(
        st.builds(
            ReplyLink,
            label=st.text(min_size=1, max_size=200),
            kind=st.just("application"),
            url=st.none() | st.just("https://example.org/form"),
        ),
        max_size=8,
    ).map(tuple),
    candidates=st.lists(
        st.builds(
            Candidate, entry_id=st.from_regex(r"[a-z]{1,20}", fullmatch=True), name=st.text(min_size=1, max_size=150)
        ),
        max_size=30,
        unique_by=lambda c: c.entry_id,
    ).map(tuple),
    sources=st.lists(st.text(min_size=1, max_size=500), max_size=8).map(tuple),
    last_reviewed=st.none() | st.just("2026-01-01"),
)


@settings(max_examples=60, deadline=None)
@given(replies)
def test_every_reply_fits_discord_limits(snapshot: Snapshot, reply: Reply) -> None:
    embed, view = build_message(reply, snapshot)
    data = embed.to_dict()
    assert len(embed) <= limits.EMBED_TOTAL
    assert len(data.get("title", "")) <= limits.EMBED_TITLE
    assert len(data.get("description", "")) <= limits.EMBED_DESCRIPTION
    assert len(data.get("fields", [])) <= limits.EMBED_FIELDS
    for field in data.get("fields", []):
        assert 0 < len(field["name"]) <= limits.FIELD_NAME
        assert 0 < len(field["value"]) <= limits.FIELD_VALUE
    assert len(data.get("footer", {}).get("text", "")) <= limits.FOOTER
    if view is not None:
        rows = view.to_components()
        assert len(rows) <= limits.ROWS
        for row in rows:
            assert len(row["components"]) <= limits.BUTTONS_PER_ROW
            for component in row["components"]:
                assert len(component.get("label", "")) <= limits.BUTTON_LABEL
                assert len(component.get("custom_id", "")) <= limits.CUSTOM_ID
                assert len(component.get("options", [])) <= limits.SELECT_OPTIONS


def test_forms_without_an_address_point_to_the_hub() -> None:
    reply = Reply(
        question="q",
        status="answered",
        headline="Applications close on 1 May.",
        links=(ReplyLink("Application form", "application", None),),
    )
    [forms] = [f for f in reply_embed(reply, HUB).fields if f.name == FORMS_FIELD]
    assert "Application form: ask the hub for the form" in forms.value
    assert "hub@example.org" in forms.value


def test_pages_without_an_address_are_links_not_forms() -> None:
    pages = (ReplyLink("The NCETM Maths Podcast", "information", None), ReplyLink("A blog", "information", None))
    reply = Reply(question="q", status="answered", headline="NCETM material.", links=pages)
    [field] = reply_embed(reply, HUB).fields
    assert field.name == LINKS_FIELD
    assert "The NCETM Maths Podcast: ask the hub for the link" in field.value and "form" not in field.value
    mixed = Reply(question="q", status="answered", headline="h",
                  links=(*pages[:1], ReplyLink("Expression of interest form", "expression-of-interest", None)))
    [field] = reply_embed(mixed, HUB).fields
    assert field.name == FORMS_AND_LINKS_FIELD
    assert "Expression of interest form: ask the hub for the form" in field.value
    assert "Podcast: ask the hub for the link" in field.value


def test_form_links_become_buttons_and_the_rest_stay_in_the_embed(snapshot: Snapshot) -> None:
    links = tuple(ReplyLink(f"Form {n}", "application", f"https://example.org/{n}") for n in range(7))
    embed, view = build_message(Reply(question="q", status="answered", headline="h", links=links), snapshot)
    [row] = view.to_components()
    assert [b["url"] for b in row["components"]] == [f"https://example.org/{n}" for n in range(5)]
    [forms] = [f for f in embed.fields if f.name == FORMS_FIELD]
    assert "[Form 5](https://example.org/5)" in forms.value and "Form 4" not in forms.value


@pytest.mark.parametrize(("count", "kind"), [(2, 2), (5, 2), (6, 3), (30, 3)])
def test_few_candidates_are_buttons_and_many_a_select(snapshot: Snapshot, count: int, kind: int) -> None:
    candidates = tuple(Candidate(f"entry-{n}", f"Entry {n}") for n in range(count))
    _, view = build_message(Reply(question="q", status="clarify", headline="Which?", candidates=candidates), snapshot)
    components = [c for row in view.to_components() for c in row["components"]]
    assert {c["type"] for c in components} == {kind}
    if kind == 2:
        assert [c["custom_id"] for c in components] == [f"hubbot:entry:entry-{n}" for n in range(count)]
    else:
        [select] = components
        assert len(select["options"]) == min(count, limits.SELECT_OPTIONS)


def test_mentions_in_reply_text_cannot_render_as_pings() -> None:
    reply = Reply(question="q", status="unknown", headline="Ask @everyone or <@123456789012345678>")
    description = reply_embed(reply, HUB).description
    assert "@everyone" not in description
    assert "<@123456789012345678>" not in description


def test_cooldown_allows_a_burst_then_asks_to_wait() -> None:
    now = [0.0]
    cooldowns = Cooldowns(rate=2, seconds=10, clock=lambda: now[0])
    assert cooldowns.retry_after(1) == 0
    assert cooldowns.retry_after(1) == 0
    assert cooldowns.retry_after(1) == pytest.approx(10)
    assert cooldowns.retry_after(2) == 0  # someone else is not affected
    now[0] = 4.0
    assert cooldowns.retry_after(1) == pytest.approx(6)
    now[0] = 10.0
    assert cooldowns.retry_after(1) == 0


def test_cooldown_of_zero_seconds_is_off() -> None:
    cooldowns = Cooldowns(rate=1, seconds=0)
    assert all(cooldowns.retry_after(1) == 0 for _ in range(10))
