"""Recording replies and votes as the Discord layer sees them.

Every reply is counted (no text); the text of a reply that ended ``unknown`` or ``clarify`` is
kept at once. An ``answered`` reply's text is held only in memory (:class:`Recorder` keeps the
most recent ones) and written to storage if and when someone votes on it — so the database never
holds the text of an answer nobody voted on. A vote on an answered reply that has left memory
(after a restart, or thousands of replies later) is not recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.reply import Reply
from bot.staff.storage import InteractionRecord, Storage

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

    def record_reply(
        self,
        reply: Reply,
        *,
        guild_id: int | None,
        channel_id: int | None,
        kb_version: str,
        answer_id: str | None = None,
    ) -> str:
        """Record a reply the bot is about to send; returns its answer id (for the vote buttons)."""
        answer_id = answer_id or new_answer_id()
        record = InteractionRecord.from_reply(
            reply,
            answer_id=answer_id,
            asked_at=self._clock(),
            guild_id=guild_id,
            channel_id=channel_id,
            kb_version=kb_version,
        )
        self.storage.record_answer(record)
        if not record.worth_keeping:
            with self._lock:
                self._recent[answer_id] = record
                while len(self._recent) > self._limit:
                    self._recent.popitem(last=False)
        return answer_id

    def record_vote(self, answer_id: str, up: bool) -> bool:
        """Record 👍 (``up``) or 👎 on a reply; False when the reply is no longer known."""
        with self._lock:
            record = self._recent.get(answer_id)
        recorded = self.storage.record_vote(answer_id, up, self._clock(), record)
        if not recorded:
            log.info("vote on an answer that is no longer known (%s); not recorded", answer_id)
        return recorded
