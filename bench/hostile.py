"""Every parser of untrusted text timed on fixed pathological inputs of 100 KB.

``python -m bench --hostile`` (or ``python -m bench.hostile``) prints one line per parser and
input, and the time a PDF of ``PDF_PAGES`` blank pages takes to be refused, then the figures as
one JSON line; ``--parser NAME`` runs one parser only (the tests run
each in its own process, under a generous timeout). A parser may refuse an input with its
reason; any other exception stops the run, as it would stop the bot.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from index.corpus.articles import MAX_META_CHARS, Article, CorpusError, read_article
from index.corpus.intake import IntakeError, draft_from_file
from index.corpus.passages import chunk_article
from index.words.question import QuestionError, clean_question

SIZE = 100_000
PDF_PAGES = 100_000  # a PDF of this many pages is refused (MAX_PDF_PAGES is 2,000)


def _repeat(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


INPUTS: dict[str, str] = {
    "heading spaces": "# a" + " " * (SIZE - 4) + "b",  # cubic for the old heading pattern
    "hashes": "#" * SIZE,
    "hash words": _repeat("# a "),
    "punctuation": _repeat(".!?;:,\"')]”’-"),
    "open quotes": _repeat("“He said. "),  # sentencex is quadratic on unclosed quotes
    "brackets": "[" * SIZE,  # nesting, for YAML and the sentence splitter
    "tags": _repeat("<div>"),  # nesting, for HTML
    "mentions": _repeat("</x <@"),
    "blank lines": _repeat(" \n"),
}


def _article(text: str) -> Article:
    return Article("hostile", "Hostile", "", "", "", "hostile.md", text, 0)


def _passages(text: str) -> str:
    return f"{len(chunk_article(_article(text)))} passages"


def _read(folder: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    article = read_article(folder / next(iter(files)))
    return f"title of {len(article.title):,} characters"


def _draft(name: str, text: str) -> str:
    draft = draft_from_file(name, text.encode())
    return f"{len(draft.text):,} characters titled {draft.title[:20]!r}"


def _page(text: str) -> str:
    return f"<html><head><title>{text}</title></head><body><article><p>{text}</p></article></body></html>"


def parsers(folder: Path) -> dict[str, Callable[[str], str]]:
    """Each parser of untrusted text, as a function of one hostile text to a short outcome."""
    return {
        "headings": _passages,  # one line, that may be taken for a heading
        "chunking": lambda text: _passages(f"# Section\n\nA first paragraph.\n\n{text}\n\nThe end.\n"),
        "footer rule": lambda text: _passages(f"A first paragraph.\n\n{text}\n\nSubscribe today\n"),
        "front matter": lambda text: _read(folder, {"front.md": f"---\ntitle: {text}\n---\nText.\n"}),
        "meta at cap": lambda text: _read(  # what YAML itself is handed at most
            folder, {"capped.md": f"---\ntitle: {text[: MAX_META_CHARS - 20]}\n---\nText.\n"}
        ),
        "sidecar": lambda text: _read(folder, {"side.txt": "Text.\n", "side.yaml": f"title: {text}\n"}),
        "intake .txt": lambda text: _draft("x.txt", text),
        "intake .md": lambda text: _draft("x.md", text),
        "intake .html": lambda text: _draft("x.html", _page(text)),
        "question": lambda text: f"question of {len(clean_question(text))} characters",
    }


def pdf_file(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of ``objects``, numbered from 1 (the first is the catalog), with a cross-reference
    table at their true offsets; ``trailer`` adds to the trailer (``b" /Info 9 0 R"``)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def many_pages_pdf(pages: int) -> bytes:
    """A valid PDF of ``pages`` blank pages in one flat page tree (about 100 bytes a page)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    return pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids),
            *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>"] * pages,
        ]
    )


def pdf_refusal(pages: int = PDF_PAGES) -> float:
    """Seconds a PDF of ``pages`` pages takes to be refused; one line printed."""
    from index.corpus.pdf import PdfError, pdf_to_markdown

    data = many_pages_pdf(pages)
    started = time.perf_counter()
    try:
        outcome = f"read: {pdf_to_markdown(data, 'pages.pdf').pages} pages"
    except PdfError as exc:
        outcome = f"refused: {str(exc)[:80]}"
    seconds = time.perf_counter() - started
    print(f"{'pdf':14}{f'{pages:,} pages':16}{seconds:9.3f} s  {outcome} ({len(data):,} bytes)", flush=True)
    return round(seconds, 4)


def run(only: str | None = None) -> dict[str, float]:
    """Seconds each parser (or ``only`` that one) takes on each input; one line printed per run."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for parser, parse in parsers(Path(tmp)).items():
            if only and parser != only:
                continue
            parse("Warm up.")  # first calls load what a parser needs; that is not its speed
            for name, text in INPUTS.items():
                started = time.perf_counter()
                try:
                    outcome = parse(text)
                except (CorpusError, IntakeError, QuestionError) as exc:
                    outcome = f"refused: {str(exc)[:80]}"
                seconds = time.perf_counter() - started
                figures[f"{parser} / {name}"] = round(seconds, 4)
                print(f"{parser:14}{name:16}{seconds:9.3f} s  {outcome}", flush=True)
    if not only or only == "pdf":
        figures[f"pdf / {PDF_PAGES:,} pages"] = pdf_refusal()
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.hostile", description=__doc__.split("\n\n")[0])
    ap.add_argument("--parser", help="run this parser only")
    args = ap.parse_args(argv)
    if args.parser and args.parser not in [*parsers(Path()), "pdf"]:
        ap.error(f"no parser {args.parser!r}; the parsers: {', '.join(parsers(Path()))}")
    figures = run(args.parser)
    print(f"slowest: {max(figures, key=figures.__getitem__)} ({max(figures.values()):.3f} s)")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
