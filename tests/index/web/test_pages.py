"""A fetched page as an article: HTML reduced to its article with its metadata, text and
markdown as they are, PDFs by their text layer, and anything else refused in one line."""

from __future__ import annotations

import pytest

from index.errors import CitebotError
from index.web.fetch import Fetched
from index.web.pages import NO_ARTICLE, draft_from_page
from tests.index.web.pdfs import pdf_bytes

PAGE = """<html><head><title>Harbour news - The Daily</title>
<meta property="og:site_name" content="The Daily">
<meta name="author" content="Ann Writer">
<meta property="article:published_time" content="2026-03-03T10:00:00Z">
</head><body><nav>Home | World | Sport</nav>
<article><h1>Wonsan harbour freezes</h1>
<p>The harbour of Wonsan froze over in March, officials said on Tuesday.</p>
<p>Fishing boats stayed in port for three weeks while icebreakers worked to open a channel.</p>
<p>Local traders said the price of fish doubled during the freeze.</p></article>
<footer>Copyright 2026 The Daily.</footer></body></html>"""


URL = "https://news.example.com/2026/harbour-freezes"


def fetched(body: bytes, content_type: str, url: str = URL) -> Fetched:
    return Fetched(url=url, status=200, content_type=content_type, charset="utf-8", body=body)


def test_html_is_reduced_to_its_article_with_its_metadata_and_the_url_fetched():
    draft = draft_from_page(fetched(PAGE.encode(), "text/html"))
    assert "price of fish doubled" in draft.text and "Home | World" not in draft.text
    assert "Copyright" not in draft.text
    assert draft.url == URL
    assert draft.source == "The Daily" and draft.author == "Ann Writer" and draft.date == "2026-03-03"
    assert "Wonsan harbour freezes" in draft.title or "Harbour news" in draft.title


def test_markdown_and_plain_text_are_taken_as_they_are():
    md = draft_from_page(fetched(b"# Ferry times\n\nThe ferry sails twice a week.\n", "text/markdown"))
    assert md.title == "Ferry times" and "twice a week" in md.text and md.source == "news.example.com"
    plain = draft_from_page(
        fetched(b"The ferry sails twice a week.", "text/plain", "https://x.example/ferry-times.txt")
    )
    assert plain.title == "ferry times" and plain.url == "https://x.example/ferry-times.txt"


def test_a_pdf_becomes_a_page_marked_article():
    data = pdf_bytes(
        [["The harbour froze in March."], ["The price of fish doubled."]], title="Harbour report"
    )
    draft = draft_from_page(fetched(data, "application/pdf", "https://x.example/report.pdf"))
    assert draft.title == "Harbour report" and draft.url == "https://x.example/report.pdf"
    assert "<!-- page 1 -->" in draft.text and "<!-- page 2 -->" in draft.text
    assert draft.text.index("froze") < draft.text.index("<!-- page 2 -->") < draft.text.index("doubled")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><head><script>var x = 1;</script></head><body></body></html>", "text/html"),
        (b"\x89PNG\r\n", "image/png"),
        (b"", "text/plain"),
    ],
    ids=["no-article", "an-image", "empty"],
)
def test_a_page_without_article_text_is_refused_in_one_line(body, content_type):
    with pytest.raises(CitebotError) as caught:
        draft_from_page(fetched(body, content_type))
    message = caught.value.user_message
    assert "\n" not in message and ("article" in message or "text" in message)


def test_a_page_in_another_charset_is_read_in_it():
    text = "Café owners said the price of fish doubled in Wonsan."
    page = f"<html><body><article><p>{text}</p></article></body></html>"
    latin = Fetched("https://x.example/cafe", 200, "text/html", "iso-8859-1", page.encode("iso-8859-1"))
    assert "Café" in draft_from_page(latin).text


def test_the_reason_names_what_is_missing():
    with pytest.raises(CitebotError) as caught:
        draft_from_page(fetched(b"<html><body></body></html>", "text/html"))
    assert NO_ARTICLE in caught.value.user_message
