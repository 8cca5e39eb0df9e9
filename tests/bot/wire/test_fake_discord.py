"""The fake Discord itself: the real discord.py client logs in, connects, receives a message,
replies over REST, and reconnects after the gateway drops."""

from __future__ import annotations

import asyncio

import discord
import pytest
import yarl

from tests.bot.wire.fake_discord import FakeDiscord

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)


@pytest.fixture
def pointed():
    """Point discord.py at whatever fake the test starts, and back afterwards."""
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY

    def point(fake: FakeDiscord) -> None:
        discord.http.Route.BASE = fake.api_base + "/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)

    yield point
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


async def echo_session(fake: FakeDiscord) -> None:
    intents = discord.Intents.default()
    client = discord.Client(intents=intents)
    ready = asyncio.Event()

    @client.event
    async def on_ready() -> None:
        ready.set()

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot:
            return
        await message.reply(
            embed=discord.Embed(title="echo", description=message.content),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    runner = asyncio.create_task(client.start(fake.token))
    try:
        await asyncio.wait_for(ready.wait(), 15)
        assert client.user is not None and str(client.user.id) == fake.app_id
        assert len(client.guilds) == 1

        await fake.message("hello @everyone")
        call = await fake.wait_for(lambda c: c.method == "POST" and c.path.endswith("/messages"))
        assert call.json["embeds"][0]["description"] == "hello @everyone"
        assert call.json["allowed_mentions"]["parse"] == []
        assert "message_reference" in call.json

        fake.calls.clear()
        await fake.drop_gateway()
        assert await fake.reconnected(), "the bot did not come back after the drop"
        await fake.message("after the drop")
        call = await fake.wait_for(lambda c: c.method == "POST" and c.path.endswith("/messages"), timeout=15)
        assert call.json["embeds"][0]["description"] == "after the drop"
    finally:
        await client.close()
        await asyncio.wait_for(runner, 10)


async def test_real_client_round_trip_over_loopback(pointed, fake):
    pointed(fake)
    await echo_session(fake)
