"""The real CiteBot against a fake Discord on loopback, for the wire tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import discord

from bot.client import CiteBot, use_discord_at
from bot.config import BotConfig, bot_config
from bot.stores.database import database_path
from bot.stores.feedback import FeedbackStore
from index.answering.engine import Engine
from index.library import Library
from tests.bot.wire.fake_discord import Call, FakeDiscord

ROOT = Path(__file__).resolve().parents[3]
ORIGINAL = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


class SlowEngine(Engine):
    """The real engine, each answer slowed down: for queues, stops and a busy model."""

    delay = 0.0

    def answer_many(self, questions, ks=None, histories=None):
        time.sleep(self.delay)  # once per pass through the model, as the real work is
        return super().answer_many(questions, ks, histories)


class Held(Engine):
    """The real engine, whose passes through the model wait while a test holds them: what
    the bot says while the model works is then seen while it works, however fast the model."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine.index, engine.encoder, background=engine.background)
        self.working = threading.Event()  # a pass has begun (and waits, while held)
        self.free = threading.Event()
        self.free.set()

    def answer_many(self, questions, ks=None, histories=None):
        self.working.set()
        if not self.free.wait(30):
            raise TimeoutError("the test never let the model go on")
        return super().answer_many(questions, ks, histories)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Passes through the model wait until the block ends (a failing test lets them go too,
        or the bot's close would wait for them)."""
        self.working.clear()
        self.free.clear()
        try:
            yield
        finally:
            self.free.set()

    async def wait_working(self, timeout: float = 15.0) -> None:
        assert await asyncio.to_thread(self.working.wait, timeout), "the model was never asked"


def slowed(engine: Engine, delay: float) -> SlowEngine:
    slow = SlowEngine(engine.index, engine.encoder)
    slow.delay = delay
    return slow


def settings_for(fake: FakeDiscord, **env: str) -> BotConfig:
    return bot_config({"DISCORD_TOKEN": fake.token, **env})


@contextlib.asynccontextmanager
async def fake_discord(**options: Any) -> AsyncIterator[FakeDiscord]:
    """A fake Discord on loopback (``options`` as FakeDiscord takes them), started, and stopped
    at the end: the ``fake`` fixture is one; a test that needs another (a second server, other
    permissions) opens it here."""
    fake = FakeDiscord(**options)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@contextlib.asynccontextmanager
async def running(
    engine: Engine | Library,
    data_dir: Path,
    fake: FakeDiscord,
    force_sync: bool = False,
    **env: str,
) -> AsyncIterator[CiteBot]:
    """A connected, ready CiteBot on ``fake`` (a started fake Discord: the ``fake`` fixture);
    an engine alone is served as a fixed library (no folder to add articles to)."""
    settings = settings_for(fake, **env)
    use_discord_at(fake.api_base, fake.gateway_url)
    library = engine if isinstance(engine, Library) else Library(engine)
    bot = CiteBot(
        library=library,
        config=settings,
        store=FeedbackStore(database_path(data_dir)),
        data_dir=data_dir,
        results=3,
        force_sync=force_sync,
        guild_ready_timeout=0.1,  # the fake sends every server at once, right after READY
    )
    runner = asyncio.create_task(bot.start(fake.token))
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        await asyncio.wait([ready, runner], timeout=15, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if runner.done():
            runner.result()  # raises what stopped the bot
        assert bot.is_ready(), "the bot never became ready"
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 15)
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = ORIGINAL


def posts(fake: FakeDiscord, suffix: str = "/messages") -> list[Call]:
    return [c for c in fake.calls if c.method == "POST" and c.path.endswith(suffix)]


async def reply_to(fake: FakeDiscord, message: dict, timeout: float = 15.0) -> Call:
    """The message the bot sent in reply to ``message``."""
    return await fake.wait_for(
        lambda c: (
            c.method == "POST"
            and c.path.endswith("/messages")
            and isinstance(c.json, dict)
            and str((c.json.get("message_reference") or {}).get("message_id")) == message["id"]
        ),
        timeout,
    )


def sent_messages(fake: FakeDiscord) -> list[dict[str, Any]]:
    """Every message body the bot sent, by any route (channel, callback, webhook)."""
    bodies = []
    for c in fake.calls:
        if c.method not in ("POST", "PATCH") or not isinstance(c.json, dict):
            continue
        if "/callback" in c.path:
            if c.json.get("type") in (4, 7) and c.json.get("data"):
                bodies.append(c.json["data"])
        elif "/messages" in c.path or c.path.startswith("/webhooks/"):
            bodies.append(c.json)
    return bodies


def bot_env(tmp_path: Path, index_dir: Path, fake: FakeDiscord | None, **extra: str) -> dict[str, str]:
    shutil.copytree(index_dir, tmp_path / "data" / "index", dirs_exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "ANSWER_"))}
    env.update(DATA_DIR=str(tmp_path / "data"), HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT), LOG_LEVEL="INFO")
    if fake is not None:
        env.update(
            DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url
        )
    env.update(extra)
    return env


async def start_bot(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=env["DATA_DIR"].rsplit("/", 1)[0],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def line_with(proc: asyncio.subprocess.Process, text: str, seen: list[str], timeout: float = 90) -> str:
    async def read() -> str:
        while line := (await proc.stderr.readline()).decode():
            seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"the bot ended without logging {text!r}:\n{''.join(seen)}")

    return await asyncio.wait_for(read(), timeout)


BUTTONS_QUESTION = "What roles might North Korean troops take on?"


def buttons(message: dict) -> dict[str, str]:
    """Button label (or emoji) -> custom id."""
    return {
        (b.get("label") or b["emoji"]["name"]): b["custom_id"]
        for row in message["components"]
        for b in row["components"]
    }


async def ask(fake: FakeDiscord, author: dict, question: str = BUTTONS_QUESTION) -> dict:
    """Ask by mention; the message the bot answered with, as the fake stored it."""
    asked = await fake.message(f"<@{fake.app_id}> {question}", author=author, mentions_bot=True)
    call = await reply_to(fake, asked)
    return next(m for m in fake.messages.values() if m.get("embeds") == call.json["embeds"])


PAGE = b"""<html><head><title>Harbour news - The Daily</title></head><body>
<nav>Home | World | Sport | Subscribe</nav>
<article><h1>Wonsan harbour freezes</h1>
<p>The harbour of Wonsan froze over in March, officials said on Tuesday.</p>
<p>Fishing boats stayed in port for three weeks while icebreakers worked to open a channel.</p>
<p>Local traders said the price of fish doubled during the freeze.</p></article>
<footer>Copyright 2026 The Daily. All rights reserved.</footer></body></html>"""


async def told(fake: FakeDiscord, interaction: dict, containing: str = "", timeout: float = 60.0) -> str:
    """The text the bot last gave in answer to ``interaction`` that holds ``containing``."""

    def content(call) -> str:
        body = call.json if isinstance(call.json, dict) else {}
        return (body.get("data") or {}).get("content") or body.get("content") or ""

    call = await fake.wait_for(
        lambda c: f"/{interaction['token']}" in c.path and containing in content(c) and content(c), timeout
    )
    return content(call)


def own_library(bot: CiteBot, fake: FakeDiscord) -> Library | None:
    """The fake server's own library, which /article changes (None until its first article)."""
    return bot.libraries.server(int(fake.guild_id))


def own_folder(bot: CiteBot, fake: FakeDiscord) -> Path:
    """The folder of the fake server's own articles."""
    return bot.libraries.folder(int(fake.guild_id)) / "articles"
