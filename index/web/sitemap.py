"""Sitemaps read safely: the pages a ``<urlset>`` lists, or the sitemaps a ``<sitemapindex>`` lists,
from XML parsed with no DTD and no entities, gzip expanded no further than its cap."""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

from index.errors import CitebotError

# The protocol allows 50 MB uncompressed and 50,000 URLs per file. A 50,000-URL sitemap with a
# <lastmod> per page is about 10 MB, and citebot adds at most a few hundred pages from one, so
# 10 MB (raw and, for gzip, expanded) holds any sitemap that keeps to the URL limit while a
# hostile one costs at most 10 MB of memory.
MAX_SITEMAP_BYTES = 10_000_000
MAX_SITEMAP_URLS = 50_000

_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_SNIFF_BYTES = 1024
# the first start tag after the XML declaration, comments and a doctype: its local name
_FIRST_TAG = re.compile(rb"<(?![?!/])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_ROOTS = {"urlset": "url", "sitemapindex": "sitemap"}


class SitemapError(CitebotError, ValueError):
    """A sitemap that cannot be read; the message says why, in one line."""


@dataclass(frozen=True)
class Sitemap:
    """What a sitemap lists: pages (a ``<urlset>``) or child sitemaps (a ``<sitemapindex>``)."""

    pages: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()


def parse_sitemap(data: bytes) -> Sitemap:
    """The pages or child sitemaps listed in a sitemap file, plain or gzipped.

    Only ``http``/``https`` addresses are kept, trimmed, each once, in the file's order, at most
    ``MAX_SITEMAP_URLS`` of them (the rest of a longer file is not read).

    Raises:
        SitemapError: too large (raw or expanded), not well-formed, a DTD or entities, or a root
            that is neither ``<urlset>`` nor ``<sitemapindex>``.
    """
    if len(data) > MAX_SITEMAP_BYTES:
        raise SitemapError(f"the sitemap is too large: {len(data):,} bytes, {MAX_SITEMAP_BYTES:,} at most")
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, MAX_SITEMAP_BYTES)
    root = _root_name(data[:_SNIFF_BYTES])
    if root is not None and root not in _ROOTS:
        # before the parser: a page's <!DOCTYPE html> is a page, not a DTD to refuse
        raise SitemapError(f"not a sitemap: the root is <{root}>, not <urlset> or <sitemapindex>")
    try:
        found, kind = _locs(data)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as error:
        what = "a DTD" if isinstance(error, DTDForbidden) else "entities"
        raise SitemapError(
            f"the sitemap declares {what}, which is not allowed (entities are not expanded)"
        ) from error
    except ParseError as error:
        raise SitemapError(f"not a sitemap: the XML is not well-formed ({error})") from error
    if kind == "urlset":
        return Sitemap(pages=found)
    return Sitemap(sitemaps=found)


def looks_like_sitemap(content_type: str, data: bytes) -> bool:
    """Whether a fetched body is a sitemap rather than a page: XML whose root element, sniffed
    from the first KB, is ``<urlset>`` or ``<sitemapindex>`` (gzipped or not). The bytes decide;
    the content type only rules out a page served as HTML."""
    if "html" in content_type.lower():
        return False
    head = data[:_SNIFF_BYTES]
    if head.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(_GZIP_WBITS).decompress(data[: 64 * _SNIFF_BYTES], _SNIFF_BYTES)
        except zlib.error:
            return False
    return _root_name(head) in _ROOTS


def _gunzip(data: bytes, cap: int) -> bytes:
    """``data`` expanded, refused once it would pass ``cap`` bytes: a gzip bomb is never expanded
    further than the cap."""
    inflater = zlib.decompressobj(_GZIP_WBITS)
    try:
        expanded = inflater.decompress(data, cap + 1)
    except zlib.error as error:
        raise SitemapError(f"the sitemap is a damaged gzip file ({error})") from error
    if len(expanded) > cap:
        raise SitemapError(f"the sitemap is too large: more than {cap:,} bytes once expanded")
    if not inflater.eof:
        raise SitemapError("the sitemap is a damaged gzip file (it ends early)")
    return expanded


def _locs(data: bytes) -> tuple[tuple[str, ...], str]:
    """The ``<loc>`` of each entry under the root, and the root's local name; read as a stream
    so that memory stays with the addresses kept, not the tree."""
    root_ns = kind = entry = ""
    seen: dict[str, None] = {}
    depth = 0
    for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
        if event == "start":
            depth += 1
            if depth == 1:
                root_ns, kind = _split_tag(element.tag)
                if kind not in _ROOTS:
                    raise SitemapError(f"not a sitemap: the root is <{kind}>, not <urlset> or <sitemapindex>")
                entry = _ROOTS[kind]
            continue
        depth -= 1
        if depth == 1 and element.tag == _tag(root_ns, entry):
            loc = element.findtext(_tag(root_ns, "loc"))
            url = (loc or "").strip()
            if _is_web_address(url):
                seen.setdefault(url)
                if len(seen) >= MAX_SITEMAP_URLS:
                    break
            element.clear()
    if not kind:
        raise SitemapError("not a sitemap: no XML root element")
    return tuple(seen), kind


def _split_tag(tag: str) -> tuple[str, str]:
    """``{namespace}local`` as its namespace and local name."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _tag(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}" if namespace else local


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    # a user name or password in a listed URL is never fetched, stored or shown (as links.py)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and parts.username is None


def _root_name(head: bytes) -> str | None:
    """The local name of the first start tag in ``head`` (comments, the XML declaration and a
    doctype passed over), or None when there is none in it."""
    head = re.sub(rb"<!--.*?(?:-->|$)", b"", head, flags=re.S)
    match = _FIRST_TAG.search(head)
    return match.group(1).decode("ascii") if match else None
