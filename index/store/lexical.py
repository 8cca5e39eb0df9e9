"""Lexical retrieval: BM25 over stemmed words (Snowball, with bm25s's word rules and stopwords),
kept as raw term counts in segments and saved without pickle.

Each segment keeps its documents' term counts, not scores, so that a segment added or a
document deleted costs only itself (issue 23, section 2), and a query is scored with the
document frequencies summed across the live documents of every segment, their count and their
average length: the scores of one index built afresh over the live documents (bm25s's Lucene
variant, the same idf, k1 and b), which a test checks word by word and document by document."""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)

_STEMMER = Stemmer.Stemmer("english")


# bm25s's own tokenizer rules (scikit-learn's word pattern, lowercase, its English stopwords,
# then the stemmer), applied here without its per-call bookkeeping, which cost about 0.6 ms a
# question; tests check that both give the same words.
_WORDS = re.compile(r"(?u)\b\w\w+\b").findall
_STOPWORDS = frozenset(STOPWORDS_EN)


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lowercased, stemmed words without English stopwords, one list per text."""
    return [_STEMMER.stemWords([w for w in _WORDS(t.lower()) if w not in _STOPWORDS]) for t in texts]


K1, B = 1.5, 0.75  # bm25s's defaults, and so citebot's since the first index
COUNTS_FILE, WORDS_FILE = "terms.npz", "terms.json"


@dataclass(frozen=True)
class TermSegment:
    """The term counts of one segment's documents: for each word (a column), the documents
    holding it (rows within the segment) and how often; and each document's length in words.

    Attributes:
        words: the segment's words, column by column.
        indptr: column ``i``'s entries are ``docs[indptr[i]:indptr[i + 1]]``.
        docs: the rows of the documents holding each word, column after column.
        counts: how often each of those documents holds the word.
        lengths: each document's length in words (after stopwords, as BM25 counts it).
    """

    words: tuple[str, ...]
    indptr: np.ndarray
    docs: np.ndarray
    counts: np.ndarray
    lengths: np.ndarray

    @property
    def size(self) -> int:
        return len(self.lengths)

    @classmethod
    def build(cls, texts: Sequence[str]) -> TermSegment:
        """The term counts of ``texts``, tokenized as the lexical index tokenizes."""
        tokens = tokenize(list(texts))
        columns: dict[str, list[tuple[int, int]]] = {}
        for row, words in enumerate(tokens):
            for word, count in Counter(words).items():
                columns.setdefault(word, []).append((row, count))
        words = tuple(sorted(columns))
        sizes = np.array([len(columns[w]) for w in words], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        pairs = [pair for w in words for pair in columns[w]]
        docs = np.array([row for row, _ in pairs], dtype=np.int32)
        counts = np.array([count for _, count in pairs], dtype=np.float32)
        lengths = np.array([len(t) for t in tokens], dtype=np.int32)
        return cls(words, indptr, docs, counts, lengths)

    def save(self, folder: Path) -> None:
        """Write the segment into ``folder`` (plain arrays and a JSON word list; no pickle)."""
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(
            folder / COUNTS_FILE, indptr=self.indptr, docs=self.docs, counts=self.counts, lengths=self.lengths
        )
        (folder / WORDS_FILE).write_text(json.dumps(list(self.words)), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TermSegment:
        """A segment written by ``save``.

        Raises:
            ValueError: the files do not hold a well-formed segment.
            OSError: they cannot be read.
        """
        words = tuple(json.loads((folder / WORDS_FILE).read_text(encoding="utf-8")))
        with np.load(folder / COUNTS_FILE, allow_pickle=False) as arrays:
            segment = cls(words, arrays["indptr"], arrays["docs"], arrays["counts"], arrays["lengths"])
        if len(segment.indptr) != len(words) + 1 or segment.indptr[-1] != len(segment.docs):
            raise ValueError("the term counts do not match their words")
        if len(segment.counts) != len(segment.docs):
            raise ValueError("the term counts do not match their documents")
        return segment


class LexicalIndex:
    """BM25 over segments; a deleted row counts in no statistic. Rows are numbered over the
    live rows, segment after segment, as one index of the live documents numbers them. Scores
    are normalized as ``LexicalIndex.scores``: divided by the sum of the query words' idf."""

    def __init__(self, segments: Sequence[TermSegment], deleted: Sequence[np.ndarray] | None = None) -> None:
        """``deleted``: for each segment, which of its rows are deleted (none when omitted)."""
        self.segments = list(segments)
        if deleted is None:
            deleted = [np.zeros(s.size, dtype=bool) for s in self.segments]
        self.live = [~np.asarray(d, dtype=bool) for d in deleted]
        self.offsets = np.concatenate([[0], np.cumsum([s.size for s in self.segments])]).astype(np.int64)
        self._rows = int(self.offsets[-1])  # live and deleted
        self._whole = [bool(live.all()) for live in self.live]
        self._kept = None if all(self._whole) else np.concatenate(self.live) if self.live else None
        self.documents = self.size = int(sum(live.sum() for live in self.live))
        length = sum(int(s.lengths[live].sum()) for s, live in zip(self.segments, self.live, strict=True))
        self.average_length = length / self.documents if self.documents else 0.0
        self._columns = [{w: i for i, w in enumerate(s.words)} for s in self.segments]
        # each row's length term, made once: a query then costs a gather per word and segment
        average = self.average_length or 1.0
        self._norms = [(K1 * ((1 - B) + B * s.lengths / average)).astype(np.float32) for s in self.segments]
        self._df: dict[str, int] = {}  # live documents holding each word, summed over segments
        for segment, live in zip(self.segments, self.live, strict=True):
            column = np.repeat(np.arange(len(segment.words)), np.diff(segment.indptr))
            held = np.bincount(column, weights=live[segment.docs], minlength=len(segment.words))
            for word, count in zip(segment.words, held.astype(np.int64).tolist(), strict=True):
                if count:
                    self._df[word] = self._df.get(word, 0) + count

    def idf(self, word: str) -> float:
        """The word's idf over the live documents (bm25s's Lucene idf; 0 documents: the most)."""
        df = self._df.get(word, 0)
        return math.log(1 + (self.documents - df + 0.5) / (df + 0.5))

    def raw_scores(self, words: Sequence[str]) -> np.ndarray:
        """Each live row's BM25 score for ``words`` (a word given twice counts twice)."""
        scores = np.zeros(self._rows, dtype=np.float32)
        if not self.documents:
            return scores[: self.size]
        for word in words:
            if word not in self._df:
                continue
            idf = np.float32(self.idf(word))
            for number, (segment, columns) in enumerate(zip(self.segments, self._columns, strict=True)):
                column = columns.get(word)
                if column is None:
                    continue
                start, end = segment.indptr[column], segment.indptr[column + 1]
                docs, tf = segment.docs[start:end], segment.counts[start:end]
                scores[self.offsets[number] + docs] += idf * (tf / (self._norms[number][docs] + tf))
        return scores if self._kept is None else scores[self._kept]

    def scores(
        self, query: str, expansions: tuple[str, ...] = (), expansion_weight: float = 0.5
    ) -> np.ndarray:
        """Each live row's BM25 score divided by the sum of the query words' idf; words of
        ``expansions`` not in the query count ``expansion_weight`` as much."""
        tokens = tokenize([query])[0]
        known = [t for t in tokens if t in self._df]
        extra = [t for t in tokenize([" ".join(expansions)])[0] if t in self._df and t not in tokens]
        if not known and not extra:
            return np.zeros(self.size, dtype=np.float32)
        bound = sum(self.idf(t) for t in tokens) or sum(self.idf(t) for t in extra)
        raw = np.zeros(self.size, dtype=np.float32)
        if known:
            raw += self.raw_scores(known)
        if extra:
            raw += np.float32(expansion_weight) * self.raw_scores(extra)
        return raw / np.float32(bound)

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        """An index of ``texts`` in one segment."""
        return cls([TermSegment.build(texts)])

    def overlaps(self, query: str, texts: list[str]) -> list[float]:
        """For each text, the idf-weighted share of the query's words it holds, in [0, 1]."""
        query_words, *text_words = tokenize([query, *texts])
        weights = {w: self.idf(w) for w in set(query_words)}
        total = sum(weights.values())
        if not total:
            return [0.0] * len(texts)
        return [sum(v for w, v in weights.items() if w in set(words)) / total for words in text_words]
