"""Sitemaps: the pages or child sitemaps listed, and every hostile file refused in one line."""

import gzip
import tracemalloc
import zlib

import pytest

from index.errors import CitebotError
from index.web import sitemap
from index.web.sitemap import (
    MAX_SITEMAP_BYTES,
    Sitemap,
    SitemapError,
    looks_like_sitemap,
    parse_sitemap,
)

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*locs: str, ns: str = NS) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc><lastmod>2026-01-01</lastmod></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>{entries}</urlset>'.encode()


def sitemapindex(*locs: str, ns: str = NS) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0"?><sitemapindex {ns}>{entries}</sitemapindex>'.encode()


def gzipped_zeros(size: int) -> bytes:
    """``size`` zero bytes gzipped, a megabyte at a time (never held whole)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1_000_000)
    out = bytearray()
    for _ in range(size // len(chunk)):
        out += packer.compress(chunk)
    return bytes(out + packer.flush())


def test_a_urlset_lists_its_pages_in_order():
    got = parse_sitemap(urlset("https://a.example/1", "https://a.example/2"))
    assert got == Sitemap(pages=("https://a.example/1", "https://a.example/2"), sitemaps=())


def test_a_sitemap_index_lists_its_child_sitemaps():
    got = parse_sitemap(sitemapindex("https://a.example/s1.xml", "https://a.example/s2.xml.gz"))
    assert got == Sitemap(pages=(), sitemaps=("https://a.example/s1.xml", "https://a.example/s2.xml.gz"))


def test_a_sitemap_without_a_namespace_is_read():
    assert parse_sitemap(urlset("https://a.example/1", ns="")).pages == ("https://a.example/1",)


def test_locs_of_other_namespaces_are_not_pages():
    data = (
        f'<urlset {NS} xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        "<url><loc>https://a.example/p</loc><image:image><image:loc>https://a.example/i.png</image:loc>"
        "</image:image></url></urlset>"
    ).encode()
    assert parse_sitemap(data).pages == ("https://a.example/p",)


def test_a_gzipped_sitemap_is_read():
    assert parse_sitemap(gzip.compress(urlset("https://a.example/1"))).pages == ("https://a.example/1",)


def test_locs_are_trimmed_and_kept_once_in_order():
    got = parse_sitemap(urlset("\n  https://a.example/2 \n", "https://a.example/1", "https://a.example/2"))
    assert got.pages == ("https://a.example/2", "https://a.example/1")


def test_only_web_addresses_are_kept():
    data = urlset(
        "ftp://a.example/f", "javascript:alert(1)", "file:///etc/passwd", "/relative", "http://a.example/"
    )
    assert parse_sitemap(data).pages == ("http://a.example/",)


def test_a_listed_url_with_a_user_name_or_password_is_not_kept():
    data = urlset("http://user:secret@a.example/x", "https://user@a.example/y", "http://a.example/z")
    assert parse_sitemap(data).pages == ("http://a.example/z",)


def test_a_gzip_bomb_is_refused_by_its_expanded_size_without_expanding_it():
    bomb = gzipped_zeros(200_000_000)
    assert len(bomb) < MAX_SITEMAP_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(SitemapError, match="too large.*expanded"):
            parse_sitemap(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_SITEMAP_BYTES


def test_a_damaged_gzip_file_is_refused():
    with pytest.raises(SitemapError, match="damaged gzip"):
        parse_sitemap(gzip.compress(urlset("https://a.example/1"))[:-30])


def test_a_file_over_the_cap_is_refused_before_it_is_parsed():
    with pytest.raises(SitemapError, match="too large"):
        parse_sitemap(b" " * (MAX_SITEMAP_BYTES + 1))


def test_a_billion_laughs_is_refused():
    laughs = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">' for i in range(1, 10)
    ]
    data = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [{"".join(laughs)}]>'
        f"<urlset {NS}><url><loc>https://a.example/&lol9;</loc></url></urlset>"
    ).encode()
    with pytest.raises(SitemapError, match="DTD"):
        parse_sitemap(data)


def test_a_dtd_is_refused_even_without_entities():
    data = b'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "http://a.example/x.dtd"><urlset/>'
    with pytest.raises(SitemapError, match="DTD.*not allowed"):
        parse_sitemap(data)


def test_urls_past_the_cap_are_not_read(monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_SITEMAP_URLS", 3)
    data = urlset(*(f"https://a.example/{i}" for i in range(10)))
    assert parse_sitemap(data).pages == ("https://a.example/0", "https://a.example/1", "https://a.example/2")


def test_an_html_page_is_not_a_sitemap():
    with pytest.raises(SitemapError, match="not a sitemap.*<html>"):
        parse_sitemap(b"<!DOCTYPE html><html><body><a href='/x'>x</a></body></html>")


def test_xml_with_another_root_is_not_a_sitemap():
    with pytest.raises(SitemapError, match="not a sitemap.*<rss>"):
        parse_sitemap(b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>')


def test_text_that_is_not_xml_is_not_a_sitemap():
    with pytest.raises(SitemapError, match="not a sitemap"):
        parse_sitemap(b"just some words")


@pytest.mark.parametrize(
    "data",
    [
        b"\xff" * 100,
        b"<urlset><url><loc>https://a.example/</loc>",
        urlset("https://a.example/1") + b"<trailing/>",
        b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><urlset><url><loc>&e;</loc></url></urlset>",
    ],
)
def test_every_refusal_is_one_line_and_a_citebot_error(data):
    with pytest.raises(CitebotError) as caught:
        parse_sitemap(data)
    assert "\n" not in caught.value.user_message and caught.value.user_message


def test_sitemaps_are_recognised_by_their_root():
    assert looks_like_sitemap("application/xml", urlset("https://a.example/1"))
    assert looks_like_sitemap("text/xml", sitemapindex("https://a.example/s.xml"))
    assert looks_like_sitemap("", b"\xef\xbb\xbf<!-- made by hand --><urlset/>")
    assert looks_like_sitemap("application/x-gzip", gzip.compress(urlset("https://a.example/1")))


def test_pages_and_feeds_are_not_sitemaps():
    assert not looks_like_sitemap("text/html", b"<!DOCTYPE html><html><body>urlset</body></html>")
    assert not looks_like_sitemap("application/xml", b"<rss><channel/></rss>")
    assert not looks_like_sitemap("application/gzip", gzip.compress(b"<html></html>"))
    assert not looks_like_sitemap("text/html", urlset("https://a.example/1"))
    assert not looks_like_sitemap("application/octet-stream", b"\x1f\x8b not really gzip")
