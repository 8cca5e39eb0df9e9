"""The corpus folder, watched: a file added, changed or removed on disk is indexed without a
restart, while the index before the change goes on answering."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cogs import Background
from index import ARTICLE_SUFFIXES, CONVERTED_SUFFIXES

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)

DEBOUNCE_MS = 400  # a file written in several steps, or a few files copied at once: one rebuild


def worth_a_look(change: object, path: str) -> bool:
    """Articles, PDFs and metadata files; not temporary or hidden files (an article being
    written appears once, under its own name, when it is complete)."""
    name = Path(path).name
    return not name.startswith(".") and Path(path).suffix.lower() in (
        *ARTICLE_SUFFIXES,
        *CONVERTED_SUFFIXES,
        ".yaml",
        ".yml",
    )


async def watch_corpus(bot: CiteBot, stop: asyncio.Event) -> None:
    """Refresh the library whenever its folder changes, until ``stop`` is set."""
    from watchfiles import awatch

    library = bot.library
    if library.folder is None:
        return
    try:
        async for changes in awatch(
            library.folder,
            watch_filter=worth_a_look,
            stop_event=stop,
            debounce=DEBOUNCE_MS,
            recursive=False,
        ):
            names = sorted({Path(path).name for _, path in changes})
            log.info("corpus folder changed (%s): reindexing", ", ".join(names))
            try:
                change = await bot.aside(library.refresh)
            except Exception:  # one failed pass; the next change is looked at again
                if bot.stopping:
                    return
                log.exception("could not reindex after a change to %s", ", ".join(names))
                continue
            for refused in change.refused:
                if refused.name in names:
                    log.warning(
                        "%s is not indexed: %s%s",
                        refused.name,
                        refused.reason,
                        " (its last good version is still answered from)" if refused.kept else "",
                    )
    except Exception:
        # the bot goes on answering from the index it has; only live reloading stops
        log.exception("stopped watching %s; restart citebot to pick up changes", library.folder)


class Watcher(Background):
    """Watches the corpus folder from the moment the cog is loaded until it is unloaded."""

    def __init__(self, bot: CiteBot) -> None:
        super().__init__(bot, watch_corpus, "citebot-corpus-watcher")


async def setup(bot: CiteBot) -> None:
    await bot.add_cog(Watcher(bot))
