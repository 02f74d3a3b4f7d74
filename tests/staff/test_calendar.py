"""The deadlines calendar parses with icalendar and matches the knowledge base."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.cli import main
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.loader import load_knowledge
from bot.staff.calendar import build_calendar, calendar_bytes, calendar_deadlines, event_uid
from tests.conftest import KNOWLEDGE, TODAY
from tests.staff.conftest import Offer, make_kb, write_kb

OFFERS = [
    Offer("number-club", "Number Club", deadlines=(("Applications close", dt.date(2026, 4, 28)),),
          form_url="https://forms.example.org/nc"),
    Offer("algebra-circle", "Algebra Circle", phases=("secondary",),
          deadlines=(("Expressions of interest close", dt.date(2026, 5, 10)), ("Applications close", dt.date(2026, 6, 1)))),
    Offer("no-form", "No Form Course", deadlines=(("Applications close", dt.date(2026, 7, 1)),), form=False),
    Offer("old-course", "Old Course", deadlines=(("Applications close", dt.date(2025, 4, 28)),), status="historical"),
]
STAMP = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return make_kb(tmp_path / "knowledge", OFFERS)


def events(data: bytes) -> list:
    calendar = Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def check_matches(kb: KnowledgeBase, data: bytes) -> None:
    parsed = {str(event["UID"]): event for event in events(data)}
    expected = calendar_deadlines(kb)
    assert len(parsed) == len(expected)
    for item in expected:
        event = parsed[event_uid(item.entry.id, item.deadline.label, item.deadline.date)]
        assert event.decoded("DTSTART") == item.deadline.date
        assert event.decoded("DTEND") == item.deadline.date + dt.timedelta(days=1)
        assert str(event["SUMMARY"]) == f"{item.deadline.label}: {item.entry.name}"
        description = str(event["DESCRIPTION"])
        assert kb.hub.contact in description
        urls = [link.url for link in item.entry.links if link.url and link.kind.value == "application"]
        if urls:
            assert str(event["URL"]) == urls[0]
            assert urls[0] in description
        else:
            assert "URL" not in event


def test_events_match_the_knowledge_base(kb: KnowledgeBase) -> None:
    data = calendar_bytes(kb, now=STAMP)
    check_matches(kb, data)
    summaries = [str(event["SUMMARY"]) for event in events(data)]
    assert "Applications close: Old Course" not in summaries  # no longer on offer
    algebra = next(e for e in events(data) if str(e["SUMMARY"]).startswith("Expressions of interest"))
    assert "Algebra Circle application form: the hub will share the form." in str(algebra["DESCRIPTION"])
    assert "hub@example.org" in str(algebra["DESCRIPTION"])


def test_the_bundled_knowledge_base(kb: KnowledgeBase) -> None:
    real = load_knowledge(KNOWLEDGE, today=TODAY)
    check_matches(real, calendar_bytes(real))


def test_uids_are_stable_so_reimporting_updates(kb: KnowledgeBase, tmp_path: Path) -> None:
    first = {str(e["UID"]) for e in events(calendar_bytes(kb, now=STAMP))}
    later = {str(e["UID"]) for e in events(calendar_bytes(kb, now=STAMP + dt.timedelta(days=9)))}
    assert first == later and all(uid.endswith("@hubbot") for uid in first)
    reloaded = make_kb(tmp_path / "again", OFFERS)  # another copy of the same files
    assert {str(e["UID"]) for e in events(calendar_bytes(reloaded))} == first
    assert event_uid("a", "Applications close", dt.date(2026, 1, 1)) != event_uid("a", "Applications close", dt.date(2026, 1, 2))


def test_calendar_metadata(kb: KnowledgeBase) -> None:
    calendar = build_calendar(kb, now=STAMP)
    assert str(calendar["VERSION"]) == "2.0"
    assert "hubbot" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "Test Maths Hub: deadlines"
    assert all(event.decoded("DTSTAMP") == STAMP for event in calendar.walk("VEVENT"))


def test_phase_filter(kb: KnowledgeBase) -> None:
    from bot.knowledge.schema import Phase

    summaries = {str(e["SUMMARY"]) for e in events(calendar_bytes(kb, phase=Phase.SECONDARY))}
    assert summaries == {"Expressions of interest close: Algebra Circle", "Applications close: Algebra Circle"}


def test_deadlines_ics_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_kb(tmp_path / "knowledge", OFFERS)
    target = tmp_path / "deadlines.ics"
    assert main(["--knowledge", str(directory), "deadlines", "--ics", str(target)]) == 0
    assert "wrote 4 deadlines" in capsys.readouterr().out
    check_matches(load_knowledge(directory), target.read_bytes())
    assert main(["--knowledge", str(directory), "deadlines", "--ics", str(target), "--phase", "nursery"]) == 2
