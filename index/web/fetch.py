"""Fetching a URL safely: http(s) only, public addresses only (checked on the address actually
connected to), robots.txt respected, redirects, time and size capped, conditional requests."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from index.config import FETCH_TIMEOUT, WebConfig
from index.errors import CitebotError
from index.web.addresses import PUBLIC_ONLY, AddressPolicy
from index.web.robots import ALLOW_ALL, MAX_ROBOTS_BYTES, RobotsRules, origin, parse_robots, rules_for_status
from index.web.scope import Scope, current_scope, scope_for, within

log = logging.getLogger(__name__)

MAX_PAGE_BYTES = 5_000_000
MAX_REDIRECTS = 5

PAGE_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf",)
SITEMAP_TYPES = (
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "text/plain",
    "application/gzip",  # sitemap.xml.gz
    "application/x-gzip",
)

ROBOTS_AGENT = "citebot"  # the product token robots.txt rules name


def _version() -> str:
    try:
        return version("citebot")
    except PackageNotFoundError:
        return "dev"


USER_AGENT = f"{ROBOTS_AGENT}/{_version()} (a Discord bot that quotes news articles; honours robots.txt)"

REASONS = frozenset(
    {
        "not found",
        "gone",
        "timed out",
        "too large",
        "refused address",
        "credentials in the URL",
        "disallowed by robots.txt",
        "wrong content type",
        "refused by server",
        "server error",
        "too many redirects",
        "not http or https",
        "could not connect",
        "not HTTP",
    }
)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_MAX_URL_SHOWN = 300


def _shown(url: str) -> str:
    """``url`` as an error shows it: no user name or password, one line, not too long."""
    try:
        parsed = URL(url)
        if parsed.user is not None or parsed.password is not None:
            url = str(parsed.with_user(None))
    except (ValueError, TypeError):
        pass
    url = " ".join(url.split())
    return url if len(url) <= _MAX_URL_SHOWN else url[: _MAX_URL_SHOWN - 1] + "…"


# Reasons whose detail goes to the log only (see FetchError).
_DETAIL_LOGGED_ONLY = frozenset({"could not connect", "not HTTP"})


class FetchError(CitebotError):
    """A URL that could not be fetched, and why, in one line: ``https://example.com/x: not
    found (404)``.

    Attributes:
        url: the URL that failed (for a redirect, the hop that failed).
        reason: one of ``REASONS``: ``"not found"``, ``"gone"``, ``"timed out"``, ``"too large"``,
            ``"refused address"``, ``"credentials in the URL"``, ``"disallowed by robots.txt"``,
            ``"wrong content type"``, ``"refused by server"`` (401, 403, 429 and other 4xx),
            ``"server error"``,
            ``"too many redirects"``, ``"not http or https"``, ``"could not connect"``, ``"not HTTP"``
            (the server answered, but not in HTTP: an SSH or Redis port, say).
        status: the HTTP status that caused it, if one did.
        why: the detail after the reason (``"404"``, ``"image/png"``), or ``""``.
    """

    def __init__(self, url: str, reason: str, why: str = "", *, status: int | None = None) -> None:
        if reason not in REASONS:
            raise ValueError(f"{reason!r} is not one of FetchError's reasons")
        self.url = url
        self.reason = reason
        self.status = status
        self.why = " ".join(why.split())
        shown = _shown(url)
        message = f"{shown}: {reason}" + (f" ({self.why})" if self.why else "")
        shown_to_users = message
        if reason in _DETAIL_LOGGED_ONLY and self.why:
            # what a failed connection says (an address, a service's banner) is for the log:
            # the editor, and everyone through /sources, sees the reason alone
            log.info("%s", message)
            shown_to_users = f"{shown}: {reason}"
        super().__init__(message, user_message=shown_to_users)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.url, self.reason, self.why), {"status": self.status})


@dataclass(frozen=True)
class Fetched:
    """A response worth reading: a page (200) or the news that it has not changed (304).

    Attributes:
        url: the final URL, after redirects.
        status: 200 (or another 2xx), or 304 when a conditional request found it unchanged.
        content_type: the media type, lower case, without parameters (``"text/html"``); ``""``
            when a 304 names none.
        charset: the charset the server declared, or None.
        body: the bytes (``b""`` for a 304).
        etag: the ``ETag`` to send next time, or None.
        last_modified: the ``Last-Modified`` to send next time, or None.
    """

    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """Whether the page is unchanged since the ``etag`` / ``last_modified`` sent."""
        return self.status == 304


class _RefusedAddress(OSError):
    """Raised inside aiohttp's connector (which passes OSErrors on) when an address is refused."""


class _PolicyResolver(AbstractResolver):
    """aiohttp's own resolver with every address the chain's scope does not permit dropped, so
    the connector can only connect to permitted ones; each permitted address is recorded in the
    scope for the socket factory's second look."""

    def __init__(self) -> None:
        self._inner = aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        scope = current_scope() or Scope(PUBLIC_ONLY)
        allowed = []
        for result in results:
            address = ipaddress.ip_address(result["host"])
            if scope.permits(host, address):
                scope.approved.add(address)
                allowed.append(result)
        if not allowed:
            found = ", ".join(sorted({result["host"] for result in results}))
            # the addresses a private name stands for are the log's to know, not the editor's
            log.info("%s resolves to %s only, none of them permitted", host, found)
            raise _RefusedAddress(f"{host} has no public address")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def _legacy_ipv4(host: str) -> bool:
    """Whether ``host`` is an old numeric form of an IPv4 address (``127.1``, ``2130706433``,
    ``0x7f.1``) that the C library would connect to but ``ipaddress`` does not read."""
    try:
        socket.inet_aton(host)
    except (OSError, ValueError):
        return False
    return True


def _accepts(accept: tuple[str, ...], content_type: str) -> bool:
    major = content_type.split("/", 1)[0]
    return any(kind in ("*/*", content_type, f"{major}/*") for kind in accept)


class Fetcher:
    """One HTTP session that fetches only what it should.

    Use as ``async with Fetcher.configured(web_config()) as fetcher:``
    then ``await fetcher.get(url)``. robots.txt is read once per origin and kept for the
    fetcher's life.
    """

    def __init__(
        self,
        *,
        policy: AddressPolicy = PUBLIC_ONLY,
        timeout: float = FETCH_TIMEOUT,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.policy = policy
        self.timeout = timeout
        self.user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None
        self._robots: dict[str, RobotsRules] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def configured(cls, web: WebConfig) -> Fetcher:
        """A fetcher with the operator's settings (``index.config.web_config``)."""
        return cls(policy=web.allow_private, timeout=web.fetch_timeout)

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(
            resolver=_PolicyResolver(),
            use_dns_cache=False,
            socket_factory=self._open_socket,
            force_close=True,  # no connection kept for a request of another chain's scope
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=self.timeout, sock_connect=self.timeout, sock_read=self.timeout
            ),
            headers={"User-Agent": self.user_agent},
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,  # never a proxy from the environment: the address check is ours
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open_socket(self, addr_info: Any) -> socket.socket:
        # The last word, at connect time: the socket is only opened to an address the resolver
        # (or the literal-address check) permitted.
        family, type_, proto, _, sockaddr = addr_info
        address = ipaddress.ip_address(sockaddr[0])
        scope = current_scope()
        if scope is None or address not in scope.approved:
            raise _RefusedAddress(f"{address} was not permitted")
        return socket.socket(family=family, type=type_, proto=proto)

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: tuple[str, ...] = PAGE_TYPES,
        max_bytes: int = MAX_PAGE_BYTES,
    ) -> Fetched:
        """Fetch ``url``, following up to ``MAX_REDIRECTS`` redirects, each hop checked.

        Args:
            url: an http or https URL.
            etag: the ``ETag`` of the copy held; sent as ``If-None-Match``.
            last_modified: the ``Last-Modified`` of the copy held; sent as ``If-Modified-Since``.
            accept: the media types wanted (``"text/*"`` and ``"*/*"`` work); any other is
                refused before the body is read.
            max_bytes: the most bytes of body read; a larger page is refused.

        Returns:
            The page, or a ``Fetched`` whose ``not_modified`` is true (304).

        Raises:
            FetchError: the page cannot be had; ``reason`` says why in a few words.
        """
        # outside a chain (take's or a sync's), this URL starts one: it decides whether private
        # addresses may be reached
        with within(current_scope() or await scope_for(self.policy, url)):
            return await self._get(
                url, etag=etag, last_modified=last_modified, accept=accept, max_bytes=max_bytes, robots=True
            )

    async def allowed_by_robots(self, url: str) -> bool:
        """Whether the site's robots.txt lets citebot fetch ``url``.

        Raises:
            FetchError: robots.txt cannot be reached at all (refused address, timed out, could
                not connect, not http or https).
        """
        rules = await self.robots_rules(url)
        return rules.allows(url, ROBOTS_AGENT)

    async def robots_rules(self, url: str) -> RobotsRules:
        """The robots.txt rules of ``url``'s origin, fetched once and then kept.

        A missing robots.txt (404 and other 4xx, a redirect loop) allows everything; 401, 403
        and 5xx forbid everything.

        Raises:
            FetchError: robots.txt cannot be reached at all (not kept: the next call tries again).
        """
        key = origin(url)
        async with self._robots_locks.setdefault(key, asyncio.Lock()):
            if key not in self._robots:
                with within(current_scope() or await scope_for(self.policy, url)):
                    self._robots[key] = await self._fetch_robots(key)
            return self._robots[key]

    async def _fetch_robots(self, key: str) -> RobotsRules:
        try:
            fetched = await self._get(
                f"{key}/robots.txt", accept=("*/*",), max_bytes=MAX_ROBOTS_BYTES, robots=False, truncate=True
            )
        except FetchError as exc:
            if exc.status is not None:
                return rules_for_status(exc.status)
            if exc.reason == "too many redirects":
                return ALLOW_ALL
            raise
        return parse_robots(fetched.body)

    async def _get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: tuple[str, ...],
        max_bytes: int,
        robots: bool,
        truncate: bool = False,
    ) -> Fetched:
        if self._session is None:
            raise RuntimeError("use the Fetcher as `async with Fetcher(...) as fetcher`")
        chain = current_scope() or Scope(PUBLIC_ONLY)  # get() always starts one
        headers = {"Accept": ", ".join(accept)}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for hop in range(MAX_REDIRECTS + 1):
            try:
                host = self._check_url(current, chain)
                if robots:
                    try:
                        allowed = await self.allowed_by_robots(current)
                    except FetchError as exc:
                        raise FetchError(current, exc.reason, f"robots.txt: {exc.why}".rstrip(": ")) from exc
                    if not allowed:
                        raise FetchError(current, "disallowed by robots.txt")
                with self._errors(current):
                    async with self._session.get(current, headers=headers, allow_redirects=False) as response:
                        self._check_peer(current, host, chain, response)
                        location = response.headers.get("Location")
                        if response.status in _REDIRECTS and location:
                            log.debug("%s redirects to %s", current, location)
                            current = urljoin(str(response.url), location)
                            continue
                        return await self._answer(
                            current, response, etag, last_modified, accept, max_bytes, truncate
                        )
            except FetchError as exc:
                narrowed = chain.home is not None or not chain.private
                if hop > 0 and exc.reason == "refused address" and narrowed and self.policy != PUBLIC_ONLY:
                    # the operator allows the address, but not from where this chain began
                    raise FetchError(current, "refused address", chain.refusal(url)) from exc
                raise
        raise FetchError(url, "too many redirects", f"more than {MAX_REDIRECTS}")

    def _check_url(self, url: str, chain: Scope) -> str:
        """The URL's host, once its scheme and (for a literal address) its address pass."""
        try:
            parsed = URL(url)
        except (ValueError, TypeError) as exc:
            raise FetchError(url, "not http or https", str(exc)) from None
        if parsed.scheme not in ("http", "https"):
            raise FetchError(url, "not http or https", f"{parsed.scheme or 'no'} scheme")
        if parsed.user is not None or parsed.password is not None:
            # they would be sent to every hop, written to the article's front matter and the
            # sources database, and shown by /sources: give the URL without them
            raise FetchError(url, "credentials in the URL", "give it without a user name or password")
        host = parsed.host
        if not host:
            raise FetchError(url, "not http or https", "no host")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if _legacy_ipv4(host):
                raise FetchError(url, "refused address", f"{host} is not a canonical IPv4 address") from None
            return host  # a name: the resolver checks every address it stands for
        if not chain.permits(host, address):
            raise FetchError(url, "refused address", f"{address} is not a public address")
        chain.approved.add(address)
        return host

    def _check_peer(self, url: str, host: str, chain: Scope, response: aiohttp.ClientResponse) -> None:
        # Belt and braces: the peer the response came from. (aiohttp lets go of the connection
        # as soon as a short body is in, so this sees the peer only while one is attached; the
        # socket factory has already checked the address before connecting.)
        connection = response.connection
        transport = connection.transport if connection is not None else None
        peer = transport.get_extra_info("peername") if transport is not None else None
        if not peer:
            return
        address = ipaddress.ip_address(peer[0])
        if not chain.permits(host, address):
            response.close()
            raise FetchError(url, "refused address", f"{address} is not a public address")

    async def _answer(
        self,
        url: str,
        response: aiohttp.ClientResponse,
        etag: str | None,
        last_modified: str | None,
        accept: tuple[str, ...],
        max_bytes: int,
        truncate: bool,
    ) -> Fetched:
        status = response.status
        has_type = "Content-Type" in response.headers
        new_etag = response.headers.get("ETag")
        new_modified = response.headers.get("Last-Modified")
        if status == 304:
            return Fetched(
                url=url,
                status=304,
                content_type=response.content_type if has_type else "",
                charset=response.charset,
                body=b"",
                etag=new_etag or etag,
                last_modified=new_modified or last_modified,
            )
        if status == 404:
            raise FetchError(url, "not found", "404", status=status)
        if status == 410:
            raise FetchError(url, "gone", "410", status=status)
        if 400 <= status < 500:
            raise FetchError(url, "refused by server", str(status), status=status)
        if not 200 <= status < 300:
            raise FetchError(url, "server error", str(status), status=status)
        content_type = response.content_type if has_type else "application/octet-stream"
        if not _accepts(accept, content_type):
            response.close()
            raise FetchError(url, "wrong content type", content_type if has_type else "none given")
        body = await self._read(url, response, max_bytes, truncate)
        return Fetched(
            url=url,
            status=status,
            content_type=content_type,
            charset=response.charset,
            body=body,
            etag=new_etag,
            last_modified=new_modified,
        )

    @staticmethod
    async def _read(url: str, response: aiohttp.ClientResponse, max_bytes: int, truncate: bool) -> bytes:
        """The body, refused (or, with ``truncate``, cut) past ``max_bytes``: by its declared
        length before a byte is read, and by counting as it comes (a server may lie or never
        stop)."""
        declared = response.content_length
        if declared is not None and declared > max_bytes and not truncate:
            response.close()
            raise FetchError(url, "too large", f"{declared:,} bytes; the limit is {max_bytes:,}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                response.close()
                if truncate:
                    break
                raise FetchError(url, "too large", f"more than {max_bytes:,} bytes")
        return b"".join(chunks)

    @contextmanager
    def _errors(self, url: str) -> Iterator[None]:
        """aiohttp's and the network's failures as FetchErrors with a reason."""
        try:
            yield
        except FetchError:
            raise
        except TimeoutError:
            raise FetchError(url, "timed out", f"{self.timeout:g} s") from None
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, _RefusedAddress):
                raise FetchError(url, "refused address", str(exc.os_error)) from None
            raise FetchError(url, "could not connect", str(exc.os_error) or type(exc).__name__) from exc
        except aiohttp.InvalidURL as exc:
            raise FetchError(url, "not http or https", str(exc)) from None
        except aiohttp.ClientResponseError as exc:  # statuses are read by hand: this is no HTTP reply
            raise FetchError(url, "not HTTP", str(exc)) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise FetchError(url, "could not connect", str(exc) or type(exc).__name__) from exc
