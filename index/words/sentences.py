"""Sentence boundaries, found by a real segmenter and returned as character spans."""

from __future__ import annotations

from sentencex import segment

Span = tuple[int, int]

# sentencex takes quadratic time on some texts (a run of unclosed quotes: 0.2 s for 100 KB,
# 23 s for 1 MB), so it is never handed more than this at once; a paragraph this long is cut
# at whitespace first, which no real sentence of it straddles in practice.
MAX_SEGMENT_CHARS = 10_000


def _cut_long(text: str, start: int, end: int, limit: int) -> list[Span]:
    """Cut a run longer than ``limit`` at its last whitespace before the limit (a last resort)."""
    spans: list[Span] = []
    while end - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind(" "), window.rfind("\n"))
        cut = start + (cut if cut > 0 else limit)
        spans.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append((start, end))
    return spans


def _segment(text: str) -> list[Span]:
    """Spans of the sentences sentencex finds in ``text`` (at most MAX_SEGMENT_CHARS)."""
    spans: list[Span] = []
    cursor = 0
    for piece in segment("en", text):
        stripped = piece.strip()
        if not stripped:
            continue
        found = text.find(stripped, cursor)
        if found < 0:  # the segmenter changed the text; fall back to the rest as one run
            break
        # anything the segmenter skipped stays with the sentence that follows it
        start = cursor if text[cursor:found].strip() else found
        spans.append((start, found + len(stripped)))
        cursor = found + len(stripped)
    rest = text[cursor:]
    if rest.strip():
        lead = len(rest) - len(rest.lstrip())
        spans.append((cursor + lead, cursor + len(rest.rstrip())))
    return spans


def split_sentences(text: str, limit: int) -> list[Span]:
    """Spans of the sentences of ``text``, trimmed of surrounding whitespace.

    The spans cover every non-space character of ``text`` in order. A sentence longer than
    ``limit`` characters (no real one is) is cut at whitespace so that every span fits: the
    longest passage (``index.passages.MAX_PASSAGE_CHARS``, or a chunking's ``max_chars``).
    """
    spans: list[Span] = []
    for start, end in _cut_long(text, 0, len(text), MAX_SEGMENT_CHARS):
        spans.extend((start + a, start + b) for a, b in _segment(text[start:end]))
    out: list[Span] = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        out.extend(_cut_long(text, start, end, limit))
    return out
