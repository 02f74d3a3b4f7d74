"""The hand-off desk: one hand-off per question, only by its asker, forgotten after a while."""

from __future__ import annotations

from bot.staff.handoffs import Claim, HandoffDesk


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_only_the_asker_can_pass_a_question_on_and_only_once() -> None:
    desk: HandoffDesk[str] = HandoffDesk(memory_seconds=3600)
    desk.offer("a1", "Who runs the conference?", asker_id=7, bot_said="I don't know.")
    assert desk.claim("a1", user_id=8)[0] is Claim.NOT_ASKER
    claim, offer = desk.claim("a1", user_id=7)
    assert claim is Claim.CLAIMED and offer is not None and offer.question == "Who runs the conference?"
    assert desk.claim("a1", user_id=7)[0] is Claim.TAKEN, "a second click while the first is passing it on"
    desk.passed("a1", "deliver here")
    assert desk.claim("a1", user_id=7)[0] is Claim.TAKEN
    waiting = desk.waiting("a1")
    assert waiting is not None and waiting.recipient == "deliver here" and waiting.offer is offer
    assert desk.claim("nope", user_id=7)[0] is Claim.UNKNOWN


def test_a_failed_hand_off_can_be_tried_again() -> None:
    desk: HandoffDesk[str] = HandoffDesk(memory_seconds=3600)
    desk.offer("a1", "q", asker_id=7, bot_said="")
    assert desk.claim("a1", 7)[0] is Claim.CLAIMED
    desk.release("a1")
    assert desk.claim("a1", 7)[0] is Claim.CLAIMED


def test_a_public_hand_off_keeps_no_recipient() -> None:
    desk: HandoffDesk[str] = HandoffDesk(memory_seconds=3600)
    desk.offer("a1", "q", asker_id=7, bot_said="", jump_url="https://discord.com/channels/1/2/3")
    desk.claim("a1", 7)
    desk.passed("a1", None)
    assert desk.waiting("a1") is None
    assert desk.claim("a1", 7)[0] is Claim.TAKEN


def test_offers_and_waiting_hand_offs_are_forgotten_after_a_while_and_bounded() -> None:
    clock = Clock()
    desk: HandoffDesk[str] = HandoffDesk(memory_seconds=60, size=3, clock=clock)
    desk.offer("old", "q", 7, "")
    desk.claim("old", 7)
    desk.passed("old", "here")
    clock.now += 61
    assert desk.waiting("old") is None
    assert desk.claim("old", 7)[0] is Claim.UNKNOWN
    for number in range(5):
        desk.offer(f"n{number}", "q", 7, "")
    assert [desk.claim(f"n{number}", 7)[0] for number in range(5)] == [Claim.UNKNOWN] * 2 + [Claim.CLAIMED] * 3
    assert len(desk) == 3
