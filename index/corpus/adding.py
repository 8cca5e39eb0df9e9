"""``python -m index add FILE``: an article file (.txt, .md, .html, .pdf) added to the console's
corpus, checked and capped as an upload is, and indexed."""

from __future__ import annotations

from pathlib import Path

from index.config import EngineConfig
from index.corpus.intake import IntakeError, draft_from_file, upload_limit
from index.libraries import Libraries
from index.library import Library


def open_library(settings: EngineConfig, corpus: Path | None, index_dir: Path) -> Library:
    """The console's library, as ``python -m index`` opens it."""
    return Library.open(
        corpus, settings.data_dir, index_dir, settings.threshold, max_corpus_bytes=settings.max_corpus_bytes
    )


def add_file(
    path: Path, settings: EngineConfig, corpus: Path | None, index_dir: Path, server: int | None = None
) -> int:
    """Add the article in ``path`` (to the shared library, or to ``server``'s) and say what was
    added; 0 when it was.

    Raises:
        IntakeError: not a file, too large (checked before it is read), or not an article (the
            reason in one line, as for an upload).
        LibraryError: it cannot be added here or indexed.
    """
    if not path.is_file():
        raise IntakeError(f"{path.name or path}: no such file (give a file, or an http or https URL)")
    limit = upload_limit(path.name)
    size = path.stat().st_size
    if size > limit:
        raise IntakeError(f"{path.name} is {size:,} bytes; files of {limit:,} at most are added")
    draft = draft_from_file(path.name, path.read_bytes())
    libraries = Libraries(open_library(settings, corpus, index_dir), settings.data_dir)
    article, _ = libraries.add(server, draft, added_by="python -m index add")
    library = libraries.library(server)
    assert library is not None
    library.settle()  # its calibration saved before the command ends
    passages = next((a.passages for a in library.engine.manifest.articles if a.slug == article.slug), 0)
    where = "" if server is None else f" to the library of server {server}"
    print(f"added {article.slug}{where}: {article.title} ({passages} passages)")
    return 0
