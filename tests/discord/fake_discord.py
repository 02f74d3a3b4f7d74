"""A small fake of Discord's REST API and gateway, served on 127.0.0.1 for loopback tests.

The real discord.py client logs in, registers commands, opens a gateway session and answers
interactions against it over real HTTP and WebSocket. Every REST request and every gateway
message the client sends is recorded; tests wait for them through an :class:`asyncio.Condition`
(never by sleeping) and assert on the JSON Discord would have received.

What Discord sends carries snowflakes as strings; what the bot sends carries them as integers.

It serves one server by default; :meth:`FakeDiscord.serve` adds the second (:data:`GUILD2_ID`, with
its own channels and staff role), for bots of several hubs. Clients that identify as shards (one
bot with several, or several processes each with its own) each get the servers of their shard,
and each server's events go to the session of its shard — as Discord routes them, by
``(guild_id >> 22) % shard_count``; direct messages go to shard 0.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

T = TypeVar("T")

APP_ID = 400000000000000001
BOT_ID = 400000000000000002
GUILD_ID = 400000000000000003
CHANNEL_ID = 400000000000000004
STAFF_CHANNEL_ID = 400000000000000005
STAFF_ROLE_ID = 400000000000000006
TEACHER_ID = 400000000000000007
STAFF_ID = 400000000000000008
OWNER_ID = 400000000000000009
DM_CHANNEL_ID = 400000000000000010
REMINDER_CHANNEL_ID = 400000000000000011
# A second server (on shard 1 of 2, where the first is on shard 0), with channels and a staff role of its own.
GUILD2_ID = 400000000004194307
CHANNEL2_ID = 400000000000000021
STAFF2_CHANNEL_ID = 400000000000000022
STAFF2_ROLE_ID = 400000000000000023
REMINDER2_CHANNEL_ID = 400000000000000024
TIMESTAMP = "2025-04-21T09:00:00.000000+00:00"
WAIT_SECONDS = 10.0

EPHEMERAL = 1 << 6


@dataclass(frozen=True)
class FakeGuild:
    """A server the fake serves: its id, name, channels and staff role."""

    id: int
    name: str
    channel_id: int
    staff_channel_id: int
    reminder_channel_id: int
    staff_role_id: int

    @property
    def channels(self) -> tuple[int, ...]:
        return (self.channel_id, self.staff_channel_id, self.reminder_channel_id)


GUILDS = {
    GUILD_ID: FakeGuild(GUILD_ID, "Maths teachers", CHANNEL_ID, STAFF_CHANNEL_ID, REMINDER_CHANNEL_ID, STAFF_ROLE_ID),
    GUILD2_ID: FakeGuild(GUILD2_ID, "Maths teachers (south)", CHANNEL2_ID, STAFF2_CHANNEL_ID, REMINDER2_CHANNEL_ID, STAFF2_ROLE_ID),
}
CHANNEL_GUILD = {channel: guild.id for guild in GUILDS.values() for channel in guild.channels}


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a server's events to."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class Upload:
    """A file the client attached to a request (a part of a multipart/form-data body)."""

    field: str  # e.g. files[0]
    filename: str
    data: bytes


@dataclass(frozen=True)
class Request:
    """One REST request the client made; with files, ``body`` is the ``payload_json`` part."""

    method: str
    path: str  # after /api/v10, e.g. /users/@me
    query: dict[str, str]
    body: Any
    files: tuple[Upload, ...] = ()


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


async def _read_body(http: web.Request) -> tuple[Any, tuple[Upload, ...]]:
    """A request's JSON body, or the JSON and the files of a multipart one (messages with files)."""
    if not http.can_read_body:
        return None, ()
    if http.content_type != "multipart/form-data":
        return await http.json(), ()
    form = await http.post()
    files = tuple(
        Upload(name, part.filename, part.file.read()) for name, part in form.items() if isinstance(part, web.FileField)
    )
    payload = form.get("payload_json")
    return (json.loads(payload) if isinstance(payload, str) else None), files


def _json(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py does not parse "application/json; charset=utf-8".
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


class FakeDiscord:
    """The fake server. Start with :meth:`start`; point the bot at :attr:`rest_base_url` and
    :attr:`gateway_url`."""

    def __init__(self, heartbeat_interval_ms: int = 45000) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.heartbeats: list[float] = []  # time.monotonic() of each heartbeat (op 1) received
        self.gateway_down = False  # while True, new gateway connections are refused (HTTP 503)
        self.requests: list[Request] = []
        self.received: list[dict[str, Any]] = []  # gateway payloads from the client
        self.commands: dict[str, dict[str, Any]] = {}  # name -> registered command (the last registered)
        self.guild_commands: dict[int, dict[str, dict[str, Any]]] = {}  # guild -> name -> registered command
        self.guilds: list[int] = [GUILD_ID]  # the servers the bot is in
        self.identified = 0
        self.shard_count = 1
        self._sessions: dict[int, web.WebSocketResponse] = {}  # shard id -> its current gateway session
        self._token_channels: dict[str, int] = {}  # interaction token -> the channel it came from
        self.delivered: list[tuple[int, str]] = []  # (shard, event) of each event dispatched by a test
        self.held_channels: set[int] = set()  # posts in these channels are answered only once released
        self._released = asyncio.Event()
        self.resumed = 0
        self._ids = itertools.count(500000000000000000)
        self._sequence = 0
        self._socket: web.WebSocketResponse | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._messages: dict[str, dict[str, Any]] = {}  # interaction token -> its response message
        self._clicked: dict[str, dict[str, Any]] = {}  # component interaction token -> the message clicked
        self.posted: list[dict[str, Any]] = []  # messages the bot posted in channels
        self.expired_tokens: set[str] = set()  # interaction tokens whose followups Discord refuses
        self.direct_messages_closed = False  # while True, the teacher does not accept direct messages
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.bot_user = user(BOT_ID, "hubbot", bot=True)

    # ----- server life ------------------------------------------------------------------------

    def serve(self, *guild_ids: int) -> None:
        """The servers the bot is in (before it connects), e.g. ``serve(GUILD_ID, GUILD2_ID)``."""
        self.guilds = list(guild_ids)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def rest_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ----- waiting ----------------------------------------------------------------------------

    async def _record(self, action: Callable[[], None]) -> None:
        async with self._changed:
            action()
            self._changed.notify_all()

    async def wait_for(self, found: Callable[[], T | None], timeout: float = WAIT_SECONDS) -> T:
        """Wait until ``found()`` returns something truthy, and return it."""
        async with asyncio.timeout(timeout), self._changed:
            return await self._changed.wait_for(found)

    def mark(self) -> int:
        """A position in the request log; pass it as ``after`` to wait only for later requests."""
        return len(self.requests)

    async def request(self, method: str, path: str, *, after: int = 0, timeout: float = WAIT_SECONDS) -> Request:
        """The first request after ``after`` whose method matches and whose path fully matches
        the regular expression ``path``."""
        pattern = re.compile(path)

        def first() -> Request | None:
            for request in self.requests[after:]:
                if request.method == method and pattern.fullmatch(request.path):
                    return request
            return None

        return await self.wait_for(first, timeout)

    def requests_to(self, method: str, path: str) -> list[Request]:
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    # ----- REST -------------------------------------------------------------------------------

    def hold_posts(self, *channel_ids: int) -> None:
        """Keep the bot's posts in these channels waiting for an answer until :meth:`release_posts`
        (a slow Discord: what the bot does meanwhile can be seen)."""
        self.held_channels.update(channel_ids)
        self._released.clear()

    def release_posts(self) -> None:
        self.held_channels.clear()
        self._released.set()

    async def _rest(self, http: web.Request) -> web.Response:
        path = "/" + http.match_info["path"]
        held = re.fullmatch(r"/channels/(\d+)/messages", path)
        if http.method == "POST" and held and int(held[1]) in self.held_channels:
            await self._released.wait()
        body, files = await _read_body(http)
        request = Request(http.method, path, dict(http.query), body, files)
        response = self._respond(request)
        await self._record(lambda: self.requests.append(request))
        return response

    def _respond(self, request: Request) -> web.Response:
        method, path, body = request.method, request.path, request.body
        if (method, path) == ("GET", "/users/@me"):
            return _json(self.bot_user)
        if (method, path) == ("GET", "/oauth2/applications/@me"):
            return _json(self._application())
        if (method, path) == ("GET", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
            return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
        if method == "PUT" and (match := re.fullmatch(rf"/applications/{APP_ID}(?:/guilds/(\d+))?/commands", path)):
            if match[1] and int(match[1]) not in self.guilds:
                return _json({"message": "Missing Access", "code": 50001}, status=403)
            return _json(self._register(body, path))
        if match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return _json(self._callback(match[1], match[2], body))
        if (match := re.fullmatch(rf"/webhooks/{APP_ID}/([^/]+)(?:/.*)?", path)) and match[1] in self.expired_tokens:
            return _json({"message": "Invalid Webhook Token", "code": 50027}, status=401)
        if match := re.fullmatch(rf"/webhooks/{APP_ID}/([^/]+)", path):
            return _json(self._message(self._token_channels.get(match[1], CHANNEL_ID), body))
        if match := re.fullmatch(rf"/webhooks/{APP_ID}/([^/]+)/messages/@original", path):
            channel = self._token_channels.get(match[1], CHANNEL_ID)
            message = self._messages.get(match[1], self._message(channel, {}))
            if method == "PATCH":
                message = {**message, **self._message(channel, body), "id": message["id"], "flags": message["flags"]}
                self._messages[match[1]] = message
            return _json(message)
        if (method, path) == ("POST", "/users/@me/channels"):
            recipient = int(body["recipient_id"])
            return _json({"id": str(DM_CHANNEL_ID), "type": 1, "last_message_id": None, "recipients": [user(recipient, "teacher")]})
        if self.direct_messages_closed and (method, path) == ("POST", f"/channels/{DM_CHANNEL_ID}/messages"):
            return _json({"message": "Cannot send messages to this user", "code": 50007}, status=403)
        if method == "POST" and (match := re.fullmatch(r"/channels/(\d+)/messages", path)):
            self.posted.append(self._message(int(match[1]), body))
            return _json(self.posted[-1])
        return _json({"message": f"the fake has no route {method} {path}", "code": 0}, status=404)

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "hubbot",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": user(OWNER_ID, "owner"),
            "flags": 0,
        }

    def _register(self, body: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
        guild = re.search(r"/guilds/(\d+)/", path)
        registered = []
        for command in body:
            saved = {
                **command,
                "id": str(next(self._ids)),
                "application_id": str(APP_ID),
                "version": "1",
            }
            if guild:
                saved["guild_id"] = guild[1]
                self.guild_commands.setdefault(int(guild[1]), {})[command["name"]] = saved
            self.commands[command["name"]] = saved
            registered.append(saved)
        return registered

    def _callback(self, interaction_id: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        kind = body["type"]
        data = body.get("data") or {}
        flags = data.get("flags", 0)
        interaction: dict[str, Any] = {
            "id": interaction_id,
            "type": 2,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL),
        }
        resource: dict[str, Any] = {"type": kind}
        if kind == 6 and token in self._clicked:
            # DEFERRED_UPDATE_MESSAGE: the clicked message is edited later through @original.
            self._messages[token] = self._clicked[token]
        if kind == 7 and token in self._clicked:
            # UPDATE_MESSAGE edits the message the component is on: same id, same flags.
            clicked = self._clicked[token]
            message = {**clicked, **{key: data[key] for key in ("content", "embeds", "components") if key in data}}
            interaction["response_message_id"] = message["id"]
            self._messages[token] = message
            resource["message"] = message
        elif kind in (4, 5, 7):
            message = self._message(self._token_channels.get(token, CHANNEL_ID), data, flags=flags)
            interaction["response_message_id"] = message["id"]
            self._messages[token] = message
            resource["message"] = message
        return {"interaction": interaction, "resource": resource}

    def _message(self, channel_id: int, body: dict[str, Any] | None, *, flags: int = 0) -> dict[str, Any]:
        body = body or {}
        message = {
            "id": str(next(self._ids)),
            "channel_id": str(channel_id),
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [self._attachment(item) for item in body.get("attachments") or []],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 19 if body.get("message_reference") else 0,
            "flags": body.get("flags", flags) or 0,
        }
        if channel_id in CHANNEL_GUILD:
            message["guild_id"] = str(CHANNEL_GUILD[channel_id])
        if body.get("message_reference"):
            message["message_reference"] = {
                key: str(value) for key, value in body["message_reference"].items() if key != "fail_if_not_exists"
            }
        return message

    def _attachment(self, item: dict[str, Any]) -> dict[str, Any]:
        attachment_id = str(next(self._ids))
        url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{item['filename']}"
        return {"id": attachment_id, "filename": item["filename"], "size": 0, "url": url, "proxy_url": url}

    # ----- gateway ----------------------------------------------------------------------------

    async def _gateway(self, http: web.Request) -> web.StreamResponse:
        if self.gateway_down:
            return web.Response(status=503, text="the gateway is down")
        socket = web.WebSocketResponse()
        await socket.prepare(http)
        self._sockets.add(socket)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None})
        try:
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(frame.data)
                await self._on_gateway(socket, payload)
                await self._record(lambda payload=payload: self.received.append(payload))
        finally:
            self._sockets.discard(socket)
        return socket

    async def _on_gateway(self, socket: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        op = payload["op"]
        if op == 1:
            self.heartbeats.append(time.monotonic())
            await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            sharded = payload["d"].get("shard")
            shard, count = sharded or (0, 1)
            self._socket = socket
            self._sessions[shard] = socket
            self.shard_count = count
            self.identified += 1
            guilds = [guild for guild in self.guilds if shard_of(guild, count) == shard]
            ready = self._ready(shard, guilds)
            if sharded:  # a sharded client reads which shard the session is
                ready["shard"] = [shard, count]
            await self._send(socket, "READY", ready)
            for guild in guilds:
                await self._send(socket, "GUILD_CREATE", self.guild(guild))
        elif op == 6:
            shard = int(str(payload["d"].get("session_id", "fake-session-0")).rsplit("-", 1)[1])
            self._socket = socket
            self._sessions[shard] = socket
            self.resumed += 1
            await self._send(socket, "RESUMED", {})

    def _ready(self, shard: int = 0, guilds: list[int] | None = None) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.bot_user,
            "session_id": f"fake-session-{shard}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "guilds": [{"id": str(guild), "unavailable": True} for guild in (self.guilds if guilds is None else guilds)],
            "private_channels": [],
        }

    def guild(self, guild_id: int = GUILD_ID) -> dict[str, Any]:
        spec = GUILDS[guild_id]

        def role(role_id: int, name: str, position: int) -> dict[str, Any]:
            return {
                "id": str(role_id),
                "name": name,
                "color": 0,
                "hoist": False,
                "position": position,
                "permissions": "0",
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }

        def channel(channel_id: int, name: str) -> dict[str, Any]:
            return {
                "id": str(channel_id),
                "type": 0,
                "name": name,
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "guild_id": str(guild_id),
            }

        return {
            "id": str(guild_id),
            "name": spec.name,
            "icon": None,
            "owner_id": str(OWNER_ID),
            "unavailable": False,
            "large": False,
            "member_count": 3,
            "joined_at": TIMESTAMP,
            "roles": [role(guild_id, "@everyone", 0), role(spec.staff_role_id, "Hub staff", 1)],
            "channels": [
                channel(spec.channel_id, "general"),
                channel(spec.staff_channel_id, "hub-staff"),
                channel(spec.reminder_channel_id, "deadlines"),
            ],
            "members": [self._member(BOT_ID, "hubbot", bot=True)],
            "threads": [],
            "emojis": [],
            "stickers": [],
            "features": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-GB",
            "nsfw_level": 0,
            "system_channel_flags": 0,
        }

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event on the session of its server's shard (shard 0 outside a server)."""
        socket = self._socket
        if self.shard_count > 1:
            guild = data.get("guild_id")
            socket = self._sessions.get(shard_of(int(guild), self.shard_count) if guild else 0)
        assert socket is not None, "no gateway session (for this shard) yet"
        shard = next((number for number, session in self._sessions.items() if session is socket), 0)
        self.delivered.append((shard, event))
        await self._send(socket, event, data)

    async def _send(self, socket: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._sequence += 1
        await socket.send_json({"op": 0, "t": event, "s": self._sequence, "d": data})

    async def request_reconnect(self) -> None:
        """Ask the client to reconnect (op 7) and wait until it has resumed on a new socket."""
        assert self._socket is not None
        before = self.resumed
        await self._socket.send_json({"op": 7, "d": None, "s": None, "t": None})
        await self.wait_for(lambda: self.resumed > before)

    async def drop_connection(self) -> None:
        """Close the gateway session as a server going away would (the client then reconnects)."""
        assert self._socket is not None
        await self._socket.close(code=1000, message=b"going away")

    async def wait_identified(self) -> None:
        await self.wait_for(lambda: self.identified > 0)

    # ----- what users do ----------------------------------------------------------------------

    def _member(self, user_id: int, name: str, *, roles: tuple[int, ...] = (), bot: bool = False) -> dict[str, Any]:
        return {
            "user": user(user_id, name, bot=bot),
            "roles": [str(role) for role in roles],
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
        }

    def interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user_id: int = TEACHER_ID,
        roles: tuple[int, ...] = (),
        message: dict[str, Any] | None = None,
        direct: bool = False,
        guild_id: int = GUILD_ID,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload from a member of a test server (default the first) in its
        #general (or, ``direct``, from a user in their direct messages with the bot)."""
        interaction_id = next(self._ids)
        member = self._member(user_id, f"user{user_id % 100}", roles=roles)
        member["permissions"] = "0"
        channel_id = GUILDS[guild_id].channel_id
        payload = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"token-{interaction_id}",
            "version": 1,
            "guild_id": str(guild_id),
            "channel_id": str(channel_id),
            "channel": {"id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": "general"},
            "member": member,
            "data": data,
            "locale": "en-GB",
            "guild_locale": "en-GB",
            "app_permissions": "0",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
            "attachment_size_limit": 10485760,
        }
        if direct:
            for key in ("guild_id", "member", "guild_locale"):
                del payload[key]
            payload.update(
                user=member["user"],
                channel_id=str(DM_CHANNEL_ID),
                channel={"id": str(DM_CHANNEL_ID), "type": 1, "recipients": [member["user"]]},
                context=1,
            )
        self._token_channels[payload["token"]] = int(payload["channel_id"])
        if message is not None:
            payload["message"] = message
            self._clicked[payload["token"]] = message
        return payload

    def command_data(
        self, name: str, options: list[dict[str, Any]] | None = None, guild_id: int | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a slash-command interaction for a registered command (of ``guild_id``'s, when given)."""
        command = self.guild_commands.get(guild_id, {}).get(name) if guild_id is not None else None
        command = command or self.commands[name]
        data = {"id": command["id"], "name": name, "type": 1, "options": options or []}
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return data

    async def interact(self, payload: dict[str, Any]) -> Request:
        """Deliver an interaction and return the bot's callback request."""
        after = self.mark()
        await self.dispatch("INTERACTION_CREATE", payload)
        return await self.request("POST", rf"/interactions/{payload['id']}/{payload['token']}/callback", after=after)

    async def slash(
        self,
        name: str,
        options: list[dict[str, Any]] | None = None,
        *,
        user_id: int = TEACHER_ID,
        roles: tuple[int, ...] = (),
        guild_id: int = GUILD_ID,
        direct: bool = False,
    ) -> tuple[dict[str, Any], Request]:
        """Run a slash command (in server ``guild_id``, or ``direct``); returns the interaction payload
        and the bot's response."""
        data = self.command_data(name, options, None if direct else guild_id)
        payload = self.interaction(2, data, user_id=user_id, roles=roles, guild_id=guild_id, direct=direct)
        return payload, await self.interact(payload)

    async def ask_reply(self, payload: dict[str, Any], response: Request, timeout: float = WAIT_SECONDS) -> dict[str, Any]:
        """The message body that answers an interaction: the callback's own, or — when the bot deferred it
        ("thinking…", as a loaded machine makes it do after a second) — the followup sent for it.
        """
        if response.body.get("type") != 5:
            return response.body
        followup = await self.request("POST", rf"/webhooks/{APP_ID}/{payload['token']}", timeout=timeout)
        return followup.body

    async def autocomplete(self, name: str, option: str, typed: str, *, guild_id: int = GUILD_ID) -> Request:
        options = [{"name": option, "type": 3, "value": typed, "focused": True}]
        return await self.interact(self.interaction(4, self.command_data(name, options, guild_id), guild_id=guild_id))

    async def click(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        values: list[str] | None = None,
        user_id: int = TEACHER_ID,
        roles: tuple[int, ...] = (),
    ) -> Request:
        """Click a button (or choose ``values`` in a select) on a message the bot sent."""
        return await self.interact(self.click_payload(message, custom_id, values=values, user_id=user_id, roles=roles))

    def click_payload(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        values: list[str] | None = None,
        user_id: int = TEACHER_ID,
        roles: tuple[int, ...] = (),
        direct: bool = False,
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of a click (to deliver several at once)."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2 if values is None else 3}
        if values is not None:
            data["values"] = values
        guild_id = int(message.get("guild_id") or GUILD_ID)  # the server the clicked message is in
        return self.interaction(3, data, user_id=user_id, roles=roles, message=message, direct=direct, guild_id=guild_id)

    async def submit_form(
        self,
        message: dict[str, Any],
        custom_id: str,
        values: dict[str, str],
        *,
        user_id: int = TEACHER_ID,
        roles: tuple[int, ...] = (),
    ) -> Request:
        """Submit a form (modal) the bot opened from a button on ``message``, with a value per text input."""
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]} for key, value in values.items()]
        data = {"custom_id": custom_id, "components": rows}
        guild_id = int(message.get("guild_id") or GUILD_ID)
        return await self.interact(self.interaction(5, data, user_id=user_id, roles=roles, message=message, guild_id=guild_id))

    def response_message(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The message the bot created in response to an interaction."""
        return self._messages[payload["token"]]

    async def say(
        self,
        content: str,
        *,
        user_id: int = TEACHER_ID,
        mention_bot: bool = True,
        direct: bool = False,
        guild_id: int = GUILD_ID,
    ) -> dict[str, Any]:
        """Post a message in a server's #general (default the first's; or, ``direct``, to the bot)
        as a teacher; returns the MESSAGE_CREATE payload."""
        member = self._member(user_id, f"user{user_id % 100}")
        author = member.pop("user")
        mentions = [{**self.bot_user, "member": self._member(BOT_ID, "hubbot", bot=True)}] if mention_bot else []
        for mentioned in mentions:
            mentioned["member"].pop("user")
        message = {
            "id": str(next(self._ids)),
            "channel_id": str(GUILDS[guild_id].channel_id),
            "guild_id": str(guild_id),
            "author": author,
            "member": member,
            "content": content,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": mentions,
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        if direct:
            message["channel_id"] = str(DM_CHANNEL_ID)
            del message["guild_id"], message["member"]
        await self.dispatch("MESSAGE_CREATE", message)
        return message
