"""Which hub answers (``Hubs.pick``, the one decision) and the choice offered when it is not clear,
tested directly: no Discord involved.
"""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.discord_app.hub_choice import HubSelect, WaitingQuestions, choice_view
from bot.discord_app.hubs import Hubs
from bot.discord_app.knowledge import KnowledgeService
from tests.discord.conftest import SMALL_KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def service() -> KnowledgeService:
    return KnowledgeService.load(SMALL_KNOWLEDGE_DIR)


def hubs_of(service: KnowledgeService, count: int, **options: int) -> Hubs:
    settings = Settings(hubs=[{"id": f"h{n}", "knowledge_dir": "k", "guild_ids": [100 + n]} for n in range(count)])
    return Hubs([hub for hub in Hubs.of(settings, {f"h{n}": service for n in range(count)})], **options)


def test_one_hub_answers_every_server_and_every_direct_message(service: KnowledgeService) -> None:
    hubs = Hubs.of(Settings(guild_ids=[1]), service)
    only = hubs.only
    assert only.id == "default"
    assert hubs.pick(1, 7).hub is only
    assert hubs.pick(999, 7).hub is only  # not listed: one hub serves every server, as before hubs existed
    assert hubs.pick(None, 7).hub is only


def test_a_server_gets_the_hub_that_lists_it_and_an_unlisted_one_none(service: KnowledgeService) -> None:
    hubs = hubs_of(service, 3)
    assert hubs.pick(101, 7).hub is hubs.get("h1")
    assert hubs.pick(102, 7).hub is hubs.get("h2")
    unlisted = hubs.pick(999, 7)
    assert unlisted.hub is None and unlisted.unserved
    with pytest.raises(LookupError):
        _ = hubs.only


def test_a_direct_message_asks_among_every_hub_when_nothing_is_known(service: KnowledgeService) -> None:
    hubs = hubs_of(service, 3)
    asked = hubs.pick(None, 7)
    assert asked.hub is None and not asked.unserved
    assert [hub.id for hub in asked.choices] == ["h0", "h1", "h2"]


def test_a_direct_message_is_the_hub_of_the_one_server_the_person_was_seen_in(service: KnowledgeService) -> None:
    hubs = hubs_of(service, 3)
    hubs.pick(102, 7)
    assert hubs.pick(None, 7).hub is hubs.get("h2")
    assert hubs.pick(None, 8).hub is None  # someone else: not known
    hubs.pick(100, 7)  # seen in a second hub's server: ask, among those two
    assert [hub.id for hub in hubs.pick(None, 7).choices] == ["h0", "h2"]


def test_servers_discord_knows_they_share_count_like_servers_seen(service: KnowledgeService) -> None:
    hubs = hubs_of(service, 3)
    assert hubs.pick(None, 7, shared_guild_ids=[101, 555]).hub is hubs.get("h1")
    assert len(hubs.pick(None, 7, shared_guild_ids=[101, 102]).choices) == 2


def test_a_choice_wins_and_an_unknown_hub_is_not_remembered(service: KnowledgeService) -> None:
    hubs = hubs_of(service, 3)
    hubs.pick(100, 7)
    assert hubs.choose(7, "h2") is hubs.get("h2")
    assert hubs.pick(None, 7).hub is hubs.get("h2")  # the choice, over the server seen
    assert hubs.choose(7, "nowhere") is None
    assert hubs.pick(None, 7).hub is hubs.get("h2")


def test_memory_of_people_is_bounded(service: KnowledgeService) -> None:
    hubs = hubs_of(service, 2, remembered=2)
    hubs.choose(1, "h1")
    hubs.choose(2, "h1")
    hubs.pick(None, 1)  # reading does not refresh; writing does
    hubs.choose(3, "h0")
    assert hubs.pick(None, 1).hub is None  # the least recently noted person was forgotten
    assert hubs.pick(None, 2).hub is hubs.get("h1") and hubs.pick(None, 3).hub is hubs.get("h0")


def test_a_waiting_question_is_taken_once_and_only_by_its_asker() -> None:
    waiting = WaitingQuestions(limit=2)
    token = waiting.add(7, "when is it?")
    assert waiting.take(token, 8) is None
    assert waiting.take(token, 7) == "when is it?"
    assert waiting.take(token, 7) is None
    first = waiting.add(7, "a")
    waiting.add(7, "b")
    waiting.add(7, "c")
    assert waiting.take(first, 7) is None  # the oldest made room


def test_more_hubs_than_a_select_holds_are_offered_in_several_selects(service: KnowledgeService) -> None:
    hubs = list(hubs_of(service, 40))
    view = choice_view("0123456789abcdef", hubs)
    selects = [item for item in view.children if isinstance(item, HubSelect)]
    assert [len(select.item.options) for select in selects] == [25, 15]
    assert [option.value for select in selects for option in select.item.options] == [hub.id for hub in hubs]
    assert len({select.custom_id for select in selects}) == 2
