"""Recording replies and votes as the Discord layer will: text kept only when worth keeping."""

from __future__ import annotations

import datetime as dt

from bot.reply import Reply
from bot.staff.records import Recorder, new_answer_id
from bot.staff.storage import SQLiteStorage
from tests.staff.conftest import NOW


def reply(status: str, question: str = "q?", topics: tuple[str, ...] = ()) -> Reply:
    return Reply(question=question, status=status, headline="h", intent="deadline", topics=topics, confidence=0.9)  # type: ignore[arg-type]


def test_answer_ids_fit_a_custom_id() -> None:
    ids = {new_answer_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) == 16 for i in ids)


def test_unknown_replies_are_kept_at_once(storage: SQLiteStorage) -> None:
    recorder = Recorder(storage, clock=lambda: NOW)
    answer_id = recorder.record_reply(reply("unknown", "Is there a trip?"), guild_id=1, channel_id=2, kb_version="v1")
    [kept] = storage.interactions(NOW - dt.timedelta(minutes=1))
    assert (kept.answer_id, kept.question, kept.guild_id, kept.channel_id, kept.kb_version) == (
        answer_id, "Is there a trip?", 1, 2, "v1",
    )
    assert recorder.record_vote(answer_id, up=False)


def test_answered_replies_are_kept_only_when_voted_on(storage: SQLiteStorage) -> None:
    recorder = Recorder(storage, clock=lambda: NOW)
    quiet = recorder.record_reply(reply("answered", "Who is it for?", ("x",)), guild_id=None, channel_id=5, kb_version="v")
    voted = recorder.record_reply(reply("answered", "How much?", ("x",)), guild_id=None, channel_id=5, kb_version="v")
    assert storage.interactions(NOW - dt.timedelta(minutes=1)) == []
    assert recorder.record_vote(voted, up=True)
    assert [r.answer_id for r in storage.interactions(NOW - dt.timedelta(minutes=1))] == [voted]
    assert quiet != voted
    assert sum(c.questions for c in storage.question_counts(NOW.date())) == 2


def test_a_vote_after_a_restart_on_an_answered_reply_is_not_recorded(storage: SQLiteStorage) -> None:
    answer_id = Recorder(storage, clock=lambda: NOW).record_reply(
        reply("answered"), guild_id=1, channel_id=1, kb_version="v"
    )
    restarted = Recorder(storage, clock=lambda: NOW)
    assert restarted.record_vote(answer_id, up=True) is False


def test_memory_of_answered_replies_is_bounded(storage: SQLiteStorage) -> None:
    recorder = Recorder(storage, clock=lambda: NOW, recent=3)
    ids = [recorder.record_reply(reply("answered"), guild_id=1, channel_id=1, kb_version="v") for _ in range(5)]
    assert [recorder.record_vote(answer_id, up=True) for answer_id in ids] == [False, False, True, True, True]


def test_a_handoff_is_recorded_and_closed_through_the_recorder(storage: SQLiteStorage) -> None:
    recorder = Recorder(storage, clock=lambda: NOW)
    answer_id = recorder.record_reply(reply("unknown", "Is there a trip?"), guild_id=1, channel_id=2, kb_version="v")
    assert recorder.record_handoff(answer_id)
    assert [h.interaction.answer_id for h in storage.handoffs(NOW)] == [answer_id]
    assert recorder.close_handoff(answer_id, "answered")
    assert not recorder.close_handoff(answer_id, "answered")
    assert Recorder(storage, clock=lambda: NOW).record_handoff("0123456789abcdef") is False  # never seen
