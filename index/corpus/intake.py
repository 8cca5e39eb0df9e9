"""New articles from people: an uploaded file or pasted text, checked, reduced to the article's
text and written into the corpus folder, or refused with a short reason."""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from index.corpus.articles import (
    MAX_ARTICLE_BYTES,
    UTF16_BOMS,
    Article,
    CorpusError,
    _split_front_matter,
    read_article,
    slugify,
)
from index.errors import CitebotError
from index.words.question import clean_line

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
MAX_TITLE_CHARS = 200
# trafilatura's time grows faster than the page (markup of 1 MB: 6 s, 3 MB: 29 s), and a
# page's article is a small part of it
MAX_PAGE_BYTES = 2_000_000
_NO_HARD_LINKS = (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV)


class IntakeError(CitebotError, ValueError):
    """An article that cannot be added; the message says why, in a line a person can act on."""


@dataclass(frozen=True)
class Draft:
    """An article's title and text, before it is written."""

    title: str
    text: str
    source: str = ""
    url: str = ""  # where it was fetched from (after redirects), for citations that link
    date: str = ""
    author: str = ""


def draft_from_file(name: str, data: bytes, title: str = "") -> Draft:
    """The article in an uploaded ``.txt``, ``.md`` or ``.html`` file; an HTML page is reduced
    to its article text by trafilatura. ``title`` overrides the one found in the file."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise IntakeError(f"{name}: only .txt, .md, .html or .pdf files can be added")
    if suffix == ".pdf":
        return _draft_from_pdf(name, data, title)
    if suffix in (".html", ".htm") and len(data) > MAX_PAGE_BYTES:
        raise IntakeError(
            f"{name} is {len(data):,} bytes; pages of {MAX_PAGE_BYTES:,} at most are read: "
            "save the article's text as .txt instead"
        )
    text = _decode(name, data)
    if suffix in (".html", ".htm"):
        return _draft_from_html(name, text, title)
    return draft_from_text(title or _first_heading(text) or Path(name).stem.replace("_", " "), text)


def draft_from_text(title: str, text: str) -> Draft:
    """An article from pasted text and its title; the title is cleaned as questions are (no
    bidi overrides, zero-width characters or mentions to spoof lists and prompts with)."""
    cut = MAX_TITLE_CHARS * 4  # the limit is on the cleaned title; cleaning is not for books
    cleaned = clean_line(title[:cut])
    if not cleaned:
        raise IntakeError("the article needs a title")
    if len(cleaned) > MAX_TITLE_CHARS:
        chars = len(title) if len(title) > cut else len(cleaned)
        raise IntakeError(f"the title is {chars:,} characters; {MAX_TITLE_CHARS} at most")
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise IntakeError("the article has no text")
    if len(text.encode("utf-8")) > MAX_ARTICLE_BYTES:
        raise IntakeError(f"the article is over the {MAX_ARTICLE_BYTES:,}-byte limit")
    return Draft(cleaned, text)


def upload_limit(name: str) -> int:
    """The most bytes a file of this name may have to be added (checked before it is read)."""
    from index.corpus.pdf import MAX_PDF_BYTES

    return MAX_PDF_BYTES if Path(name).suffix.lower() == ".pdf" else MAX_ARTICLE_BYTES


def _draft_from_pdf(name: str, data: bytes, title: str) -> Draft:
    from index.corpus.pdf import pdf_to_markdown

    try:
        pdf = pdf_to_markdown(data, name)
    except CitebotError as exc:
        raise IntakeError(exc.user_message) from exc
    return draft_from_text(title or pdf.title, pdf.markdown)


def _decode(name: str, data: bytes) -> str:
    if not data.strip():
        raise IntakeError(f"{name} is empty")
    if len(data) > MAX_ARTICLE_BYTES:
        raise IntakeError(f"{name} is {len(data):,} bytes; {MAX_ARTICLE_BYTES:,} at most")
    if data.startswith(UTF16_BOMS):
        raise IntakeError(f"{name} is not UTF-8 text (UTF-16): save it as UTF-8")
    if b"\x00" in data:
        raise IntakeError(f"{name} looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IntakeError(f"{name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _draft_from_html(name: str, html: str, title: str) -> Draft:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False)
    if not text or not text.strip():
        raise IntakeError(f"{name}: no article text found in the page")
    meta = trafilatura.extract_metadata(html)
    found = (meta.title if meta else "") or Path(name).stem.replace("_", " ")
    draft = draft_from_text(title or found, text)
    return Draft(
        draft.title, draft.text, (meta.sitename or "") if meta else "", (meta.url or "") if meta else ""
    )


def _first_heading(text: str) -> str:
    """A Markdown file's first ``# heading``, if it starts with one."""
    first = text.lstrip().split("\n", 1)[0]
    return first.lstrip("#").strip() if first.startswith("#") else ""


def _front_matter(draft: Draft, **extra: str) -> str:
    meta = {"title": draft.title, **{k: v for k, v in extra.items() if k == "slug" and v}}
    meta["added"] = extra.get("added") or datetime.now(UTC).isoformat(timespec="seconds")
    fields = (
        ("source", draft.source),
        ("url", draft.url),
        ("date", draft.date),
        ("author", draft.author),
        ("added_by", extra.get("added_by", "")),
    )
    meta.update({k: v for k, v in fields if v})
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n{draft.text}\n"


def write_article(folder: Path, draft: Draft, added_by: str = "") -> Article:
    """Write ``draft`` into ``folder`` as a new ``.md`` file with YAML front matter, under a name
    no other file has, and read it back as the corpus will; nothing is left behind on failure."""
    folder.mkdir(parents=True, exist_ok=True)
    body = _front_matter(draft, added_by=added_by)
    fd, tmp = tempfile.mkstemp(prefix=".adding-", suffix=".tmp", dir=folder)
    target: Path | None = None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        target = _link_new(Path(tmp), folder, slugify(draft.title))
        return read_article(target)
    except (OSError, CorpusError) as exc:
        if target is not None:
            target.unlink(missing_ok=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise IntakeError(f"could not add the article: {reason}") from exc  # no server paths
    finally:
        Path(tmp).unlink(missing_ok=True)


def restore_text(article: Article) -> None:
    """Put ``article``'s file back as it was read, in one step."""
    _replace(Path(article.path), article.raw)


def _replace(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".updating-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def rewrite_article(article: Article, draft: Draft) -> Article:
    """Put ``draft`` in place of ``article``'s text in one step (a watcher sees the old file or
    the new, never half), keeping its id and when it was added: a page that changed upstream.
    """
    path = Path(article.path)
    kept = _split_front_matter(article.raw)[0] if article.body_start else {}
    body = _front_matter(
        draft,
        slug=article.slug,
        added=str(kept.get("added") or ""),
        added_by=str(kept.get("added_by") or ""),
    )
    try:
        _replace(path, body)
        return read_article(path)
    except (OSError, CorpusError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise IntakeError(f"could not update the article: {reason}") from exc


def _link_new(tmp: Path, folder: Path, stem: str) -> Path:
    """Give the whole file ``tmp`` the first free name ``stem.md``, ``stem-2.md``, ... in
    ``folder``. A hard link never replaces a file, so one written meanwhile under the name
    chosen is kept, and a watcher sees the whole file or none of it."""
    n = 1
    while True:
        target = folder / (f"{stem}.md" if n == 1 else f"{stem}-{n}.md")
        n += 1
        if target.with_suffix(".txt").exists():  # the same slug as an article there
            continue
        try:
            os.link(tmp, target)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            try:  # a file system without hard links: take the name, then fill it in one step
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                continue
            os.replace(tmp, target)
        return target
