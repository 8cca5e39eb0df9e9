"""The reader's pairs: SQuAD questions read against the engine's own candidate sentences.

Each SQuAD article is indexed twice, whole and with only its even paragraphs (as
``score_squad.py --held-out`` does). For a question the engine asks itself, its ranked
candidate sentences give the pairs:

- an answerable question: the sentence of its own paragraph that holds the answer (label 1,
  with the answer's place in it), and the best-ranked candidates that hold no answer (label 0);
- one of SQuAD's written unanswerable questions: its best candidates (label 0);
- a question whose paragraph was held out and whose answer is nowhere in the kept half (near
  topic): its best candidates in the half index (label 0).

A sentence that holds an answer but is not on the question's paragraph is left out: it may
answer too. Which articles feed the reader, the fit and the report is fixed here.
"""

from __future__ import annotations

import json
import logging
import random
import re
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.answering.answer import Candidate
from index.answering.engine import Engine
from index.answering.search import Hit
from index.build import open_index
from index.words.question import QuestionError
from index.words.terms import Term, key_terms

log = logging.getLogger(__name__)

# SQuAD 2.0 dev (../shared/eval/squad), by 0-based line: articles 1-6 are reported only, the
# reader learns from 7-28, and what is fitted on its score (the fusion, the verdict) is fitted
# on 29-35, which the reader never saw.
REPORT_ARTICLES = range(0, 6)
TRAIN_ARTICLES = range(6, 28)
FIT_ARTICLES = range(28, 35)
HARD_NEGATIVES = 5  # the best-ranked candidates that hold no answer, for an answerable question
OTHER_NEGATIVES = 3  # for an unanswerable or a near-topic question


@dataclass(frozen=True)
class Pair:
    """A question against one sentence: does the sentence answer it, and where."""

    question: str
    sentence: str
    label: int
    span: tuple[int, int] | None  # the answer's characters in ``sentence`` (label 1 only)
    group: str  # the SQuAD question id: a question's pairs share it
    kind: str  # answer | hard | unanswerable | near


def normal(text: str) -> str:
    """Lowercase words joined by single spaces, padded: for 'holds the answer' tests."""
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def holds(sentence: str, answers: Iterable[str]) -> bool:
    """The sentence holds one of the answers (as words, whatever the case and punctuation)."""
    n = normal(sentence)
    return any(normal(a).strip() and normal(a) in n for a in answers)


def _span(sentence: str, answers: Iterable[str]) -> tuple[int, int] | None:
    for a in answers:
        at = sentence.find(a.strip())
        if a.strip() and at >= 0:
            return at, at + len(a.strip())
    return None


def _paragraph_of(text: str, paragraphs: list[str]) -> int:
    head = text[:60]
    return next((i for i, p in enumerate(paragraphs) if head in p), -1)


class ArticleReader:
    """One article's index and the candidate sentences its engine ranks for a question."""

    def __init__(self, engine: Engine, paragraphs: list[str]) -> None:
        self.engine = engine
        self._paragraph_of = [_paragraph_of(p.text, paragraphs) for p in engine.index.passages]
        self.sentences: list[tuple[int, str]] = [  # (paragraph, sentence) for every passage
            (self._paragraph_of[row], s)
            for row, p in enumerate(engine.index.passages)
            for s in p.sentence_texts()
        ]

    def candidates(self, question: str) -> tuple[str, list[tuple[int, str]]] | None:
        """The question as the engine reads it, and its ranked (paragraph, sentence) pairs."""
        read = ranked_for(self.engine, question)
        if read is None:
            return None
        asked, ranked, hits = read
        return asked, [(self._paragraph_of[hits[c.hit].row], c.text) for c in ranked]


def as_read(engine: Engine, question: str) -> tuple[str, np.ndarray, list[Term], dict] | None:
    """A question as the engine reads it, its vector, key terms and their vectors (None when it
    cannot be asked): what ``Engine.candidates`` and ``Engine.evidence`` take."""
    try:
        _, text = engine.read(question)
    except QuestionError:
        return None
    terms = key_terms(text)
    return text, engine.encoder.encode([text])[0], terms, engine.term_vectors(terms)


def ranked_for(engine: Engine, question: str) -> tuple[str, list[Candidate], list[Hit]] | None:
    """What the engine makes of a question before the reader: the question the sentence must
    answer, its candidate sentences ranked by the hand-made score, and the hits they come from
    (None when it cannot be asked)."""
    read = as_read(engine, question)
    if read is None:
        return None
    hits, ranked, asked = engine.candidates(*read, 3)
    return asked, ranked, hits


def question_pairs(
    full: ArticleReader, half: ArticleReader, article: dict, kept: str, rng: random.Random
) -> list[Pair]:
    """Every pair one article's questions give."""
    pairs: list[Pair] = []
    for q in article["questions"]:
        answers = [a for a in q["answers"] if a.strip()]
        if q["answerable"] and answers:
            read = full.candidates(q["q"])
            if read is None:
                continue
            asked, ranked = read
            gold = [s for para, s in full.sentences if para == q["para_idx"] and holds(s, answers)]
            if not gold:
                continue
            pairs.append(Pair(asked, gold[0], 1, _span(gold[0], answers), q["id"], "answer"))
            negatives = [s for _, s in ranked if not holds(s, answers)]
            for s in negatives[:HARD_NEGATIVES]:
                pairs.append(Pair(asked, s, 0, None, q["id"], "hard"))
            if q["para_idx"] % 2 == 1 and not holds(kept, answers):
                near = half.candidates(q["q"])
                for s in [] if near is None else [s for _, s in near[1]][:OTHER_NEGATIVES]:
                    pairs.append(Pair(near[0], s, 0, None, q["id"], "near"))
        elif not q["answerable"]:
            read = full.candidates(q["q"])
            if read is None:
                continue
            for _, s in read[1][:OTHER_NEGATIVES]:
                pairs.append(Pair(read[0], s, 0, None, q["id"], "unanswerable"))
    rng.shuffle(pairs)
    return pairs


def build_pairs(squad: Path, articles: range, seed: int = 0) -> list[Pair]:
    """The pairs of the given SQuAD articles (0-based lines of ``squad``)."""
    from index.store.encoder import shared_encoder

    encoder = shared_encoder()
    rng = random.Random(seed)
    lines = squad.read_text(encoding="utf-8").splitlines()
    pairs: list[Pair] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in articles:
            article = json.loads(lines[n])
            paragraphs = article["paragraphs"]
            engines = []
            for name, kept in (("full", paragraphs), ("half", paragraphs[::2])):
                path = Path(tmp) / f"a{n}-{name}.txt"
                path.write_text("\n\n".join(kept), encoding="utf-8")
                index, _ = open_index(path, Path(tmp) / f"index{n}-{name}", encoder)
                engines.append(ArticleReader(Engine(index, encoder), paragraphs))
            made = question_pairs(*engines, article, "\n\n".join(paragraphs[::2]), rng)
            log.info("article %d (%s): %d pairs", n + 1, article["title"], len(made))
            pairs += made
    return pairs


def save_pairs(pairs: list[Pair], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(p)) + "\n" for p in pairs), encoding="utf-8")


def load_pairs(path: Path) -> list[Pair]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        out.append(Pair(**{**d, "span": tuple(d["span"]) if d["span"] else None}))
    return out
