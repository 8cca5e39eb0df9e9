"""A fetched page as an article draft: HTML reduced to its article by trafilatura (with its
title, site, author and date), plain text and markdown as they are, a PDF by its text layer."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from index.corpus.intake import MAX_PAGE_BYTES, Draft, IntakeError, draft_from_text

if TYPE_CHECKING:
    from index.web.fetch import Fetched

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain", "text/markdown", "text/x-markdown")
PDF_TYPES = ("application/pdf",)
PAGE_TYPES = HTML_TYPES + TEXT_TYPES + PDF_TYPES
NO_ARTICLE = "not a page with article text"


def draft_from_page(fetched: Fetched) -> Draft:
    """The article in a fetched page, with the URL it was fetched from (after redirects).

    Raises:
        IntakeError: the page holds no article text (or is not a kind of page read here); the
            message says why in one line.
    """
    kind = fetched.content_type
    if kind in PDF_TYPES:
        from index.corpus.pdf import pdf_to_markdown

        pdf = pdf_to_markdown(fetched.body, _name(fetched.url))
        draft = draft_from_text(pdf.title, pdf.markdown)
        return Draft(draft.title, draft.text, _site(fetched.url), fetched.url)
    text = _decode(fetched)
    if kind in HTML_TYPES:
        return _from_html(text, fetched.url)
    if kind in TEXT_TYPES:
        first = text.lstrip().split("\n", 1)[0]
        title = first.lstrip("#").strip() if first.startswith("#") else _name(fetched.url)
        draft = draft_from_text(title or _site(fetched.url), text)
        return Draft(draft.title, draft.text, _site(fetched.url), fetched.url)
    raise IntakeError(f"{fetched.url}: {NO_ARTICLE} ({kind or 'no content type'})")


def _decode(fetched: Fetched) -> str:
    if len(fetched.body) > MAX_PAGE_BYTES and fetched.content_type in HTML_TYPES:
        raise IntakeError(f"{fetched.url}: the page is over {MAX_PAGE_BYTES:,} bytes")
    for encoding in (fetched.charset, "utf-8"):
        if not encoding:
            continue
        try:
            return fetched.body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return fetched.body.decode("utf-8", errors="replace")


def _from_html(html: str, url: str) -> Draft:
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False)
    if not text or not text.strip():
        raise IntakeError(f"{url}: {NO_ARTICLE}")
    meta = trafilatura.extract_metadata(html, default_url=url)
    title = (meta.title if meta else "") or _name(url) or _site(url)
    draft = draft_from_text(title, text)
    return Draft(
        draft.title,
        draft.text,
        source=((meta.sitename or "") if meta else "") or _site(url),
        url=url,
        date=(meta.date or "") if meta else "",
        author=(meta.author or "") if meta else "",
    )


def _site(url: str) -> str:
    return urlsplit(url).hostname or ""


def _name(url: str) -> str:
    """A page's name from its URL: the last part of its path, without its extension."""
    stem = PurePosixPath(unquote(urlsplit(url).path)).stem
    return stem.replace("-", " ").replace("_", " ").strip()
