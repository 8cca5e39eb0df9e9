"""The fake Discord every wire test talks to: started before the test, stopped after it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import fake_discord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord on loopback, started; the bot under test connects to it."""
    async with fake_discord() as discord:
        yield discord
