"""Same-host links: the pages a page leads to on its own site, each once, in order."""

from index.web import links
from index.web.links import same_host_links

BASE = "https://news.example/world/story.html"


def page(*hrefs: str, head: str = "") -> str:
    anchors = "".join(f'<p><a href="{href}">link</a></p>' for href in hrefs)
    return f"<!DOCTYPE html><html><head>{head}</head><body>{anchors}</body></html>"


def test_relative_links_are_resolved_against_the_page():
    got = same_host_links(page("other.html", "/about", "../sport/match.html"), BASE, 10)
    assert got == [
        "https://news.example/world/other.html",
        "https://news.example/about",
        "https://news.example/sport/match.html",
    ]


def test_links_to_other_hosts_are_dropped():
    html = page("https://elsewhere.example/x", "//cdn.news.example/y", "https://news.example/z")
    assert same_host_links(html, BASE, 10) == ["https://news.example/z"]


def test_another_port_is_another_site():
    html = page("https://news.example:8443/a", "https://news.example:443/b", "http://news.example/c")
    assert same_host_links(html, BASE, 10) == ["https://news.example:443/b", "http://news.example/c"]


def test_fragments_are_dropped_and_each_page_is_kept_once():
    html = page("/a#top", "/b", "/a#comments", "/a", "/b#")
    assert same_host_links(html, BASE, 10) == ["https://news.example/a", "https://news.example/b"]


def test_the_page_itself_is_not_a_link():
    html = page("#top", "story.html", "/world/story.html#c", "http://NEWS.example/world/story.html", "/x")
    assert same_host_links(html, BASE, 10) == ["https://news.example/x"]


def test_a_base_href_is_what_links_are_resolved_against():
    html = page("a.html", "/b", head='<base href="/archive/2026/">')
    assert same_host_links(html, BASE, 10) == [
        "https://news.example/archive/2026/a.html",
        "https://news.example/b",
    ]


def test_at_most_limit_links_are_returned():
    html = page(*(f"/p{i}" for i in range(50)))
    assert same_host_links(html, BASE, 3) == [
        "https://news.example/p0",
        "https://news.example/p1",
        "https://news.example/p2",
    ]
    assert same_host_links(html, BASE, 0) == []


def test_links_that_are_not_pages_are_skipped():
    html = page(
        "mailto:desk@news.example",
        "javascript:void(0)",
        "tel:+100",
        "/img/photo.JPG",
        "/logo.png?v=2",
        "/static/site.css",
        "/static/app.js",
        "/files/data.zip",
        "https://user:pw@news.example/secret",
        "/report.pdf",
        "/page",
    )
    assert same_host_links(html, BASE, 10) == ["https://news.example/report.pdf", "https://news.example/page"]


def test_bytes_are_read_like_text():
    html = page("/café", "/b").encode("utf-8")
    assert same_host_links(html, BASE, 10) == ["https://news.example/café", "https://news.example/b"]


def test_scheme_and_host_are_in_lower_case():
    assert same_host_links(page("HTTPS://News.Example/A"), BASE, 10) == ["https://news.example/A"]


def test_an_empty_or_unparseable_page_has_no_links():
    assert same_host_links(b"", BASE, 10) == []
    assert same_host_links("   ", BASE, 10) == []
    assert same_host_links('<?xml version="1.0" encoding="utf-8"?><a href="/x">x</a>', BASE, 10) == [
        "https://news.example/x"
    ]
    assert same_host_links(page("/x"), "not a url", 10) == []


def test_only_the_capped_start_of_a_page_is_read(monkeypatch):
    monkeypatch.setattr(links, "MAX_LINKS_PAGE_BYTES", 200)
    html = page("/early") + " " * 300 + page("/late")
    assert same_host_links(html, BASE, 10) == ["https://news.example/early"]
