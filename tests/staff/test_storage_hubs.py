"""Records carry the hub (each test runs on SQLite and on PostgreSQL): the migration that adds the hub
to a database in service, and every read and reminder kept apart by hub.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from bot.config import DEFAULT_HUB_ID
from bot.staff.report import build_report
from bot.staff.storage import MIGRATIONS, ReminderMark, SQLStorage
from tests.staff.conftest import NOW, Database, Offer, make_kb, record, write_old_interaction

DAY = dt.date(2026, 4, 28)
EVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
HUB_MIGRATION = 4


def of_hub(answer_id: str, hub_id: str, **extra: object) -> object:
    return dataclasses.replace(record(answer_id, **extra), hub_id=hub_id)  # type: ignore[arg-type]


def write_old_reminders(storage: SQLStorage) -> None:
    """A reminder sent (and its claim) and one skipped, as schema version 3 kept them."""
    with storage._transaction() as db:
        for lead, outcome in ((7, "sent"), (14, "skipped")):
            db.run(
                "INSERT INTO sent_reminders (entry_id, deadline_date, lead_days, sent_at, outcome) VALUES ('club', ?, ?, ?, ?)",
                (storage._day(DAY), lead, storage._time(NOW), outcome),
            )
        db.run(
            "INSERT INTO reminder_claims (entry_id, deadline_date, lead_days, claimed_at, posted) VALUES ('club', ?, 7, ?, 1)",
            (storage._day(DAY), storage._time(NOW)),
        )


def test_the_hub_migration_keeps_every_record_as_the_default_hubs(database: Database) -> None:
    with database.open(migrations=MIGRATIONS[: HUB_MIGRATION - 1]) as old:
        assert old.schema_version() == HUB_MIGRATION - 1
        assert "hub_id" not in old.schema_columns()["interactions"]
        write_old_interaction(old, "kept", NOW, "is there a conference?")
        with old._transaction() as db:
            db.run("INSERT INTO votes (answer_id, vote, voted_at) VALUES ('kept', -1, ?)", (old._time(NOW),))
            db.run("INSERT INTO handoffs (answer_id, handed_off_at) VALUES ('kept', ?)", (old._time(NOW),))
        write_old_reminders(old)

    with database.open() as upgraded:
        assert upgraded.schema_version() == len(MIGRATIONS) >= HUB_MIGRATION
        columns = upgraded.schema_columns()
        for table in ("interactions", "question_counts", "sent_reminders", "reminder_claims"):
            assert "hub_id" in columns[table], table
        [kept] = upgraded.interactions(EVER)
        assert (kept.answer_id, kept.question, kept.hub_id) == ("kept", "is there a conference?", DEFAULT_HUB_ID)
        assert [(c.hub_id, c.questions) for c in upgraded.question_counts(EVER.date())] == [(DEFAULT_HUB_ID, 1)]
        assert [(v.interaction.hub_id, v.down) for v in upgraded.voted_answers(EVER)] == [(DEFAULT_HUB_ID, 1)]
        assert [h.interaction.answer_id for h in upgraded.handoffs(EVER, hub_id=DEFAULT_HUB_ID)] == ["kept"]
        assert upgraded.reminder_leads_done("club", DAY) == {7, 14}
        assert {(m.hub_id, m.lead_days, m.outcome) for m in upgraded.reminder_marks()} == {
            (DEFAULT_HUB_ID, 7, "sent"), (DEFAULT_HUB_ID, 14, "skipped"),
        }
        # The posted claim came across too: the default hub's 7-day reminder is not posted again …
        assert not upgraded.claim_reminder(ReminderMark("club", DAY, 7, "sent", NOW), NOW)
        # … but another hub's entry of the same id has a reminder of its own.
        assert upgraded.claim_reminder(ReminderMark("club", DAY, 7, "sent", NOW, "south"), NOW - dt.timedelta(hours=1))
        # New writes go on counting into the same rows.
        upgraded.record_answer(record("new", asked_at=NOW))
        assert [(c.hub_id, c.questions) for c in upgraded.question_counts(EVER.date())] == [(DEFAULT_HUB_ID, 2)]
        assert upgraded.integrity_problems() == []
        assert upgraded.migrate() == []


def test_reads_keep_hubs_apart(storage: SQLStorage) -> None:
    storage.record_answer(of_hub("n1", "north", question="when is the north conference?"))
    storage.record_answer(of_hub("n2", "north", status="answered", topics=("club",), question="what is club?"))
    storage.record_answer(of_hub("s1", "south", question="is there a south conference?"))
    assert storage.record_vote("n2", False, NOW, of_hub("n2", "north", status="answered", topics=("club",)))
    assert storage.record_handoff("s1", NOW)

    assert [r.answer_id for r in storage.interactions(EVER, hub_id="north")] == ["n1", "n2"]  # n2: voted on
    assert [r.answer_id for r in storage.interactions(EVER, hub_id="south")] == ["s1"]
    assert sorted(r.answer_id for r in storage.interactions(EVER)) == ["n1", "n2", "s1"]
    assert {(c.hub_id, c.status): c.questions for c in storage.question_counts(EVER.date())} == {
        ("north", "unknown"): 1, ("north", "answered"): 1, ("south", "unknown"): 1,
    }
    assert sum(c.questions for c in storage.question_counts(EVER.date(), hub_id="south")) == 1
    assert [v.interaction.answer_id for v in storage.voted_answers(EVER, hub_id="north")] == ["n2"]
    assert storage.voted_answers(EVER, hub_id="south") == []
    assert [h.interaction.answer_id for h in storage.handoffs(EVER, hub_id="south")] == ["s1"]
    assert storage.handoffs(EVER, hub_id="north") == []
    assert storage.interactions(EVER, hub_id="nowhere") == []


def test_two_hubs_each_get_the_reminder_of_an_entry_they_both_have(storage: SQLStorage) -> None:
    north = ReminderMark("club", DAY, 7, "sent", NOW, "north")
    south = dataclasses.replace(north, hub_id="south")
    stale = NOW - dt.timedelta(hours=1)
    assert storage.claim_reminder(north, stale)
    storage.mark_reminders([north])
    assert not storage.claim_reminder(north, stale)
    assert storage.reminder_leads_done("club", DAY, "north") == {7}
    assert storage.reminder_leads_done("club", DAY, "south") == set()
    assert storage.claim_reminder(south, stale)
    storage.release_reminder(south)
    assert storage.claim_reminder(south, stale)


def test_the_report_of_one_hub_counts_only_its_questions(storage: SQLStorage, tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", [Offer("club", "Number Club")])
    storage.record_answer(of_hub("n1", "north", question="when is the north conference?"))
    storage.record_answer(of_hub("s1", "south", question="is there a south conference?"))
    storage.record_answer(of_hub("s2", "south", question="is there a south conference?"))
    north = build_report(storage, kb, EVER, NOW, "north", hub="North Maths Hub")
    south = build_report(storage, kb, EVER, NOW, "south")
    both = build_report(storage, kb, EVER, NOW)
    assert (north.total, south.total, both.total) == (1, 2, 3)
    assert [g.examples for g in north.groups] == [("when is the north conference?",)]
    assert north.hub == "North Maths Hub"
