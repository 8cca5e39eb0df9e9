"""A fake Discord on loopback: a gateway WebSocket and the REST routes a bot uses, recording
every call, so the real discord.py client can be driven over real sockets in tests."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

HEARTBEAT_MS = 41_250
PLAIN_MEMBER = 1024 | 2048  # view channel and send messages; no Manage Server
_ids = itertools.count(1_300_000_000_000_000_000)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py reads a body as JSON only when the content type is exactly application/json
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def role_object(role_id: str, name: str, permissions: int, position: int) -> dict:
    """A server role as Discord describes it."""
    return {
        "id": role_id,
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def channel_object(channel_id: str, name: str, position: int, guild_id: str, kind: int = 0) -> dict:
    """A server channel as Discord describes it (``kind`` 0 a text channel, 15 a forum)."""
    return {
        "id": channel_id,
        "type": kind,
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "guild_id": guild_id,
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def forum_tag(tag_id: str, name: str) -> dict:
    """A forum's tag as Discord describes it."""
    return {"id": tag_id, "name": name, "moderated": False, "emoji_id": None, "emoji_name": None}


def snowflake() -> str:
    """A fresh, unique Discord id."""
    return str(next(_ids))


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    json: Any
    query: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass
class FakeDiscord:
    """Gateway + REST on 127.0.0.1. Start it, point the bot at ``api_base``/``gateway_url``."""

    token: str = "fake-token.for-tests"
    app_id: str = field(default_factory=snowflake)
    guild_id: str = field(default_factory=snowflake)
    channel_id: str = field(default_factory=snowflake)
    other_channel_id: str = field(default_factory=snowflake)  # a second text channel
    calls: list[Call] = field(default_factory=list)
    identifies: list[dict] = field(default_factory=list)
    resumes: list[dict] = field(default_factory=list)
    # path regex -> what to answer first: a status, or (status, Discord error code, message)
    fail_next: dict[str, list[int | tuple[int, int, str]]] = field(default_factory=dict)
    privileged_intents_enabled: bool = True
    heartbeat_ms: int = HEARTBEAT_MS
    heartbeats: list[float] = field(default_factory=list)  # when each heartbeat arrived
    rate_limit_via: bool = True  # whether a 429 carries Discord's Via header (Cloudflare's does not)
    permissions: int = 2251799813685247  # what @everyone (and so the bot) may do; all by default
    editor_role_id: str = field(default_factory=snowflake)  # a role the server has, "Editors"
    # per user id: what that member may do (instead of ``permissions``), and their roles
    member_permissions: dict[str, int] = field(default_factory=dict)
    member_roles: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # attachments on the fake CDN, by id
    forum_id: str = field(default_factory=snowflake)  # a forum channel (type 15), "help"
    # the forum's tags, as Discord describes them: "Solved" (its id ``solved_tag_id``) and "Bug"
    solved_tag_id: str = field(default_factory=snowflake)
    forum_tags: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bot_user = {
            "id": self.app_id,
            "username": "citebot",
            "discriminator": "0",
            "global_name": "citebot",
            "avatar": None,
            "bot": True,
            "flags": 0,
        }
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = 0
        self._session = snowflake()
        self._runner: web.AppRunner | None = None
        self._call_event = asyncio.Event()
        self.port = 0
        self.messages: dict[str, dict] = {}  # every message the bot created, by id
        self.threads: dict[str, dict] = {}  # forum posts (threads) made with ``post``, by id
        self.user_messages: dict[str, dict] = {}  # posts' first messages, which the bot may fetch
        if not self.forum_tags:
            self.forum_tags = [forum_tag(self.solved_tag_id, "Solved"), forum_tag(snowflake(), "Bug")]
        self.interactions: dict[str, dict] = {}  # interactions sent, by token

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{id}/{name}", self._cdn)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # the port the OS gave us

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ---- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                op, data = payload.get("op"), payload.get("d")
                if op == 1:  # heartbeat
                    self.heartbeats.append(time.monotonic())
                    await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:  # identify
                    await self._identify(ws, data)
                elif op == 6:  # resume
                    self.resumes.append(data)
                    await self._send(ws, "RESUMED", {})
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict) -> None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if data.get("intents", 0) & (1 << 15) and not self.privileged_intents_enabled:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        await self._send(
            ws,
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "guilds": [{"id": self.guild_id, "unavailable": True}],
                "session_id": self._session,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": self.app_id, "flags": 0},
                "private_channels": [],
                "relationships": [],
                "user_settings": {},
                "presences": [],
                "shard": [0, 1],
            },
        )
        await self._send(ws, "GUILD_CREATE", self.guild_payload())

    def guild_payload(self) -> dict:
        return {
            "id": self.guild_id,
            "name": "Test Server",
            "icon": None,
            "owner_id": snowflake(),
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "features": [],
            "mfa_level": 0,
            "system_channel_flags": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "large": False,
            "member_count": 2,
            "unavailable": False,
            "emojis": [],
            "stickers": [],
            "roles": [
                role_object(self.guild_id, "@everyone", self.permissions, 0),
                role_object(self.editor_role_id, "Editors", 0, 1),
            ],
            "channels": [
                channel_object(channel_id, name, position, self.guild_id)
                for position, (channel_id, name) in enumerate(
                    [(self.channel_id, "general"), (self.other_channel_id, "ask-citebot")]
                )
            ]
            + [self.forum_channel()],
            "members": [
                {
                    "user": self.bot_user,
                    "roles": [],
                    "joined_at": "2024-01-01T00:00:00+00:00",
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def forum_channel(self) -> dict:
        """The server's forum channel (type 15) with its tags."""
        return {
            **channel_object(self.forum_id, "help", 2, self.guild_id, kind=15),
            "available_tags": self.forum_tags,
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
            "flags": 0,
        }

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict) -> None:
        self._seq += 1
        await ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    async def dispatch(self, event: str, data: dict) -> None:
        """Send one gateway event to every connected client."""
        for ws in list(self._sockets):
            await self._send(ws, event, data)

    async def drop_gateway(self) -> None:
        """Cut every gateway connection the way a network failure would."""
        for ws in list(self._sockets):
            await ws.close(code=4000, message=b"Unknown error")

    async def reconnected(self, timeout: float = 10.0) -> bool:
        """Whether a client came back (resumed or identified again) after a drop."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.connected and (self.resumes or len(self.identifies) > 1):
                return True
            await asyncio.sleep(0.1)
        return False

    @property
    def connected(self) -> int:
        return len(self._sockets)

    # ---- events a test sends -----------------------------------------------------------------

    def user(self, name: str = "alice", user_id: str | None = None, bot: bool = False) -> dict:
        return {
            "id": user_id or snowflake(),
            "username": name,
            "discriminator": "0",
            "global_name": name,
            "avatar": None,
            "bot": bot,
        }

    def plain_member(self, name: str = "member") -> dict:
        """A user who may read and write here but not manage the server."""
        user = self.user(name)
        self.member_permissions[user["id"]] = PLAIN_MEMBER
        return user

    async def message(
        self,
        content: str,
        author: dict | None = None,
        mentions_bot: bool = False,
        channel_id: str | None = None,
        guild: bool = True,
        webhook_id: str | None = None,
        kind: int = 0,
        message_id: str | None = None,
        reference: dict | None = None,
    ) -> dict:
        """Dispatch MESSAGE_CREATE as if ``author`` wrote ``content``: posted through a webhook
        when ``webhook_id`` is given (then ``author`` is the webhook's name and id, and there is
        no member), and of message type ``kind`` (0 a message, 19 a reply; others are Discord's
        system messages, e.g. 7 a member joined, 18 a thread was started); a reply to the message
        ``reference`` (as the fake stored or sent it) when given."""
        author = author or self.user()
        data = {
            "id": message_id or snowflake(),
            "channel_id": channel_id or self.channel_id,
            "author": author,
            "content": content,
            "timestamp": "2024-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [self.bot_user] if mentions_bot else [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": kind,
            "flags": 0,
        }
        if webhook_id is not None:
            data["webhook_id"] = webhook_id
        if guild:
            data["guild_id"] = self.guild_id
        if guild and webhook_id is None:
            data["member"] = {
                "roles": [],
                "joined_at": "2024-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
            }
        if reference is not None:
            data["type"] = 19
            data["message_reference"] = {
                "type": 0,
                "message_id": reference["id"],
                "channel_id": reference["channel_id"],
                "guild_id": self.guild_id if guild else None,
            }
            data["referenced_message"] = reference
        await self.dispatch("MESSAGE_CREATE", data)
        return data

    async def open_thread(
        self,
        name: str,
        owner: dict | None = None,
        parent_id: str | None = None,
        from_message: str | None = None,
    ) -> dict:
        """Dispatch THREAD_CREATE for a public thread a user opened in a channel (by default the
        first), from a message of it when ``from_message`` names one (the thread then has its id);
        the thread, as Discord sent it."""
        owner = owner or self.user()
        thread = {
            **self.thread_object(parent_id or self.channel_id, name),
            "owner_id": owner["id"],
            "newly_created": True,
        }
        if from_message is not None:
            thread["id"] = from_message
        await self.dispatch("THREAD_CREATE", thread)
        return thread

    async def post(
        self,
        title: str,
        content: str,
        author: dict | None = None,
        forum_id: str | None = None,
        message_first: bool = False,
        send_message: bool = True,
        mentions_bot: bool = False,
        tags: tuple[str, ...] = (),
    ) -> dict:
        """Start a post in a forum (by default the server's): THREAD_CREATE for the post (a
        thread, ``newly_created``) and MESSAGE_CREATE for its first message (whose id is the
        thread's), in that order or with ``message_first`` the other; with ``send_message``
        False the message is never sent, only fetchable. The post's thread, as Discord sent it."""
        author = author or self.user()
        thread = {
            **self.thread_object(forum_id or self.forum_id, title),
            "owner_id": author["id"],
            "applied_tags": list(tags),
            "newly_created": True,
        }
        self.threads[thread["id"]] = thread
        first = {
            "content": content,
            "author": author,
            "mentions_bot": mentions_bot,
            "channel_id": thread["id"],
            "message_id": thread["id"],
        }
        self.user_messages[thread["id"]] = {
            **self._message_object(thread["id"], {"content": content}),
            "id": thread["id"],
            "author": author,
            "mentions": [self.bot_user] if mentions_bot else [],
        }
        if message_first and send_message:
            await self.message(**first)
        await self.dispatch("THREAD_CREATE", thread)
        if not message_first and send_message:
            await self.message(**first)
        return thread

    def member(self, user: dict) -> dict:
        return {
            "user": user,
            "roles": self.member_roles.get(user["id"], []),
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(self.member_permissions.get(user["id"], self.permissions)),
        }

    async def interact(
        self,
        kind: int,
        data: dict,
        user: dict | None = None,
        message: dict | None = None,
        guild: bool = True,
        channel_id: str | None = None,
    ) -> dict:
        """Dispatch INTERACTION_CREATE (2 command, 3 component, 4 autocomplete) as ``user``, in
        ``channel_id`` (by default the message's channel, else the first channel)."""
        user = user or self.user()
        interaction_id = snowflake()
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": self.app_id,
            "type": kind,
            "data": data,
            "token": f"token-{interaction_id}",
            "version": 1,
            "channel_id": channel_id or (message or {}).get("channel_id", self.channel_id),
            "locale": "en-US",
            "app_permissions": str(self.permissions),
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id} if guild else {"1": user["id"]},
            "context": 0 if guild else 1,
            "attachment_size_limit": 8_388_608,
        }
        if guild:
            payload.update(guild_id=self.guild_id, guild_locale="en-US", member=self.member(user))
            payload["channel"] = self.threads.get(payload["channel_id"]) or {
                "id": payload["channel_id"],
                "type": 0,
                "guild_id": self.guild_id,
                "name": "general",
            }
        else:
            payload["user"] = user
            payload["channel"] = {"id": payload["channel_id"], "type": 1}
        if message is not None:
            payload["message"] = message
        self.interactions[payload["token"]] = payload
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def slash(
        self,
        name: str,
        user: dict | None = None,
        guild: bool = True,
        files: dict[str, tuple[str, bytes]] | None = None,
        channels: dict[str, str] | None = None,
        roles: dict[str, str] | None = None,
        in_channel: str | None = None,
        **options: Any,
    ) -> dict:
        """Use a slash command (``"article add"`` for a subcommand) with the given options;
        ``files`` attaches (option -> (file name, bytes)), ``channels``/``roles`` pick by id;
        used in ``in_channel`` (a thread too), by default the first channel."""
        kinds = {str: 3, int: 4, bool: 5}
        opts = [{"name": k, "type": kinds[type(v)], "value": v} for k, v in options.items()]
        resolved: dict[str, dict] = {}
        for option, (filename, content) in (files or {}).items():
            file_id = snowflake()
            self.files[file_id] = content
            url = f"http://127.0.0.1:{self.port}/attachments/{file_id}/{filename}"
            resolved.setdefault("attachments", {})[file_id] = {
                "id": file_id,
                "filename": filename,
                "size": len(content),
                "url": url,
                "proxy_url": url,
            }
            opts.append({"name": option, "type": 11, "value": file_id})
        for option, channel_id in (channels or {}).items():
            resolved.setdefault("channels", {})[channel_id] = {
                "id": channel_id,
                "type": 0,
                "name": "general" if channel_id == self.channel_id else "ask-citebot",
                "permissions": str(self.permissions),
                "guild_id": self.guild_id,
            }
            opts.append({"name": option, "type": 7, "value": channel_id})
        for option, role_id in (roles or {}).items():
            resolved.setdefault("roles", {})[role_id] = role_object(role_id, "Editors", 0, 1)
            opts.append({"name": option, "type": 8, "value": role_id})
        top, *subs = name.split()
        for sub in reversed(subs):
            opts = [{"name": sub, "type": 1, "options": opts}]
        data: dict[str, Any] = {"id": snowflake(), "name": top, "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        return await self.interact(2, data, user, guild=guild, channel_id=in_channel)

    async def message_command(self, name: str, target: dict, user: dict | None = None) -> dict:
        """Use the message command ``name`` (a message's Apps menu) on ``target``, a message as
        the fake sent or stored it, in that message's channel."""
        data = {
            "id": snowflake(),
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        return await self.interact(2, data, user, channel_id=target["channel_id"])

    async def submit(self, interaction: dict, values: dict[str, str], user: dict | None = None) -> dict:
        """Fill in and submit the form (modal) the bot opened in answer to ``interaction``."""
        call = await self.wait_for(
            lambda c: c.path.endswith(f"/{interaction['token']}/callback") and c.json.get("type") == 9
        )
        form = call.json["data"]
        rows = []
        for row in form["components"]:
            inputs = row["components"] if row["type"] == 1 else [row.get("component", row)]
            rows.append(
                {
                    "type": 1,
                    "components": [
                        {"type": 4, "custom_id": i["custom_id"], "value": values.get(i["custom_id"], "")}
                        for i in inputs
                    ],
                }
            )
        data = {"custom_id": form["custom_id"], "components": rows}
        return await self.interact(5, data, user or interaction.get("member", {}).get("user"))

    async def autocomplete(self, name: str, option: str, typed: str, user: dict | None = None) -> dict:
        """Type ``typed`` into ``option`` of a slash command (``"article remove"`` for a
        subcommand): the bot's choices are its callback."""
        opts: list[dict[str, Any]] = [{"name": option, "type": 3, "value": typed, "focused": True}]
        top, *subs = name.split()
        for sub in reversed(subs):
            opts = [{"name": sub, "type": 1, "options": opts}]
        data = {"id": snowflake(), "name": top, "type": 1, "options": opts}
        return await self.interact(4, data, user)

    async def click(self, message: dict, custom_id: str, user: dict | None = None) -> dict:
        """Click the button ``custom_id`` on a message the bot sent."""
        return await self.interact(3, {"custom_id": custom_id, "component_type": 2}, user, message=message)

    async def response(self, interaction: dict, timeout: float = 10.0) -> Call:
        """The bot's first answer to an interaction (its callback)."""
        suffix = f"/{interaction['token']}/callback"
        return await self.wait_for(lambda c: c.path.endswith(suffix), timeout)

    async def followup(self, interaction: dict, timeout: float = 15.0) -> Call:
        """The bot's first follow-up message to an interaction (after a deferral)."""
        prefix = f"/webhooks/{self.app_id}/{interaction['token']}"
        return await self.wait_for(lambda c: c.path.startswith(prefix), timeout)

    def callbacks(self, interaction: dict) -> list[Call]:
        """The bot's responses to one interaction: callbacks and follow-ups, in order."""
        token = interaction["token"]
        return [c for c in self.calls if f"/{token}" in c.path]

    # ---- REST --------------------------------------------------------------------------------

    async def _cdn(self, request: web.Request) -> web.Response:
        content = self.files.get(request.match_info["id"])
        return web.Response(status=404) if content is None else web.Response(body=content)

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = (
            await request.json()
            if request.can_read_body and request.content_type == "application/json"
            else None
        )
        call = Call(request.method, path, body, dict(request.query))
        self.calls.append(call)
        self._call_event.set()
        if request.headers.get("Authorization") not in (f"Bot {self.token}", None) and not path.startswith(
            ("/webhooks", "/interactions")
        ):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        for pattern, statuses in self.fail_next.items():
            if statuses and re.fullmatch(pattern, path):
                status = statuses.pop(0)
                if status == 429:
                    return _json(
                        {"message": "You are being rate limited.", "retry_after": 0.05, "global": False},
                        status=429,
                        headers={
                            "Retry-After": "0.05",
                            "X-RateLimit-Scope": "user",
                            "X-RateLimit-Limit": "5",
                            "X-RateLimit-Remaining": "0",
                            "X-RateLimit-Reset-After": "0.05",
                            "X-RateLimit-Bucket": "fake-bucket",
                            # discord.py takes a 429 without it for a Cloudflare ban and gives up
                            **({"Via": "1.1 google"} if self.rate_limit_via else {}),
                        },
                    )
                if isinstance(status, tuple):  # (status, Discord error code, message)
                    return _json({"message": status[2], "code": status[1]}, status=status[0])
                return _json({"message": "Missing Permissions", "code": 50013}, status=status)
        if m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path):
            # a thread opened from a message: Discord tells the gateway of it too
            thread = self.thread_object(m.group(1), (body or {}).get("name", ""))
            await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
            return _json(thread, status=201)
        return self._answer(request.method, path, body)

    def _answer(self, method: str, path: str, body: Any) -> web.Response:
        if path == "/users/@me":
            return _json(self.bot_user)
        if path == "/oauth2/applications/@me":
            return _json(
                {
                    "id": self.app_id,
                    "name": "citebot",
                    "description": "",
                    "icon": None,
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "verify_key": "0" * 64,
                    "owner": self.user("owner"),
                    "flags": 0,
                    "rpc_origins": [],
                }
            )
        if path in ("/gateway", "/gateway/bot"):
            return _json(
                {
                    "url": self.gateway_url,
                    "shards": 1,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 1000,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if m := re.fullmatch(r"/channels/(\d+)/messages", path):
            return _json(self.message_object(m.group(1), body or {}))
        if (m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path)) and method == "GET":
            message = self.user_messages.get(m.group(2)) or self.messages.get(m.group(2))
            return _json(message) if message else _json({"message": "Unknown Message", "code": 10008}, 404)
        if (m := re.fullmatch(r"/channels/(\d+)", path)) and m.group(1) in self.threads:
            thread = self.threads[m.group(1)]  # a forum post: read, or its tags changed
            if method == "PATCH" and "applied_tags" in (body or {}):
                thread["applied_tags"] = list(body["applied_tags"])
            return _json({k: v for k, v in thread.items() if k != "newly_created"})
        if (m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path)) and method == "PATCH":
            # an edit of a message the bot sent in a channel
            message = self.messages.get(m.group(2)) or self._message_object(m.group(1), {})
            edited = {**message, **{k: v for k, v in (body or {}).items() if k in ("content", "embeds")}}
            self.messages[edited["id"]] = edited
            return _json(edited)
        if re.fullmatch(r"/channels/\d+/typing", path):
            return web.Response(status=204)
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return self._callback(m.group(1), m.group(2), body or {})
        if m := re.fullmatch(r"/webhooks/(\d+)/([^/]+)(/messages/.+)?", path):
            interaction = self.interactions.get(m.group(2), {})
            channel = interaction.get("channel_id", self.channel_id)
            return _json(self.message_object(channel, body or {}, webhook_id=m.group(1)))
        if re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path) and method == "PUT":
            commands = [
                # Discord gives a message command an empty description
                {
                    "description": "",
                    **c,
                    "id": snowflake(),
                    "application_id": self.app_id,
                    "version": snowflake(),
                }
                for c in (body or [])
            ]
            return _json(commands)
        if re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path):
            return _json([])
        return _json({"message": f"404: not faked: {method} {path}", "code": 0}, status=404)

    def _callback(self, interaction_id: str, token: str, body: dict) -> web.Response:
        kind = body.get("type")
        interaction = self.interactions.get(token, {})
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 7):
            data = body.get("data") or {}
            if kind == 7 and interaction.get("message"):
                # an update edits the message the button is on
                original = interaction["message"]
                updated = {
                    **original,
                    **{k: v for k, v in data.items() if k in ("content", "embeds", "components")},
                }
                self.messages[original["id"]] = updated
                resource["message"] = updated
            else:
                resource["message"] = self.message_object(
                    interaction.get("channel_id", self.channel_id), data
                )
        return _json(
            {
                "interaction": {
                    "id": interaction_id,
                    "type": interaction.get("type", 2),
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(((body.get("data") or {}).get("flags") or 0) & 64),
                },
                "resource": resource,
            }
        )

    def thread_object(self, parent_id: str, name: str) -> dict:
        return {
            "id": snowflake(),
            "type": 11,
            "guild_id": self.guild_id,
            "parent_id": parent_id,
            "name": name,
            "owner_id": self.app_id,
            "member_count": 1,
            "message_count": 0,
            "rate_limit_per_user": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2024-01-01T00:00:00+00:00",
                "locked": False,
            },
        }

    def message_object(self, channel_id: str, body: dict, webhook_id: str | None = None) -> dict:
        message = self._message_object(channel_id, body, webhook_id)
        self.messages[message["id"]] = message
        return message

    def _message_object(self, channel_id: str, body: dict, webhook_id: str | None = None) -> dict:
        return {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": "2024-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            **({"webhook_id": webhook_id} if webhook_id else {}),
        }

    async def wait_for(self, predicate, timeout: float = 10.0) -> Call:
        """The first recorded call matching ``predicate``, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls:
                if predicate(call):
                    return call
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(c.method, c.path) for c in self.calls]
                raise AssertionError(f"no matching call within {timeout}s; calls: {seen}")
            self._call_event.clear()
            try:
                await asyncio.wait_for(self._call_event.wait(), remaining)
            except TimeoutError:
                pass
