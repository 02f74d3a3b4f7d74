"""``python -m bot run`` started as a separate process, as a user would, pointed at the fake."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
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
