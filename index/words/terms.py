"""The words of a question that carry its meaning, each weighed by how rare it is in English."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_STEMMER = Stemmer.Stemmer("english")

# Words: dotted abbreviations ("U.S.", read as "us"), runs of letters, or numbers with their
# thousands and decimal separators ("3,000").
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|\d+(?:[.,]\d+)*|[^\W\d_]+")

# Words that frame a question rather than say what it is about. With English stopwords they
# are never key terms: "What did the article say about X?" is about X.
QUESTION_FRAME = frozenset(
    """what which who whom whose when where why how many much does did do is are was were
    be been being has have had can could would should will shall may might must article
    articles text story report reported mention mentioned mentions say says said tell
    told know known please anything something someone thing things exactly really about
    there their they them it its also any some kind sort type yes no not many lot lots get
    got happen happened happening mean means explain describe described give given""".split()
)
STOPWORDS = frozenset(STOPWORDS_EN) | QUESTION_FRAME

# A word's weight is how far it sits below this Zipf frequency (wordfreq's log10 scale: 7 is
# "the", 3 is once per million words); fitted with the refusal model (index/verdict.py).
ZIPF_CEILING = 6.5
UNKNOWN_WEIGHT = ZIPF_CEILING  # a word wordfreq has never seen: as rare as a word can be


@lru_cache(maxsize=65_536)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of a lowercase English word (0 when unknown)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def weight(word: str) -> float:
    """How much a word says about what is asked: rarer words say more."""
    return max(0.0, ZIPF_CEILING - zipf(word)) if zipf(word) > 0 else UNKNOWN_WEIGHT


def normal(token: str) -> str:
    """A token as the vocabulary keeps it: lowercase, numbers without thousands separators."""
    token = token.lower()
    return token.replace(",", "") if token[:1].isdigit() else token.replace(".", "")


def stem(word: str) -> str:
    """The Snowball stem, as BM25 uses it."""
    return word if word[:1].isdigit() else _STEMMER.stemWord(word)


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normal form) of every word of ``text`` longer than one letter (or a number)."""
    return [
        (m.start(), m.end(), normal(m.group()))
        for m in _TOKEN.finditer(text)
        if len(m.group()) > 1 or m.group().isdigit()
    ]


@lru_cache(maxsize=8_192)
def words(text: str) -> tuple[str, ...]:
    """The normal forms of the words of ``text``, in order (remembered: the same passages and
    sentences are read for question after question)."""
    return tuple(w for _, _, w in tokens(text))


@lru_cache(maxsize=8_192)
def stems(text: str) -> frozenset[str]:
    """The stems of the words of ``text``."""
    return frozenset(stem(w) for w in words(text))


@dataclass(frozen=True)
class Term:
    """One meaningful word of a question."""

    text: str  # as typed
    word: str  # normal form
    stem: str
    weight: float
    capitalized: bool  # written with a capital, not as the question's first word
    start: int
    end: int

    @property
    def number(self) -> bool:
        return self.word[:1].isdigit()


def key_terms(question: str) -> list[Term]:
    """The question's words that are not stopwords or question framing, each once."""
    out: list[Term] = []
    seen: set[str] = set()
    for n, (start, end, word) in enumerate(tokens(question)):
        if word in STOPWORDS or word in seen:
            continue
        seen.add(word)
        text = question[start:end]
        out.append(
            Term(
                text=text,
                word=word,
                stem=stem(word),
                weight=weight(word) if not word[:1].isdigit() else UNKNOWN_WEIGHT,
                capitalized=n > 0 and text[:1].isupper(),
                start=start,
                end=end,
            )
        )
    return out


def name_around(question: str, term: Term) -> str:
    """The run of capitalized words around a capitalized term ("Xi Jinping"), else the term."""
    if not term.capitalized:
        return term.text
    spans = [(s, e) for s, e, _ in tokens(question)]
    i = next(k for k, (s, _) in enumerate(spans) if s == term.start)
    lo = hi = i
    while lo > 0 and question[spans[lo - 1][0]].isupper() and _joined(question, spans[lo - 1], spans[lo]):
        lo -= 1
    while (
        hi + 1 < len(spans)
        and question[spans[hi + 1][0]].isupper()
        and _joined(question, spans[hi], spans[hi + 1])
    ):
        hi += 1
    return question[spans[lo][0] : spans[hi][1]]


def _joined(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two words separated by nothing but one space or hyphen."""
    return text[a[1] : b[0]] in (" ", "-")
