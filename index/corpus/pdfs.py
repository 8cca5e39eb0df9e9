"""PDFs dropped into the corpus folder: each becomes a markdown article beside it (page markers
and all, so passages keep offsets into a text file), made again when the PDF changes."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import yaml

from index.corpus.articles import CorpusError, Refused, _split_front_matter
from index.corpus.pdf import MAX_PDF_BYTES, pdf_to_markdown
from index.errors import CitebotError

log = logging.getLogger(__name__)

PDF_SUFFIX = ".pdf"
SOURCE_KEY = "converted_from"  # in the markdown's front matter: the PDF it was made from
HASH_KEY = "pdf_sha256"  # and that PDF's fingerprint, so an unchanged PDF is not read again


def convert_pdfs(folder: Path) -> list[Refused]:
    """Make or remake the markdown article of every PDF in ``folder`` whose article is missing
    or older than it; the PDFs that cannot be read, each with its reason (a markdown made from
    an earlier version stays, and is answered from)."""
    refused: list[Refused] = []
    if not folder.is_dir():
        return refused
    for pdf in sorted(folder.iterdir()):
        if (
            pdf.suffix.lower() != PDF_SUFFIX
            or pdf.name.startswith(".")
            or pdf.is_symlink()
            or not pdf.is_file()
        ):
            continue
        reason = _convert(pdf)
        if reason:
            kept = _made_from(pdf.with_suffix(".md")) == pdf.name
            refused.append(Refused(pdf.name, reason, kept=kept))
            log.warning("not indexing %s: %s", pdf.name, reason)
    return refused


def _convert(pdf: Path) -> str:
    """The reason ``pdf`` is not (re)made into its article, or "" when its article is current."""
    target = pdf.with_suffix(".md")
    if pdf.with_suffix(".txt").exists():
        return f"{pdf.with_suffix('.txt').name} already has its name; rename one of them"
    if target.exists() and _made_from(target) != pdf.name:
        return f"{target.name} already exists and was not made from it; rename one of them"
    if pdf.stat().st_size > MAX_PDF_BYTES:
        return f"it is over the {MAX_PDF_BYTES:,}-byte limit for PDFs"
    data = pdf.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if target.exists() and _meta(target).get(HASH_KEY) == digest:
        return ""
    try:
        text = pdf_to_markdown(data, pdf.name)
    except CitebotError as exc:
        return exc.user_message.removeprefix(f"{pdf.name}: ").removeprefix(f"{pdf.name} ")
    meta = {"title": text.title, SOURCE_KEY: pdf.name, HASH_KEY: digest}
    body = f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n{text.markdown}\n"
    fd, tmp = tempfile.mkstemp(prefix=".converting-", suffix=".tmp", dir=pdf.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.replace(tmp, target)  # a watcher sees the whole article or none of it
    finally:
        Path(tmp).unlink(missing_ok=True)
    log.info("made %s from %s (%d pages)", target.name, pdf.name, text.pages)
    return ""


def _meta(path: Path) -> dict:
    try:
        return _split_front_matter(path.read_text(encoding="utf-8")[:20_000])[0]
    except (OSError, UnicodeDecodeError, CorpusError):
        return {}


def _made_from(path: Path) -> str:
    return str(_meta(path).get(SOURCE_KEY) or "") if path.exists() else ""
