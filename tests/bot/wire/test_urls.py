"""/article add url: and /article sync over the wire: the real bot, model, folder and index, a
fake Discord and a small web site on loopback (pages, a slow sitemap, a page that changes and
one that goes). They change the shared library (``shared``: the fake server may, being citebot's
only one); tests/bot/wire/test_libraries.py adds pages to a server's own."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from ipaddress import ip_address

import pytest
from aiohttp import web

from bot import config
from bot.cogs.articles import BUSY_READING
from index import parse_allow_private
from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import PAGE, running, told

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

LOOPBACK = "127.0.0.1"
FISH = "What happened to the price of fish in Wonsan?"
PAGE_SECONDS = 0.6  # each sitemap page is this slow, so that progress is shown more than once
PAGES = 8  # the sitemap's pages: /page/1..8, of which /page/4 is an image
CHILDREN, CHILD_URLS = 20, 50_000  # /index.xml: the most sitemaps read, of the most pages each
TICK = 0.01  # the loop ticker's beat, while a sitemap index is read


def page(n: int) -> str:
    return (
        f"<html><head><title>Lighthouse log {n}</title></head><body><article><h1>Lighthouse log {n}</h1>"
        f"<p>On day {n} the keeper of the Kalma lighthouse counted {n * 11} ships passing the cape "
        "while the fog horn sounded every minute.</p></article></body></html>"
    )


class Site:
    """A site on loopback: /story (the harbour article, with an ETag; /story changes when told),
    /sitemap.xml of slow pages, and /gone once it is told to go."""

    def __init__(self) -> None:
        self.base = ""
        self.version = 1
        self.gone = False
        self.story_requests = 0
        self.children_read = 0
        self.first_page_at: float | None = None  # when a page (not a sitemap) was first asked for

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/robots.txt", self.no_robots)
        app.router.add_get("/story", self.story)
        app.router.add_get("/sitemap.xml", self.sitemap)
        app.router.add_get("/page/{n}", self.page)
        app.router.add_get("/contents", self.contents)
        app.router.add_get("/index.xml", self.index)
        app.router.add_get("/child/{k}.xml", self.child)
        return app

    async def index(self, request: web.Request) -> web.Response:
        maps = "".join(f"<sitemap><loc>{self.base}/child/{k}.xml</loc></sitemap>" for k in range(CHILDREN))
        body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
        return web.Response(text=body, content_type="application/xml")

    async def child(self, request: web.Request) -> web.Response:
        self.children_read += 1
        first = int(request.match_info["k"]) * CHILD_URLS + 1

        def urlset() -> bytes:
            locs = "".join(
                f"<url><loc>{self.base}/page/{n}</loc></url>" for n in range(first, first + CHILD_URLS)
            )
            return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()

        return web.Response(body=await asyncio.to_thread(urlset), content_type="application/xml")

    async def contents(self, request: web.Request) -> web.Response:
        links = "".join(f'<li><a href="/page/{n}">Log {n}</a></li>' for n in (1, 2, 4))
        body = (
            "<html><head><title>The Kalma lighthouse logs</title></head><body><article>"
            "<h1>The Kalma lighthouse logs</h1><p>The keeper of the Kalma lighthouse wrote a log "
            f"every day of the winter, and the harbour office keeps them all.</p><ul>{links}</ul>"
            '<p><a href="https://elsewhere.example/x">Elsewhere</a></p></article></body></html>'
        )
        return web.Response(text=body, content_type="text/html")

    async def no_robots(self, request: web.Request) -> web.Response:
        return web.Response(status=404)

    async def story(self, request: web.Request) -> web.Response:
        self.story_requests += 1
        if self.gone:
            return web.Response(status=410)
        etag = f'"v{self.version}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        body = PAGE if self.version == 1 else PAGE.replace(b"doubled", b"tripled")
        return web.Response(body=body, content_type="text/html", headers={"ETag": etag})

    async def sitemap(self, request: web.Request) -> web.Response:
        locs = "".join(f"<url><loc>{self.base}/page/{n}</loc></url>" for n in range(1, PAGES + 1))
        body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
        return web.Response(text=body, content_type="application/xml")

    async def page(self, request: web.Request) -> web.Response:
        if self.first_page_at is None:
            self.first_page_at = time.monotonic()
        await asyncio.sleep(PAGE_SECONDS)
        n = int(request.match_info["n"])
        if n == 4:
            return web.Response(body=b"\x89PNG\r\n", content_type="image/png")
        return web.Response(text=page(n), content_type="text/html")


@asynccontextmanager
async def serving(host: str = LOOPBACK) -> AsyncIterator[Site]:
    site = Site()
    runner = web.AppRunner(site.app())
    await runner.setup()
    tcp = web.TCPSite(runner, host, 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]
    site.base = f"http://{host}:{port}"
    try:
        yield site
    finally:
        await runner.cleanup()


async def asked(fake: FakeDiscord, question: str) -> dict:
    """The embed /ask answers ``question`` with."""
    interaction = await fake.slash("ask", question=question)
    return (await fake.followup(interaction, timeout=30)).json["embeds"][0]


def rebuilds(library) -> list[bool]:
    """Each refresh of the library that rebuilt the index, from now on (a spy on this library)."""
    seen: list[bool] = []
    refresh = library.refresh

    def counted():
        change = refresh()
        if change.changed:
            seen.append(True)
        return change

    library.refresh = counted
    return seen


async def add_story(fake: FakeDiscord, site: Site) -> str:
    add = await fake.slash("article add", shared=True, url=f"{site.base}/story")
    return await told(fake, add, "Added")


async def test_a_page_added_by_url_is_answered_and_keeps_its_url_and_state(library, tmp_path, fake):
    async with serving() as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK) as bot:
        assert "price of fish doubled" not in str(await asked(fake, FISH))
        text = await add_story(fake, site)
        assert "Wonsan harbour freezes" in text and "wonsan-harbour-freezes" in text
        assert "price of fish doubled" in (await asked(fake, FISH))["description"]
        saved = list(library.folder.glob("wonsan-harbour-freezes*.md"))
        assert len(saved) == 1 and f"url: {site.base}/story" in saved[0].read_text()
        state = bot.sources.get("wonsan-harbour-freezes")
        assert state is not None and state.url == f"{site.base}/story" and state.etag == '"v1"'
        sources = await fake.slash("sources")
        embed = (await fake.response(sources)).json["data"]["embeds"][0]
        field = next(f for f in embed["fields"] if f["name"] == "Wonsan harbour freezes")
        assert f"({site.base}/story)" in field["value"] and "checked" in field["value"]
        again = await fake.slash("article add", shared=True, url=f"{site.base}/story")
        said = await told(fake, again, "Not added")
        assert said == "Not added: already added as wonsan-harbour-freezes; /article sync updates it."
        assert len(list(library.folder.glob("wonsan-harbour-freezes*.md"))) == 1


async def test_a_sitemap_adds_its_pages_in_one_rebuild_with_progress_at_most_once_a_second(
    library, tmp_path, fake
):
    async with serving() as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK):
        rebuilt = rebuilds(library)
        add = await fake.slash("article add", shared=True, url=f"{site.base}/sitemap.xml")
        text = await told(fake, add, "Added", timeout=90)
        progress = [
            c
            for c in fake.callbacks(add)
            if c.method == "PATCH" and re.fullmatch(r"\d+ of 8 pages…", (c.json or {}).get("content", ""))
        ]
        assert len(progress) >= 2, [c.json for c in fake.callbacks(add)]
        gaps = [b.at - a.at for a, b in zip(progress, progress[1:], strict=False)]
        assert all(gap >= config.PROGRESS_EVERY - 0.05 for gap in gaps), gaps
        assert text.startswith("Added 7 of 8 page(s) from")
        assert all(f"`lighthouse-log-{n}`" in text for n in (1, 2, 3, 5, 6, 7, 8))
        assert "Refused (1):" in text and f"{site.base}/page/4: " in text and "image/png" in text
        assert rebuilt == [True]
        assert "Kalma" in (await asked(fake, "How many ships did the keeper count on day 6?"))["description"]


async def test_a_sitemap_index_of_a_million_pages_is_read_without_stalling_the_loop(library, tmp_path, fake):
    """20 sitemaps of 50,000 pages behind one index, MAX_PAGES 5: the first sitemap alone is
    fetched, parsed off the loop, and a ticker on the loop (every server's heartbeat) never
    stands still half a second while the sitemaps are read."""
    ticks: list[float] = []
    reading = True

    async def ticker() -> None:
        while reading:
            ticks.append(time.monotonic())
            await asyncio.sleep(TICK)

    async with (
        serving() as site,
        running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK, MAX_PAGES="5"),
    ):
        beat = asyncio.create_task(ticker())
        add = await fake.slash("article add", shared=True, url=f"{site.base}/index.xml")
        text = await told(fake, add, "Added", timeout=90)
        reading = False
        await beat
    assert text.startswith("Added 4 of 5 page(s)") and "It listed at least 50,000 pages" in text
    assert site.children_read == 1 and site.first_page_at is not None
    read = [t for t in ticks if t <= site.first_page_at]
    gaps = [b - a for a, b in zip(read, read[1:], strict=False)]
    assert len(read) > 10 and max(gaps) < 0.5, max(gaps)


async def test_a_crawl_adds_the_page_and_the_pages_it_links_to_on_its_site(library, tmp_path, fake):
    async with serving() as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK):
        add = await fake.slash("article add", shared=True, url=f"{site.base}/contents", crawl=True)
        text = await told(fake, add, "Added", timeout=60)
        assert text.startswith("Added 3 of 4 page(s)")
        assert all(f"`{slug}`" in text for slug in ("the-kalma-lighthouse-logs", "lighthouse-log-1"))
        assert f"{site.base}/page/4: " in text and "elsewhere.example" not in text


async def test_one_url_is_read_at_a_time_and_a_second_editor_is_told_so(library, tmp_path, fake):
    async with serving() as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK):
        first = await fake.slash("article add", shared=True, url=f"{site.base}/sitemap.xml")
        await fake.response(first)  # deferred: the site's slow pages are being read
        second = await fake.slash("article add", shared=True, url=f"{site.base}/story")
        assert await told(fake, second, "Not added") == BUSY_READING
        assert site.story_requests == 0
        assert (await told(fake, first, "Added", timeout=90)).startswith("Added 7 of 8")
        third = await fake.slash("article add", shared=True, url=f"{site.base}/story")
        assert "Wonsan harbour freezes" in await told(fake, third, "Added")  # once the first is done


async def test_crawl_without_a_url_is_refused(library, tmp_path, fake):
    async with running(library, tmp_path, fake):
        add = await fake.slash("article add", shared=True, crawl=True)
        assert await told(fake, add, "Not added") == "Not added: `crawl` goes with a `url`."


async def test_progress_goes_on_in_the_channel_once_the_token_has_expired(
    library, tmp_path, fake, monkeypatch
):
    monkeypatch.setattr(config, "INTERACTION_LIFETIME", 0.0)
    async with serving() as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK):
        add = await fake.slash("article add", shared=True, url=f"{site.base}/sitemap.xml")
        await fake.response(add)  # the deferral
        sent = await fake.wait_for(
            lambda c: c.method == "POST" and c.path == f"/channels/{fake.channel_id}/messages", 30
        )
        assert re.fullmatch(r"\d+ of 8 pages…", sent.json["content"])
        final = await fake.wait_for(
            lambda c: (
                c.method == "PATCH"
                and c.path.startswith(f"/channels/{fake.channel_id}/messages/")
                and "Added 7 of 8" in c.json.get("content", "")
            ),
            60,
        )
        assert final.json["allowed_mentions"]["parse"] == []
        posted = [c for c in fake.calls if c.method == "POST" and c.path.endswith("/messages")]
        assert len([c for c in posted if "pages" in (c.json or {}).get("content", "")]) == 1  # sent once
        assert not [c for c in fake.callbacks(add) if c.method == "PATCH"]  # the token is left alone


@pytest.mark.parametrize(("allowed", "host"), [("", LOOPBACK), (LOOPBACK, "127.0.0.2")])
async def test_a_url_at_a_refused_address_is_one_line_and_adds_nothing(
    library, tmp_path, fake, allowed, host
):
    assert not parse_allow_private(allowed).permits(host, ip_address(host))
    async with serving(host) as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=allowed):
        before = sorted(p.name for p in library.folder.iterdir())
        add = await fake.slash("article add", shared=True, url=f"{site.base}/story")
        text = await told(fake, add, "Not added")
        assert text.startswith(f"Not added: {site.base}/story: refused address (") and "\n" not in text
        assert f"{host} is not a public address" in text
        assert site.story_requests == 0
        assert sorted(p.name for p in library.folder.iterdir()) == before


async def test_a_changed_page_is_updated_by_a_sync_and_an_unchanged_one_costs_nothing(
    library, tmp_path, fake
):
    async with serving() as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK) as bot:
        await add_story(fake, site)
        engine, requests = library.engine, site.story_requests
        unchanged = await fake.slash("article sync", shared=True)
        assert "1 unchanged" in await told(fake, unchanged, "Checked")
        assert library.engine is engine and site.story_requests == requests + 1
        site.version = 2
        sync = await fake.slash("article sync", shared=True, id="wonsan-harbour-freezes")
        text = await told(fake, sync, "Checked")
        assert "0 unchanged" in text and "Updated and reindexed: `wonsan-harbour-freezes`" in text
        assert "price of fish tripled" in (await asked(fake, FISH))["description"]
        state = bot.sources.get("wonsan-harbour-freezes")
        assert state is not None and state.etag == '"v2"' and state.changed >= state.fetched


async def test_a_page_gone_upstream_is_flagged_and_its_last_version_still_answered(library, tmp_path, fake):
    async with serving() as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK):
        await add_story(fake, site)
        site.gone = True
        sync = await fake.slash("article sync", shared=True)
        assert "Gone upstream" in await told(fake, sync, "Checked")
        listed = await fake.slash("article list")
        embed = (await fake.response(listed)).json["data"]["embeds"][0]
        assert embed["fields"][0]["name"].startswith("Gone upstream")
        flagged = next(f for f in embed["fields"] if f["name"] == "Wonsan harbour freezes")
        assert "gone upstream" in flagged["value"] and "last good version" in flagged["value"]
        assert "price of fish doubled" in (await asked(fake, FISH))["description"]


async def test_a_removed_article_is_synced_no_more(library, tmp_path, fake):
    async with serving() as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK) as bot:
        await add_story(fake, site)
        remove = await fake.slash("article remove", shared=True, id="wonsan-harbour-freezes")
        await told(fake, remove, "Remove **Wonsan harbour freezes**")
        confirm = next(m for m in fake.messages.values() if "art:rm:" in str(m.get("components")))
        clicked = await fake.click(confirm, confirm["components"][0]["components"][0]["custom_id"])
        await told(fake, clicked, "Removed")
        assert bot.sources.get("wonsan-harbour-freezes") is None
        requests = site.story_requests
        sync = await fake.slash("article sync", shared=True)
        assert "No article added from a URL" in await told(fake, sync, "No article")
        assert site.story_requests == requests


async def test_sync_every_checks_the_pages_in_the_background(library, tmp_path, fake, monkeypatch):
    monkeypatch.setattr(config, "SYNC_CLOCK", 0.1)
    async with serving() as site, running(library, tmp_path, fake, ALLOW_PRIVATE_URLS=LOOPBACK) as bot:
        await add_story(fake, site)
        site.version = 2
        bot.config = replace(bot.config, sync_every=0.5)  # SYNC_EVERY allows 10 minutes at least
        deadline = time.monotonic() + 30
        while "price of fish tripled" not in library.find("wonsan-harbour-freezes").raw:
            assert time.monotonic() < deadline, "the background sync never brought the change in"
            await asyncio.sleep(0.2)
