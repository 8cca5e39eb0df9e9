"""``python -m index add URL`` and ``python -m index sync``: articles from the web for the
console's corpus (the data folder's articles, or CORPUS_PATH's folder)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from index.config import EngineConfig, web_config
from index.corpus.adding import open_library
from index.libraries import Libraries
from index.web.fetch import Fetcher
from index.web.sources import Taken, take
from index.web.state import SourceStates
from index.web.syncing import sync_sources


def add(args: argparse.Namespace, settings: EngineConfig, corpus: Path | None, index_dir: Path) -> int:
    """Fetch ``args.url`` (a page, a PDF, a sitemap; with ``--crawl`` its links too), add what it
    gives in one rebuild, and keep each article's sync state; 1 when nothing was added."""
    web = web_config()  # bad settings are refused before the library is opened
    limit = args.max_pages or web.max_pages
    fetcher = Fetcher.configured(web)
    libraries = Libraries(open_library(settings, corpus, index_dir), settings.data_dir)

    def progress(done: int, total: int) -> None:
        if total > 1:
            print(f"\r{done} of {total} pages…", end="" if done < total else "\n", file=sys.stderr)

    async def fetch() -> Taken:
        async with fetcher:
            return await take(
                fetcher,
                args.url,
                crawl=args.crawl,
                max_pages=limit,
                max_bytes=web.max_add_bytes,
                progress=progress,
            )

    taken = asyncio.run(fetch())
    server = getattr(args, "server", None)
    added = libraries.add_many(server, [page.draft for page in taken.pages], added_by="python -m index add")
    library = libraries.library(server) or libraries.shared
    library.settle()
    states = SourceStates.in_folder(libraries.folder(server))
    now = time.time()
    try:
        for article in added.articles:
            page = next((p for p in taken.pages if p.draft.url == article.url), None)
            if page is not None:
                states.put(page.state(article.slug, now))
    finally:
        states.close()
    passages = {a.slug: a.passages for a in library.engine.manifest.articles}
    for article in added.articles:
        count = passages.get(article.slug, 0)
        print(f"added {article.slug}: {article.title} ({count} passages) <{article.url}>")
    for url, why in (*taken.refused, *added.refused):
        print(f"refused {url}: {why}")
    if taken.listed > len(taken.pages) + len(taken.refused):
        floor = "at least " if taken.unread else ""
        print(f"{floor}{taken.listed:,} pages listed; the first {limit} were read (MAX_PAGES)")
    return 0 if added.articles else 1


def sync(args: argparse.Namespace, settings: EngineConfig, corpus: Path | None, index_dir: Path) -> int:
    """Check every article added from a URL (or the one named) and bring in those that changed."""
    fetcher = Fetcher.configured(web_config())  # settings refused before the library is opened
    library = open_library(settings, corpus, index_dir)
    states = SourceStates.in_folder(settings.data_dir)

    async def run() -> str:
        async with fetcher:
            return (await sync_sources(library, states, fetcher, only=args.id)).summary()

    try:
        print(asyncio.run(run()))
    finally:
        states.close()
    return 0
