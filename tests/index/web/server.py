"""A small web site on loopback for the fetcher's tests: pages, redirects, robots.txt, errors,
endless and slow bodies, and a log of every request it was sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web
from multidict import CIMultiDictProxy

PAGE = b"<html><head><title>Troops</title></head><body><p>The troops moved north.</p></body></html>"
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"
ROBOTS = "User-agent: citebot\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"
SLOW_SECONDS = 5.0  # longer than any test's fetch timeout; the handler is cancelled when the client leaves
ENDLESS_CHUNK = b"x" * 16_384

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    """One request the site received."""

    path: str
    headers: CIMultiDictProxy[str]


@dataclass
class Site:
    """The site's state: what it was asked, and what it sent of its endless bodies."""

    robots: str | None = ROBOTS  # None: robots.txt is missing (404)
    robots_status: int = 200  # another status: robots.txt answers it instead of the file
    seen: list[Seen] = field(default_factory=list)
    endless_bytes_sent: int = 0
    declared_bytes_sent: int = 0
    base: str = ""

    def paths(self) -> list[str]:
        """The paths asked for, in order."""
        return [request.path for request in self.seen]

    def app(self) -> web.Application:
        app = web.Application()
        app.middlewares.append(self._record)
        app.router.add_get("/robots.txt", self._robots)
        app.router.add_get("/page", self._page)
        app.router.add_get("/private", self._page)
        app.router.add_get("/plain", self._plain)
        app.router.add_get("/hop/{left}", self._hop)
        app.router.add_get("/to", self._to)
        app.router.add_get("/list.xml", self._list)
        app.router.add_get("/missing", self._status(404))
        app.router.add_get("/gone", self._status(410))
        app.router.add_get("/forbidden", self._status(403))
        app.router.add_get("/broken", self._status(500))
        app.router.add_get("/image", self._image)
        app.router.add_get("/endless", self._endless)
        app.router.add_get("/declared-huge", self._declared_huge)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/drip", self._drip)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.seen.append(Seen(request.path, request.headers))
        return await handler(request)

    async def _robots(self, request: web.Request) -> web.StreamResponse:
        if self.robots is None:
            raise web.HTTPNotFound()
        if self.robots_status != 200:
            return web.Response(status=self.robots_status, text="no")
        return web.Response(text=self.robots, content_type="text/plain")

    async def _page(self, request: web.Request) -> web.StreamResponse:
        headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        if request.headers.get("If-None-Match") == ETAG or request.headers.get("If-Modified-Since") == (
            LAST_MODIFIED
        ):
            return web.Response(status=304, headers=headers)
        return web.Response(body=PAGE, content_type="text/html", charset="iso-8859-1", headers=headers)

    async def _plain(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text="just text", content_type="text/plain")

    async def _hop(self, request: web.Request) -> web.StreamResponse:
        left = int(request.match_info["left"])
        raise web.HTTPFound("/page" if left == 0 else f"/hop/{left - 1}")

    async def _to(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(request.query["url"])

    async def _list(self, request: web.Request) -> web.StreamResponse:
        """A sitemap of the ``url`` parameters given."""
        locs = "".join(f"<url><loc>{url}</loc></url>" for url in request.query.getall("url", []))
        return web.Response(text=f"<urlset>{locs}</urlset>", content_type="application/xml")

    @staticmethod
    def _status(status: int) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, text=f"status {status}")

        return handler

    async def _image(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")

    async def _endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        while True:  # ends when the client hangs up and the write fails
            await response.write(ENDLESS_CHUNK)
            self.endless_bytes_sent += len(ENDLESS_CHUNK)

    async def _declared_huge(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.content_length = 50_000_000
        await response.prepare(request)
        await asyncio.sleep(SLOW_SECONDS)  # the body comes only if the client waits for it
        await response.write(b"x" * 1000)
        self.declared_bytes_sent += 1000
        return response

    async def _drip(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        for _ in range(int(SLOW_SECONDS / 0.1)):  # a byte now and then: never idle, never done
            await response.write(b"x")
            await asyncio.sleep(0.1)
        return response

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(SLOW_SECONDS)
        return web.Response(body=PAGE, content_type="text/html")


@asynccontextmanager
async def serve(site: Site, host: str = "127.0.0.1") -> AsyncIterator[Site]:
    """``site`` served on ``host`` at a free port (its ``base`` set to ``http://host:port``)
    until the block ends."""
    runner = web.AppRunner(site.app(), shutdown_timeout=0.5, handler_cancellation=True)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, 0).start()
        bound_host, port = runner.addresses[0][:2]
        site.base = f"http://{bound_host}:{port}"
        yield site
    finally:
        await runner.cleanup()
