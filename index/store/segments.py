"""Segments: an index is made of them, and a change writes a new one instead of rewriting the
whole (issue 23, section 2). A segment holds some articles' passages, their passage and
sentence vectors, their BM25 term counts and their words; it is never changed once written
(a removal marks its rows deleted beside it, a merge writes a new segment in place of some)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np

from index.corpus.passages import Passage, context_text
from index.store.lexical import TermSegment
from index.store.vectors import Vectors, stored_vectors, vector_index
from index.words.vocabulary import WordTally

PASSAGES = "passages.jsonl"
PASSAGE_VECTORS = "passages.faiss"
SENTENCE_VECTORS = "sentences.faiss"


@dataclass(frozen=True)
class Segment:
    """Some passages and everything searched of them, numbered from 0 within the segment.

    Attributes:
        name: its folder's name, unique in the index and never reused.
        passages: in order (an article's passages together).
        passage_vectors: one row per passage (of its ``context_text``).
        sentence_vectors: one row per sentence, passage after passage.
        terms: the passages' BM25 term counts.
        words: the passages' words, counted, with vectors.
    """

    name: str
    passages: tuple[Passage, ...]
    passage_vectors: faiss.Index
    sentence_vectors: faiss.Index
    terms: TermSegment
    words: WordTally

    @property
    def size(self) -> int:
        return len(self.passages)

    @cached_property
    def sentence_counts(self) -> np.ndarray:
        return np.array([len(p.sentences) for p in self.passages], dtype=np.int64)

    @classmethod
    def of(
        cls,
        name: str,
        passages: Sequence[Passage],
        passage_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
        words: WordTally,
    ) -> Segment:
        """A segment of passages whose vectors are made (the terms are counted here)."""
        return cls(
            name,
            tuple(passages),
            vector_index(passage_vectors),
            vector_index(sentence_vectors),
            TermSegment.build([context_text(p) for p in passages]),
            words,
        )

    def deleted_sentences(self, deleted: np.ndarray) -> np.ndarray:
        """The sentence rows of the deleted passages (a mask)."""
        return np.repeat(deleted, self.sentence_counts)

    def save(self, folder: Path) -> None:
        """Write the segment into ``folder`` (new); every file is plain data, no pickle."""
        folder.mkdir(parents=True)
        with (folder / PASSAGES).open("w", encoding="utf-8") as fh:
            for p in self.passages:
                fh.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
        write_vectors(self.passage_vectors, folder / PASSAGE_VECTORS)
        write_vectors(self.sentence_vectors, folder / SENTENCE_VECTORS)
        self.terms.save(folder)
        self.words.save(folder)

    @classmethod
    def load(cls, folder: Path) -> Segment:
        """A segment ``save`` wrote.

        Raises:
            ValueError: its files disagree with one another.
            OSError: they cannot be read; any reader's own error for a damaged file.
        """
        with (folder / PASSAGES).open(encoding="utf-8") as fh:
            passages = tuple(Passage.from_json(json.loads(line)) for line in fh)
        segment = cls(
            folder.name,
            passages,
            faiss.read_index(str(folder / PASSAGE_VECTORS)),
            faiss.read_index(str(folder / SENTENCE_VECTORS)),
            TermSegment.load(folder),
            WordTally.load(folder),
        )
        if (
            segment.passage_vectors.ntotal != segment.size
            or segment.terms.size != segment.size
            or segment.sentence_vectors.ntotal != int(segment.sentence_counts.sum())
        ):
            raise ValueError(f"segment {folder.name}: its passages, vectors and terms differ in number")
        return segment


def write_vectors(index: faiss.Index, path: Path) -> None:
    """``faiss.write_index`` through a Python file, so that a failed write is an OSError that
    says why (a full disk), not a RuntimeError."""
    with path.open("wb") as fh:
        faiss.write_index(index, faiss.PyCallbackIOWriter(fh.write))


def masks(segments: Sequence[Segment], deleted: Mapping[str, Iterable[int]]) -> list[np.ndarray]:
    """Each segment's deleted passages as a mask."""
    out = []
    for segment in segments:
        mask = np.zeros(segment.size, dtype=bool)
        rows = np.fromiter(deleted.get(segment.name, ()), dtype=np.int64)
        mask[rows[(rows >= 0) & (rows < segment.size)]] = True
        out.append(mask)
    return out


def live_parts(segments: Sequence[Segment], deleted: Mapping[str, Iterable[int]]) -> tuple[Vectors, Vectors]:
    """The passage and the sentence vectors of every segment, deleted rows skipped."""
    passage_masks = masks(segments, deleted)
    passages = Vectors([s.passage_vectors for s in segments], passage_masks)
    sentences = Vectors(
        [s.sentence_vectors for s in segments],
        [s.deleted_sentences(m) for s, m in zip(segments, passage_masks, strict=True)],
    )
    return passages, sentences


def segment_vectors(segment: Segment) -> tuple[np.ndarray, np.ndarray]:
    """A segment's passage and sentence vectors (views of its indexes' memory)."""
    return stored_vectors(segment.passage_vectors), stored_vectors(segment.sentence_vectors)
