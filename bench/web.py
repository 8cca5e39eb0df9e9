"""``python -m bench.web``: knowledge from the web, measured on a site of our own on loopback.

1. Adding a sitemap of ``--site-pages`` pages (default 50) to the built-in corpus: the time from
   the command to the first answer from the new pages (fetching two at a time, one rebuild).
2. A sync of ``--sync-pages`` unchanged pages (default 200): requests made, time taken, and
   the texts embedded (which should be none: an unchanged page costs its one request).
3. A sitemap index of ``--index-children`` sitemaps (default 20, the most read) of
   ``--index-urls`` pages each (default 50,000, the protocol's most): the longest the event
   loop stood still while ``take`` read it with MAX_PAGES 5 (a ticker every 10 ms), and the
   wall time of ``python -m index add URL --max-pages 5`` in a fresh process with an empty
   data folder, so that its first build of the built-in index is included.

Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web

from index.library import Library
from index.web.addresses import AddressPolicy, parse_allow_private
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
        self.children_read = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/robots.txt", self.robots)
        app.router.add_get("/sitemap.xml", self.sitemap)
        app.router.add_get("/page/{n}", self.page)
        app.router.add_get("/index.xml", self.index)
        app.router.add_get("/child/{k}.xml", self.child)
        return app

    async def index(self, request: web.Request) -> web.Response:
        children, urls = int(request.query["children"]), request.query["urls"]
        maps = "".join(
            f"<sitemap><loc>{self.base}/child/{k}.xml?urls={urls}</loc></sitemap>" for k in range(children)
        )
        return web.Response(text=f"<sitemapindex>{maps}</sitemapindex>", content_type="application/xml")

    async def child(self, request: web.Request) -> web.Response:
        self.children_read += 1
        urls = int(request.query["urls"])
        first = int(request.match_info["k"]) * urls + 1

        def body() -> bytes:
            locs = "".join(f"<url><loc>{self.base}/page/{n}</loc></url>" for n in range(first, first + urls))
            return f"<urlset>{locs}</urlset>".encode()

        return web.Response(body=await asyncio.to_thread(body), content_type="application/xml")

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
    from index.store.encoder import shared_encoder

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


async def _loop_stall(url: str, policy: AddressPolicy, max_pages: int) -> float:
    """The longest gap, in seconds, a 10 ms ticker on the loop saw while ``take`` read ``url``."""
    longest, last, running = 0.0, time.perf_counter(), True

    async def tick() -> None:
        nonlocal longest, last
        while running:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now

    ticker = asyncio.create_task(tick())
    async with Fetcher(policy=policy) as fetcher:
        await take(fetcher, url, max_pages=max_pages)
    running = False
    await ticker
    return longest


def measure_index(children: int, urls: int) -> dict[str, float]:
    """Figures of section 3: a sitemap index read with MAX_PAGES 5, on the loop and by the CLI."""
    figures: dict[str, float] = {}
    data = Path(tempfile.mkdtemp(prefix="citebot-bench-index-"))
    try:
        with served(Site(10)) as site:
            url = f"{site.base}/index.xml?children={children}&urls={urls}"
            figures["index_loop_stall_s"] = round(
                asyncio.run(_loop_stall(url, parse_allow_private("true"), 5)), 3
            )
            env = {**os.environ, "DATA_DIR": str(data), "ALLOW_PRIVATE_URLS": "true", "HF_HUB_OFFLINE": "1"}
            for key in ("CORPUS_PATH", "INDEX_DIR", "MAX_PAGES"):
                env.pop(key, None)
            site.children_read = 0
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "index", "add", url, "--max-pages", "5"],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            figures["index_cli_s"] = round(time.perf_counter() - started, 1)
            figures["index_cli_added"] = float(
                done.stdout.count("\nadded ") + done.stdout.startswith("added ")
            )
            figures["index_children_read"] = site.children_read
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__.split("\n")[0])
    ap.add_argument("--site-pages", type=int, default=50, help="pages of the sitemap added (default 50)")
    ap.add_argument("--sync-pages", type=int, default=200, help="unchanged pages synced (default 200)")
    ap.add_argument("--index-children", type=int, default=20, help="sitemaps in the index (default 20)")
    ap.add_argument("--index-urls", type=int, default=50_000, help="pages in each (default 50,000)")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    figures = measure(args.site_pages, args.sync_pages)
    if args.index_children > 0:
        figures.update(measure_index(args.index_children, args.index_urls))
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
        (f"index of {args.index_children} x {args.index_urls:,}: loop stall, s", "index_loop_stall_s"),
        ("  python -m index add --max-pages 5, s", "index_cli_s"),
        ("  articles it added", "index_cli_added"),
        ("  child sitemaps it fetched", "index_children_read"),
    )
    for label, key in rows:
        if key in figures:
            print(f"{label:<44} {figures[key]:>10g}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
