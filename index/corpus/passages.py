"""Passages: an article cut along paragraphs and sentences, each with its place in the source."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

from index.corpus.articles import Article
from index.words.sentences import Span, split_sentences

# The core's own cap on a passage's text, and so on a sentence (a longer one is cut at
# whitespace): what a citation can quote at most. It is part of the chunking an index records,
# so changing it rebuilds every index. Discord's limits are rendering's (bot/render/card.py),
# which cuts whatever it is given to them.
MAX_PASSAGE_CHARS = 1024
# A line that starts a page of a PDF stored as markdown (index/web/pdf.py writes them): never
# text, it ends a paragraph, and the passages after it are on that page. Nine digits at most, so
# a page number is always a small int; ASCII digits, so ids stay plain.
PAGE_MARKER = re.compile(r"^<!-- page (\d{1,9}) -->$", re.M | re.ASCII)


@dataclass(frozen=True)
class ChunkSettings:
    """How articles are cut into passages (part of the index manifest)."""

    max_chars: int = MAX_PASSAGE_CHARS
    window_chars: int = 700

    def __post_init__(self) -> None:
        if not 0 < self.window_chars <= self.max_chars <= MAX_PASSAGE_CHARS:
            raise ValueError(f"need 0 < window_chars <= max_chars <= {MAX_PASSAGE_CHARS}")


DEFAULT_CHUNKING = ChunkSettings()


@dataclass(frozen=True)
class Passage:
    """A citable run of whole sentences from one paragraph.

    ``start``/``end`` are offsets into the article's source file, so ``text`` is exactly
    ``raw[start:end]``; ``sentences`` are spans into ``text``. ``page`` is the page a passage of
    a paged article (a PDF's) stands on, None elsewhere; ``paragraph`` then counts from 1 on
    each page.
    """

    id: str
    article: str
    title: str
    section: str
    paragraph: int
    part: int
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]
    page: int | None = None

    def sentence_texts(self) -> list[str]:
        return [self.text[a:b] for a, b in self.sentences]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Passage:
        return cls(**{**data, "sentences": tuple(tuple(s) for s in data["sentences"])})


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    text: str
    kind: str = "paragraph"  # or "heading", or "page" (its text the page number)


# How a site's own furniture opens: newsletter boxes, share bars, copyright lines. Only short
# blocks at the very end of an article that open this way are dropped, so a closing paragraph
# that merely mentions a subscription or a copyright stays.
_FOOTER_CUES = re.compile(
    r"^\W*(subscribe|sign up|discover more|follow us|share this|read more|related (posts|articles|stories)|"
    r"all rights reserved|copyright|advertisement|newsletter|get the latest)\b|^\W*©",
    re.I,
)
_FOOTER_MAX_BLOCKS = 4
_FOOTER_MAX_CHARS = 200
# Only the opening is matched by a pattern; the closing #s are cut with str methods. A pattern
# for the whole line (lazy text, then optional spaces and #s) backtracks in cubic time on a line
# of many spaces, holding the GIL all the while.
_MD_HEADING_OPENING = re.compile(r"\s{0,3}#{1,6}\s")
_SENTENCE_END = re.compile(r"[.!?:;,\"”’)\]]\s*$")


def _lines(text: str, offset: int) -> list[tuple[int, int]]:
    spans, pos = [], 0
    # only real line breaks: str.splitlines would also cut at U+2028, NEL and form feeds
    for line in text.split("\n"):
        line += "\n"
        body = line.rstrip("\r\n")
        spans.append((offset + pos, offset + pos + len(body)))
        pos += len(line)
    return spans


def _heading_text(line: str) -> str | None:
    """The section name if a line is a heading: markdown ``#`` or a short line in capitals."""
    opening = _MD_HEADING_OPENING.match(line)
    if opening:
        return line[opening.end() :].rstrip().rstrip("#").strip() or None
    stripped = line.strip()
    letters = [c for c in stripped if c.isalpha()]
    if (
        len(letters) >= 2
        and len(stripped) <= 80
        and len(stripped.split()) <= 10
        and stripped.upper() == stripped
        and not _SENTENCE_END.search(stripped)
    ):
        return stripped
    return None


def _blocks(article: Article) -> list[_Block]:
    """Paragraphs and headings, in order. Blank lines separate paragraphs when the text has any
    (hard-wrapped text), otherwise every line is a paragraph."""
    raw, body = article.raw, article.body
    lines = _lines(body, article.body_start)
    blank_separated = bool(re.search(r"\n[ \t]*\r?\n\s*\S", body.strip()))
    blocks: list[_Block] = []
    run: list[tuple[int, int]] = []

    def flush() -> None:
        if run:
            start, end = run[0][0], run[-1][1]
            blocks.append(_Block(start, end, raw[start:end]))
            run.clear()

    for start, end in lines:
        line = raw[start:end]
        if not line.strip():
            flush()
            continue
        marker = PAGE_MARKER.fullmatch(line)
        if marker:
            flush()
            blocks.append(_Block(start, end, marker[1], "page"))
            continue
        heading = _heading_text(line)
        if heading is not None:
            flush()
            blocks.append(_Block(start, end, heading, "heading"))
            continue
        run.append((start, end))
        if not blank_separated:
            flush()
    flush()
    return _drop_footer(blocks)


def _drop_footer(blocks: list[_Block]) -> list[_Block]:
    """Drop the short site-furniture blocks (newsletter, share, copyright) that end a page."""
    end, seen = len(blocks), 0
    while end > 0 and seen < _FOOTER_MAX_BLOCKS:
        block = blocks[end - 1]
        if block.kind == "page":  # a page marker is not a block of the page's furniture
            end -= 1
            continue
        seen += 1
        short = len(block.text.strip()) <= _FOOTER_MAX_CHARS
        if block.kind == "heading" or (short and _FOOTER_CUES.search(block.text)):
            end -= 1
            continue
        break
    while end > 0 and blocks[end - 1].kind in ("heading", "page"):  # nothing under it
        end -= 1
    return blocks[:end]


def _windows(sentences: list[Span], settings: ChunkSettings) -> list[list[Span]]:
    """Group a long paragraph's sentences into about equal windows under the size limits."""
    total = sentences[-1][1] - sentences[0][0]
    if total <= settings.max_chars:
        return [sentences]
    parts = max(2, math.ceil(total / settings.window_chars))
    target = total / parts
    groups: list[list[Span]] = [[]]
    base = sentences[0][0]
    for span in sentences:
        group = groups[-1]
        size_if_added = span[1] - group[0][0] if group else 0
        done = span[0] - base
        if group and (size_if_added > settings.max_chars or done >= target * len(groups)):
            groups.append([])
        groups[-1].append(span)
    return groups


def chunk_article(article: Article, settings: ChunkSettings = DEFAULT_CHUNKING) -> list[Passage]:
    """Cut one article into passages: one per paragraph, or sentence windows for long ones.

    Paragraphs are numbered through the article, or from 1 on each page of a paged one (a page
    marker's number seen again goes on counting where that page left off, so ids stay unique).
    """
    passages: list[Passage] = []
    section = ""
    page: int | None = None
    counts: dict[int | None, int] = {}  # paragraphs so far on each page (None: before any)
    for block in _blocks(article):
        if block.kind == "heading":
            section = block.text
            continue
        if block.kind == "page":
            page = int(block.text)
            continue
        paragraph = counts[page] = counts.get(page, 0) + 1
        place = f"p{paragraph}" if page is None else f"pg{page}p{paragraph}"
        spans = split_sentences(block.text, settings.max_chars)
        if not spans:
            continue
        groups = _windows(spans, settings)
        for part, group in enumerate(groups, start=1):
            lo, hi = group[0][0], group[-1][1]
            suffix = f".{part}" if len(groups) > 1 else ""
            passages.append(
                Passage(
                    id=f"{article.slug}#{place}{suffix}",
                    article=article.slug,
                    title=article.title,
                    section=section,
                    paragraph=paragraph,
                    part=part,
                    start=block.start + lo,
                    end=block.start + hi,
                    text=block.text[lo:hi],
                    sentences=tuple((a - lo, b - lo) for a, b in group),
                    page=page,
                )
            )
    return passages


def chunk_corpus(articles: list[Article], settings: ChunkSettings = DEFAULT_CHUNKING) -> list[Passage]:
    """Passages of every article, in corpus order."""
    return [p for a in articles for p in chunk_article(a, settings)]


def context_text(passage: Passage) -> str:
    """What is embedded and BM25-indexed for a passage: its text led by where it stands, so a
    question naming the article or section finds passages that do not repeat the name."""
    head = " · ".join(x for x in (passage.title, passage.section.title()) if x)
    return f"{head}\n{passage.text}" if head else passage.text
