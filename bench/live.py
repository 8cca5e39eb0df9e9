"""Live changes: how long an article added to a running citebot takes to be answered from,
and a removal to take effect, on a corpus already indexed.

``python -m bench --live --passages N`` measures it on an N-passage corpus made from the
built-in article alone (its editions: the same paragraph shapes refilled with its sentences,
bench/synthetic.py), built once into a cache folder and reused: a 30-passage article with a
sentence of its own is added and asked about, then removed and asked about again. Its last
line is JSON with ``live_add_s`` and ``live_remove_s``."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from index.answering.engine import Engine, QueryEncoder
from index.corpus.articles import BUILTIN_CORPUS, Article, read_article
from index.corpus.intake import Draft
from index.corpus.passages import chunk_article
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


ADDED_PASSAGES = 30  # the article added, as the issue measures it
MARK = "The keeper of the Kalma lighthouse counted 4,321 ships passing the cape that winter."
MARK_QUESTION = "How many ships did the keeper of the Kalma lighthouse count passing the cape?"


def added_article(passages: int = ADDED_PASSAGES) -> Draft:
    """An article of ``passages`` passages (editions of the built-in article's paragraphs) whose
    first paragraph holds a sentence no other article has (``MARK``)."""
    from bench.synthetic import article_shape, edition

    source = read_article(next(BUILTIN_CORPUS.glob("*.txt")))
    shape = article_shape(source.body)
    paragraphs = [MARK]
    number = 1000
    while True:
        number += 1
        for paragraph in edition(shape, number).split("\n\n"):
            text = "\n\n".join(paragraphs)
            if len(chunk_article(Article("live", "Live", "", "", "", "live.md", text, 0))) >= passages:
                return Draft("The Kalma lighthouse log", text)
            paragraphs.append(paragraph)


def live_corpus(passages: int, cache: Path) -> Library:
    """The corpus of ``python -m bench --live``: ``passages`` passages of the built-in article's
    editions, written and indexed in ``cache`` the first time, opened from it after."""
    from bench.synthetic import article_shape, editions_corpus
    from index.store.encoder import shared_encoder

    corpus, index_dir = cache / f"live-{passages}" / "articles", cache / f"live-{passages}" / "index"
    if not corpus.is_dir():
        source = read_article(next(BUILTIN_CORPUS.glob("*.txt")))
        editions_corpus([("nk-troops", article_shape(source.body))], corpus.with_suffix(".new"), passages)
        corpus.with_suffix(".new").rename(corpus)
    return Library.open(corpus, cache, index_dir, encoder=shared_encoder())


def live_bench(passages: int, cache: Path) -> dict[str, float]:
    """The figures of ``python -m bench --live``: a corpus of ``passages`` passages built (or
    reused) in ``cache``, a 30-passage article added and removed in a copy of it."""
    started = time.perf_counter()
    base = live_corpus(passages, cache)
    build_s = time.perf_counter() - started
    assert base.folder is not None and base.index_dir is not None
    corpus, index_dir = base.folder, base.index_dir
    work = cache / f"live-{passages}" / "work"
    shutil.rmtree(work, ignore_errors=True)
    folder, live_index = work / "articles", work / "index"
    shutil.copytree(corpus, folder)
    shutil.copytree(index_dir, live_index)
    library = Library(Engine(store.load(live_index), base.engine.encoder), folder, live_index)
    started = time.perf_counter()
    added, _ = library.add(added_article())
    answered = library.engine.answer(MARK_QUESTION)
    add_s = time.perf_counter() - started
    cited = any(c.article == added.slug for c in answered.citations)
    added_passages = sum(1 for p in library.engine.index.passages if p.article == added.slug)
    started = time.perf_counter()
    library.remove(added.slug)
    gone = not any(c.article == added.slug for c in library.engine.answer(MARK_QUESTION).citations)
    remove_s = time.perf_counter() - started
    started = time.perf_counter()
    library.settle()  # the upkeep the changes started: the calibration, a merge if one is due
    settle_s = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)
    return {
        "live_passages": base.engine.manifest.passages,
        "live_added_passages": added_passages,
        "live_build_s": round(build_s, 1),
        "live_add_s": round(add_s, 2),
        "live_remove_s": round(remove_s, 2),
        "live_upkeep_after_s": round(settle_s, 2),
        "live_answered_from_added": int(cited),
        "live_gone_after_removal": int(gone),
    }
