"""New articles: files and pasted text checked, HTML reduced to its article, written safely."""

from __future__ import annotations

import pytest

from index.corpus.articles import MAX_ARTICLE_BYTES, load_corpus
from index.corpus.intake import IntakeError, draft_from_file, draft_from_text, upload_limit, write_article
from index.corpus.passages import chunk_corpus

PAGE = """<html><head><title>Harbour news - The Daily</title></head><body>
<nav>Home | World | Sport | Subscribe</nav>
<article><h1>Wonsan harbour freezes</h1>
<p>The harbour of Wonsan froze over in March, officials said on Tuesday.</p>
<p>Fishing boats stayed in port for three weeks while icebreakers worked.</p>
<p>Local traders said prices of fish doubled during the freeze.</p></article>
<footer>Copyright 2026 The Daily. All rights reserved.</footer></body></html>"""


def test_an_html_page_is_reduced_to_its_article():
    draft = draft_from_file("harbour.html", PAGE.encode())
    assert draft.title == "Wonsan harbour freezes"
    assert "prices of fish doubled" in draft.text
    assert "Subscribe" not in draft.text and "All rights reserved" not in draft.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.docx", b"PK\x03\x04", "only .txt, .md, .html or .pdf"),
        ("notes.pdf", b"%PDF-1.7", "damaged"),
        ("empty.txt", b"  \n", "is empty"),
        ("big.txt", b"a" * (MAX_ARTICLE_BYTES + 1), "at most"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("latin.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"), "not UTF-8"),
        ("script.html", b"<html><body><script>var a = 1;</script></body></html>", "no article text"),
    ],
)
def test_a_bad_file_is_refused_with_its_reason(name, data, reason):
    with pytest.raises(IntakeError, match=reason):
        draft_from_file(name, data)


def test_pasted_text_needs_a_title_and_text():
    with pytest.raises(IntakeError, match="title"):
        draft_from_text("  ", "Some text.")
    with pytest.raises(IntakeError, match="no text"):
        draft_from_text("A title", " \n ")
    assert draft_from_text("  A   title ", "Text.\r\nMore.").title == "A title"


def test_a_markdown_file_takes_its_first_heading_as_title():
    draft = draft_from_file("x.md", b"# Ice in Wonsan\n\nThe harbour froze.")
    assert draft.title == "Ice in Wonsan"


def test_written_articles_are_read_back_by_the_corpus_and_never_overwrite(tmp_path):
    draft = draft_from_text("Ice in Wonsan: a “cold” week", "The harbour froze.\n\nBoats stayed in port.")
    first = write_article(tmp_path, draft, added_by="moderator#1")
    second = write_article(tmp_path, draft)
    assert first.path != second.path and first.title == second.title == draft.title
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    articles = load_corpus(tmp_path)
    assert {a.slug for a in articles} == {first.slug, second.slug}
    assert any("Boats stayed in port." in p.text for p in chunk_corpus(articles))


def test_an_uploaded_pdf_becomes_a_page_marked_article_and_may_be_larger():
    from tests.index.web.pdfs import pdf_bytes

    data = pdf_bytes(
        [["The harbour froze in March."], ["The price of fish doubled."]], title="Harbour report"
    )
    draft = draft_from_file("report.pdf", data)
    assert draft.title == "Harbour report" and "<!-- page 2 -->" in draft.text
    assert upload_limit("report.pdf") > upload_limit("report.txt") == MAX_ARTICLE_BYTES
