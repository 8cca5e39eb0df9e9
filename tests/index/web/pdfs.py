"""Small, valid PDFs written by hand for the tests: one Helvetica text line per string, or none."""

from __future__ import annotations

TOP = 760
LEADING = 14


def pdf_bytes(pages: list[list[str]], *, title: str | None = None, drawing_only: bool = False) -> bytes:
    """A PDF with one page per list of lines, each line drawn under the one before.

    Args:
        pages: the text lines of each page; an empty list is a page with an empty content stream.
        title: the document's ``/Title`` in its ``/Info`` dictionary, if any.
        drawing_only: every page draws a rectangle and no text (what a scan's pages look like
            to a text extractor).
    """
    font = 3 + 2 * len(pages)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(len(pages))), len(pages)),
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
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"/Size %d /Root 1 0 R" % (len(objects) + 1)
    if info is not None:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)
