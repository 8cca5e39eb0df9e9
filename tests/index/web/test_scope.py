"""Where a chain of requests may go, with ``ALLOW_PRIVATE_URLS`` naming a private host: a page
the editor typed at that host is fetched, and may redirect on it; a public page's redirect,
sitemap or sync never leads there (issue 22, item 2).

The internet cannot be reached here, so 127.0.0.1 stands in for a public address (the one thing
faked: ``is_public`` says so) and 127.0.0.2 is the intranet host the operator allows."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from index.web import addresses
from index.web.addresses import parse_allow_private
from index.web.fetch import Fetcher, FetchError
from index.web.sources import check, take
from index.web.state import SourceState

pytestmark = pytest.mark.anyio

INTRANET = parse_allow_private("127.0.0.2")


@pytest.fixture(autouse=True)
def public_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    real = addresses.is_public
    monkeypatch.setattr(addresses, "is_public", lambda a: str(a) == "127.0.0.1" or real(a))


def to(site, target: str) -> str:
    return f"{site.base}/to?url={quote(target, safe='')}"


async def test_a_public_page_that_redirects_to_an_allowed_private_host_is_refused(site, other_site):
    async with Fetcher(policy=INTRANET, timeout=5.0) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(to(site, f"{other_site.base}/page"))
    assert caught.value.reason == "refused address"
    assert "127.0.0.1 is public: a private address is not followed from it" in caught.value.user_message
    assert other_site.paths() == []  # not even its robots.txt was asked for


async def test_a_private_page_the_editor_typed_is_fetched_and_may_redirect_on_its_host(other_site):
    async with Fetcher(policy=INTRANET, timeout=5.0) as fetcher:
        page = await fetcher.get(f"{other_site.base}/hop/1")
    assert page.url == f"{other_site.base}/page" and b"troops" in page.body


async def test_a_public_sitemap_never_lists_its_way_into_the_intranet(site, other_site):
    listed = f"{site.base}/list.xml?url={quote(f'{other_site.base}/page', safe='')}"
    async with Fetcher(policy=INTRANET, timeout=5.0) as fetcher:
        taken = await take(fetcher, listed)
    assert taken.pages == () and len(taken.refused) == 1
    assert "refused address" in taken.refused[0][1] and other_site.paths() == []


async def test_a_private_sitemap_typed_by_the_editor_gives_its_private_pages(other_site):
    listed = f"{other_site.base}/list.xml?url={quote(f'{other_site.base}/page', safe='')}"
    async with Fetcher(policy=INTRANET, timeout=5.0) as fetcher:
        taken = await take(fetcher, listed)
    assert [p.draft.url for p in taken.pages] == [f"{other_site.base}/page"]


def stored(url: str) -> SourceState:
    return SourceState("troops", url, 1.0, 1.0, 1.0, None, None, "0" * 64)


async def test_a_sync_never_follows_its_page_from_its_host_to_a_private_one_and_says_why(site, other_site):
    state = stored(to(site, f"{other_site.base}/page"))  # added as public; now it 301s inward
    async with Fetcher(policy=INTRANET, timeout=5.0) as fetcher:
        checked = await check(fetcher, state, now=2.0)
    assert not checked.changed and checked.state.url == state.url
    assert "a sync does not follow a redirect from 127.0.0.1 to a private address" in checked.state.problem
    assert other_site.paths() == []


async def test_a_sync_of_a_private_page_added_from_its_own_address_goes_on(other_site):
    state = stored(f"{other_site.base}/hop/1")
    async with Fetcher(policy=INTRANET, timeout=5.0) as fetcher:
        checked = await check(fetcher, state, now=2.0)
    assert checked.changed and checked.state.problem == "" and checked.state.url == f"{other_site.base}/page"
