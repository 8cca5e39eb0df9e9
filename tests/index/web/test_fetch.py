"""The safe fetcher against a real site on loopback: pages, redirects, addresses, robots.txt,
errors, caps on size and time, and conditional requests."""

from __future__ import annotations

import asyncio
import logging
import pickle
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from index.config import FETCH_TIMEOUT, ConfigError, web_config
from index.web.addresses import AddressPolicy, parse_allow_private
from index.web.fetch import REASONS, USER_AGENT, Fetcher, FetchError
from index.web.robots import MAX_ROBOTS_BYTES, parse_robots
from tests.index.web.server import ETAG, LAST_MODIFIED, PAGE, SLOW_SECONDS, Site

pytestmark = pytest.mark.anyio

LOOPBACK = parse_allow_private("127.0.0.1")
TEST_TIMEOUT = 2.0  # every request of every test ends within this


@asynccontextmanager
async def fetching(policy: AddressPolicy = LOOPBACK, timeout: float = TEST_TIMEOUT) -> AsyncIterator[Fetcher]:
    async with Fetcher(policy=policy, timeout=timeout) as fetcher:
        yield fetcher


async def refusal(url: str, *, policy: AddressPolicy = LOOPBACK, **kwargs: object) -> FetchError:
    """The FetchError fetching ``url`` raises, checked to be one line naming the URL."""
    async with fetching(policy, timeout=kwargs.pop("timeout", TEST_TIMEOUT)) as fetcher:  # type: ignore[arg-type]
        with pytest.raises(FetchError) as caught:
            await fetcher.get(url, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert error.reason in REASONS
    assert "\n" not in error.user_message
    shown = re.sub(r"//[^/@]*@", "//", error.url)  # a user name or password is never shown
    assert error.user_message.startswith(f"{shown}: {error.reason}")
    return error


async def test_a_page_is_fetched_with_its_type_charset_and_validators(site: Site) -> None:
    async with fetching() as fetcher:
        page = await fetcher.get(f"{site.base}/page")
    assert page.url == f"{site.base}/page"
    assert (page.status, page.content_type, page.charset) == (200, "text/html", "iso-8859-1")
    assert page.body == PAGE
    assert (page.etag, page.last_modified) == (ETAG, LAST_MODIFIED)
    assert not page.not_modified


async def test_the_user_agent_names_citebot(site: Site) -> None:
    async with fetching() as fetcher:
        await fetcher.get(f"{site.base}/page")
    assert USER_AGENT.startswith("citebot/")
    assert [seen.headers["User-Agent"] for seen in site.seen] == [USER_AGENT, USER_AGENT]


async def test_five_redirects_are_followed_to_the_final_url(site: Site) -> None:
    async with fetching() as fetcher:
        page = await fetcher.get(f"{site.base}/hop/4")
    assert page.url == f"{site.base}/page"
    assert page.body == PAGE
    assert site.paths() == ["/robots.txt", "/hop/4", "/hop/3", "/hop/2", "/hop/1", "/hop/0", "/page"]


async def test_a_sixth_redirect_is_refused(site: Site) -> None:
    error = await refusal(f"{site.base}/hop/5")
    assert error.reason == "too many redirects"
    assert "/page" not in site.paths()


async def test_a_redirect_to_an_address_not_allowed_is_refused(site: Site, other_site: Site) -> None:
    error = await refusal(f"{site.base}/to?url={other_site.base}/page")
    assert error.reason == "refused address"
    assert error.url == f"{other_site.base}/page"
    assert other_site.seen == []


async def test_a_redirect_to_an_allowed_network_is_followed(site: Site, other_site: Site) -> None:
    async with fetching(parse_allow_private("127.0.0.0/8")) as fetcher:
        page = await fetcher.get(f"{site.base}/to?url={other_site.base}/page")
    assert page.url == f"{other_site.base}/page"
    assert other_site.paths() == ["/robots.txt", "/page"]


async def test_the_default_policy_refuses_loopback(site: Site) -> None:
    error = await refusal(f"{site.base}/page", policy=AddressPolicy())
    assert error.reason == "refused address"
    assert site.seen == []


async def test_a_literal_address_outside_the_allowed_list_is_refused(other_site: Site) -> None:
    error = await refusal(f"{other_site.base}/page")
    assert error.reason == "refused address"
    assert other_site.seen == []


async def test_a_name_resolving_to_loopback_is_refused(site: Site) -> None:
    port = site.base.rsplit(":", 1)[1]
    error = await refusal(f"http://localhost:{port}/page", policy=AddressPolicy())
    assert error.reason == "refused address"
    assert "localhost" in error.why
    assert "127.0.0.1" not in error.user_message  # what a private name stands for is not shown
    assert site.seen == []


async def test_an_allowed_host_name_is_fetched(site: Site) -> None:
    port = site.base.rsplit(":", 1)[1]
    async with fetching(parse_allow_private("localhost")) as fetcher:
        page = await fetcher.get(f"http://localhost:{port}/page")
    assert page.body == PAGE


async def test_a_name_resolving_to_an_allowed_address_is_fetched(site: Site) -> None:
    # localhost may also be ::1, which the policy drops; the fetch goes to 127.0.0.1
    port = site.base.rsplit(":", 1)[1]
    async with fetching(LOOPBACK) as fetcher:
        page = await fetcher.get(f"http://localhost:{port}/page")
    assert page.body == PAGE


async def test_robots_txt_disallowing_a_path_refuses_it(site: Site) -> None:
    error = await refusal(f"{site.base}/private")
    assert error.reason == "disallowed by robots.txt"
    assert site.paths() == ["/robots.txt"]


async def test_robots_txt_is_read_once_per_origin(site: Site, other_site: Site) -> None:
    async with fetching(parse_allow_private("127.0.0.0/8")) as fetcher:
        await fetcher.get(f"{site.base}/page")
        await fetcher.get(f"{site.base}/page")
        assert not await fetcher.allowed_by_robots(f"{site.base}/private")
        await fetcher.get(f"{other_site.base}/page")
    assert site.paths().count("/robots.txt") == 1
    assert other_site.paths().count("/robots.txt") == 1


async def test_robots_txt_rules_for_citebot_are_the_ones_applied(site: Site) -> None:
    # the site's robots.txt disallows everything to "*" but only /private to citebot
    async with fetching() as fetcher:
        assert await fetcher.allowed_by_robots(f"{site.base}/page")
        assert not await fetcher.allowed_by_robots(f"{site.base}/private")


async def test_a_missing_robots_txt_allows_everything(site: Site) -> None:
    site.robots = None
    async with fetching() as fetcher:
        page = await fetcher.get(f"{site.base}/private")
    assert page.body == PAGE


@pytest.mark.parametrize(
    ("path", "reason", "status"),
    [
        ("/missing", "not found", 404),
        ("/gone", "gone", 410),
        ("/broken", "server error", 500),
        ("/forbidden", "refused by server", 403),
    ],
)
async def test_an_error_status_says_why(site: Site, path: str, reason: str, status: int) -> None:
    error = await refusal(f"{site.base}{path}")
    assert (error.reason, error.status) == (reason, status)
    assert error.user_message == f"{site.base}{path}: {reason} ({status})"


async def test_a_page_that_never_ends_is_too_large_without_reading_on(site: Site) -> None:
    cap = 100_000
    error = await refusal(f"{site.base}/endless", max_bytes=cap)
    assert error.reason == "too large"
    # what the server got into the loopback socket's buffers before the fetcher hung up
    assert site.endless_bytes_sent < cap + 8_000_000


async def test_a_declared_length_over_the_cap_is_refused_before_the_body(site: Site) -> None:
    started = time.monotonic()
    error = await refusal(f"{site.base}/declared-huge")
    assert error.reason == "too large"
    assert "50,000,000" in error.why
    # the body comes only after SLOW_SECONDS: the refusal did not wait for any of it
    assert time.monotonic() - started < SLOW_SECONDS / 2
    assert site.declared_bytes_sent == 0


async def test_a_page_slower_than_the_timeout_has_timed_out(site: Site) -> None:
    started = time.monotonic()
    error = await refusal(f"{site.base}/slow", timeout=0.5)
    assert error.reason == "timed out"
    assert time.monotonic() - started < 2.0


async def test_a_type_not_accepted_is_the_wrong_content_type(site: Site) -> None:
    error = await refusal(f"{site.base}/image")
    assert error.reason == "wrong content type"
    assert "image/png" in error.user_message


async def test_the_accepted_types_may_be_wildcards(site: Site) -> None:
    async with fetching() as fetcher:
        page = await fetcher.get(f"{site.base}/plain", accept=("text/*",))
    assert (page.content_type, page.body) == ("text/plain", b"just text")


async def test_an_unchanged_page_by_etag_is_not_modified(site: Site) -> None:
    async with fetching() as fetcher:
        first = await fetcher.get(f"{site.base}/page")
        again = await fetcher.get(first.url, etag=first.etag)
    assert again.not_modified
    assert (again.status, again.body, again.etag) == (304, b"", ETAG)
    assert site.seen[-1].headers["If-None-Match"] == ETAG


async def test_an_unchanged_page_by_date_is_not_modified(site: Site) -> None:
    async with fetching() as fetcher:
        first = await fetcher.get(f"{site.base}/page")
        again = await fetcher.get(first.url, last_modified=first.last_modified)
    assert again.not_modified
    assert again.last_modified == LAST_MODIFIED
    assert site.seen[-1].headers["If-Modified-Since"] == LAST_MODIFIED
    assert "If-None-Match" not in site.seen[-1].headers


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/file", "file:///etc/passwd", "javascript:alert(1)"])
async def test_a_url_not_http_or_https_is_refused(url: str) -> None:
    error = await refusal(url)
    assert error.reason == "not http or https"


async def test_nothing_listening_could_not_connect_and_the_detail_goes_to_the_log_only(caplog) -> None:
    caplog.set_level(logging.INFO, logger="index.web.fetch")
    error = await refusal("http://127.0.0.1:9/page")
    assert error.reason == "could not connect"
    assert error.user_message == "http://127.0.0.1:9/page: could not connect"
    assert error.why and error.why in caplog.text


async def test_a_service_that_does_not_speak_http_is_not_http_and_its_banner_is_not_shown(caplog) -> None:
    async def banner(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        await writer.drain()
        writer.close()

    caplog.set_level(logging.INFO, logger="index.web.fetch")
    server = await asyncio.start_server(banner, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        error = await refusal(f"http://127.0.0.1:{port}/page")
    finally:
        server.close()
        await server.wait_closed()
    assert error.reason == "not HTTP"
    assert "SSH" not in error.user_message and "SSH-2.0" in caplog.text


def test_fetch_timeout_defaults_and_reads_the_environment() -> None:
    assert web_config({}).fetch_timeout == FETCH_TIMEOUT == 10.0
    assert web_config({"FETCH_TIMEOUT": "2.5"}).fetch_timeout == 2.5
    assert Fetcher.configured(web_config({"FETCH_TIMEOUT": "2.5"})).timeout == 2.5


@pytest.mark.parametrize("raw", ["0", "-1", "soon", "inf", "nan"])
def test_a_bad_fetch_timeout_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="FETCH_TIMEOUT"):
        web_config({"FETCH_TIMEOUT": raw})


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f.0.0.1"])
async def test_an_old_numeric_form_of_an_address_is_refused(host: str) -> None:
    error = await refusal(f"http://{host}/page", policy=AddressPolicy())
    assert error.reason == "refused address"


@pytest.mark.parametrize("host", ["[::127.0.0.1]", "[::ffff:0:127.0.0.1]", "[64:ff9b:1::7f00:1]"])
async def test_an_ipv6_form_carrying_a_private_ipv4_address_is_refused_before_connecting(
    site: Site, host: str
) -> None:
    port = site.base.rsplit(":", 1)[1]
    error = await refusal(f"http://{host}:{port}/page", policy=AddressPolicy())
    assert error.reason == "refused address"  # not a failed connection: none was tried
    assert "not a public address" in error.why
    assert site.seen == []


async def test_a_user_name_or_password_in_the_url_is_refused_unsent_and_not_shown(site: Site) -> None:
    host = site.base.split("://", 1)[1]
    for userinfo in ("reader:hunter2@", "reader@", ":hunter2@"):
        error = await refusal(f"http://{userinfo}{host}/page")
        assert error.reason == "credentials in the URL"
        assert "hunter2" not in error.user_message and "reader" not in str(error)
    assert site.seen == []


async def test_a_body_that_trickles_past_the_timeout_has_timed_out(site: Site) -> None:
    started = time.monotonic()
    error = await refusal(f"{site.base}/drip", timeout=0.5)
    assert error.reason == "timed out"
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("status", [401, 403, 500, 503])
async def test_robots_txt_forbidden_or_failing_disallows_everything(site: Site, status: int) -> None:
    site.robots_status = status
    error = await refusal(f"{site.base}/page")
    assert error.reason == "disallowed by robots.txt"
    assert site.paths() == ["/robots.txt"]


async def test_robots_txt_is_read_once_for_pages_fetched_at_once(site: Site) -> None:
    async with fetching() as fetcher:
        pages = await asyncio.gather(*(fetcher.get(f"{site.base}/page") for _ in range(5)))
    assert {page.body for page in pages} == {PAGE}
    assert site.paths().count("/robots.txt") == 1


def test_robots_txt_names_its_sitemaps_and_rules_by_product_token() -> None:
    rules = parse_robots(
        b"\xef\xbb\xbfSitemap: https://example.com/sitemap.xml\n"
        b"User-agent: citebot\nDisallow: /drafts\n\nUser-agent: *\nDisallow: /\n"
    )
    assert rules.sitemaps == ("https://example.com/sitemap.xml",)
    assert rules.allows("https://example.com/news/1", "citebot")
    assert not rules.allows("https://example.com/drafts/1", "citebot")
    assert not rules.allows("https://example.com/news/1", "otherbot")


def test_robots_txt_past_its_cap_is_read_up_to_the_cap() -> None:
    head = b"User-agent: *\nDisallow: /private\n"
    rules = parse_robots(head + b"# " + b"x" * MAX_ROBOTS_BYTES + b"\nDisallow: /\n")
    assert not rules.allows("https://example.com/private", "citebot")
    assert rules.allows("https://example.com/public", "citebot")


def test_a_fetch_error_survives_pickling() -> None:
    error = FetchError("https://example.com/x", "not found", "404", status=404)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.url, copy.reason, copy.status, copy.user_message) == (
        error.url,
        error.reason,
        404,
        "https://example.com/x: not found (404)",
    )
