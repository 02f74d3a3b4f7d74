"""A per-user cooldown shared by every way of asking (slash commands, mentions, buttons)."""

from __future__ import annotations

import time
from collections.abc import Callable


class Cooldowns:
    """Lets each user ask once every ``seconds``; 0 turns the cooldown off."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 and the use is counted if ``user_id`` may ask now; else the seconds left to wait."""
        if self.seconds <= 0:
            return 0.0
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        if len(self._last) > 10_000:
            self._last = {user: t for user, t in self._last.items() if now - t < self.seconds}
        self._last[user_id] = now
        return 0.0
