"""The library cards with articles from the web: /sources says where each came from, when it
was checked and last changed; /article list flags a page gone upstream; the reply to
/article add url: lists what was added and refused; all within Discord's limits."""

from __future__ import annotations

from bot.render.card import LIMITS, total_chars
from bot.render.library import render_articles, render_sources, render_synced, render_taken
from index import Article, Refresh, SourceState
from index.store.disk import ArticleInfo, Manifest

CHECKED = 1_795_000_000.0  # 2026-11-18 11:06 UTC
CHANGED = 1_794_000_000.0  # 2026-11-06 21:20 UTC


def manifest(articles: int) -> Manifest:
    infos = tuple(
        ArticleInfo(f"a-{i}", f"Article {i}", "Wire", f"https://news.example/{i}", "", 3)
        for i in range(articles)
    )
    return Manifest(2, "m", 384, {}, "x", "", 0.3, "2026-11-27", 3 * articles, 9 * articles, infos)


def state(slug: str, url: str = "https://news.example/story_1?x=*y*", **changes) -> SourceState:
    base = {
        "slug": slug,
        "url": url,
        "fetched": CHANGED,
        "checked": CHECKED,
        "changed": CHANGED,
        "etag": '"v1"',
        "last_modified": None,
        "sha256": "0" * 64,
    }
    return SourceState(**{**base, **changes})


def article(slug: str, title: str = "Harbour news") -> Article:
    return Article(slug, title, "The Daily", f"https://news.example/{slug}", "", f"/corpus/{slug}.md", "", 0)


def test_sources_show_an_articles_address_and_when_it_was_checked_and_changed():
    card = render_sources(manifest(2), {"a-1": state("a-1")})
    assert "news.example" not in card.fields[0].value  # not fetched: as before
    value = card.fields[1].value
    assert "[news.example/story\\_1?x=\\*y\\*](https://news.example/story_1?x=*y*)" in value  # a link
    assert "checked 2026-11-18 11:06 UTC" in value and "changed 2026-11-06 21:20 UTC" in value


def test_sources_of_many_fetched_articles_fit_and_say_how_many_are_listed():
    long_url = "https://news.example/" + "very-long-path/" * 60
    states = {f"a-{i}": state(f"a-{i}", long_url, problem="x" * 900) for i in range(40)}
    card = render_sources(manifest(40), states)
    assert total_chars(card) <= LIMITS["total"] and len(card.fields) <= LIMITS["fields"]
    assert all(len(f.value) <= LIMITS["field_value"] for f in card.fields)
    assert f"The first {len(card.fields)} are listed." in card.description


def test_an_article_gone_upstream_is_flagged_in_the_list():
    states = {"a-0": state("a-0", gone=True, problem="https://news.example/0: gone (410)")}
    card = render_articles(manifest(2), (), True, (), states)
    assert card.fields[0].name.startswith("Gone upstream") and "`a-0`" in card.fields[0].value
    flagged = next(f for f in card.fields if f.name == "Article 0")
    assert "gone upstream" in flagged.value and "last good version" in flagged.value
    assert "gone upstream" not in next(f for f in card.fields if f.name == "Article 1").value


def test_a_failing_check_is_said_in_the_sources_with_its_reason():
    card = render_sources(manifest(1), {"a-0": state("a-0", problem="https://news.example/0: timed out")})
    assert "last check failed" in card.fields[0].value and "timed out" in card.fields[0].value


def test_a_single_page_added_is_said_as_an_added_file_is():
    text = render_taken(
        "https://news.example/x", [(article("x"), 4)], [], 1, 1, Refresh(True, (), (), (), (), 1.2)
    )
    assert text.startswith("Added **Harbour news** (id `x`, 4 passages)")


def test_a_single_page_refused_is_one_line_with_its_reason():
    reason = "https://news.example/x: not a page with article text (image/png)"
    text = render_taken("https://news.example/x", [], [("https://news.example/x", reason)], 1, 1, None)
    assert text == f"Not added: {reason}."


def test_a_site_lists_what_was_added_and_refused_within_one_message():
    added = [(article(f"page-{i}", f"Page {i} " + "word " * 30), 3) for i in range(150)]
    refused = [
        (f"https://news.example/r{i}", f"https://news.example/r{i}: not found (404)") for i in range(50)
    ]
    text = render_taken(
        "https://news.example/sitemap.xml", added, refused, 260, 200, Refresh(True, (), (), (), (), 9.0)
    )
    assert len(text) <= LIMITS["content"]
    assert text.startswith("Added 150 of 200 page(s) from <https://news.example/sitemap.xml>")
    assert "listed 260 pages; the first 200 were read" in text
    assert "`page-0`" in text and "more (`/article list` shows them)" in text
    assert "Refused (50):" in text and "• https://news.example/r0: not found (404)" in text
    assert "https://news.example/r0: https://" not in text  # the address said once


def test_the_sync_summary_counts_unchanged_and_names_the_rest():
    text = render_synced(["a", "b"], ["c"], ["d"], [("e", "https://x.example/e: timed out")])
    assert "4 article(s)" not in text and "Checked 5 article(s) from the web: 2 unchanged." in text
    assert "Updated and reindexed: `c`" in text and "Gone upstream" in text and "`d`" in text
    assert "• `e`: https://x.example/e: timed out" in text


def test_a_sync_with_nothing_to_check_says_how_to_add_one():
    assert "/article add url:" in render_synced([], [], [], [])
