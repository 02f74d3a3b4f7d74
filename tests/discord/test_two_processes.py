"""Two real bot processes (``python -m bot run``, one shard each of two) against one fake Discord and
one real PostgreSQL database (see ``postgres_server``): each answers the server of its shard from that
server's hub, each reminder due once is posted exactly once although both processes check every hub's
reminders, and ``python -m bot report`` counts the questions of both.

Discord is made slow to accept the reminders (the fake holds the posts), so that while one process is
posting a reminder the other checks it too and must find it claimed.

The processes run with the real clock, so the knowledge bases are written for today: each hub has a
deadline five days from now, in a time zone where it is mid-afternoon (reminders wait for 09:00).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import signal
import sys
import time
import zoneinfo
from pathlib import Path

from bot.staff.storage.postgres import PostgresStorage
from tests.discord.conftest import ROOT, SMALL_KNOWLEDGE_DIR
from tests.discord.fake_discord import (
    APP_ID,
    GUILD2_ID,
    GUILD_ID,
    REMINDER2_CHANNEL_ID,
    REMINDER_CHANNEL_ID,
    FakeDiscord,
    shard_of,
)
from tests.discord.test_hubs import NORTH_TIME, SOUTH_TIME, TIME_QUESTION, ask, description, write_south
from tests.discord.test_process import TOKEN, clean_environment

START_SECONDS = 60.0
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def afternoon_zone(now: dt.datetime) -> zoneinfo.ZoneInfo:
    """A fixed-offset zone where it is between 14:00 and 16:00 at ``now`` (safely past 09:00, far from midnight)."""
    offset = max(-12, min(14, 15 - now.astimezone(dt.UTC).hour))
    return zoneinfo.ZoneInfo("Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}")


def with_deadline(directory: Path, day: dt.date) -> Path:
    club = directory / "entries" / "number-club.yaml"
    club.write_text(club.read_text(encoding="utf-8").replace("2099-04-28", day.isoformat()), encoding="utf-8")
    return directory


def write_config(tmp_path: Path, postgres_url: str, zone: zoneinfo.ZoneInfo) -> Path:
    day = dt.datetime.now(zone).date() + dt.timedelta(days=5)
    north = tmp_path / "north"
    shutil.copytree(SMALL_KNOWLEDGE_DIR, north)
    with_deadline(north, day)
    south = with_deadline(write_south(tmp_path / "south"), day)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database_url: {postgres_url}\n"
        f"timezone: {zone.key}\n"
        "watch_knowledge_dir: false\n"
        "cooldown_seconds: 0\n"
        "shard_count: 2\n"
        "hubs:\n"
        f"  - {{id: north, knowledge_dir: {north}, guild_ids: [{GUILD_ID}], reminder_channel_id: {REMINDER_CHANNEL_ID}}}\n"
        f"  - {{id: south, knowledge_dir: {south}, guild_ids: [{GUILD2_ID}], reminder_channel_id: {REMINDER2_CHANNEL_ID}}}\n",
        encoding="utf-8",
    )
    return config


async def start_process(config: Path, fake: FakeDiscord, shard: int, log: Path) -> asyncio.subprocess.Process:
    env = clean_environment(
        DISCORD_TOKEN=TOKEN,
        HUBBOT_REST_BASE_URL=fake.rest_base_url,
        HUBBOT_GATEWAY_URL=fake.gateway_url,
        HUBBOT_SHARD_IDS=str(shard),
        HUBBOT_COMMAND_SYNC_STATE=str(log.with_suffix(".sync.json")),
    )
    with log.open("wb") as output:  # a file, so a chatty log can never fill a pipe and stall the bot
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            cwd=ROOT, env=env, stdout=output, stderr=asyncio.subprocess.STDOUT,
        )


async def until(found: object, what: str, timeout: float = START_SECONDS) -> None:
    """Poll ``found()`` (a database or a log file, outside the fake's own waiting) until true."""
    deadline = time.monotonic() + timeout
    while not found():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def first_checks(log: Path) -> set[str]:
    text = log.read_text(encoding="utf-8", errors="replace")
    return {hub for hub in ("north", "south") if f"deadline reminders of hub {hub}: first check done" in text}


def claimed_elsewhere(logs: list[Path], hub: str) -> bool:
    """Whether a process logged that ``hub``'s reminder is being posted by the other."""
    line = f"already posted or being posted by another process (hub {hub})"
    return any(line in log.read_text(encoding="utf-8", errors="replace") for log in logs)


def questions_recorded(url: str) -> int:
    with PostgresStorage(url) as storage:
        return sum(count.questions for count in storage.question_counts(LONG_AGO.date()))


async def test_two_bot_processes_share_the_servers_the_reminders_and_the_records(
    fake_discord: FakeDiscord, postgres_url: str, tmp_path: Path
) -> None:
    assert shard_of(GUILD_ID, 2) == 0 and shard_of(GUILD2_ID, 2) == 1
    fake_discord.serve(GUILD_ID, GUILD2_ID)
    fake_discord.hold_posts(REMINDER_CHANNEL_ID, REMINDER2_CHANNEL_ID)
    config = write_config(tmp_path, postgres_url, afternoon_zone(dt.datetime.now(dt.UTC)))
    logs = [tmp_path / "shard0.log", tmp_path / "shard1.log"]
    processes = [await start_process(config, fake_discord, shard, log) for shard, log in enumerate(logs)]
    try:
        await fake_discord.wait_for(lambda: fake_discord.identified >= 2, timeout=START_SECONDS)
        identifies = [p["d"]["shard"] for p in fake_discord.received if p["op"] == 2]
        assert sorted(identifies) == [[0, 2], [1, 2]]

        # Each server's question reaches the process of its shard, which answers from the server's hub.
        north = await fake_discord.ask_reply(*await fake_discord.slash("ask", ask(TIME_QUESTION), guild_id=GUILD_ID))
        south = await fake_discord.ask_reply(*await fake_discord.slash("ask", ask(TIME_QUESTION), guild_id=GUILD2_ID))
        assert NORTH_TIME in description(north) and SOUTH_TIME not in description(north)
        assert SOUTH_TIME in description(south)
        assert [shard for shard, event in fake_discord.delivered if event == "INTERACTION_CREATE"] == [0, 1]

        # Both processes check both hubs' reminders: while one is posting each, the other finds it claimed.
        for hub in ("north", "south"):
            await until(lambda hub=hub: claimed_elsewhere(logs, hub), f"the other process to find {hub}'s reminder claimed")
        fake_discord.release_posts()
        for channel in (REMINDER_CHANNEL_ID, REMINDER2_CHANNEL_ID):
            await fake_discord.request("POST", rf"/channels/{channel}/messages", timeout=START_SECONDS)
        for log in logs:
            await until(lambda log=log: first_checks(log) == {"north", "south"}, f"both reminder checks in {log.name}")
        await until(lambda: questions_recorded(postgres_url) == 2, "both processes' records")
    finally:
        fake_discord.release_posts()  # a failed test must not leave the processes waiting on Discord
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            codes = [await process.wait() for process in processes]
    output = "\n".join(f"--- {log.name}\n{log.read_text(encoding='utf-8', errors='replace')}" for log in logs)
    assert codes == [0, 0], output
    assert "Traceback" not in output and "ERROR" not in output, output
    assert TOKEN not in output

    reminders = {
        channel: fake_discord.requests_to("POST", rf"/channels/{channel}/messages")
        for channel in (REMINDER_CHANNEL_ID, REMINDER2_CHANNEL_ID)
    }
    assert [len(posts) for posts in reminders.values()] == [1, 1], output
    assert "forms.example.org/number-club" in str(reminders[REMINDER_CHANNEL_ID][0].body)
    assert "forms.example.org/south-number-club" in str(reminders[REMINDER2_CHANNEL_ID][0].body)
    assert output.count("reminder posted: number-club") == 2  # one process or the other, once per hub
    # Only the process running shard 0 registered the commands: once per server.
    assert len(fake_discord.requests_to("PUT", rf"/applications/{APP_ID}/guilds/\d+/commands")) == 2
    with PostgresStorage(postgres_url) as storage:
        sent = {(mark.hub_id, mark.lead_days) for mark in storage.reminder_marks() if mark.outcome == "sent"}
    assert sent == {("north", 7), ("south", 7)}

    report = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "report", "--config", str(config),
        cwd=ROOT, env=clean_environment(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await report.communicate()
    assert report.returncode == 0, stderr.decode()
    first = stdout.decode().splitlines()[0]
    assert first.startswith("All 2 hubs: 2 questions since") and first.endswith("(north 1, south 1)."), stdout.decode()
