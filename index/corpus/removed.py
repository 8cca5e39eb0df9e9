"""Removed articles: set aside in the corpus folder's ``removed`` folder, one folder per removal,
never deleted, so that an operator can put them back; and the pin a removal is confirmed with."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from index.corpus.articles import ARTICLE_SUFFIXES, Article

REMOVED_FOLDER = "removed"  # inside the corpus folder, which is read one level deep only
PIN_CHARS = 12  # hex digits: fits a button's custom id beside the id and a timestamp
METADATA_SUFFIXES = (".yaml", ".yml")
_ENTRY = re.compile(r"(?P<day>\d{8})-(?P<time>\d{6})-(?P<slug>[a-z0-9-]+?)(?:~\d+)?")


@dataclass(frozen=True)
class RemovedArticle:
    """One removal, as it lies in the removed folder."""

    slug: str
    removed_at: str  # "2026-11-29 11:40 UTC"
    folder: str  # relative to the corpus folder: "removed/20261129-114000-harbour"
    files: tuple[str, ...]  # the files to move back into the corpus folder to restore it


def removal_pin(article: Article) -> str:
    """A short digest of an article's file name and text: a removal confirmed for one version of
    a file is refused when that id now names another file or another text."""
    digest = hashlib.sha256(Path(article.path).name.encode("utf-8") + b"\0" + article.raw.encode("utf-8"))
    return digest.hexdigest()[:PIN_CHARS]


def article_files(article: Article) -> list[Path]:
    """The article's file and any metadata file beside it."""
    path = Path(article.path)
    return [path, *(p for p in (path.with_suffix(s) for s in METADATA_SUFFIXES) if p.is_file())]


def set_aside(folder: Path, article: Article) -> Path:
    """Move an article's files into a new folder of ``folder/removed``; that folder.

    Raises:
        OSError: a file could not be moved (those moved already are put back).
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    removed = folder / REMOVED_FOLDER
    removed.mkdir(exist_ok=True)
    entry, n = removed / f"{stamp}-{article.slug}", 2
    while True:
        try:
            entry.mkdir()
            break
        except FileExistsError:
            entry, n = removed / f"{stamp}-{article.slug}~{n}", n + 1
    try:
        for file in article_files(article):
            file.rename(entry / file.name)  # the same file system: a rename, never a copy
    except OSError:
        put_back(folder, entry)
        raise
    return entry


def put_back(folder: Path, entry: Path) -> None:
    """Move a removal's files back into ``folder`` (an operator's restore, or a failed removal).

    Raises:
        OSError: a file could not be moved, or one of that name is in ``folder`` again.
    """
    for file in sorted(entry.iterdir()):
        target = folder / file.name
        if target.exists():
            raise FileExistsError(f"{file.name} is in the corpus folder again; not put back over it")
        file.rename(target)
    entry.rmdir()


def removed_articles(folder: Path, limit: int = 50) -> list[RemovedArticle]:
    """The latest removals still in ``folder/removed``, newest first; a folder emptied by a
    restore is left out. Nothing in it is read, only listed."""
    removed = folder / REMOVED_FOLDER
    if not removed.is_dir():
        return []
    found: list[RemovedArticle] = []
    for entry in sorted((p for p in removed.iterdir() if p.is_dir()), key=lambda p: p.name, reverse=True):
        match = _ENTRY.fullmatch(entry.name)
        files = tuple(sorted(p.name for p in entry.iterdir() if p.is_file()))
        if match is None or not any(Path(f).suffix.lower() in ARTICLE_SUFFIXES for f in files):
            continue
        day, hms = match["day"], match["time"]
        when = f"{day[:4]}-{day[4:6]}-{day[6:]} {hms[:2]}:{hms[2:4]} UTC"
        found.append(RemovedArticle(match["slug"], when, f"{REMOVED_FOLDER}/{entry.name}", files))
        if len(found) == limit:
            break
    return found
