"""Small, valid PDFs written by hand for the tests: one Helvetica text line per string, or none."""

from __future__ import annotations

from bench.hostile import pdf_file

TOP = 760
LEADING = 14


def pdf_bytes(
    pages: list[list[str]], *, title: str | None = None, drawing_only: bool = False, count: int | None = None
) -> bytes:
    """A PDF with one page per list of lines, each line drawn under the one before.

    Args:
        pages: the text lines of each page; an empty list is a page with an empty content stream.
        title: the document's ``/Title`` in its ``/Info`` dictionary, if any.
        drawing_only: every page draws a rectangle and no text (what a scan's pages look like
            to a text extractor).
        count: the page count the page tree's root declares, when it is to lie.
    """
    font = 3 + 2 * len(pages)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (
            b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(len(pages))),
            len(pages) if count is None else count,
        ),
    ]
    for i, lines in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 2 * i, font)
        )
        content = b"0 0 1 rg 72 600 200 100 re f" if drawing_only else _text(lines)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    if title is not None:
        objects.append(b"<< /Title (%s) /Producer (citebot tests) >>" % _escape(title))
    return _file(objects, info=len(objects) if title is not None else None)


def _text(lines: list[str]) -> bytes:
    if not lines:
        return b""
    out = [b"BT", b"/F1 12 Tf", b"%d TL" % LEADING, b"72 %d Td" % TOP]
    for n, line in enumerate(lines):
        out.append(b"(%s) Tj" % _escape(line) if n == 0 else b"T* (%s) Tj" % _escape(line))
    out.append(b"ET")
    return b"\n".join(out)


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _file(objects: list[bytes], *, info: int | None) -> bytes:
    """The objects numbered from 1, with a cross-reference table at their true offsets."""
    return pdf_file(objects, b" /Info %d 0 R" % info if info is not None else b"")
