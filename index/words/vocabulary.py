"""The corpus's own words, counted and embedded when the index is built, for checking the terms
of a question against what the articles say (by spelling, by stem, and through the model)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from index.words.terms import STOPWORDS, stem, words

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

NEAREST_KEPT = 10_000  # words whose nearest corpus word is remembered
WORDS_FILE = "vocabulary.json"
VECTORS_FILE = "vocabulary.faiss"


# A word written with a capital after a lowercase word: mid-sentence, so a name.
_MID_CAPITAL = re.compile(r"(?<=[a-z,;] )[A-Z][^\W\d_]+")


def embeddable(word: str) -> bool:
    """Words worth a vector: not numbers (those match by spelling only) and not stopwords."""
    return not word[:1].isdigit() and word not in STOPWORDS


@dataclass
class Vocabulary:
    """Every word of the corpus with its count, stem and (for embeddable words) a vector."""

    words: list[str]
    counts: list[int]
    vectors: np.ndarray  # one row per embeddable word, in ``words`` order, L2-normalized
    proper: frozenset[str] = frozenset()  # words the corpus writes capitalised mid-sentence
    rows: dict[str, int] = field(init=False)  # word -> vector row
    index: dict[str, int] = field(init=False)  # word -> position in ``words``
    stems: frozenset[str] = field(init=False)
    embedded: list[str] = field(init=False)  # the word of each vector row
    _by_stem: dict[str, int] = field(init=False)  # stem -> the row of its most frequent word
    _nearest: dict[str, tuple[str, float]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}
        self.embedded = [w for w in self.words if embeddable(w)]
        self.rows = {w: r for r, w in enumerate(self.embedded)}
        self._by_stem = {}
        for r, w in enumerate(self.embedded):  # most frequent first: the first word of a stem wins
            self._by_stem.setdefault(stem(w), r)
        self.stems = frozenset(stem(w) for w in self.words)
        if len(self.rows) != len(self.vectors):
            raise ValueError("vocabulary vectors and words differ in number")

    @staticmethod
    def count(texts: Iterable[str]) -> Counter[str]:
        """Each word's count over ``texts``."""
        counter: Counter[str] = Counter()
        for text in texts:
            counter.update(words(text))
        return counter

    @classmethod
    def build(cls, texts: Iterable[str], embed: Callable[[list[str]], np.ndarray]) -> Vocabulary:
        """The vocabulary of ``texts``, most frequent word first; ``embed`` gives word vectors."""
        texts = list(texts)
        counter = cls.count(texts)
        capitals: Counter[str] = Counter()
        for text in texts:
            capitals.update(m.group().lower() for m in _MID_CAPITAL.finditer(text))
        proper = frozenset(w for w, n in capitals.items() if 2 * n >= counter[w])
        ordered = sorted(counter, key=lambda w: (-counter[w], w))
        vectors = embed([w for w in ordered if embeddable(w)])
        return cls(ordered, [counter[w] for w in ordered], np.asarray(vectors, dtype=np.float32), proper)

    def subset(self, texts: Iterable[str]) -> Vocabulary:
        """The vocabulary of some of the corpus's texts, with the vectors already made."""
        counter = self.count(texts)
        ordered = sorted(counter, key=lambda w: (-counter[w], w))
        rows = [self.rows[w] for w in ordered if embeddable(w)]
        return Vocabulary(ordered, [counter[w] for w in ordered], self.vectors[rows], self.proper)

    def has(self, word: str) -> bool:
        """The corpus uses this word (normal form) or another with its stem."""
        return word in self.index or stem(word) in self.stems

    def vector(self, word: str) -> np.ndarray | None:
        """The word's vector, or that of a corpus word with its stem ("sent" for "sending")."""
        row = self.rows.get(word)
        if row is None:
            row = self._by_stem.get(stem(word))
        return None if row is None else self.vectors[row]

    def vectors_of(self, words_: Iterable[str]) -> np.ndarray:
        """The vectors of those of ``words_`` that have one."""
        rows = sorted({self.rows[w] for w in words_ if w in self.rows})
        return self.vectors[rows] if rows else np.zeros((0, self.vectors.shape[1]), dtype=np.float32)

    def nearest(self, word: str, vector: np.ndarray) -> tuple[str, float]:
        """``closest`` for a word's own vector, remembered: a scan of every corpus word's vector
        is the costliest step of checking a question's terms on a large corpus."""
        found = self._nearest.get(word)
        if found is None:
            if len(self._nearest) >= NEAREST_KEPT:
                self._nearest.clear()
            found = self._nearest[word] = self.closest(vector)
        return found

    def closest(self, vector: np.ndarray) -> tuple[str, float]:
        """The corpus word whose vector is nearest ``vector`` (cosine), and that cosine."""
        if not len(self.vectors):
            return "", 0.0
        scores = self.vectors @ vector
        row = int(np.argmax(scores))
        return self.embedded[row], float(scores[row])

    def save(self, folder: Path) -> None:
        data = {"words": self.words, "counts": self.counts, "proper": sorted(self.proper)}
        (folder / WORDS_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        flat = faiss.IndexFlatIP(self.vectors.shape[1])
        if len(self.vectors):
            flat.add(np.ascontiguousarray(self.vectors))
        faiss.write_index(flat, str(folder / VECTORS_FILE))

    @classmethod
    def load(cls, folder: Path) -> Vocabulary:
        data = json.loads((folder / WORDS_FILE).read_text(encoding="utf-8"))
        flat = faiss.read_index(str(folder / VECTORS_FILE))
        vectors = flat.reconstruct_n(0, flat.ntotal) if flat.ntotal else np.zeros((0, flat.d), np.float32)
        return cls(
            list(data["words"]),
            [int(c) for c in data["counts"]],
            np.asarray(vectors, np.float32),
            frozenset(data["proper"]),
        )
