"""Passing a question to the hub team: who asked, and where staff's answer goes — in memory only.

When a reply the bot could not answer outright offers "Ask the hub team", the :class:`HandoffDesk`
notes the question, who asked it and (for a message in a channel) a link back to it, under the
reply's answer id. The asker's click claims the offer — once: a repeated or simultaneous click
finds it taken. A private hand-off then keeps where to deliver staff's answer (a ``recipient``,
whatever the caller needs) until staff answer it.

Nothing here is written anywhere: the records keep only that a hand-off happened
(:meth:`~bot.staff.storage.Storage.record_handoff`). A restart, or ``memory_seconds``, forgets who
asked; staff are then told that the teacher can no longer be reached through the bot.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Generic, Literal, TypeVar

from bot.config import DEFAULT_HUB_ID

T = TypeVar("T")

REMEMBERED = 5000  # offers (and, separately, hand-offs waiting for staff) kept at most

OfferState = Literal["offered", "passing", "passed"]


@dataclass
class Offer:
    """A question the asker may pass to the hub team."""

    handoff_id: str
    question: str
    asker_id: int
    bot_said: str  # what the bot replied, so staff see where it left the teacher
    jump_url: str | None = None  # the asker's own message, when they asked in a channel
    at: float = 0.0
    state: OfferState = "offered"
    hub_id: str = DEFAULT_HUB_ID  # whose team it goes to


class Claim(Enum):
    """What a click on "Ask the hub team" finds."""

    CLAIMED = "claimed"  # this click passes it on
    UNKNOWN = "unknown"  # forgotten (a restart, or too long ago)
    NOT_ASKER = "not asker"  # someone else's question
    TAKEN = "taken"  # already passed on, or being passed on by another click


@dataclass
class Waiting(Generic[T]):
    """A private hand-off waiting for staff's answer, and where to deliver it."""

    offer: Offer
    recipient: T
    at: float
    answers: int = field(default=0)  # answers delivered so far


class HandoffDesk(Generic[T]):
    """Offers and waiting hand-offs of one running bot (see the module docstring).

    Used from the event loop only: each method runs to completion before another click is
    handled, so a claim is checked and taken in one step.
    """

    def __init__(
        self, memory_seconds: float, size: int = REMEMBERED, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.memory_seconds = memory_seconds
        self._size = size
        self._clock = clock
        self._offers: OrderedDict[str, Offer] = OrderedDict()
        self._waiting: OrderedDict[str, Waiting[T]] = OrderedDict()

    def offer(
        self,
        handoff_id: str,
        question: str,
        asker_id: int,
        bot_said: str,
        jump_url: str | None = None,
        hub_id: str = DEFAULT_HUB_ID,
    ) -> None:
        """Note a question its asker may pass on to hub ``hub_id``'s team."""
        self._offers[handoff_id] = Offer(handoff_id, question, asker_id, bot_said, jump_url, at=self._clock(), hub_id=hub_id)
        self._forget_old()

    def claim(self, handoff_id: str, user_id: int) -> tuple[Claim, Offer | None]:
        """Take the offer for passing on, if ``user_id`` asked it and nobody took it yet."""
        self._forget_old()
        offer = self._offers.get(handoff_id)
        if offer is None:
            return Claim.UNKNOWN, None
        if offer.asker_id != user_id:
            return Claim.NOT_ASKER, offer
        if offer.state != "offered":
            return Claim.TAKEN, offer
        offer.state = "passing"
        return Claim.CLAIMED, offer

    def release(self, handoff_id: str) -> None:
        """Passing it on failed: the asker may try again."""
        offer = self._offers.get(handoff_id)
        if offer is not None and offer.state == "passing":
            offer.state = "offered"

    def passed(self, handoff_id: str, recipient: T | None) -> None:
        """It reached the hub team; ``recipient`` is where their answer goes (None: they answer in
        the channel themselves, so nothing is kept).
        """
        offer = self._offers.get(handoff_id)
        if offer is None:
            return
        offer.state = "passed"
        if recipient is not None:
            self._waiting[handoff_id] = Waiting(offer, recipient, at=self._clock())
            self._forget_old()

    def waiting(self, handoff_id: str) -> Waiting[T] | None:
        """The private hand-off staff are answering, or None if it is forgotten."""
        self._forget_old()
        return self._waiting.get(handoff_id)

    def _forget_old(self) -> None:
        cutoff = self._clock() - self.memory_seconds
        for kept in (self._offers, self._waiting):
            while kept and (len(kept) > self._size or next(iter(kept.values())).at < cutoff):
                kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._offers) + len(self._waiting)
