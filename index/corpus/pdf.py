"""PDFs as articles: the text layer read by pypdf, paragraphs rebuilt from its lines, each page
marked in the markdown so that a passage knows its page ("p. 4 ¶2")."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import PurePosixPath

import pypdf

from index.corpus.passages import PAGE_MARKER  # noqa: F401 - the marker as passages read it
from index.errors import CitebotError

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 20_000_000
# a book is a few hundred pages; two thousand is a scanned archive or a generated report, not
# an article to quote
MAX_PDF_PAGES = 2_000
# The whole reading (opening the file, then every page's text) must end within PDF_SECONDS.
# pypdf is pure Python and cannot be interrupted, so the reading runs in a worker thread: the
# caller stops waiting at the limit, and the worker stops before its next page. One
# pathological page still keeps the worker busy until that page ends (a thread cannot be
# killed), but no one waits for it. pypdf caps each stream it inflates itself.
PDF_SECONDS = 30.0
MAX_TITLE_CHARS = 200
# a line ending a sentence ends its paragraph when it is shorter than this share of the page's
# longest line (the last line of a paragraph rarely reaches the margin)
SHORT_LINE = 0.75

_PDF_MAGIC = b"%PDF-"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad]")
_HYPHENATED = re.compile(r"[^\W\d_]-$")
_SENTENCE_END = re.compile(r"[.!?:…][\"'”’)\]]*$")


class PdfError(CitebotError, ValueError):
    """A PDF that cannot become an article; the message says why, in one line."""


@dataclass(frozen=True)
class PdfText:
    """A PDF's title, its text as markdown with a ``<!-- page N -->`` line before each page's
    paragraphs, and its number of pages."""

    title: str
    markdown: str
    pages: int


def pdf_to_markdown(data: bytes, name: str) -> PdfText:
    """The text of a PDF as a markdown article, page by page.

    The markdown is ``# {title}``, then for each page a line ``<!-- page N -->`` (N from 1), a
    blank line and that page's paragraphs separated by blank lines; a page with no text has
    only its marker. The title is the PDF's ``/Title``, else ``name``'s stem.

    Paragraphs are rebuilt from pypdf's lines: a paragraph's lines are joined by spaces, a
    word hyphenated at a line's end is joined back ("exam-" + "ple"; the hyphen is kept before
    a capital: "Anglo-" + "Saxon"), and a paragraph ends at a blank line or at a line that
    ends a sentence and is shorter than ``SHORT_LINE`` of the page's longest line. A paragraph
    running on to the next page is cut at the page's end.

    Args:
        data: the PDF file's bytes.
        name: the file's name (an upload's, or the last part of its URL), for the title and
            the messages.

    Raises:
        PdfError: over ``MAX_PDF_BYTES`` or ``MAX_PDF_PAGES``, not a PDF or a damaged one,
            protected by a password, no text on any page, or longer than ``PDF_SECONDS`` to
            read.
    """
    if len(data) > MAX_PDF_BYTES:
        raise PdfError(
            f"{name} is too large: {len(data):,} bytes, PDFs of {MAX_PDF_BYTES:,} at most are read"
        )
    if _PDF_MAGIC not in data[:1024]:
        raise PdfError(f"{name} is not a PDF")
    seconds = PDF_SECONDS
    deadline = time.monotonic() + seconds
    stop = threading.Event()
    read: list[PdfText] = []
    failed: list[Exception] = []

    def work() -> None:
        try:
            read.append(_read(data, name, deadline, stop))
        except Exception as error:  # handed to the caller's thread, raised there
            failed.append(error)

    # a daemon thread, not an executor's: an executor's threads are joined at exit, and a page
    # that never ends would keep the process from ending too
    worker = threading.Thread(target=work, name="pdf-text", daemon=True)
    worker.start()
    worker.join(max(seconds, 0))
    if worker.is_alive():
        stop.set()
        raise PdfError(_too_long(name))
    if failed:
        raise failed[0]
    return read[0]


def paragraphs(text: str) -> list[str]:
    """The paragraphs of one page's extracted text, by the rule ``pdf_to_markdown`` gives."""
    lines = [" ".join(line.split()) for line in _CONTROL.sub("", text).splitlines()]
    width = max((len(line) for line in lines), default=0)
    found: list[str] = []
    current = ""
    for line in lines:
        if not line:
            found.append(current)
            current = ""
            continue
        if not current:
            current = line
        elif _HYPHENATED.search(current):
            # "exam-" + "ple" is one word; "Anglo-" + "Saxon" keeps its hyphen
            current = (current[:-1] if line[0].islower() else current) + line
        else:
            current = f"{current} {line}"
        if _SENTENCE_END.search(line) and len(line) < SHORT_LINE * width:
            found.append(current)
            current = ""
    found.append(current)
    return [_escaped(paragraph) for paragraph in found if paragraph]


def _read(data: bytes, name: str, deadline: float, stop: threading.Event) -> PdfText:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _decrypted(reader):
            raise PdfError(f"{name} is protected by a password")
        # before pypdf flattens the page tree (seconds and hundreds of MB for 100,000 pages)
        over = _pages_over(reader, MAX_PDF_PAGES)
        if over is not None:
            raise PdfError(f"{name} has {over} pages; PDFs of {MAX_PDF_PAGES:,} pages at most are read")
        count = len(reader.pages)
        title = _title(reader) or _stem(name)
    except PdfError:
        raise
    except Exception as error:
        log.info("%s: unreadable PDF: %r", name, error)
        raise PdfError(f"{name} is a damaged PDF and cannot be read") from error
    blocks = [f"# {title}"]
    texts = damaged = 0
    for number in range(1, count + 1):
        if stop.is_set() or time.monotonic() >= deadline:
            raise PdfError(_too_long(name))
        blocks.append(f"<!-- page {number} -->")
        try:
            text = reader.pages[number - 1].extract_text()
        except Exception as error:
            log.info("%s: page %d unreadable: %r", name, number, error)
            damaged += 1
            continue
        found = paragraphs(text or "")
        texts += bool(found)
        blocks.extend(found)
    if not texts:
        if damaged:
            raise PdfError(f"{name} is a damaged PDF: no page's text could be read")
        raise PdfError(f"{name} has no text layer (a scanned PDF?)")
    return PdfText(title=title, markdown="\n\n".join(blocks) + "\n", pages=count)


def _pages_over(reader: pypdf.PdfReader, most: int) -> str | None:
    """How many pages a PDF has, said in words, when it is more than ``most``; else None. The
    page tree's root declares its count (``/Count``), read first; a file whose root understates
    it is caught by walking the tree, leaves counted, stopping at the first past ``most`` (each
    node visited once: a cycle cannot loop). Nothing is flattened, so the cost is bounded by
    ``most``, not by the file."""
    root = reader.trailer["/Root"].get_object()["/Pages"].get_object()
    declared = root.get("/Count")
    if isinstance(declared, int) and declared > most:
        return f"{declared:,}"
    leaves, seen, stack = 0, set(), [root]
    while stack:
        node = stack.pop()
        kids = node.get("/Kids") if isinstance(node, dict) else None
        if kids is None:
            leaves += 1
        elif len(seen) + len(kids.get_object()) > 2 * most + 1:
            return f"more than {most:,}"  # a tree of that many nodes holds no article
        else:
            for kid in reversed(kids.get_object()):
                indirect = isinstance(kid, pypdf.generic.IndirectObject)
                key = (kid.idnum, kid.generation) if indirect else id(kid)
                if key not in seen:
                    seen.add(key)
                    stack.append(kid.get_object())
        if leaves > most:
            return f"more than {most:,}"
    return None


def _decrypted(reader: pypdf.PdfReader) -> bool:
    """Whether an encrypted PDF opens with the empty password (one only locked against
    printing or copying)."""
    try:
        return bool(reader.decrypt(""))
    except Exception as error:  # an unsupported cipher, or its library missing
        log.info("PDF not decrypted: %r", error)
        return False


def _title(reader: pypdf.PdfReader) -> str:
    metadata = reader.metadata
    title = metadata.get("/Title") if metadata else None
    if not isinstance(title, str):
        return ""
    return " ".join(_CONTROL.sub("", title).split())[:MAX_TITLE_CHARS]


def _stem(name: str) -> str:
    stem = PurePosixPath(name.replace("\\", "/")).stem.replace("_", " ")
    return " ".join(_CONTROL.sub("", stem).split())[:MAX_TITLE_CHARS] or "Untitled PDF"


def _escaped(paragraph: str) -> str:
    """A paragraph that cannot be taken for a page marker or a markdown heading."""
    if paragraph.startswith(("#", "<!--")):
        return "\\" + paragraph
    return paragraph


def _too_long(name: str) -> str:
    return f"{name} took too long to read (more than {PDF_SECONDS:g} s)"
