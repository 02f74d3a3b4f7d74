from pathlib import Path

import pytest
import yaml

from bot.config import (
    DEFAULT_HUB_ID,
    DISCORD_GATEWAY_URL,
    DISCORD_REST_BASE_URL,
    ConfigError,
    Settings,
    load_settings,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.yaml"


def test_example_config_loads_through_the_real_loader_and_matches_the_defaults():
    settings = load_settings(EXAMPLE, env={})
    assert settings == Settings()
    assert settings.guild_ids == []
    assert settings.rest_base_url == DISCORD_REST_BASE_URL
    assert settings.gateway_url == DISCORD_GATEWAY_URL
    assert settings.ephemeral_replies is True
    assert settings.unprompted_channel_ids == []
    assert settings.reminder_lead_days == [14, 7, 1]
    assert settings.retention_days == 180
    assert settings.timezone == "Europe/London"
    assert settings.token is None


def test_example_config_documents_every_setting():
    documented = set(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    settable = set(Settings.model_fields) - {"token"}
    assert documented == settable


def test_environment_overrides_every_kind_of_setting(tmp_path):
    env = {
        "HUBBOT_GUILD_IDS": "1, 2",
        "HUBBOT_EPHEMERAL_REPLIES": "false",
        "HUBBOT_COOLDOWN_SECONDS": "0",
        "HUBBOT_STAFF_CHANNEL_ID": "77",
        "HUBBOT_KNOWLEDGE_DIR": str(tmp_path),
        "HUBBOT_REST_BASE_URL": "http://127.0.0.1:8080/api/v10/",
        "HUBBOT_REMINDER_LEAD_DAYS": "1,30",
    }
    settings = load_settings(EXAMPLE, env=env)
    assert settings.guild_ids == [1, 2]
    assert settings.ephemeral_replies is False
    assert settings.cooldown_seconds == 0
    assert settings.staff_channel_id == 77
    assert settings.knowledge_dir == tmp_path
    assert settings.rest_base_url == "http://127.0.0.1:8080/api/v10"
    assert settings.reminder_lead_days == [30, 1]


def test_empty_environment_value_clears_a_list_or_optional_setting(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("guild_ids: [5]\nstaff_channel_id: 9\n", encoding="utf-8")
    settings = load_settings(config, env={"HUBBOT_GUILD_IDS": "", "HUBBOT_STAFF_CHANNEL_ID": ""})
    assert settings.guild_ids == []
    assert settings.staff_channel_id is None


def test_token_comes_only_from_discord_token_and_is_never_shown(tmp_path):
    settings = load_settings(EXAMPLE, env={"DISCORD_TOKEN": "abc.def.ghi"})
    assert settings.token is not None
    assert settings.token.get_secret_value() == "abc.def.ghi"
    assert "abc.def.ghi" not in repr(settings)
    assert "abc.def.ghi" not in str(settings.model_dump())


def test_token_in_a_file_is_refused(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("token: abc\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        load_settings(config, env={})


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("guild_id: [1]\n", {}, "guild_id: unknown setting"),
        ("", {"HUBBOT_GUILD_IDS": "general"}, "HUBBOT_GUILD_IDS"),
        ("timezone: Mars/Olympus\n", {}, "unknown time zone"),
        ("- a list\n", {}, "name: value"),
        ("gateway_url: gateway.example\n", {}, "full URL"),
    ],
)
def test_bad_settings_are_reported_readably(tmp_path, text, env, message):
    config = tmp_path / "c.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config, env=env)


def test_missing_default_file_means_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(None, env={}) == Settings()


def test_named_file_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "nope.yaml", env={})


def test_the_knowledge_watcher_is_on_unless_turned_off(tmp_path):
    assert Settings().watch_knowledge_dir is True
    assert load_settings(EXAMPLE, env={"HUBBOT_WATCH_KNOWLEDGE_DIR": "false"}).watch_knowledge_dir is False
    config = tmp_path / "c.yaml"
    config.write_text("watch_knowledge_dir: no\n", encoding="utf-8")
    assert load_settings(config, env={}).watch_knowledge_dir is False


# ----- several hubs ---------------------------------------------------------------------------------
TWO_HUBS = """\
timezone: Europe/London
hubs:
  - id: north
    knowledge_dir: hubs/north
    guild_ids: [11, 12]
    staff_role_ids: [21]
    staff_channel_id: 31
    reminder_channel_id: 41
  - id: south
    knowledge_dir: hubs/south
    guild_ids: [13]
    staff_role_ids: [22, 23]
    timezone: Europe/Dublin
"""


def write(tmp_path, text):
    config = tmp_path / "c.yaml"
    config.write_text(text, encoding="utf-8")
    return config


def test_the_single_hub_form_is_one_hub_called_default(tmp_path):
    config = write(
        tmp_path,
        "knowledge_dir: kb\nguild_ids: [5, 6]\nstaff_role_ids: [7]\nstaff_channel_id: 8\nreminder_channel_id: 9\n"
        "timezone: Europe/Paris\n",
    )
    [hub] = load_settings(config, env={}).hub_list
    assert hub.id == DEFAULT_HUB_ID == "default"
    assert (hub.knowledge_dir, hub.guild_ids, hub.staff_role_ids) == (Path("kb"), [5, 6], [7])
    assert (hub.staff_channel_id, hub.reminder_channel_id, hub.timezone) == (8, 9, "Europe/Paris")
    assert hub.zone.key == "Europe/Paris"


def test_without_any_file_the_one_hub_is_the_bundled_knowledge_base():
    [hub] = Settings().hub_list
    assert hub.id == "default" and hub.knowledge_dir == Path("knowledge") and hub.guild_ids == []


def test_several_hubs_each_with_their_servers_staff_and_time_zone(tmp_path):
    settings = load_settings(write(tmp_path, TWO_HUBS), env={})
    north, south = settings.hub_list
    assert (north.id, north.knowledge_dir, north.guild_ids) == ("north", Path("hubs/north"), [11, 12])
    assert (north.staff_role_ids, north.staff_channel_id, north.reminder_channel_id) == ([21], 31, 41)
    assert (south.id, south.guild_ids, south.staff_role_ids, south.staff_channel_id) == ("south", [13], [22, 23], None)
    assert north.timezone == "Europe/London"  # the top-level one
    assert south.timezone == "Europe/Dublin"  # its own
    assert settings.all_guild_ids == [11, 12, 13]


def test_hubs_can_come_from_the_environment(tmp_path):
    env = {"HUBBOT_HUBS": '[{"id": "north", "knowledge_dir": "n", "guild_ids": [1]}, {id: south, knowledge_dir: s, guild_ids: [2]}]'}
    assert [hub.id for hub in load_settings(write(tmp_path, ""), env=env).hub_list] == ["north", "south"]


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        (TWO_HUBS + "guild_ids: [99]\n", {}, "guild_ids is set at the top level, but hubs are listed"),
        (TWO_HUBS, {"HUBBOT_STAFF_CHANNEL_ID": "5"}, "staff_channel_id is set at the top level"),
        (TWO_HUBS.replace("id: south", "id: north"), {}, "north is listed more than once"),
        (TWO_HUBS.replace("guild_ids: [13]", "guild_ids: [12]"), {}, "server 12 is listed for hubs north and south"),
        (TWO_HUBS.replace("    guild_ids: [13]\n", ""), {}, "hub south serves no server"),
        (TWO_HUBS.replace("id: south", "id: South Hub"), {}, "a hub id is lower-case letters"),
        (TWO_HUBS.replace("Europe/Dublin", "Mars/Olympus"), {}, "unknown time zone"),
        (TWO_HUBS.replace("staff_channel_id: 31", "staff_channel: 31"), {}, "hubs.0.staff_channel: unknown setting"),
        ("", {"HUBBOT_HUBS": "[{id: a"}, "HUBBOT_HUBS is not valid YAML"),
    ],
)
def test_bad_hub_settings_are_reported_readably(tmp_path, text, env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, text), env=env)


def test_one_listed_hub_may_serve_every_server(tmp_path):
    config = write(tmp_path, "hubs:\n  - id: kent\n    knowledge_dir: knowledge\n")
    [hub] = load_settings(config, env={}).hub_list
    assert hub.id == "kent" and hub.guild_ids == []


# ----- sharding -------------------------------------------------------------------------------------
def test_shard_settings(tmp_path):
    assert Settings().shard_count is None and Settings().shard_ids == []
    empty = write(tmp_path, "")
    settings = load_settings(empty, env={"HUBBOT_SHARD_COUNT": "4", "HUBBOT_SHARD_IDS": "2,3"})
    assert (settings.shard_count, settings.shard_ids) == (4, [2, 3])
    assert load_settings(empty, env={"HUBBOT_SHARD_COUNT": "auto"}).shard_count == "auto"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HUBBOT_SHARD_IDS": "0"}, "shard_ids needs shard_count"),
        ({"HUBBOT_SHARD_COUNT": "auto", "HUBBOT_SHARD_IDS": "0"}, "shard_ids needs shard_count"),
        ({"HUBBOT_SHARD_COUNT": "2", "HUBBOT_SHARD_IDS": "1,2"}, r"shard_ids \[2\] are not shards of 2"),
        ({"HUBBOT_SHARD_COUNT": "0"}, "at least 1"),
    ],
)
def test_bad_shard_settings_are_reported_readably(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, ""), env=env)
