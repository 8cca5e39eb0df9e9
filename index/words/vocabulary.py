"""The corpus's own words, counted and embedded when the index is built, for checking the terms
of a question against what the articles say (by spelling, by stem, and through the model)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from index.words.terms import STOPWORDS, stem, words

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

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
        return cls.combine([WordTally.build(texts, embed)])

    @classmethod
    def combine(cls, tallies: Sequence[WordTally], removed: Iterable[str] = ()) -> Vocabulary:
        """The vocabulary of the texts ``tallies`` counted, less the ``removed`` texts among
        them: what ``build`` gives for the texts that are left, without embedding again."""
        counter: Counter[str] = Counter()
        capitals: Counter[str] = Counter()
        for tally in tallies:
            counter.update(tally.counts)
            capitals.update(tally.capitals)
        gone = WordTally.count(removed)
        counter.subtract(gone.counts)
        capitals.subtract(gone.capitals)
        counter = +counter  # words no text left holds are dropped
        proper = frozenset(w for w, n in capitals.items() if n > 0 and 2 * n >= counter[w])
        ordered = sorted(counter, key=lambda w: (-counter[w], w))
        wanted = [w for w in ordered if embeddable(w)]
        if len(tallies) == 1 and wanted == list(tallies[0].embedded):  # one segment, nothing removed:
            return cls(ordered, [counter[w] for w in ordered], tallies[0].vectors, proper)  # no copy
        dimension = max((t.vectors.shape[1] for t in tallies), default=0)
        vectors = np.empty((len(wanted), dimension), dtype=np.float32)
        missing = np.ones(len(wanted), dtype=bool)
        for tally in reversed(tallies):  # the newest vector of a word
            if not missing.any():
                break
            rows = np.array(
                [tally.row_of.get(w, -1) if m else -1 for w, m in zip(wanted, missing, strict=True)],
                dtype=np.int64,
            )
            found = rows >= 0
            vectors[found] = tally.vectors[rows[found]]
            missing &= ~found
        if missing.any():
            raise ValueError("a word of the vocabulary has no vector")
        return cls(ordered, [counter[w] for w in ordered], vectors, proper)

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


def vocabulary_order(counts: dict[str, int]) -> tuple[str, ...]:
    """The embeddable words of ``counts`` in the vocabulary's order (most frequent first), so
    that a vocabulary of one tally shares the tally's vectors."""
    return tuple(sorted((w for w in counts if embeddable(w)), key=lambda w: (-counts[w], w)))


@dataclass(frozen=True)
class WordTally:
    """The words of some texts (a segment's): each one's count, how often it is written with a
    capital mid-sentence, and a vector for each embeddable one."""

    counts: dict[str, int]
    capitals: dict[str, int]
    embedded: tuple[str, ...]
    vectors: np.ndarray

    @staticmethod
    def count(texts: Iterable[str]) -> WordTally:
        """The counts of ``texts``, without vectors."""
        texts = list(texts)
        capitals: Counter[str] = Counter()
        for text in texts:
            capitals.update(m.group().lower() for m in _MID_CAPITAL.finditer(text))
        return WordTally(dict(Vocabulary.count(texts)), dict(capitals), (), np.zeros((0, 0), np.float32))

    @classmethod
    def build(cls, texts: Iterable[str], embed: Callable[[list[str]], np.ndarray]) -> WordTally:
        """The tally of ``texts``; ``embed`` gives the vectors of its embeddable words."""
        counted = cls.count(texts)
        embedded = vocabulary_order(counted.counts)
        vectors = np.asarray(embed(list(embedded)), dtype=np.float32)
        return cls(counted.counts, counted.capitals, embedded, vectors)

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {w: r for r, w in enumerate(self.embedded)}

    def save(self, folder: Path) -> None:
        """Write the tally into ``folder`` (JSON and a FAISS file of the vectors; no pickle)."""
        data = {"counts": self.counts, "capitals": self.capitals, "embedded": list(self.embedded)}
        (folder / WORDS_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        flat = faiss.IndexFlatIP(self.vectors.shape[1])
        if len(self.vectors):
            flat.add(np.ascontiguousarray(self.vectors))
        with (folder / VECTORS_FILE).open("wb") as fh:
            faiss.write_index(flat, faiss.PyCallbackIOWriter(fh.write))

    @classmethod
    def load(cls, folder: Path) -> WordTally:
        """A tally ``save`` wrote.

        Raises:
            ValueError: the files do not hold a well-formed tally.
            OSError: they cannot be read.
        """
        data = json.loads((folder / WORDS_FILE).read_text(encoding="utf-8"))
        flat = faiss.read_index(str(folder / VECTORS_FILE))
        vectors = flat.reconstruct_n(0, flat.ntotal) if flat.ntotal else np.zeros((0, flat.d), np.float32)
        counts = {str(w): int(n) for w, n in data["counts"].items()}
        capitals = {str(w): int(n) for w, n in data["capitals"].items()}
        embedded = tuple(str(w) for w in data["embedded"])
        if len(embedded) != len(vectors) or any(w not in counts for w in embedded):
            raise ValueError("the word vectors do not match their words")
        return cls(counts, capitals, embedded, np.asarray(vectors, np.float32))
