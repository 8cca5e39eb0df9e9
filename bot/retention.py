"""Retention: questions and votes older than RETENTION_DAYS are forgotten, when the bot starts
and every day after."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)

DAY = 86_400.0
PRUNE_EVERY = DAY


async def prune_daily(bot: CiteBot) -> None:
    """Prune now, then once a day, until the bot stops."""
    while not bot.stopping:
        try:
            pruned = await bot.database(bot.store.prune, time.time() - bot.settings.retention_days * DAY)
        except Exception:
            log.exception("could not forget the questions older than %d days", bot.settings.retention_days)
        else:
            if pruned.asks or pruned.votes:
                log.info(
                    "forgot %d question(s) and %d vote(s) older than %d days",
                    pruned.asks,
                    pruned.votes,
                    bot.settings.retention_days,
                )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bot.watch_stop.wait(), PRUNE_EVERY)
