"""The links of a page that lead to other pages on the same host: what ``crawl:true`` follows,
one level deep."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml.etree import ParserError

# lxml parses in linear time, but a page's links are in its markup, and a page fetched for its
# article is capped at 2 MB; more than twice that is not a page worth reading to its end
MAX_LINKS_PAGE_BYTES = 5_000_000
# files a link can lead to that are not pages; PDFs are kept, they become articles too
NOT_PAGES = frozenset(
    ".7z .apk .avi .bmp .css .csv .dmg .doc .docx .eot .exe .flac .gif .gz .ico .iso .jpeg .jpg "
    ".js .json .m4a .mjs .mov .mp3 .mp4 .mpeg .odt .ogg .otf .png .ppt .pptx .rar .rss .svg .tar "
    ".tgz .tif .tiff .ttf .wav .webm .webp .woff .woff2 .xls .xlsx .xml .zip".split()
)


def same_host_links(html: bytes | str, base_url: str, limit: int) -> list[str]:
    """The pages a page links to on its own host, in the page's order.

    Each ``<a href>`` is resolved against ``base_url`` (or the page's ``<base href>``); kept
    only when it is ``http``/``https`` on the same host and port as ``base_url``, does not
    name a file that is not a page (an image, a stylesheet, an archive), and is not the page
    itself. Fragments are dropped, each address is kept once, at most ``limit`` of them. Only
    the first ``MAX_LINKS_PAGE_BYTES`` of the page are read.

    Args:
        html: the page, as fetched (bytes: lxml finds the encoding) or decoded.
        base_url: the address the page was fetched from.
        limit: the most links returned.

    Returns:
        Absolute addresses, without fragments.
    """
    if limit <= 0:
        return []
    data = html.encode("utf-8") if isinstance(html, str) else html
    data = data[:MAX_LINKS_PAGE_BYTES]
    # lxml takes bytes with no declared charset for Latin-1 (HTML 4's default); bytes that
    # are valid UTF-8 are UTF-8 (as a str is, once encoded)
    parser = lxml.html.HTMLParser(encoding="utf-8") if _is_utf8(data) else None
    try:
        document = lxml.html.document_fromstring(data, parser=parser)
    except (ParserError, ValueError):
        return []
    home = _key(base_url)
    if home is None:
        return []
    base = base_url
    for tag in document.iter("base"):
        if tag.get("href"):
            base = urljoin(base_url, tag.get("href", "").strip())
            break
    found: dict[str, None] = {}
    for anchor in document.iter("a"):
        href = anchor.get("href")
        if not href:
            continue
        url = _page_address(base, href)
        key = _key(url) if url else None
        if key is None or key[:2] != home[:2] or key == home:
            continue
        found.setdefault(url)
        if len(found) >= limit:
            break
    return list(found)


def _page_address(base: str, href: str) -> str:
    """``href`` resolved against ``base``, with no fragment and with scheme and host in lower
    case; empty when it is not a web page's address."""
    # browsers drop tabs and newlines anywhere in an address, and spaces around it
    href = "".join(href.split("\t")).replace("\n", "").replace("\r", "").strip()
    try:
        url, _ = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.username is not None:
        return ""
    if PurePosixPath(parts.path).suffix.lower() in NOT_PAGES:
        return ""
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))


def _key(url: str) -> tuple[str, int | None, str, str] | None:
    """What two addresses of one page share: host, port, path (``/`` when empty) and query;
    None when ``url`` is not an ``http``/``https`` address."""
    try:
        url, _ = urldefrag(url)
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.rstrip(".")
    # http://host:80/ and https://host/ are the host's own pages; another port is another site
    return host, None if port in (80, 443) else port, parts.path or "/", parts.query


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8, its last character perhaps cut by the cap."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.reason == "unexpected end of data" and error.start >= len(data) - 3
    return True
