"""The bot's areas, each an extension loaded by name (its module ends in ``setup(bot)``, which
adds the cog and its persistent buttons); and what the background cogs share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from discord.ext import commands

if TYPE_CHECKING:
    from bot.client import CiteBot

STOP_WAIT = 5.0  # seconds a background task gets to end when its cog is unloaded


class Background(commands.Cog):
    """A cog that runs one task from the moment it is loaded until it is unloaded: ``work``
    runs until the ``stop`` event it is given is set."""

    def __init__(
        self, bot: CiteBot, work: Callable[[CiteBot, asyncio.Event], Coroutine[Any, Any, None]], name: str
    ) -> None:
        self.bot = bot
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self._work, self._name = work, name

    async def cog_load(self) -> None:
        self.task = asyncio.create_task(self._work(self.bot, self.stop), name=self._name)

    async def cog_unload(self) -> None:
        self.stop.set()
        if self.task is not None:
            await asyncio.wait([self.task], timeout=STOP_WAIT)
