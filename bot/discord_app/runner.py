"""Starting the bot: what ``python -m bot run`` calls.

* :func:`run_from_cli` — synchronous: reads the settings, sets up logging, runs the bot; returns an exit code.
* :func:`run_bot` — the coroutine, for a caller that already has settings and an event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp
import discord
import yarl

from bot.config import TOKEN_ENV, ConfigError, Settings, load_settings
from bot.discord_app.client import HubBot, bot_class, shard_options
from bot.discord_app.hubs import HubLoadError, Hubs
from bot.discord_app.knowledge import KnowledgeService
from bot.staff.storage import DATABASE_ERRORS, Storage, database_label, describe_failure, is_transient, open_storage

log = logging.getLogger(__name__)

NO_TOKEN = f"""\
hubbot needs a Discord bot token in the {TOKEN_ENV} environment variable, and none is set.

To get one:
  1. Open https://discord.com/developers/applications and create an application (or pick yours).
  2. Under "Bot", choose "Reset Token" and copy the token. Keep it secret.
  3. Start the bot with it in the environment, e.g.
       export {TOKEN_ENV}='paste-the-token-here'
       python -m bot run --config config.yaml
  4. Invite the bot to your server: under "OAuth2" → "URL Generator" tick "bot" and
     "applications.commands", then open the generated link.

Never put the token in config.yaml or commit it."""

BAD_TOKEN = (
    f"Discord rejected the token in {TOKEN_ENV}. Reset it in the Developer Portal (Bot → Reset Token) and try again."
)


def use_endpoints(rest_base_url: str, gateway_url: str) -> None:
    """Point discord.py at the configured REST base and gateway (a proxy or a test double).

    discord.py has no public setting for these; they are class attributes of its HTTP route and
    gateway classes. This is the only place the bot touches them, and the loopback tests prove it
    works with the pinned discord.py version.
    """
    discord.http.Route.BASE = rest_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class QuietDiscordLog(logging.Filter):
    """discord.py's log as a text bot's operator wants it: no warnings about voice support it does
    not need, and each reconnect attempt as one line naming the reason instead of a traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if "voice will NOT be supported" in message:
            return False
        if message.startswith("Attempting a reconnect in") and record.exc_info:
            error = record.exc_info[1]
            record.msg = "lost the connection to Discord (%s); reconnecting in %.1f s"
            record.args = (describe_error(error), *(record.args or ()))  # type: ignore[misc]
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_QUIET = QuietDiscordLog()


def quiet_discord_logs() -> None:
    """Install :class:`QuietDiscordLog` on discord.py's client logger (once)."""
    logger = logging.getLogger("discord.client")
    if _QUIET not in logger.filters:
        logger.addFilter(_QUIET)


def describe_error(error: BaseException | None) -> str:
    """An exception as a short phrase for one log line."""
    if error is None:
        return "unknown error"
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def build_bot(
    settings: Settings, knowledge: Hubs | KnowledgeService | Mapping[str, KnowledgeService], **options: Any
) -> HubBot:
    """The bot (sharded when the settings say so), pointed at the configured endpoints, answering
    from ``knowledge``: the hubs, or their knowledge bases (one for the one hub, or one per hub id).
    ``options`` go to :class:`discord.Client`.
    """
    use_endpoints(settings.rest_base_url, settings.gateway_url)
    quiet_discord_logs()
    hubs = knowledge if isinstance(knowledge, Hubs) else Hubs.of(settings, knowledge)
    return bot_class(settings)(settings, hubs, **shard_options(settings), **options)


class CannotConnect(Exception):
    """Discord could not be reached, or did not let the bot in, in time; the message says which."""


CONNECTION_ERRORS = (OSError, aiohttp.ClientError, discord.HTTPException, discord.GatewayNotFound, discord.ConnectionClosed)


async def connect_and_run(bot: HubBot, settings: Settings, token: str) -> None:
    """Log in and connect within ``connect_timeout_seconds``, then run until the bot is closed.

    Raises :class:`CannotConnect` when Discord is unreachable or silent before the first session is
    ready; after that, lost connections are discord.py's to retry, with back-off.
    """
    timeout = settings.connect_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            await bot.login(token)
    except TimeoutError:
        raise CannotConnect(f"Discord's API at {settings.rest_base_url} did not answer within {timeout:.0f} s") from None
    except (discord.LoginFailure, discord.PrivilegedIntentsRequired):
        raise
    except CONNECTION_ERRORS as error:
        raise CannotConnect(f"Discord's API at {settings.rest_base_url} cannot be reached ({describe_error(error)})") from None
    connection = asyncio.create_task(bot.connect(reconnect=True), name="discord gateway")
    ready = asyncio.create_task(bot.wait_until_ready(), name="first session")
    done, _ = await asyncio.wait({connection, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        if connection not in done:
            connection.cancel()
            with contextlib.suppress(asyncio.CancelledError, *CONNECTION_ERRORS):
                await connection
            raise CannotConnect(
                f"Discord's gateway at {settings.gateway_url} did not let the bot in within {timeout:.0f} s"
            )
    try:
        await connection
    except (discord.LoginFailure, discord.PrivilegedIntentsRequired):
        raise
    except CONNECTION_ERRORS as error:
        raise CannotConnect(f"the connection to Discord's gateway failed: {describe_error(error)}") from None


async def run_bot(settings: Settings, knowledge_dir: Path | None = None) -> int:
    """Run the bot until it is stopped (SIGINT/SIGTERM); returns the process exit code.

    ``knowledge_dir`` overrides ``settings.knowledge_dir`` (of a file without ``hubs``). Exits 2
    without a token and 1 when a hub's knowledge base cannot be loaded, the database cannot be
    opened, Discord refuses the token, or Discord cannot be reached (or does not answer) within
    ``connect_timeout_seconds`` — always with one line saying why.
    """
    if settings.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if knowledge_dir is not None:
        settings = settings.model_copy(update={"knowledge_dir": knowledge_dir})
    try:
        hubs = Hubs.load(settings)
    except HubLoadError as error:
        print(f"cannot start: {error}", file=sys.stderr)
        return 1
    for hub in hubs:
        kb = hub.knowledge.current.kb
        log.info("hub %s: knowledge base %s loaded from %s (%d entries)", hub.id, kb.version, hub.settings.knowledge_dir, len(kb))
    storage: Storage | None = None
    try:
        storage = await asyncio.to_thread(open_storage, settings)
    except (*DATABASE_ERRORS, OSError) as error:
        if not is_transient(error):
            print(f"cannot start: the database {database_label(settings)} cannot be opened: {describe_failure(error)}", file=sys.stderr)
            return 1
        # Locked, or its server unreachable: the bot tries again as it starts, then runs without recording.

    bot = build_bot(settings, hubs, storage=storage)  # the bot closes the storage when it closes
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Unix's main thread
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await connect_and_run(bot, settings, settings.token.get_secret_value())
    except CannotConnect as error:
        print(f"cannot start: {error}. Check the network, or rest_base_url and gateway_url.", file=sys.stderr)
        return 1
    except discord.LoginFailure:
        print(BAD_TOKEN, file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(
            "Discord refused the Message Content intent that unprompted_channel_ids needs: enable it "
            "under Bot → Privileged Gateway Intents in the Developer Portal, or clear that setting.",
            file=sys.stderr,
        )
        return 1
    return 0


def run_from_cli(config_path: str | Path | None = None, knowledge: Path | None = None) -> int:
    """Read the settings (``config_path``, else ``config.yaml`` if present, then the environment)
    and run the bot. The entry point for ``python -m bot [--knowledge DIR] run [--config FILE]``;
    ``knowledge`` replaces the one hub's knowledge folder.
    """
    try:
        settings = load_settings(config_path)
    except ConfigError as error:
        print(f"hubbot: {error}", file=sys.stderr)
        return 2
    if knowledge is not None:
        if settings.hubs:
            print("hubbot: --knowledge names one hub's folder; these settings list several hubs, each with its own "
                  "knowledge_dir — set them there", file=sys.stderr)
            return 2
        settings = settings.model_copy(update={"knowledge_dir": knowledge})
    discord.utils.setup_logging(level=getattr(logging, settings.log_level), root=True)
    return asyncio.run(run_bot(settings))
