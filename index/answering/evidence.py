"""How well the corpus covers a question: its key terms found (by spelling, stem or meaning) in
the corpus and in the answer's passage, and the kind of answer it asks for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.words.answer_types import Kind
from index.words.terms import Term, stems, words
from index.words.vocabulary import Vocabulary

# A word counts as covered by a corpus word whose vector is this close (cosine), partly between
# the two bounds. Measured with the model on word pairs: spelling variants 0.79-0.91
# (zelensky/zelenskiy, defence/defense), synonyms 0.62-0.66 (workforce/labor,
# manpower/personnel), related but other things 0.45-0.53 (died/casualties, city/region).
# Names need more: another city is 0.61-0.66 from Tokyo.
COVER_LOW, COVER_HIGH = 0.5, 0.75
NAME_LOW, NAME_HIGH = 0.7, 0.85


@dataclass(frozen=True)
class TermCheck:
    """One key term of a question and how far the corpus and the answer's passage hold it."""

    term: Term
    corpus: float  # 1: the corpus uses the word (or its stem); between 0 and 1: a word near it
    passage: float  # the same, within the answer's passage
    sentence: float  # the same, within the answer sentence
    nearest: str  # the corpus word nearest in meaning, when the word itself is absent

    @property
    def missing(self) -> float:
        return self.term.weight * (1.0 - self.corpus)


@dataclass(frozen=True)
class Evidence:
    """The signals the verdict weighs (index/verdict.py)."""

    terms: tuple[TermCheck, ...]
    kind: Kind | None
    kind_in_answer: bool  # the answer sentence holds a thing of the kind asked for
    confidence: float
    dense: float
    lexical: float
    words: int = 0  # words in the question, stopwords included
    reader: float = 0.5  # the reader's probability that the answer sentence answers (0.5: not read)
    read_ms: float = 0.0  # the reader's time on this question (for the timings, not the verdict)

    def missing_share(self, where: str = "corpus") -> float:
        """The weighted share of the key terms that ``where`` (corpus or passage) lacks."""
        total = sum(c.term.weight for c in self.terms)
        if not total:
            return 0.0
        return sum(c.term.weight * (1.0 - getattr(c, where)) for c in self.terms) / total

    def lone_word_absent(self) -> bool:
        """The question is one word, and the corpus does not use it."""
        return len(self.terms) == 1 and self.words == 1 and self.terms[0].corpus < 0.5

    def most_missing(self) -> TermCheck | None:
        """The key term whose absence from the corpus weighs most, if any is absent."""
        absent = [c for c in self.terms if c.corpus < 0.5]
        return max(absent, key=lambda c: c.missing) if absent else None


def _cover(cosine: float, name: bool) -> float:
    lo, hi = (NAME_LOW, NAME_HIGH) if name else (COVER_LOW, COVER_HIGH)
    return float(min(1.0, max(0.0, (cosine - lo) / (hi - lo))))


def _cover_in(t: Term, vector: np.ndarray | None, text: str, vectors: np.ndarray, name: bool) -> float:
    """How far a text (its words, and their vectors) holds the term."""
    if t.word in words(text) or t.stem in stems(text):
        return 1.0
    if t.number or vector is None or not len(vectors):
        return 0.0
    return _cover(float(np.max(vectors @ vector)), name)


def check_terms(
    terms: list[Term],
    vectors: dict[str, np.ndarray],
    vocabulary: Vocabulary,
    passage_text: str,
    sentence_text: str = "",
) -> tuple[TermCheck, ...]:
    """Each key term's cover in the corpus, in ``passage_text`` and in ``sentence_text``.

    ``vectors`` holds a vector for every term the corpus does not use (the others' are in the
    vocabulary); numbers are matched by spelling only.
    """
    passage_vectors = vocabulary.vectors_of(words(passage_text))
    sentence_vectors = vocabulary.vectors_of(words(sentence_text))
    out = []
    for t in terms:
        name = t.capitalized or t.weight >= 3.5
        vector = vectors.get(t.word)
        if vector is None:
            vector = vocabulary.vector(t.word)
        if vocabulary.has(t.word):
            corpus, nearest = 1.0, ""
        elif t.number or vector is None:
            corpus, nearest = 0.0, ""
        else:
            nearest, cosine = vocabulary.nearest(t.word, vector)
            corpus = _cover(cosine, name)
        passage = _cover_in(t, vector, passage_text, passage_vectors, name)
        sentence = _cover_in(t, vector, sentence_text, sentence_vectors, name)
        out.append(TermCheck(t, corpus, passage, sentence, nearest))
    return tuple(out)
