"""``python -m bench.web``: knowledge from the web, measured on a site of our own on loopback.

1. Adding a sitemap of ``--site-pages`` pages (default 50) to the built-in corpus: the time from
   the command to the first answer from the new pages (fetching two at a time, one rebuild).
2. A sync of ``--sync-pages`` unchanged pages (default 200): requests made, time taken, and
   the texts embedded (which should be none: an unchanged page costs its one request).

Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web

from index.library import Library
from index.web.addresses import parse_allow_private
from index.web.fetch import Fetcher
from index.web.sources import take
from index.web.state import SourceStates
from index.web.syncing import sync_sources

SYLLABLES = ("ka", "ro", "mi", "su", "te", "na", "po", "li")


def ship(n: int) -> str:
    """A name no other page has, so that a question can point at one page."""
    return "".join(SYLLABLES[(n // 8**i) % 8] for i in range(3)).title()


def page(n: int) -> str:
    return (
        f"<html><head><title>Port bulletin {n}: the {ship(n)}</title></head><body><article>"
        f"<h1>Port bulletin {n}: the {ship(n)}</h1>"
        f"<p>The ship {ship(n)} unloaded {100 + n} tonnes of coal at Chongjin this week, port "
        "officials said.</p>"
        f"<p>Its crew of {10 + n % 20} sailors is to leave for Nampo after repairs.</p>"
        "</article></body></html>"
    )


class Site:
    def __init__(self, pages: int) -> None:
        self.pages = pages
        self.base = ""
        self.requests = 0
        self.not_modified = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/robots.txt", self.robots)
        app.router.add_get("/sitemap.xml", self.sitemap)
        app.router.add_get("/page/{n}", self.page)
        return app

    async def robots(self, request: web.Request) -> web.Response:
        return web.Response(status=404)

    async def sitemap(self, request: web.Request) -> web.Response:
        count = int(request.query.get("pages", self.pages))
        locs = "".join(f"<url><loc>{self.base}/page/{n}</loc></url>" for n in range(1, count + 1))
        return web.Response(text=f"<urlset>{locs}</urlset>", content_type="application/xml")

    async def page(self, request: web.Request) -> web.Response:
        self.requests += 1
        n = int(request.match_info["n"])
        etag = f'"p{n}"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=page(n), content_type="text/html", headers={"ETag": etag})


@contextmanager
def served(site: Site) -> Iterator[Site]:
    """``site`` on 127.0.0.1, from a thread of its own (the measured code runs its own loop)."""
    loop, ready = asyncio.new_event_loop(), threading.Event()
    runner = web.AppRunner(site.app(), shutdown_timeout=0.5)

    async def start() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        site.base = f"http://{host}:{port}"
        ready.set()

    def run() -> None:
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(30)
    try:
        yield site
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)


class Counting:
    """The encoder, counting every text that reaches the model."""

    def __init__(self, encoder: object) -> None:
        self._encoder = encoder
        self.texts = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._encoder, name)

    def encode(self, texts: list[str], *args: object, **kwargs: object) -> object:
        self.texts += len(texts)
        return self._encoder.encode(texts, *args, **kwargs)


def measure(site_pages: int, sync_pages: int) -> dict[str, float]:
    from index.encoder import shared_encoder

    encoder = Counting(shared_encoder())
    policy = parse_allow_private("127.0.0.1")
    figures: dict[str, float] = {}
    data = Path(tempfile.mkdtemp(prefix="citebot-bench-web-"))
    try:
        library = Library.open(None, data, data / "index", encoder=encoder)  # the built-in corpus
        states = SourceStates.in_folder(data)
        with served(Site(max(site_pages, sync_pages))) as site:

            async def add(count: int) -> object:
                async with Fetcher(policy=policy) as fetcher:
                    return await take(fetcher, f"{site.base}/sitemap.xml?pages={count}", max_pages=count)

            target = min(8, site_pages)
            question = f"How many tonnes of coal did the ship {ship(target)} unload?"
            started = time.perf_counter()
            taken = asyncio.run(add(site_pages))
            fetched = time.perf_counter()
            added = library.add_many([p.draft for p in taken.pages])
            answer = library.engine.answer(question)
            figures["site_pages"] = len(added.articles)
            figures["site_fetch_s"] = round(fetched - started, 2)
            figures["site_to_answered_s"] = round(time.perf_counter() - started, 2)
            figures["site_answered"] = float(answer.answered and str(100 + target) in (answer.sentence or ""))

            more = asyncio.run(add(sync_pages))
            have = {a.url for a in library.articles()}
            new = [p for p in more.pages if p.draft.url not in have]
            library.add_many([p.draft for p in new])
            now = time.time()
            for p in more.pages:
                article = next((a for a in library.articles() if a.url == p.draft.url), None)
                if article is not None:
                    states.put(p.state(article.slug, now))

            async def sync() -> object:
                async with Fetcher(policy=policy) as fetcher:
                    return await sync_sources(library, states, fetcher)

            engine, texts, requests = library.engine, encoder.texts, site.requests
            started = time.perf_counter()
            report = asyncio.run(sync())
            figures["sync_pages"] = report.checked
            figures["sync_unchanged"] = len(report.unchanged)
            figures["sync_s"] = round(time.perf_counter() - started, 2)
            figures["sync_requests"] = site.requests - requests
            figures["sync_texts_embedded"] = encoder.texts - texts
            figures["sync_rebuilt"] = float(library.engine is not engine)
        states.close()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__.split("\n")[0])
    ap.add_argument("--site-pages", type=int, default=50, help="pages of the sitemap added (default 50)")
    ap.add_argument("--sync-pages", type=int, default=200, help="unchanged pages synced (default 200)")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    figures = measure(args.site_pages, args.sync_pages)
    print(f"{'what':<44} {'figure':>10}")
    rows = (
        (f"sitemap of {args.site_pages} pages: added", "site_pages"),
        ("  fetched (two at a time), s", "site_fetch_s"),
        ("  command to first answer from them, s", "site_to_answered_s"),
        ("  that answer right (1: yes)", "site_answered"),
        (f"sync of {args.sync_pages} unchanged pages: checked", "sync_pages"),
        ("  unchanged", "sync_unchanged"),
        ("  requests", "sync_requests"),
        ("  time, s", "sync_s"),
        ("  texts embedded", "sync_texts_embedded"),
        ("  index rebuilt (1: yes)", "sync_rebuilt"),
    )
    for label, key in rows:
        print(f"{label:<44} {figures[key]:>10g}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
