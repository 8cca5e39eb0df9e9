"""What a URL gives: one page, every page of a sitemap (or sitemap index), or a page and the
pages it links to on its own host; and a page checked again for a change since it was taken."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from index.config import MAX_ADD_BYTES, MAX_PAGES
from index.corpus.intake import Draft
from index.corpus.pdf import MAX_PDF_BYTES
from index.errors import CitebotError
from index.web.fetch import MAX_PAGE_BYTES, FetchError
from index.web.links import same_host_links
from index.web.pages import HTML_TYPES, PAGE_TYPES, PDF_TYPES, TEXT_TYPES, draft_from_page
from index.web.scope import scope_for, within
from index.web.sitemap import MAX_SITEMAP_BYTES, looks_like_sitemap, parse_sitemap
from index.web.state import SourceState, content_hash

if TYPE_CHECKING:
    from index.web.fetch import Fetched, Fetcher

MAX_SITEMAPS = 20  # child sitemaps of a sitemap index read, at most
CONCURRENCY = 2  # requests at a time to the site being read
SITEMAP_TYPES = ("application/xml", "text/xml", "application/gzip", "application/x-gzip")
FIRST_TYPES = HTML_TYPES + TEXT_TYPES + SITEMAP_TYPES
GONE = ("not found", "gone")  # a page that has gone keeps its last good version

Progress = Callable[[int, int], Awaitable[None] | None]


@dataclass(frozen=True)
class Source:
    """What a sync needs of the response a page came in: its address (after redirects), the
    validators to send next time, and the hash of its body. The body itself is not kept once
    the page is drafted."""

    url: str
    etag: str | None
    last_modified: str | None
    sha256: str
    size: int  # bytes of body fetched

    @classmethod
    def of(cls, fetched: Fetched) -> Source:
        body = fetched.body
        return cls(fetched.url, fetched.etag, fetched.last_modified, content_hash(body), len(body))


@dataclass(frozen=True)
class Page:
    """A page taken: the article it makes, and where it came from (for the sync state)."""

    draft: Draft
    source: Source

    def state(self, slug: str, now: float) -> SourceState:
        """The sync state of the article this page became."""
        f = self.source
        return SourceState(slug, f.url, now, now, now, f.etag, f.last_modified, f.sha256)


@dataclass(frozen=True)
class Taken:
    """What a URL gave: its pages, and the addresses refused with why (one line each)."""

    pages: tuple[Page, ...]
    refused: tuple[tuple[str, str], ...]
    listed: int  # pages the URL named (one, or a sitemap's or crawl's count, before MAX_PAGES)
    unread: bool = False  # child sitemaps left unread once MAX_PAGES were in hand: listed is a floor


async def fetch_document(
    fetcher: Fetcher, url: str, *, etag: str | None = None, last_modified: str | None = None
) -> Fetched:
    """A page, text file or sitemap (5 MB at most), or a PDF (20 MB at most): asked for as a
    page first, and again as a PDF only when the server says it is one."""
    try:
        return await fetcher.get(
            url, etag=etag, last_modified=last_modified, accept=FIRST_TYPES, max_bytes=MAX_PAGE_BYTES
        )
    except FetchError as exc:
        if exc.reason != "wrong content type":
            raise
    return await fetcher.get(
        url, etag=etag, last_modified=last_modified, accept=PDF_TYPES, max_bytes=MAX_PDF_BYTES
    )


async def take(
    fetcher: Fetcher,
    url: str,
    *,
    crawl: bool = False,
    max_pages: int = MAX_PAGES,
    max_bytes: int = MAX_ADD_BYTES,
    progress: Progress | None = None,
) -> Taken:
    """The pages ``url`` gives, each made an article draft. Private addresses (where the
    operator allows them) are reached only when ``url`` itself is private: a public page's
    redirects, sitemap and links stay public. The pages' bodies together may come to
    ``max_bytes``: past it, the pages left are refused and say so.

    Raises:
        CitebotError: ``url`` itself cannot be had or read (a page of it that fails is refused
            in ``Taken.refused`` instead).
    """
    with within(await scope_for(fetcher.policy, url)):
        return await _take(fetcher, url, crawl, max_pages, _Budget(max_bytes), progress)


class _Budget:
    """The bytes of pages one command may still bring in."""

    def __init__(self, most: int) -> None:
        self.most = most
        self.used = 0

    def spend(self, fetched: Fetched) -> None:
        """Count ``fetched``'s body, or refuse it when it would pass the cap.

        Raises:
            CitebotError: the page would take the command past ``MAX_ADD_BYTES``.
        """
        if self.used + len(fetched.body) > self.most:
            raise CitebotError(
                f"{fetched.url}: not read: this command's pages came to more than its cap of "
                f"{self.most:,} bytes (MAX_ADD_BYTES)"
            )
        self.used += len(fetched.body)


async def _take(
    fetcher: Fetcher, url: str, crawl: bool, max_pages: int, budget: _Budget, progress: Progress | None
) -> Taken:
    first = await fetch_document(fetcher, url)
    if looks_like_sitemap(first.content_type, first.body):
        listed, unread = await _sitemap_pages(fetcher, first, max_pages)
        del first  # a sitemap of 10 MB is not kept while its pages are read
        taken = await _take_all(fetcher, listed[:max_pages], len(listed), budget, progress)
        return replace(taken, unread=unread)
    if crawl and first.content_type in HTML_TYPES:
        # lxml over a page of megabytes takes a second or more: off the loop, as drafts are
        links = await asyncio.to_thread(same_host_links, first.body, first.url, max_pages)
        listed = [first.url, *[link for link in links if link != first.url]]
        known = {first.url: first}
        del first  # held by ``known`` alone, and let go of once drafted
        return await _take_all(fetcher, listed[:max_pages], len(listed), budget, progress, known)
    if first.content_type not in PAGE_TYPES:
        raise FetchError(first.url, "wrong content type", first.content_type)
    budget.spend(first)
    page = Page(await _draft(first), Source.of(first))
    await _report(progress, 1, 1)
    return Taken((page,), (), 1)


async def _draft(fetched: Fetched) -> Draft:
    """The page's article, made on a worker thread: reducing a page (trafilatura) or reading a
    PDF takes a CPU's while, which the event loop (the bot's heartbeat) must not wait through."""
    return await asyncio.to_thread(draft_from_page, fetched)


async def _sitemap_pages(fetcher: Fetcher, first: Fetched, max_pages: int) -> tuple[list[str], bool]:
    """The pages a sitemap lists, each once in the order listed, and whether child sitemaps were
    left unread. A sitemap index's children are read one by one until ``max_pages`` pages are in
    hand: the rest are never fetched. Each file is parsed on a worker thread (a hostile 10 MB
    sitemap takes seconds of CPU), and pages are told apart with a set, not by scanning a list."""
    sitemap = await asyncio.to_thread(parse_sitemap, first.body)
    pages: dict[str, None] = dict.fromkeys(sitemap.pages)
    for child in sitemap.sitemaps[:MAX_SITEMAPS]:
        if len(pages) >= max_pages:
            return list(pages), True
        try:
            got = await fetcher.get(child, accept=SITEMAP_TYPES, max_bytes=MAX_SITEMAP_BYTES)
            listed = await asyncio.to_thread(parse_sitemap, got.body)
        except CitebotError:
            continue  # one unreadable child sitemap costs its pages, not the site
        pages.update(dict.fromkeys(listed.pages))
    return list(pages), False


async def _take_all(
    fetcher: Fetcher,
    urls: list[str],
    listed: int,
    budget: _Budget,
    progress: Progress | None,
    known: dict[str, Fetched] | None = None,
) -> Taken:
    gate = asyncio.Semaphore(CONCURRENCY)
    done = 0

    async def one(url: str) -> Page | tuple[str, str]:
        nonlocal done
        try:
            async with gate:  # a page's draft (a PDF's reading) holds its place too: two at a time
                fetched = (known or {}).pop(url, None) or await fetch_document(fetcher, url)
                budget.spend(fetched)
                return Page(await _draft(fetched), Source.of(fetched))
        except CitebotError as exc:
            return (url, exc.user_message)
        finally:
            done += 1
            await _report(progress, done, len(urls))

    results = await asyncio.gather(*(one(url) for url in urls))
    pages = tuple(r for r in results if isinstance(r, Page))
    refused = tuple(r for r in results if not isinstance(r, Page))
    return Taken(pages, refused, listed)


async def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        said = progress(done, total)
        if inspect.isawaitable(said):
            await said


@dataclass(frozen=True)
class Checked:
    """A source asked again: its state now, and the new text when it changed."""

    state: SourceState
    draft: Draft | None = None

    @property
    def changed(self) -> bool:
        return self.draft is not None


async def check(fetcher: Fetcher, state: SourceState, now: float | None = None) -> Checked:
    """Ask the server whether ``state``'s page changed, with a conditional request: an
    unchanged page costs that one request; a page gone (404, 410) is flagged and keeps its last
    good version; a failure is kept as the state's problem. A redirect from the stored host to a
    private address is never followed (the problem says so), even where the operator allows it."""
    now = time.time() if now is None else now
    try:
        with within(await scope_for(fetcher.policy, state.url, sync=True)):
            fetched = await fetch_document(
                fetcher, state.url, etag=state.etag, last_modified=state.last_modified
            )
    except FetchError as exc:
        gone = exc.reason in GONE
        return Checked(replace(state, checked=now, gone=gone or state.gone, problem=exc.user_message))
    except CitebotError as exc:
        return Checked(state.checked_at(now, exc.user_message))
    if fetched.not_modified:
        return Checked(replace(state, checked=now, gone=False, problem=""))
    digest = content_hash(fetched.body)
    fresh = replace(
        state, checked=now, etag=fetched.etag, last_modified=fetched.last_modified, gone=False, problem=""
    )
    if digest == state.sha256:
        return Checked(fresh)
    try:
        draft = await _draft(fetched)
    except CitebotError as exc:
        return Checked(state.checked_at(now, exc.user_message))
    return Checked(replace(fresh, url=fetched.url, fetched=now, changed=now, sha256=digest), draft)
