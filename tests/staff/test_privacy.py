"""Nobody else's identity in the records: mentions, links, handles, emails and phone numbers go."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.staff.privacy import scrub_identity
from bot.staff.storage import InteractionRecord


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        (
            "<@400000000000000002> <@!400000000000000012> <@&400000000000000013> when does it close?",
            "@someone @someone @role when does it close?",
        ),
        ("is <#400000000000000004> the right place?", "is #channel the right place?"),
        ("ask @alice or @Year8.Team, not @everyone", "ask @someone or @someone, not @everyone"),
        ("mail jo.bloggs+maths@school.kent.sch.uk please", "mail [email] please"),
        ("ring 01622 123456 or +44 (0)1622 123 456 or 07700-900-123", "ring [number] or [number] or [number]"),
        ("as in https://discord.com/channels/1/2/3?x=1 said", "as in [link] said"),
        ("user 400000000000000007 asked", "user [number] asked"),
        ("try </ask:400000000000000099>", "try /ask"),
    ],
)
def test_identities_are_replaced(question: str, kept: str) -> None:
    assert scrub_identity(question) == kept


@pytest.mark.parametrize(
    "question",
    [
        "NCP17-09 in 2025-26: dates 28/04/2025 and 2025-09-01 for Y5-8",
        "12 teachers, £1,500 funding, 3 days, 2025 2026 2027",
        "what is a 1:1 ratio of 100000 to 999999?",
    ],
)
def test_numbers_that_are_not_phone_numbers_stay(question: str) -> None:
    assert scrub_identity(question) == question


def test_every_record_is_scrubbed_however_it_is_made() -> None:
    record = InteractionRecord(
        answer_id="a", asked_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC), guild_id=1, channel_id=2,
        question="<@123456789012345678> wants 07700 900123", status="unknown", intent="unknown",
        topics=(), confidence=0.0, kb_version="v",
    )
    assert record.question == "@someone wants [number]"
