"""A per-user cooldown shared by every way of asking (slash commands, mentions, buttons)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Cooldowns:
    """Lets each user ask ``rate`` times in any ``seconds``; ``seconds`` 0 turns it off.

    A small burst is allowed so a teacher can run a few commands in a row; only rapid, sustained
    asking is slowed down.
    """

    def __init__(self, rate: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.seconds = seconds
        self._clock = clock
        self._uses: dict[int, deque[float]] = {}

    def retry_after(self, user_id: int) -> float:
        """0 and the use is counted if ``user_id`` may ask now; else the seconds left to wait."""
        if self.seconds <= 0:
            return 0.0
        now = self._clock()
        uses = self._uses.setdefault(user_id, deque(maxlen=self.rate))
        while uses and now - uses[0] >= self.seconds:
            uses.popleft()
        if len(uses) >= self.rate:
            return self.seconds - (now - uses[0])
        uses.append(now)
        if len(self._uses) > 10_000:
            self._uses = {user: times for user, times in self._uses.items() if times and now - times[-1] < self.seconds}
        return 0.0
