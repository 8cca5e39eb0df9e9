"""What a URL gives, against a site of our own on loopback: one page, a sitemap's pages (two
requests at a time, with progress), a sitemap index, a crawl one level deep, a PDF; and a
page checked again: unchanged for one request, changed, gone, failing."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from index.errors import CitebotError
from index.web.addresses import parse_allow_private
from index.web.fetch import Fetcher
from index.web.sources import check, take
from tests.index.web.pdfs import pdf_bytes

pytestmark = pytest.mark.anyio

LOOPBACK = parse_allow_private("127.0.0.1")
BIG_CHILDREN = 20  # child sitemaps of /big-index.xml (the most a sitemap index is read for)
BIG_URLS = 2_000  # pages each of them lists


def article(n: int, extra: str = "") -> str:
    return (
        f"<html><head><title>Harbour news {n}</title></head><body><nav>Home | World</nav>"
        f"<article><h1>Harbour news {n}</h1><p>Day {n}: the harbour of Wonsan stayed frozen and "
        f"fishing boats waited in port while icebreakers worked.{extra}</p>"
        f'<p><a href="/page/{n + 1}">next</a> <a href="https://elsewhere.example/x">away</a></p>'
        "</article></body></html>"
    )


class Site:
    """Pages /page/N, a sitemap of them, an index of two sitemaps, a PDF, a page that goes."""

    def __init__(self, pages: int = 6) -> None:
        self.pages = pages
        self.base = ""
        self.requests: list[str] = []
        self.conditional: list[str] = []
        self.active = self.most_active = 0
        self.version = 1
        self.gone = False

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/robots.txt", self.no_robots)
        app.router.add_get("/page/{n}", self.page)
        app.router.add_get("/sitemap.xml", self.sitemap)
        app.router.add_get("/sitemap.xml.gz", self.sitemap_gz)
        app.router.add_get("/index.xml", self.index)
        app.router.add_get("/big-index.xml", self.big_index)
        app.router.add_get("/big/{k}.xml", self.big)
        app.router.add_get("/report.pdf", self.pdf)
        app.router.add_get("/live", self.live)
        return app

    async def no_robots(self, request: web.Request) -> web.Response:
        return web.Response(status=404)

    async def page(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        await asyncio.sleep(0.05)
        self.active -= 1
        n = int(request.match_info["n"])
        if n > self.pages:
            return web.Response(status=404)
        if n == 3:
            return web.Response(body=b"\x89PNG", content_type="image/png")
        return web.Response(text=article(n), content_type="text/html")

    def urlset(self, first: int, last: int) -> bytes:
        locs = "".join(f"<url><loc>{self.base}/page/{n}</loc></url>" for n in range(first, last + 1))
        return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()

    async def sitemap(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        part = request.query.get("part")
        body = self.urlset(1, 3) if part == "1" else self.urlset(4, 6) if part == "2" else self.urlset(1, 6)
        return web.Response(body=body, content_type="application/xml")

    async def sitemap_gz(self, request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(self.urlset(1, 2)), content_type="application/gzip")

    async def index(self, request: web.Request) -> web.Response:
        maps = "".join(f"<sitemap><loc>{self.base}/sitemap.xml?part={n}</loc></sitemap>" for n in (1, 2))
        body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
        return web.Response(text=body, content_type="application/xml")

    async def big_index(self, request: web.Request) -> web.Response:
        """An index of BIG_CHILDREN sitemaps of BIG_URLS pages each, every page named once."""
        maps = "".join(f"<sitemap><loc>{self.base}/big/{k}.xml</loc></sitemap>" for k in range(BIG_CHILDREN))
        body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
        return web.Response(text=body, content_type="application/xml")

    async def big(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        first = int(request.match_info["k"]) * BIG_URLS + 1
        return web.Response(body=self.urlset(first, first + BIG_URLS - 1), content_type="application/xml")

    async def pdf(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        data = pdf_bytes([["The harbour froze in March."], ["The price of fish doubled."]], title="Report")
        return web.Response(body=data, content_type="application/pdf")

    async def live(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        if self.gone:
            return web.Response(status=410)
        etag = f'"v{self.version}"'
        if request.headers.get("If-None-Match") == etag:
            self.conditional.append(etag)
            return web.Response(status=304, headers={"ETag": etag})
        extra = " Traders said the price of fish tripled." if self.version > 1 else ""
        return web.Response(text=article(1, extra), content_type="text/html", headers={"ETag": etag})


@asynccontextmanager
async def served(site: Site) -> AsyncIterator[Site]:
    runner = web.AppRunner(site.app(), shutdown_timeout=0.5)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        site.base = f"http://{host}:{port}"
        yield site
    finally:
        await runner.cleanup()


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async with served(Site()) as running:
        yield running


@asynccontextmanager
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(policy=LOOPBACK, timeout=5.0) as opened:
        yield opened


async def test_one_page_is_one_article_with_the_url_it_came_from(site):
    async with fetcher() as f:
        taken = await take(f, f"{site.base}/page/1")
    (page,) = taken.pages
    assert page.draft.url == f"{site.base}/page/1" and "stayed frozen" in page.draft.text
    assert taken.listed == 1 and taken.refused == ()


async def test_a_sitemap_gives_its_pages_two_at_a_time_with_progress_and_reasons(site):
    seen: list[tuple[int, int]] = []
    async with fetcher() as f:
        taken = await take(
            f, f"{site.base}/sitemap.xml", progress=lambda done, total: seen.append((done, total))
        )
    assert [p.draft.url for p in taken.pages] == [f"{site.base}/page/{n}" for n in (1, 2, 4, 5, 6)]
    assert taken.refused == ((f"{site.base}/page/3", taken.refused[0][1]),)
    assert "content type" in taken.refused[0][1] and "\n" not in taken.refused[0][1]
    assert seen == [(n, 6) for n in range(1, 7)]
    assert site.most_active == 2, site.most_active  # two requests at a time, never more


async def test_max_pages_caps_a_sitemap_and_says_how_many_it_listed(site):
    async with fetcher() as f:
        taken = await take(f, f"{site.base}/sitemap.xml", max_pages=2)
    assert len(taken.pages) == 2 and taken.listed == 6
    assert site.requests.count("/page/3") == 0


async def test_pages_are_drafted_two_at_a_time_inside_the_request_gate(site, monkeypatch):
    """A page's draft (trafilatura, or a PDF's reading: up to 30 s and hundreds of MB) counts
    against the two at a time a site is read with, not only its request."""
    import threading
    import time

    import index.web.sources as sources

    lock, active, most = threading.Lock(), [0], [0]
    real = sources.draft_from_page

    def slow(fetched):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.3)
        with lock:
            active[0] -= 1
        return real(fetched)

    monkeypatch.setattr(sources, "draft_from_page", slow)
    async with fetcher() as f:
        taken = await take(f, f"{site.base}/sitemap.xml")
    assert len(taken.pages) == 5 and most[0] == sources.CONCURRENCY, most[0]


async def test_a_command_brings_in_at_most_max_add_bytes_and_the_pages_past_it_say_so(site):
    one = len(article(1).encode())
    async with fetcher() as f:
        taken = await take(f, f"{site.base}/sitemap.xml", max_bytes=2 * one + 10)
    assert [p.draft.url for p in taken.pages] == [f"{site.base}/page/{n}" for n in (1, 2)]
    capped = [why for _, why in taken.refused if "MAX_ADD_BYTES" in why]
    assert len(capped) == 3 and f"cap of {2 * one + 10:,} bytes (MAX_ADD_BYTES)" in capped[0]
    with pytest.raises(CitebotError, match="MAX_ADD_BYTES"):
        async with fetcher() as f:
            await take(f, f"{site.base}/page/1", max_bytes=10)


async def test_a_page_taken_keeps_what_a_sync_needs_and_not_its_body(site):
    """Hundreds of pages wait for one rebuild: each keeps its draft, its address, validators
    and hash, never the bytes it came in."""
    async with fetcher() as f:
        (page,) = (await take(f, f"{site.base}/live")).pages
    kept = [getattr(page.source, name) for name in vars(page.source)]
    assert not any(isinstance(value, bytes) for value in kept) and set(vars(page)) == {"draft", "source"}
    state = page.state("harbour-news-1", now=1.0)
    assert state.etag == '"v1"' and len(state.sha256) == 64 and page.source.size == len(article(1).encode())


async def test_a_sitemap_index_and_a_compressed_sitemap_are_followed(site):
    async with fetcher() as f:
        indexed = await take(f, f"{site.base}/index.xml")
        compressed = await take(f, f"{site.base}/sitemap.xml.gz")
    assert indexed.listed == 6 and len(indexed.pages) == 5
    assert [p.draft.url for p in compressed.pages] == [f"{site.base}/page/{n}" for n in (1, 2)]


async def test_a_sitemap_index_is_read_only_until_max_pages_are_in_hand(site):
    """Reading stops once the pages asked for are listed: of an index of 20 sitemaps, the first
    alone is fetched, and the count it gives is said to be a floor."""
    async with fetcher() as f:
        taken = await take(f, f"{site.base}/big-index.xml", max_pages=5)
    assert [r for r in site.requests if r.startswith("/big/")] == ["/big/0.xml"]
    assert taken.listed == BIG_URLS and taken.unread
    assert [p.draft.url for p in taken.pages] == [f"{site.base}/page/{n}" for n in (1, 2, 4, 5)]


async def test_sitemaps_and_a_crawled_page_are_parsed_off_the_event_loop(site, monkeypatch):
    """Parsing a sitemap (seconds on a hostile 10 MB file) or a page's links (a second on a
    large page) runs on a worker thread: the loop, every server's heartbeat, keeps turning."""
    import threading

    import index.web.sources as sources

    threads: list[str] = []

    def watched(real):
        def run(*args, **kwargs):
            threads.append(threading.current_thread().name)
            return real(*args, **kwargs)

        return run

    monkeypatch.setattr(sources, "parse_sitemap", watched(sources.parse_sitemap))
    monkeypatch.setattr(sources, "same_host_links", watched(sources.same_host_links))
    loop_thread = threading.current_thread().name
    async with fetcher() as f:
        await take(f, f"{site.base}/index.xml")
        await take(f, f"{site.base}/page/1", crawl=True)
    assert len(threads) == 4 and loop_thread not in threads, threads


async def test_a_crawl_takes_the_page_and_its_links_on_the_same_host_one_level_deep(site):
    async with fetcher() as f:
        taken = await take(f, f"{site.base}/page/1", crawl=True)
    assert [p.draft.url for p in taken.pages] == [f"{site.base}/page/1", f"{site.base}/page/2"]
    assert site.requests.count("/page/1") == 1  # the first page is not fetched twice
    assert "/page/3" not in site.requests  # one level deep: page 2's link is not followed


async def test_a_pdf_by_url_is_a_page_marked_article(site):
    async with fetcher() as f:
        (page,) = (await take(f, f"{site.base}/report.pdf")).pages
    assert page.draft.title == "Report" and "<!-- page 2 -->" in page.draft.text


async def test_a_url_that_cannot_be_had_is_one_line(site):
    async with fetcher() as f:
        with pytest.raises(CitebotError) as caught:
            await take(f, f"{site.base}/page/99")
    assert "not found" in caught.value.user_message and "\n" not in caught.value.user_message


async def test_an_unchanged_page_costs_one_conditional_request_and_a_changed_one_is_taken(site):
    async with fetcher() as f:
        (page,) = (await take(f, f"{site.base}/live")).pages
        state = page.state("harbour-news-1", now=100.0)
        site.requests.clear()
        same = await check(f, state, now=200.0)
        assert not same.changed and same.state.checked == 200.0 and same.state.changed == 100.0
        assert site.requests == ["/live"] and site.conditional == ['"v1"']
        site.version = 2
        changed = await check(f, same.state, now=300.0)
    assert changed.changed and "tripled" in changed.draft.text
    assert changed.state.changed == 300.0 and changed.state.etag == '"v2"'


async def test_a_page_that_has_gone_is_flagged_and_keeps_its_text(site):
    async with fetcher() as f:
        (page,) = (await take(f, f"{site.base}/live")).pages
        site.gone = True
        gone = await check(f, page.state("harbour-news-1", now=100.0), now=200.0)
    assert gone.state.gone and not gone.changed and "gone" in gone.state.problem
    assert gone.state.sha256 == page.state("x", 0).sha256  # the last good version is kept


async def test_a_failed_check_is_kept_as_the_problem(site):
    async with fetcher() as f:
        (page,) = (await take(f, f"{site.base}/live")).pages
    state = page.state("harbour-news-1", now=100.0)
    async with Fetcher(policy=parse_allow_private(""), timeout=5.0) as public_only:
        failed = await check(public_only, state, now=200.0)
    assert not failed.changed and not failed.state.gone and "address" in failed.state.problem
