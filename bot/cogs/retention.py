"""Retention: questions and votes older than RETENTION_DAYS are forgotten, when the bot starts
and every day after."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot import config
from bot.cogs import Background
from bot.stores.feedback import days_ago

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)


async def prune_daily(bot: CiteBot, stop: asyncio.Event) -> None:
    """Prune now, then once a day, until ``stop`` is set: old questions, and the libraries of
    servers citebot was removed from more than LEFT_SERVER_DAYS ago."""
    while not stop.is_set():
        try:
            before = days_ago(bot.config.retention_days)
            pruned = await bot.database(bot.store.prune, before)
            posts = await bot.database(bot.forum_posts.prune, before)
        except Exception:
            log.exception("could not forget the questions older than %d days", bot.config.retention_days)
        else:
            if pruned.asks or pruned.votes or posts:
                log.info(
                    "forgot %d question(s), %d vote(s) and %d forum post(s) older than %d days",
                    pruned.asks,
                    pruned.votes,
                    posts,
                    bot.config.retention_days,
                )
        try:  # the libraries of servers citebot left more than LEFT_SERVER_DAYS ago
            await bot.aside(bot.libraries.purge, bot.config.left_server_days)
        except Exception:
            log.exception("could not delete the libraries of the servers citebot left")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), config.PRUNE_EVERY)


class Retention(Background):
    """Prunes from the moment the cog is loaded until it is unloaded."""

    def __init__(self, bot: CiteBot) -> None:
        super().__init__(bot, prune_daily, "citebot-retention")


async def setup(bot: CiteBot) -> None:
    await bot.add_cog(Retention(bot))
