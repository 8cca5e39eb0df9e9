"""The real CiteBot against a fake Discord on loopback, for the wire tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord

from bot.client import CiteBot, use_discord_at
from bot.feedback import FeedbackStore
from bot.settings import BotSettings, bot_settings
from index.engine import Engine
from index.library import Library
from tests.fake_discord import Call, FakeDiscord

ORIGINAL = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


class SlowEngine(Engine):
    """The real engine, each answer slowed down: for queues, stops and a busy model."""

    delay = 0.0

    def answer_many(self, questions, ks=None):
        time.sleep(self.delay)  # once per pass through the model, as the real work is
        return super().answer_many(questions, ks)


def slowed(engine: Engine, delay: float) -> SlowEngine:
    slow = SlowEngine(engine.index, engine.encoder)
    slow.delay = delay
    return slow


def settings_for(fake: FakeDiscord, **env: str) -> BotSettings:
    return bot_settings({"DISCORD_TOKEN": fake.token, **env})


@contextlib.asynccontextmanager
async def running(
    engine: Engine | Library,
    data_dir: Path,
    fake: FakeDiscord | None = None,
    force_sync: bool = False,
    **env: str,
) -> AsyncIterator[tuple[FakeDiscord, CiteBot]]:
    """A fake Discord (started here unless given) and a connected, ready CiteBot; an engine
    alone is served as a fixed library (no folder to add articles to)."""
    own = fake is None
    fake = fake or FakeDiscord()
    if own:
        await fake.start()
    settings = settings_for(fake, **env)
    use_discord_at(fake.api_base, fake.gateway_url)
    library = engine if isinstance(engine, Library) else Library(engine)
    bot = CiteBot(
        library=library,
        settings=settings,
        store=FeedbackStore(data_dir / "feedback.sqlite3"),
        data_dir=data_dir,
        results=3,
        force_sync=force_sync,
    )
    runner = asyncio.create_task(bot.start(fake.token))
    try:
        for _ in range(300):
            if bot.is_ready() or runner.done():
                break
            await asyncio.sleep(0.05)
        if runner.done():
            runner.result()  # raises what stopped the bot
        assert bot.is_ready(), "the bot never became ready"
        yield fake, bot
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 15)
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = ORIGINAL
        if own:
            await fake.stop()


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
