"""Building an index: passages, their vectors, BM25, a calibrated threshold, a manifest; and
``open_index``, the step under ``Library.open`` that loads the saved index or rebuilds it."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
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
from index.store.segments import Segment, segment_vectors
from index.words.vocabulary import WordTally, vocabulary_order

log = logging.getLogger(__name__)


PROGRESS_FROM = 2_000  # texts: below this a build takes seconds and needs no bar
PROGRESS_BATCH = 256


def known_vectors(
    index: PassageIndex | None, articles: Collection[str] | None = None
) -> dict[str, np.ndarray]:
    """Texts an earlier index of the same model embedded, with their vectors, so that a build
    embeds only what changed: its words, and the passages and sentences of ``articles`` (its
    slugs; all of them when None), deleted ones included."""
    if index is None or index.manifest.model != model_id():
        return {}
    vocabulary = index.vocabulary
    known = dict(zip(vocabulary.embedded, vocabulary.vectors, strict=True))
    for segment in index.segments:
        passage_rows, sentence_rows = segment_vectors(segment)
        first = 0
        for row, passage in enumerate(segment.passages):
            texts = passage.sentence_texts()
            if articles is None or passage.article in articles:
                known[context_text(passage)] = passage_rows[row]
                for offset, sentence in enumerate(texts):
                    known[sentence] = sentence_rows[first + offset]
            first += len(texts)
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


def build_segment(
    articles: Sequence[Article],
    encoder: Encoder,
    settings: ChunkSettings = DEFAULT_CHUNKING,
    known: dict[str, np.ndarray] | None = None,
) -> Segment | None:
    """A new segment of ``articles`` (None when they hold no passage); texts in ``known`` keep
    their vectors, the others are embedded."""
    passages = chunk_corpus(list(articles), settings)
    if not passages:
        return None
    texts = [context_text(p) for p in passages]
    sentences = [s for p in passages for s in p.sentence_texts()]
    return Segment.of(
        new_segment_name(),
        passages,
        encode_texts(encoder, texts, "passages", known),
        encode_texts(encoder, sentences, "sentences", known),
        WordTally.build(texts, lambda ws: encode_texts(encoder, ws, "words", known)),
    )


def new_segment_name() -> str:
    """A name no segment had: a segment is never changed, so a name is never reused."""
    return uuid.uuid4().hex[:16]


def manifest_for(
    index: PassageIndex,
    articles: Sequence[Article],
    settings: ChunkSettings,
    corpus_path: str,
    encoder: Encoder,
) -> Manifest:
    """``index``'s manifest for the ``articles`` it now holds (its calibration kept)."""
    counts: dict[str, int] = {}
    for p in index.passages:
        counts[p.article] = counts.get(p.article, 0) + 1
    return replace(
        index.manifest,
        format_version=FORMAT_VERSION,
        model=model_id(),
        dimension=encoder.dimension,
        chunking=chunking_json(settings),
        corpus_checksum=corpus_checksum(list(articles)),
        corpus_path=corpus_path,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        passages=len(index.passages),
        sentences=len(index.sentence_owner),
        articles=tuple(
            ArticleInfo(a.slug, a.title, a.source, a.url, a.date, counts.get(a.slug, 0)) for a in articles
        ),
    )


def _blank_manifest() -> Manifest:
    return Manifest(FORMAT_VERSION, model_id(), 0, {}, "", "", 0.0, "", 0, 0, ())


def build_index(
    articles: list[Article],
    encoder: Encoder,
    settings: ChunkSettings = DEFAULT_CHUNKING,
    corpus_path: str = "",
    previous: PassageIndex | None = None,
) -> PassageIndex:
    """Index a corpus in memory, in one segment, calibrated; ``store.save`` writes it out.
    Texts that ``previous`` (an earlier index, if any) already embedded keep their vectors."""
    started = time.perf_counter()
    segment = build_segment(articles, encoder, settings, known_vectors(previous))
    if segment is None:
        raise CorpusError("the corpus has no article text to index (only headings or site footers)")
    index = PassageIndex.of_segments(_blank_manifest(), [segment])
    index.manifest = manifest_for(index, articles, settings, corpus_path, encoder)
    index.manifest = recalibrated(index, encoder)
    log.info("indexed %d passages in %.1f s", len(index.passages), time.perf_counter() - started)
    return index


def changed_index(
    previous: PassageIndex,
    articles: Sequence[Article],
    removed: Collection[str],
    added: Sequence[Article],
    encoder: Encoder,
    settings: ChunkSettings = DEFAULT_CHUNKING,
    corpus_path: str = "",
) -> PassageIndex:
    """``previous`` changed by what it costs alone: the passages of the ``removed`` articles
    (slugs) marked deleted, the ``added`` articles in a new segment (only their new texts
    embedded), for a corpus now holding ``articles``. The calibration is ``previous``'s until
    ``recalibrated`` makes this index's own.

    Raises:
        CorpusError: no passage would be left.
    """
    deleted = {name: set(rows) for name, rows in previous.deleted.items()}
    if removed:
        for segment in previous.segments:
            gone = [row for row, p in enumerate(segment.passages) if p.article in removed]
            if gone:
                deleted.setdefault(segment.name, set()).update(gone)
    segments = [s for s in previous.segments if len(deleted.get(s.name, ())) < s.size]
    if added:
        new = build_segment(added, encoder, settings, known_vectors(previous, {a.slug for a in added}))
        if new is not None:
            segments.append(new)
    if not segments:
        raise CorpusError("the corpus has no article text to index (only headings or site footers)")
    kept = {s.name for s in segments}
    index = PassageIndex.of_segments(
        previous.manifest, segments, {name: rows for name, rows in deleted.items() if name in kept}
    )
    index.manifest = manifest_for(index, articles, settings, corpus_path, encoder)
    return index


def recalibrated(index: PassageIndex, encoder: Encoder) -> Manifest:
    """``index``'s manifest with the refusal calibration of what it holds now."""
    manifest = calibrate_threshold(index, encoder)
    return replace(manifest, calibration={**manifest.calibration, "corpus": index.manifest.corpus_checksum})


def calibrated(index: PassageIndex) -> bool:
    """Whether ``index``'s calibration was made for the articles it holds now."""
    return index.manifest.calibration.get("corpus") == index.manifest.corpus_checksum


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


MERGE_AT = 10  # small segments that are folded into one (Lucene's merge factor)
SMALL_SHARE = 0.1  # a segment holding less than this share of the live passages is small,
SMALL_FLOOR = 1_000  # and so is any of fewer passages than this (Lucene's floor segment size)
EXPUNGE_SHARE = 0.5  # a segment with this share of its rows deleted is written again without them


def merge_plan(index: PassageIndex, merge_at: int = MERGE_AT) -> list[str]:
    """The segments a merge should fold into one, in order (none: no merge is due): the small
    ones once there are ``merge_at`` of them, and any that is mostly deleted rows."""
    live = {s.name: s.size - len(index.deleted.get(s.name, ())) for s in index.segments}
    total = sum(live.values())
    small = [s.name for s in index.segments if live[s.name] < max(SMALL_SHARE * total, SMALL_FLOOR)]
    emptied = [s.name for s in index.segments if len(index.deleted.get(s.name, ())) >= EXPUNGE_SHARE * s.size]
    if len(small) < merge_at and not emptied:
        return []
    chosen = set(emptied) | (set(small) if len(small) >= merge_at or emptied else set())
    return [s.name for s in index.segments if s.name in chosen]


@dataclass(frozen=True)
class Merge:
    """A merge made from an index (its ``base``): the new segment, the segments it stands for,
    and where each of their live rows (segment name, row) went in it."""

    segment: Segment
    sources: tuple[str, ...]
    origin: dict[tuple[str, int], int]


def merged_segment(index: PassageIndex, names: Collection[str]) -> Merge:
    """The live passages of the segments ``names`` in one new segment, made from their vectors
    without the model."""
    chosen = [s for s in index.segments if s.name in names]
    passages: list = []
    passage_parts, sentence_parts = [], []
    origin: dict[tuple[str, int], int] = {}
    for segment in chosen:
        dead = index.deleted.get(segment.name, frozenset())
        passage_rows, sentence_rows = segment_vectors(segment)
        live, sentences, first = [], [], 0
        for row, passage in enumerate(segment.passages):
            count = len(passage.sentences)
            if row not in dead:
                origin[(segment.name, row)] = len(passages)
                passages.append(passage)
                live.append(row)
                sentences.extend(range(first, first + count))
            first += count
        passage_parts.append(passage_rows[live])
        sentence_parts.append(sentence_rows[sentences])
    texts = [context_text(p) for p in passages]
    counted = WordTally.count(texts)
    embedded = vocabulary_order(counted.counts)
    vectors = np.zeros((len(embedded), index.passage_vectors.d), dtype=np.float32)
    missing = set(embedded)
    for tally in reversed([s.words for s in chosen]):  # the newest vector of a word
        for row, word in enumerate(embedded):
            if word in missing and word in tally.row_of:
                vectors[row] = tally.vectors[tally.row_of[word]]
                missing.discard(word)
    words = WordTally(counted.counts, counted.capitals, embedded, vectors)
    merged = Segment.of(
        new_segment_name(), passages, np.vstack(passage_parts), np.vstack(sentence_parts), words
    )
    return Merge(merged, tuple(s.name for s in chosen), origin)


def with_merged(current: PassageIndex, base: PassageIndex, merge: Merge) -> PassageIndex | None:
    """``current`` with the segments ``merge`` was made from (out of ``base``) replaced by its
    segment, the rows deleted from them since ``base`` deleted in it; None when one of them is
    gone (another merge took it, or all its rows were deleted)."""
    held = {s.name for s in current.segments}
    if not merge.sources or not set(merge.sources) <= held:
        return None
    since = set()
    for name in merge.sources:
        for row in current.deleted.get(name, frozenset()) - base.deleted.get(name, frozenset()):
            since.add(merge.origin[(name, row)])
    segments, placed = [], False
    for segment in current.segments:
        if segment.name not in merge.sources:
            segments.append(segment)
        elif not placed:
            segments.append(merge.segment)
            placed = True
    deleted = {name: rows for name, rows in current.deleted.items() if name not in merge.sources}
    if since:
        deleted[merge.segment.name] = frozenset(since)
    return PassageIndex.of_segments(current.manifest, segments, deleted)
