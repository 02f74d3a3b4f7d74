from pathlib import Path

import pytest
import yaml

from bot.config import (
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
