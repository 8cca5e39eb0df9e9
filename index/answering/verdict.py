"""Answer or refuse: a logistic model over the evidence, and a refusal that names what is missing.

The coefficients were fitted offline with scikit-learn (``bench/fit_verdict.py``) on SQuAD
articles 29-35 with half their paragraphs held out (questions on the kept half must be
answered, those whose answer was held out refused), and on 75 questions of our own about the
built-in article (``bench/data/fit_questions.jsonl``, 15% of the fit's weight); answering needs
no scikit-learn. Articles 29-35, not 7-35: the reader, whose probability is a feature, learnt
from 7-28. SQuAD articles 1-6 and the shared development sets are kept for reporting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from index.answering.evidence import Evidence
from index.words.terms import name_around

FEATURES = (
    "confidence",  # index/confidence.py, less the median the off-topic probes get on this corpus
    "dense",  # the top sentence's cosine
    "lexical",  # the top passage's BM25 share
    "missing_corpus",  # weighted share of the key terms the corpus lacks
    "missing_passage",  # the same, in the answer's passage
    "missing_max",  # the weight of the most important term the corpus lacks
    "kind_absent",  # the question asks for a name, date, number or place and the answer has none
    "reader",  # the reader's probability that the answer sentence answers (index/reader.py)
)
COEFFICIENTS = (2.227, 0.938, 2.42, 0.282, -3.3, -0.358, -1.693, 2.501)
INTERCEPT = -1.114
# The decision threshold on the model's probability, chosen on the fitting articles' trade-off
# curve (README); each build then moves it by what its own probes show (index/calibration.py).
THRESHOLD = 0.25


@dataclass(frozen=True)
class Calibration:
    """What a build measured of its own corpus, kept in the manifest."""

    off_topic_median: float  # the confidence the off-topic probes get, median
    threshold: float  # the probability an answer needs

    def to_json(self) -> dict:
        return {"off_topic_median": self.off_topic_median, "threshold": self.threshold}


def features(e: Evidence, off_topic_median: float) -> list[float]:
    """The model's inputs, in ``FEATURES`` order."""
    worst = e.most_missing()
    return [
        e.confidence - off_topic_median,
        e.dense,
        e.lexical,
        e.missing_share("corpus"),
        e.missing_share("passage"),
        worst.missing if worst else 0.0,
        float(e.kind is not None and not e.kind_in_answer),
        e.reader,
    ]


def probability(e: Evidence, off_topic_median: float) -> float:
    """How likely the corpus answers the question, by the fitted model."""
    z = INTERCEPT + sum(c * x for c, x in zip(COEFFICIENTS, features(e, off_topic_median), strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def refusal_message(question: str, e: Evidence) -> str:
    """What a refusal says: the key term the article never mentions, when there is one."""
    worst = e.most_missing()
    if worst is not None:
        return f"The article doesn't mention {name_around(question, worst.term)}."
    return "The article doesn't say."
