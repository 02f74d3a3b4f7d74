"""Recording replies and votes as the Discord layer sees them.

Every reply is counted (no text); the text of a reply that ended ``unknown`` or ``clarify`` is
kept at once. An ``answered`` reply's text is held only in memory (:class:`Recorder` keeps the
most recent replies of every kind) and written to storage if and when someone votes on it — so the
database never holds the text of an answer nobody voted on. A vote on an answered reply that has
left memory (after a restart, or thousands of replies later) is not recorded.

A question passed to the hub team is noted with :meth:`Recorder.record_handoff` and closed with
:meth:`Recorder.close_handoff` when staff answer it (or the teacher can no longer be reached).

The bot makes a reply's record (:meth:`Recorder.new_record`, in memory, instant) before sending it
and writes it (:meth:`Recorder.write`) afterwards, in the background.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.config import DEFAULT_HUB_ID
from bot.reply import Reply
from bot.staff.storage import HandoffOutcome, InteractionRecord, Storage

log = logging.getLogger(__name__)

RECENT_ANSWERS = 5000


def new_answer_id() -> str:
    """A random id for one reply (16 hex characters; fits in a Discord ``custom_id``)."""
    return secrets.token_hex(8)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Recorder:
    """Counts replies, keeps the ones worth keeping and records 👍/👎 votes in a :class:`Storage`."""

    def __init__(
        self,
        storage: Storage,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        recent: int = RECENT_ANSWERS,
    ) -> None:
        self.storage = storage
        self._clock = clock
        self._recent: OrderedDict[str, InteractionRecord] = OrderedDict()
        self._limit = recent
        self._lock = threading.Lock()

    def new_record(
        self,
        reply: Reply,
        *,
        guild_id: int | None,
        channel_id: int | None,
        kb_version: str,
        answer_id: str | None = None,
        hub_id: str = DEFAULT_HUB_ID,
    ) -> InteractionRecord:
        """The record of a reply of hub ``hub_id`` about to be sent, with a new answer id, remembered for votes."""
        record = InteractionRecord.from_reply(
            reply,
            answer_id=answer_id or new_answer_id(),
            asked_at=self._clock(),
            guild_id=guild_id,
            channel_id=channel_id,
            kb_version=kb_version,
            hub_id=hub_id,
        )
        with self._lock:
            self._recent[record.answer_id] = record
            while len(self._recent) > self._limit:
                self._recent.popitem(last=False)
        return record

    def write(self, record: InteractionRecord) -> None:
        """Count the reply in storage, and keep its text if it is worth keeping (may block on the database)."""
        self.storage.record_answer(record)

    def record_reply(
        self,
        reply: Reply,
        *,
        guild_id: int | None,
        channel_id: int | None,
        kb_version: str,
        answer_id: str | None = None,
        hub_id: str = DEFAULT_HUB_ID,
    ) -> str:
        """:meth:`new_record` and :meth:`write` in one go; returns the answer id."""
        record = self.new_record(
            reply, guild_id=guild_id, channel_id=channel_id, kb_version=kb_version, answer_id=answer_id, hub_id=hub_id
        )
        self.write(record)
        return record.answer_id

    def knows(self, answer_id: str) -> bool:
        """Whether the reply is still in memory, so a vote on it can be recorded without asking storage."""
        with self._lock:
            return answer_id in self._recent

    def record_vote(self, answer_id: str, up: bool) -> bool:
        """Record 👍 (``up``) or 👎 on a reply; False when the reply is no longer known."""
        with self._lock:
            record = self._recent.get(answer_id)
        recorded = self.storage.record_vote(answer_id, up, self._clock(), record)
        if not recorded:
            log.info("vote on an answer that is no longer known (%s); not recorded", answer_id)
        return recorded

    def record_handoff(self, answer_id: str) -> bool:
        """Note that a reply's question was passed to the hub team; False when the reply is no longer known."""
        with self._lock:
            record = self._recent.get(answer_id)
        recorded = self.storage.record_handoff(answer_id, self._clock(), record)
        if not recorded:
            log.info("hand-off of a question that is no longer known (%s); not recorded", answer_id)
        return recorded

    def close_handoff(self, answer_id: str, outcome: HandoffOutcome) -> bool:
        """Close a hand-off as answered or unreachable; False when it was not open."""
        return self.storage.close_handoff(answer_id, outcome, self._clock())
