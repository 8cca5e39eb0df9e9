"""Building an index: passages, their vectors, BM25, a calibrated threshold, a manifest; and
``open_index``, the step under ``Library.open`` that loads the saved index or rebuilds it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.calibration import calibrate_threshold
from index.corpus.articles import Article, CorpusError, corpus_checksum, load_corpus
from index.corpus.passages import DEFAULT_CHUNKING, ChunkSettings, chunk_corpus, context_text
from index.store import disk as store
from index.store.disk import (
    FORMAT_VERSION,
    ArticleInfo,
    IndexUnusable,
    Manifest,
    PassageIndex,
    chunking_json,
)
from index.store.encoder import Encoder, model_id, shared_encoder
from index.store.lexical import LexicalIndex
from index.store.vectors import stored_vectors, vector_index
from index.words.vocabulary import Vocabulary

log = logging.getLogger(__name__)


PROGRESS_FROM = 2_000  # texts: below this a build takes seconds and needs no bar
PROGRESS_BATCH = 256


def known_vectors(index: PassageIndex | None) -> dict[str, np.ndarray]:
    """Every text an earlier index of the same model embedded (passages as embedded, and
    sentences), with its vector: a rebuild embeds only what changed."""
    if index is None or index.manifest.model != model_id():
        return {}
    known = {}
    passage_rows, sentence_rows = (
        stored_vectors(index.passage_vectors),
        stored_vectors(index.sentence_vectors),
    )
    for row, passage in enumerate(index.passages):
        known[context_text(passage)] = passage_rows[row]
        first = int(index.sentence_first[row])
        for offset, sentence in enumerate(passage.sentence_texts()):
            known[sentence] = sentence_rows[first + offset]
    vocabulary = index.vocabulary
    for word, row in vocabulary.rows.items():
        known[word] = vocabulary.vectors[row]
    return known


def encode_texts(
    encoder: Encoder, texts: list[str], what: str, known: dict[str, np.ndarray] | None = None
) -> np.ndarray:
    """``encoder.encode(texts)``, embedding each distinct text once and none of those in
    ``known``, with a progress bar on stderr when the work is long (and stderr is a terminal)."""
    known = known or {}
    distinct = sorted({t for t in texts if t not in known}, key=len)  # like lengths: little padding
    log.info("embedding %d %s (%d new)", len(texts), what, len(distinct))
    if len(distinct) < PROGRESS_FROM:
        vectors = encoder.encode(distinct)
    else:
        from tqdm import tqdm

        rows = []
        bar = tqdm(total=len(distinct), desc=f"embedding {what}", unit=" texts", disable=None, leave=False)
        with bar:
            for start in range(0, len(distinct), PROGRESS_BATCH):
                rows.append(encoder.encode(distinct[start : start + PROGRESS_BATCH]))
                bar.update(len(rows[-1]))
        vectors = np.vstack(rows)
    if not known and distinct == texts:
        return vectors
    fresh = dict(zip(distinct, vectors, strict=True))
    out = np.empty((len(texts), encoder.dimension), dtype=np.float32)
    for i, text in enumerate(texts):
        out[i] = fresh[text] if text in fresh else known[text]
    return out


def build_index(
    articles: list[Article],
    encoder: Encoder,
    settings: ChunkSettings = DEFAULT_CHUNKING,
    corpus_path: str = "",
    previous: PassageIndex | None = None,
) -> PassageIndex:
    """Index a corpus in memory; ``store.save`` writes it out. Texts that ``previous`` (an
    earlier index, if any) already embedded keep their vectors."""
    started = time.perf_counter()
    passages = chunk_corpus(articles, settings)
    if not passages:
        raise CorpusError("the corpus has no article text to index (only headings or site footers)")
    sentences = [s for p in passages for s in p.sentence_texts()]
    known = known_vectors(previous)
    passage_vectors = vector_index(
        encode_texts(encoder, [context_text(p) for p in passages], "passages", known)
    )
    sentence_vectors = vector_index(encode_texts(encoder, sentences, "sentences", known))
    lexical = LexicalIndex.build([context_text(p) for p in passages])
    vocabulary = Vocabulary.build(
        (context_text(p) for p in passages), lambda ws: encode_texts(encoder, ws, "words", known)
    )
    counts: dict[str, int] = {}
    for p in passages:
        counts[p.article] = counts.get(p.article, 0) + 1
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=model_id(),
        dimension=encoder.dimension,
        chunking=chunking_json(settings),
        corpus_checksum=corpus_checksum(articles),
        corpus_path=corpus_path,
        threshold=0.0,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        passages=len(passages),
        sentences=len(sentences),
        articles=tuple(
            ArticleInfo(a.slug, a.title, a.source, a.url, a.date, counts.get(a.slug, 0)) for a in articles
        ),
    )
    index = PassageIndex.assemble(manifest, passages, passage_vectors, sentence_vectors, lexical, vocabulary)
    index.manifest = calibrate_threshold(index, encoder)
    log.info("indexed %d passages in %.1f s", len(passages), time.perf_counter() - started)
    return index


@dataclass(frozen=True)
class IndexStatus:
    """What ``open_index`` found and did."""

    rebuilt: bool
    reason: str


def open_index(
    corpus: Path | str | None,
    index_dir: Path | str,
    encoder: Encoder | None = None,
    settings: ChunkSettings = DEFAULT_CHUNKING,
    force: bool = False,
) -> tuple[PassageIndex, IndexStatus]:
    """Load the index for a corpus, rebuilding it when missing, stale or damaged.

    A damaged or mismatched index is never served: it is rebuilt from the corpus. A building
    step, for ``Library.open`` (the one way to open an engine) and for tests of the index itself.
    """
    articles = load_corpus(corpus)
    expected = {
        "model": model_id(),
        "chunking": store.chunking_json(settings),
        "corpus_checksum": corpus_checksum(articles),
    }
    reason = "rebuild asked for"
    if not force:
        try:
            return store.load(Path(index_dir), expected), IndexStatus(False, "up to date")
        except IndexUnusable as exc:
            reason = str(exc)
    log.warning("%s: building the index in %s", reason, index_dir)
    previous = None
    try:  # a stale index still lends the vectors of what did not change
        previous = store.load(Path(index_dir))
    except IndexUnusable:
        pass
    index = build_index(
        articles, encoder or shared_encoder(), settings, str(corpus or "built-in"), previous=previous
    )
    store.save(index, Path(index_dir))
    return index, IndexStatus(True, reason)
