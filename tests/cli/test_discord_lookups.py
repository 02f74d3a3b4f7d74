"""The lookups where Discord users meet them: `/programme`, its autocomplete and `/eligibility`, over the fake Discord."""

from __future__ import annotations

import pytest

from tests.discord.fake_discord import FakeDiscord

pytestmark = pytest.mark.asyncio


def option(name: str, value: str) -> list[dict]:
    return [{"name": name, "type": 3, "value": value}]


async def test_programme_banana_is_no_programme(bot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("programme", option("name", "banana"))
    [embed] = response.body["data"]["embeds"]
    assert "No programme by that name" in embed["description"]
    assert not response.body["data"].get("components") or all(
        "Mastering" not in str(row) for row in response.body["data"]["components"])


async def test_programme_code_opens_that_entry(bot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("programme", option("name", "NCP17-09"))
    [embed] = response.body["data"]["embeds"]
    assert embed["title"] == "Mathematical Thinking and the new GCSE"


async def test_autocomplete_is_fuzzy_and_honest(bot, fake_discord: FakeDiscord) -> None:
    typo = await fake_discord.autocomplete("programme", "name", "secondry mast")
    assert typo.body["data"]["choices"][0]["value"] == "secondary-mastery-specialist"
    nonsense = await fake_discord.autocomplete("programme", "name", "qwertyuiop")
    assert nonsense.body["data"]["choices"] == []


async def test_eligibility_xyz_lists_no_unrelated_programmes(bot, fake_discord: FakeDiscord) -> None:
    _, response = await fake_discord.slash("eligibility", option("programme", "xyz"))
    content = response.body["data"]["content"]
    assert "don't know a programme" in content
    assert "Close to it" not in content and not response.body["data"].get("components")
