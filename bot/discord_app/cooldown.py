"""Rate limits for every way of reaching the bot, and the per-server cap on public replies.

* **asks** — per person: slash commands, mentions (bare ones too) and answer buttons together.
* **clicks** — per person, more generous: steps of an eligibility check and 👍/👎.
* **server replies** — per server: public replies, however many people ask, so a crowd cannot
  flood a channel. Past it, slash-command answers go privately and mentions get no reply.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

MAX_KEYS = 10_000  # past this many people (or servers), those idle for a whole window are forgotten


class Cooldowns:
    """Lets each key (a person, a server) act ``rate`` times in any ``seconds``; ``seconds`` 0 turns it off.

    A small burst is allowed so a teacher can run a few commands in a row; only rapid, sustained
    use is slowed down.
    """

    def __init__(self, rate: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.seconds = seconds
        self._clock = clock
        self._uses: dict[Hashable, deque[float]] = {}

    def retry_after(self, key: Hashable) -> float:
        """0 and the use is counted if ``key`` may act now; else the seconds left to wait."""
        if self.seconds <= 0:
            return 0.0
        now = self._clock()
        uses = self._uses.setdefault(key, deque(maxlen=self.rate))
        while uses and now - uses[0] >= self.seconds:
            uses.popleft()
        if len(uses) >= self.rate:
            return self.seconds - (now - uses[0])
        uses.append(now)
        if len(self._uses) > MAX_KEYS:
            self._uses = {k: times for k, times in self._uses.items() if times and now - times[-1] < self.seconds}
        return 0.0


@dataclass(frozen=True)
class RateLimits:
    """The bot's three limits (see the module docstring)."""

    asks: Cooldowns
    clicks: Cooldowns
    server_replies: Cooldowns

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.monotonic) -> RateLimits:
        return cls(
            asks=Cooldowns(settings.cooldown_rate, settings.cooldown_seconds, clock),
            clicks=Cooldowns(settings.click_rate, settings.click_seconds, clock),
            server_replies=Cooldowns(settings.server_reply_rate, settings.server_reply_seconds, clock),
        )

    def may_post_publicly(self, guild_id: int | None) -> bool:
        """Whether a public reply in this server fits its cap (counted if so); direct messages always do."""
        return guild_id is None or not self.server_replies.retry_after(guild_id)
