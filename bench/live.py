"""Live changes: how long an article added to a running citebot takes to be answered from,
and a removal to take effect, on a corpus already indexed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from index.answering.engine import Engine, QueryEncoder
from index.corpus.articles import read_article
from index.corpus.intake import Draft
from index.library import Library
from index.store import disk as store


def live_figures(
    name: str, corpus: Path, index_dir: Path, article: Path, encoder: QueryEncoder, workdir: Path
) -> dict[str, float]:
    """Add ``article`` to a copy of ``corpus`` (indexed in ``index_dir``) as /article add does,
    ask from it, then remove it; seconds until each change is answered from."""
    folder, live_index = workdir / f"{name}-live", workdir / f"{name}-live-index"
    shutil.copytree(corpus, folder)
    shutil.copytree(index_dir, live_index)
    library = Library(Engine(store.load(live_index), encoder), folder, live_index)
    source = read_article(article)
    started = time.perf_counter()
    added, _ = library.add(Draft(f"{source.title} (bench copy)", source.body.strip()))
    add_s = time.perf_counter() - started
    passages = [p for p in library.engine.index.passages if p.article == added.slug]
    answer = library.engine.answer(passages[0].sentence_texts()[0])
    started = time.perf_counter()
    library.remove(added.slug)
    remove_s = time.perf_counter() - started
    return {
        f"live_{name}_corpus_passages": library.engine.manifest.passages,
        f"live_{name}_added_passages": len(passages),
        f"live_{name}_add_s": round(add_s, 2),
        f"live_{name}_remove_s": round(remove_s, 2),
        f"live_{name}_answered_from_added": int(any(c.article == added.slug for c in answer.citations)),
    }
