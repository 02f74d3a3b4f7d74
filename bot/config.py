"""The bot's settings: one typed object, read once at start from a YAML file and the environment.

Every setting has a default, may be set in the YAML file (see ``config.example.yaml``) and may be
overridden by an environment variable named ``HUBBOT_`` + the setting's name in capitals, e.g.
``HUBBOT_GUILD_IDS=1,2``. Lists are comma-separated in the environment; an empty value gives an
empty list or, for optional settings, none.

The Discord token is the exception: it is read only from ``DISCORD_TOKEN``, never from a file, and
is kept as a :class:`~pydantic.SecretStr` so it is not shown when settings are printed or logged.

One deployment may serve several Maths Hubs: ``hubs`` lists them, each with its knowledge folder,
the Discord servers it serves, its staff roles and channels, reminder channel and time zone
(:class:`HubSettings`). Without ``hubs`` the top-level ``knowledge_dir``, ``guild_ids``,
``staff_role_ids``, ``staff_channel_id`` and ``reminder_channel_id`` describe the one hub, whose id
is :data:`DEFAULT_HUB_ID` — today's single-hub file keeps working unchanged.
:attr:`Settings.hub_list` is the one list the rest of the bot reads, whichever form was used.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

ENV_PREFIX = "HUBBOT_"
TOKEN_ENV = "DISCORD_TOKEN"  # noqa: S105 - the variable's name, not a token
DEFAULT_CONFIG_FILE = Path("config.yaml")
DISCORD_REST_BASE_URL = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"
# The id of the one hub a configuration without ``hubs`` describes, and of every record made before
# records carried a hub (the migration gives them this id).
DEFAULT_HUB_ID = "default"
HUB_ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
HUB_ID_LENGTH = 32
# The settings that describe one hub: top-level in the single-hub form, per hub with ``hubs``.
HUB_FIELDS = ("knowledge_dir", "guild_ids", "staff_role_ids", "staff_channel_id", "reminder_channel_id")


class ConfigError(Exception):
    """The settings could not be read; the message says which setting and why."""


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class HubSettings(BaseModel):
    """One Maths Hub the bot serves: its knowledge folder, servers, staff and reminders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    knowledge_dir: Path
    # The Discord servers whose questions this hub answers (and where its commands are registered).
    guild_ids: list[int] = Field(default_factory=list)
    staff_role_ids: list[int] = Field(default_factory=list)
    staff_channel_id: int | None = None
    reminder_channel_id: int | None = None
    # None: the top-level ``timezone``.
    timezone: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not re.fullmatch(HUB_ID_PATTERN, value) or len(value) > HUB_ID_LENGTH:
            raise ValueError(
                f"a hub id is lower-case letters, digits and single hyphens, at most {HUB_ID_LENGTH} "
                f"characters (e.g. kent-medway), got {value!r}"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The hub's time zone, for 'today' and reminder times (set by :attr:`Settings.hub_list`)."""
        return zoneinfo.ZoneInfo(self.timezone or "Europe/London")


class Settings(BaseModel):
    """Everything the bot can be configured with (see ``config.example.yaml`` for each one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Several hubs in one deployment (none: the top-level settings below describe the one hub).
    hubs: list[HubSettings] = Field(default_factory=list)

    # Knowledge base
    knowledge_dir: Path = Path("knowledge")
    watch_knowledge_dir: bool = True

    # Discord connection
    guild_ids: list[int] = Field(default_factory=list)
    rest_base_url: str = DISCORD_REST_BASE_URL
    gateway_url: str = DISCORD_GATEWAY_URL
    command_sync_state: Path = Path("data/command-sync.json")

    # How the bot answers
    ephemeral_replies: bool = True
    cooldown_rate: int = Field(default=5, ge=1)
    cooldown_seconds: float = Field(default=30.0, ge=0)
    click_rate: int = Field(default=20, ge=1)
    click_seconds: float = Field(default=30.0, ge=0)
    server_reply_rate: int = Field(default=20, ge=1)
    server_reply_seconds: float = Field(default=60.0, ge=0)
    # Answers run in this many worker threads (none: sized for the machine); a slash command whose
    # answer is not ready after defer_after_seconds is deferred ("thinking…") to beat Discord's 3 s.
    answer_threads: int | None = Field(default=None, ge=1, le=64)
    defer_after_seconds: float = Field(default=1.0, gt=0, le=2.5)
    unprompted_channel_ids: list[int] = Field(default_factory=list)
    unprompted_min_confidence: float = Field(default=0.85, ge=0, le=1)
    # An /eligibility check closes after this long without an answer; interaction tokens last 15 minutes.
    eligibility_timeout_seconds: float = Field(default=600.0, gt=0, le=840)

    # Hub staff
    staff_role_ids: list[int] = Field(default_factory=list)
    staff_channel_id: int | None = None
    # "Ask the hub team" on replies the bot could not answer outright (needs staff_channel_id); who
    # asked is remembered in memory only, for this long, so staff's answer can reach them.
    staff_handoff: bool = True
    handoff_memory_hours: float = Field(default=168.0, gt=0)

    # Deadline reminders and records (staff workflow)
    reminder_channel_id: int | None = None
    reminder_lead_days: list[int] = Field(default_factory=lambda: [14, 7, 1])
    database_path: Path = Path("data/hubbot.sqlite3")
    # A PostgreSQL database shared by several bot processes (postgresql://user@host:5432/name);
    # none: the SQLite file at database_path. Secret, as it may carry a password.
    database_url: SecretStr | None = None
    database_wait_seconds: float = Field(default=2.0, gt=0, le=30)
    database_retry_seconds: float = Field(default=60.0, gt=0)
    retention_days: int = Field(default=180, ge=1)
    timezone: str = "Europe/London"

    # Sharding: none = one gateway connection for every server; a number = that many shards in all
    # ("auto": as many as Discord recommends, all in this process); shard_ids = this process's share
    # (empty: all of them). Discord requires sharding from 2,500 servers.
    shard_count: int | Literal["auto"] | None = Field(default=None)
    shard_ids: list[int] = Field(default_factory=list)

    log_level: str = "INFO"
    # `python -m bot run` gives up with one line when Discord has not let the bot in after this long.
    connect_timeout_seconds: float = Field(default=30.0, gt=0)

    # Only from the environment (DISCORD_TOKEN); excluded from dumps.
    token: SecretStr | None = Field(default=None, exclude=True)

    @field_validator("rest_base_url", "gateway_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError(f"must be a full URL such as {DISCORD_REST_BASE_URL!r}, got {value!r}")
        return value.rstrip("/") if value.startswith("http") else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        url = value.get_secret_value().strip()
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "must be a PostgreSQL address such as 'postgresql://hubbot@db.example.org:5432/hubbot' "
                "(leave it empty to keep the records in the SQLite file at database_path)"
            )
        return SecretStr(url)

    @field_validator("reminder_lead_days")
    @classmethod
    def _lead_days(cls, value: list[int]) -> list[int]:
        if any(day < 0 for day in value):
            raise ValueError("lead days cannot be negative")
        return sorted(set(value), reverse=True)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return _check_timezone(value)

    @field_validator("shard_count")
    @classmethod
    def _shard_count(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and value < 1:
            raise ValueError("must be at least 1 (or auto, or empty for no sharding)")
        return value

    @model_validator(mode="after")
    def _shards_and_hubs(self) -> Settings:
        if self.shard_ids:
            if not isinstance(self.shard_count, int):
                raise ValueError("shard_ids needs shard_count: the number of shards of every process together")
            wrong = sorted({shard for shard in self.shard_ids if not 0 <= shard < self.shard_count})
            if wrong:
                raise ValueError(f"shard_ids {wrong} are not shards of {self.shard_count} (0 to {self.shard_count - 1})")
        if not self.hubs:
            return self
        defaults = Settings.model_construct()
        top_level = [name for name in HUB_FIELDS if getattr(self, name) != getattr(defaults, name)]
        if top_level:
            raise ValueError(
                f"{', '.join(top_level)} {'is' if len(top_level) == 1 else 'are'} set at the top level, but hubs "
                "are listed: give each hub its own (the top-level ones describe the one hub of a file without hubs)"
            )
        ids = [hub.id for hub in self.hubs]
        repeated = sorted({hub_id for hub_id in ids if ids.count(hub_id) > 1})
        if repeated:
            raise ValueError(f"hub ids must differ: {', '.join(repeated)} is listed more than once")
        served: dict[int, str] = {}
        for hub in self.hubs:
            if len(self.hubs) > 1 and not hub.guild_ids:
                raise ValueError(f"hub {hub.id} serves no server: with several hubs each needs its guild_ids")
            for guild in hub.guild_ids:
                if guild in served and served[guild] != hub.id:
                    raise ValueError(f"server {guild} is listed for hubs {served[guild]} and {hub.id}: one server, one hub")
                served[guild] = hub.id
        return self

    @property
    def hub_list(self) -> tuple[HubSettings, ...]:
        """The hubs this deployment serves, each with its time zone filled in: those listed in
        ``hubs``, or the one hub the top-level settings describe (id :data:`DEFAULT_HUB_ID`).
        """
        if not self.hubs:
            return (
                HubSettings(
                    id=DEFAULT_HUB_ID,
                    knowledge_dir=self.knowledge_dir,
                    guild_ids=self.guild_ids,
                    staff_role_ids=self.staff_role_ids,
                    staff_channel_id=self.staff_channel_id,
                    reminder_channel_id=self.reminder_channel_id,
                    timezone=self.timezone,
                ),
            )
        return tuple(hub if hub.timezone else hub.model_copy(update={"timezone": self.timezone}) for hub in self.hubs)

    @property
    def all_guild_ids(self) -> list[int]:
        """Every server a hub names, in the order they are listed (where commands are registered)."""
        return [guild for hub in self.hub_list for guild in hub.guild_ids]

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The hub's time zone, for 'today' and reminder times."""
        return zoneinfo.ZoneInfo(self.timezone)


_FILE_ONLY_FORBIDDEN = {"token", "discord_token"}


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (default ``config.yaml`` if it exists), then the environment.

    Raises :class:`ConfigError` with a readable message when the file or a value is wrong.
    """
    env = os.environ if env is None else env
    values = _read_file(path)
    for name in Settings.model_fields:
        if name == "token":
            continue
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = _from_env(name, raw)
    token = env.get(TOKEN_ENV, "").strip()
    if token:
        values["token"] = token
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


def _read_file(path: str | Path | None) -> dict[str, Any]:
    if path is None:
        if not DEFAULT_CONFIG_FILE.exists():
            return {}
        path = DEFAULT_CONFIG_FILE
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold settings as 'name: value' lines")
    secret = _FILE_ONLY_FORBIDDEN & set(data)
    if secret:
        raise ConfigError(
            f"{path} sets {', '.join(sorted(secret))}: the Discord token is read only from the "
            f"{TOKEN_ENV} environment variable, never from a file — remove it from {path}"
        )
    return dict(data)


def _from_env(name: str, raw: str) -> Any:
    """Turn an environment string into what the setting's type expects (pydantic does the rest).

    ``HUBBOT_HUBS`` holds the list of hubs as YAML (or JSON), as in the file.
    """
    annotation = str(Settings.model_fields[name].annotation)
    raw = raw.strip()
    if name == "hubs":
        try:
            return yaml.safe_load(raw) or []
        except yaml.YAMLError as exc:
            raise ConfigError(f"{ENV_PREFIX}HUBS is not valid YAML: {exc}") from None
    if annotation.startswith("list["):
        return [item.strip() for item in raw.split(",") if item.strip()]
    if "None" in annotation and raw == "":
        return None
    return raw


def _describe(exc: ValidationError, path: str | Path | None) -> str:
    where = f" (from {path} or the environment)" if path else ""
    lines = [f"invalid settings{where}:"]
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"])
        if not name:  # a rule across settings (e.g. hubs and the top-level hub settings)
            lines.append(f"  {error['msg'].removeprefix('Value error, ')}")
        elif error["type"] == "extra_forbidden":
            lines.append(f"  {name}: unknown setting (see config.example.yaml for the names)")
        else:
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"  {name} (env {ENV_PREFIX}{name.split('.')[0].upper()}): {message}")
    return "\n".join(lines)
