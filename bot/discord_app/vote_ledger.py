"""One vote per person per answer, without storing who voted.

:class:`VoteLedger` remembers keyed digests (HMAC-SHA-256 under a key made fresh at each start) of
answer id and user id — nothing that names a person, in memory only — for as long as an answer's
buttons can be voted on in practice: the most recent votes, a bounded number.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict

REMEMBERED_VOTES = 50_000


class VoteLedger:
    """Has this person voted on this answer yet? Checked and noted in one step, so simultaneous
    clicks (handled one after another on the event loop) count once.
    """

    def __init__(self, size: int = REMEMBERED_VOTES, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)
        self._size = size
        self._seen: OrderedDict[bytes, None] = OrderedDict()

    def _digest(self, answer_id: str, user_id: int) -> bytes:
        return hmac.new(self._key, f"{answer_id}:{user_id}".encode(), hashlib.sha256).digest()[:16]

    def first_vote(self, answer_id: str, user_id: int) -> bool:
        """True, and noted, if this is the person's first vote on the answer; False for any later click."""
        digest = self._digest(answer_id, user_id)
        if digest in self._seen:
            return False
        self._seen[digest] = None
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True

    def forget(self, answer_id: str, user_id: int) -> None:
        """Let the person vote again (their vote could not be recorded)."""
        self._seen.pop(self._digest(answer_id, user_id), None)

    def __len__(self) -> int:
        return len(self._seen)
