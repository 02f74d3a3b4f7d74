"""``python -m bot run`` started as a separate process, as a user would, pointed at the fake."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.discord_app.runner import run_bot
from tests.discord.conftest import KNOWLEDGE_DIR, ROOT
from tests.discord.fake_discord import APP_ID, EPHEMERAL, GUILD_ID, FakeDiscord

TOKEN = "process-test-token"


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any hubbot or Discord settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_") and k != "DISCORD_TOKEN"}
    return {**env, **extra}


async def test_bot_run_serves_slash_commands_and_stops_cleanly(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"knowledge_dir: {KNOWLEDGE_DIR}\n"
        f"guild_ids: [{GUILD_ID}]\n"
        f"command_sync_state: {tmp_path / 'sync.json'}\n"
        f"database_path: {tmp_path / 'hubbot.sqlite3'}\n"
        "cooldown_seconds: 0\n",
        encoding="utf-8",
    )
    env = clean_environment(
        DISCORD_TOKEN=TOKEN,
        HUBBOT_REST_BASE_URL=fake_discord.rest_base_url,
        HUBBOT_GATEWAY_URL=fake_discord.gateway_url,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_discord.wait_for(lambda: fake_discord.identified, timeout=60)
        assert fake_discord.requests_to("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
        identify = next(p for p in fake_discord.received if p["op"] == 2)
        assert identify["d"]["token"] == TOKEN

        _, response = await fake_discord.slash(
            "ask", [{"name": "question", "type": 3, "value": "What is teaching for mastery?"}]
        )
        assert response.body["data"]["flags"] & EPHEMERAL
        assert response.body["data"]["embeds"][0]["description"]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            stdout, stderr = await process.communicate()
    log = stdout.decode() + stderr.decode()
    assert process.returncode == 0, log
    assert "ERROR" not in log and "Traceback" not in log, log
    assert TOKEN not in log


def test_bot_run_without_a_token_says_how_to_get_one(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=clean_environment(PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "DISCORD_TOKEN" in done.stderr
    assert "discord.com/developers" in done.stderr
    assert "Traceback" not in done.stderr


async def test_a_database_that_cannot_be_opened_stops_the_start_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the database's folder should be", encoding="utf-8")
    settings = Settings(knowledge_dir=KNOWLEDGE_DIR, database_path=blocker / "hubbot.sqlite3", token="never-used")
    assert await run_bot(settings) == 1
    error = capsys.readouterr().err
    assert "cannot start: the database" in error and "hubbot.sqlite3" in error


# ----- Discord unreachable or silent --------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def run_process(tmp_path: Path, rest: str, gateway: str, timeout: float) -> tuple[int, str, float]:
    """``python -m bot run`` against ``rest`` and ``gateway``; returns exit code, stderr, seconds taken."""
    env = clean_environment(
        DISCORD_TOKEN=TOKEN,
        HUBBOT_KNOWLEDGE_DIR=str(KNOWLEDGE_DIR),
        HUBBOT_WATCH_KNOWLEDGE_DIR="false",
        HUBBOT_DATABASE_PATH=str(tmp_path / "hubbot.sqlite3"),
        HUBBOT_COMMAND_SYNC_STATE=str(tmp_path / "sync.json"),
        HUBBOT_REST_BASE_URL=rest,
        HUBBOT_GATEWAY_URL=gateway,
        HUBBOT_CONNECT_TIMEOUT_SECONDS=str(timeout),
        PYTHONWARNINGS="default",  # show any warning a user could see
    )
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(timeout + 30):
        stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode() + stderr.decode(), time.monotonic() - started


def assert_one_clear_line(log: str, reason: str) -> None:
    assert "Traceback" not in log, log
    assert "voice will NOT be supported" not in log and "audioop" not in log, log
    [line] = [line for line in log.splitlines() if line.startswith("cannot start:")]
    assert reason in line, line
    assert len(log.splitlines()) <= 4, log


async def test_discord_unreachable_is_one_line_and_a_quick_non_zero_exit(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    code, log, took = await run_process(tmp_path, f"http://127.0.0.1:{port}/api/v10", f"ws://127.0.0.1:{port}/gateway", 5)
    assert code == 1
    assert took < 15
    assert_one_clear_line(log, "cannot be reached")


async def silent_server() -> asyncio.Server:
    """A TCP server on 127.0.0.1 that accepts connections and never says anything."""

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    return await asyncio.start_server(never_answer, "127.0.0.1", 0)


async def test_discord_silent_is_one_line_and_an_exit_within_the_timeout(tmp_path: Path) -> None:
    server = await silent_server()
    port = server.sockets[0].getsockname()[1]
    async with server:
        code, log, took = await run_process(
            tmp_path, f"http://127.0.0.1:{port}/api/v10", f"ws://127.0.0.1:{port}/gateway", 2
        )
    assert code == 1
    assert 2 <= took < 15
    assert_one_clear_line(log, "did not answer within 2 s")


async def test_a_silent_gateway_gives_up_with_one_line(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_endpoints: None
) -> None:
    server = await silent_server()
    port = server.sockets[0].getsockname()[1]
    settings = Settings(
        knowledge_dir=KNOWLEDGE_DIR, database_path=tmp_path / "db.sqlite3", command_sync_state=tmp_path / "s.json",
        watch_knowledge_dir=False, rest_base_url=fake_discord.rest_base_url, gateway_url=f"ws://127.0.0.1:{port}/gateway",
        guild_ids=[GUILD_ID], connect_timeout_seconds=1, token="fake-token",
    )
    started = time.monotonic()
    async with server:
        assert await run_bot(settings) == 1
    assert time.monotonic() - started < 10
    error = capsys.readouterr().err
    assert f"gateway at ws://127.0.0.1:{port}/gateway did not let the bot in within 1 s" in error
    assert "Traceback" not in error


async def test_each_reconnect_attempt_is_one_log_line(
    bot: object, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.gateway_down = True
    resumed = fake_discord.resumed
    await fake_discord.drop_connection()

    def attempts() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "reconnecting in" in r.getMessage()]

    async with asyncio.timeout(20):
        while len(attempts()) < 2:  # the drop, then the refused gateway
            await asyncio.sleep(0.05)
    fake_discord.gateway_down = False
    await fake_discord.wait_for(lambda: fake_discord.resumed > resumed, timeout=30)
    for record in attempts():
        assert record.levelno == logging.WARNING and record.exc_info is None
        assert record.getMessage().startswith("lost the connection to Discord (")
    assert any("503" in record.getMessage() for record in attempts())
    _, response = await fake_discord.slash("help")
    assert response.body["data"]["embeds"]
