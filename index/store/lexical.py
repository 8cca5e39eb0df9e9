"""Lexical retrieval: BM25 over stemmed words (bm25s + Snowball), saved without pickle."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bm25s
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


class LexicalIndex:
    """BM25 scores of every document for a query, as a share of what the query could score."""

    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self._model = model
        self.size = size
        indptr = np.asarray(model.scores["indptr"])
        self._df = np.diff(indptr)  # documents holding each vocabulary word (CSC columns)

    def _idf(self, df: int) -> float:
        # bm25s's default ("lucene") idf, so the bound below matches its scores
        return float(np.log(1 + (self.size - df + 0.5) / (df + 0.5)))

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        model = bm25s.BM25()
        model.index(
            bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False), show_progress=False
        )
        return cls(model, len(texts))

    def scores(
        self, query: str, expansions: tuple[str, ...] = (), expansion_weight: float = 0.5
    ) -> np.ndarray:
        """Each document's BM25 score divided by the sum of the query words' idf.

        A document holding each query word once, at average length, scores about 1; one that
        matches only common words scores near 0. Words the corpus never uses count in the
        sum, so a question about something absent scores low everywhere.
        """
        tokens = tokenize([query])[0]
        vocab = self._model.vocab_dict
        known = [t for t in tokens if t in vocab]
        extra = [t for t in tokenize([" ".join(expansions)])[0] if t in vocab and t not in tokens]
        if not known and not extra:
            return np.zeros(self.size, dtype=np.float32)
        bound = sum(self._word_idf(t) for t in tokens) or sum(self._word_idf(t) for t in extra)
        raw = np.zeros(self.size, dtype=np.float32)
        if known:
            raw += np.asarray(self._model.get_scores(known), dtype=np.float32)
        if extra:  # corpus words standing in for question words it lacks count for less
            raw += np.float32(expansion_weight) * np.asarray(self._model.get_scores(extra), dtype=np.float32)
        return raw / np.float32(bound)

    def _word_idf(self, token: str) -> float:
        index = self._model.vocab_dict.get(token)
        return self._idf(int(self._df[index]) if index is not None else 0)

    def overlaps(self, query: str, texts: list[str]) -> list[float]:
        """For each text, the idf-weighted share of the query's words it holds, in [0, 1]."""
        query_words, *text_words = tokenize([query, *texts])
        weights = {w: self._word_idf(w) for w in set(query_words)}
        total = sum(weights.values())
        if not total:
            return [0.0] * len(texts)
        return [sum(v for w, v in weights.items() if w in set(words)) / total for words in text_words]

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        model = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        return cls(model, size)
