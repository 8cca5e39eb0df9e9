"""Misspelt question words put right against the corpus's own vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from index.words.terms import STOPWORDS, tokens, zipf
from index.words.vocabulary import Vocabulary

# A word wordfreq gives at least this Zipf frequency is a real word, however the corpus spells
# things: "defence" stays "defence". Below it ("forign" 0, "meny" 1.5, "zelensky" 1.8,
# "mobilisation" 2.7), a corpus word within reach replaces it.
KNOWN_ZIPF = 3.0
SHORT_WORD = 5  # letters: up to this long, one edit; longer, two
MIN_LETTERS = 4  # shorter words have too many neighbours to guess from
# Chat shorthands too short to guess by spelling, read as the words they stand for.
SHORTHANDS = {
    "abt": "about",
    "wat": "what",
    "wut": "what",
    "wht": "what",
    "wer": "were",
    "pls": "please",
    "plz": "please",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "ppl": "people",
    "govt": "government",
    "thx": "thanks",
}


@dataclass
class Speller:
    """Corrections from one vocabulary (its letter words, most frequent first)."""

    vocabulary: Vocabulary
    choices: list[str] = field(init=False)
    corpus_words: int = field(init=False)  # the first of ``choices`` are the corpus's own

    def __post_init__(self) -> None:
        # the corpus's words, most frequent first, then the common words every question uses
        words = [w for w in self.vocabulary.words if w.isalpha() and len(w) > 2]
        self.corpus_words = len(words)
        self.choices = words + sorted(w for w in STOPWORDS if len(w) > 2 and w not in set(words))

    def fix(self, word: str, name: bool = False) -> str | None:
        """The corpus word (or common word) this one is a misspelling of, or None. A ``name``
        (capitalised mid-question) is only ever a corpus word misspelt, never a common one."""
        if word in SHORTHANDS and not name:
            return SHORTHANDS[word]
        if (
            len(word) < MIN_LETTERS
            or not word.isalpha()
            or self.vocabulary.has(word)
            or zipf(word) >= KNOWN_ZIPF
        ):
            return None
        reach = 1 if len(word) <= SHORT_WORD else 2
        choices = self.choices[: self.corpus_words] if name else self.choices
        found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=reach, limit=5)
        if not found:
            return None
        # the nearest; among equally near, the one that keeps most letters in order ("wich" is
        # "which", not "with"), then the corpus's most used (choices are in that order)
        return min(found, key=lambda x: (x[1], -Indel.normalized_similarity(word, x[0]), x[2]))[0]

    def correct(self, question: str) -> str:
        """The question with each misspelt word replaced by the corpus word it stands for."""
        out, last = [], 0
        for n, (start, end, word) in enumerate(tokens(question)):
            fixed = self.fix(word, name=n > 0 and question[start].isupper())
            if fixed is None:
                continue
            typed = question[start:end]
            out += [question[last:start], fixed.capitalize() if typed[:1].isupper() else fixed]
            last = end
        return "".join(out) + question[last:] if out else question
