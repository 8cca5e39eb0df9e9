"""Keeping the articles fetched from the web in sync: every SYNC_EVERY (off by default), each
is asked again with a conditional request; ``sync_now`` is also what ``/article sync`` runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from bot import config
from bot.cogs import Background
from index import Draft, Fetcher, SyncReport, sync_sources

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)


async def sync_now(bot: CiteBot, only: str | None = None, server: int | None = None) -> SyncReport:
    """Check every article of a library (the shared one, or ``server``'s) fetched from a URL
    (or the one with id ``only``): an unchanged page costs one request; a changed one is
    rewritten and reindexed beside the model (only its new texts are embedded); a gone one is
    flagged; a removed article's state is forgotten."""
    library = await asyncio.to_thread(bot.libraries.library, server)
    states = await bot.database(bot.sources_of, server)
    if library is None or states is None:
        return SyncReport()

    async def update(slug: str, draft: Draft) -> object:
        return await bot.aside(library.update, slug, draft)

    async with bot.sync_lock:
        async with Fetcher.configured(bot.config.web) as fetcher:
            report = await sync_sources(library, states, fetcher, only=only, update=update)
    for slug in report.updated:
        log.info("article %s changed upstream and was reindexed", slug)
    return report


async def sync_when_due(bot: CiteBot, stop: asyncio.Event) -> None:
    """Sync whenever SYNC_EVERY has passed since the last sync (at start: since the least
    recent check, so that restarts do not put a sync off), until ``stop`` is set. The setting is
    read at each look, never kept."""
    states = await bot.database(bot.sources.all)
    last = min((s.checked for s in states), default=time.time())
    while not stop.is_set():
        every = bot.config.sync_every
        if every is not None and bot.library.editable and time.time() >= last + every:
            last = time.time()
            try:
                report = await sync_now(bot)
                for server in await asyncio.to_thread(bot.libraries.with_sources):
                    report = report.joined(await sync_now(bot, server=server))
            except Exception:
                log.exception("could not sync the articles fetched from the web")
            else:
                log.info(
                    "synced the articles from the web: %d checked, %d unchanged, %d updated, %d gone, "
                    "%d failed",
                    report.checked,
                    len(report.unchanged),
                    len(report.updated),
                    len(report.gone),
                    len(report.failed),
                )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), config.SYNC_CLOCK)


class Syncing(Background):
    """Syncs from the moment the cog is loaded until it is unloaded (idle while SYNC_EVERY is off)."""

    def __init__(self, bot: CiteBot) -> None:
        super().__init__(bot, sync_when_due, "citebot-syncing")


async def setup(bot: CiteBot) -> None:
    await bot.add_cog(Syncing(bot))
