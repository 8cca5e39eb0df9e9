"""Misspelt question words put right against the corpus's own vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from index.terms import tokens, zipf
from index.vocabulary import Vocabulary

# A word wordfreq gives at least this Zipf frequency is a real word, however the corpus spells
# things: "defence" stays "defence". Below it ("forign" 0, "meny" 1.5, "zelensky" 1.8,
# "mobilisation" 2.7), a corpus word within reach replaces it.
KNOWN_ZIPF = 3.0
SHORT_WORD = 5  # letters: up to this long, one edit; longer, two
MIN_LETTERS = 4  # shorter words have too many neighbours to guess from


@dataclass
class Speller:
    """Corrections from one vocabulary (its letter words, most frequent first)."""

    vocabulary: Vocabulary
    choices: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.choices = [w for w in self.vocabulary.words if w.isalpha() and len(w) > 2]

    def fix(self, word: str) -> str | None:
        """The corpus word this one is a misspelling of, or None."""
        if (
            len(word) < MIN_LETTERS
            or not word.isalpha()
            or self.vocabulary.has(word)
            or zipf(word) >= KNOWN_ZIPF
        ):
            return None
        reach = 1 if len(word) <= SHORT_WORD else 2
        found = process.extract(word, self.choices, scorer=OSA.distance, score_cutoff=reach, limit=5)
        if not found:
            return None
        # the nearest; among equally near, the one that keeps most letters in order ("wich" is
        # "which", not "with"), then the corpus's most used (choices are in that order)
        return min(found, key=lambda x: (x[1], -Indel.normalized_similarity(word, x[0]), x[2]))[0]

    def correct(self, question: str) -> str:
        """The question with each misspelt word replaced by the corpus word it stands for."""
        out, last = [], 0
        for start, end, word in tokens(question):
            fixed = self.fix(word)
            if fixed is None:
                continue
            typed = question[start:end]
            out += [question[last:start], fixed.capitalize() if typed[:1].isupper() else fixed]
            last = end
        return "".join(out) + question[last:] if out else question
