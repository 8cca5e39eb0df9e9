"""The answer threshold, calibrated on the corpus itself with questions it cannot answer."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.store.disk import Manifest, PassageIndex
    from index.store.encoder import Encoder

log = logging.getLogger(__name__)

# Everyday questions and chatter on no article's subject. Scored against a new index, they
# show how high an unrelated question's best match runs on this corpus.
OFF_TOPIC_PROBES = (
    "How do I bake sourdough bread at home?",
    "What is a good recipe for chocolate chip cookies?",
    "How long should I boil an egg?",
    "What's the weather going to be like tomorrow?",
    "Can you recommend a good movie for tonight?",
    "Who sings the song Bohemian Rhapsody?",
    "How do I reset my wifi router?",
    "What is the capital of Australia?",
    "How far away is the moon?",
    "Why is the sky blue?",
    "How many bones are in the human body?",
    "What is photosynthesis?",
    "How do I learn to play the guitar?",
    "What are the rules of chess?",
    "Which team won the football world cup in 2014?",
    "How do I fix a flat bicycle tyre?",
    "What should I feed my cat?",
    "How do I train my puppy to sit?",
    "What is the best way to save for retirement?",
    "How do I write a cover letter for a job?",
    "What is the square root of 144?",
    "How do I install Python on Windows?",
    "What does HTML stand for?",
    "How many calories are in a banana?",
    "What are the symptoms of the common cold?",
    "Where can I buy cheap flights to Paris?",
    "How do I grow tomatoes in my garden?",
    "Who wrote Pride and Prejudice?",
    "What is the tallest mountain in the world?",
    "How do you say hello in Japanese?",
    "What is your favourite colour?",
    "Tell me a joke",
    "hello there",
    "good morning everyone",
    "lol nice",
    "ok cool, thank you",
    "can you help me with my homework",
    "what's up",
    "How do magnets work?",
    "What temperature does water freeze at?",
)

# The threshold sits a margin above the probes' median. The median, not the maximum: on a
# corpus of many articles some probes are really answered (a chemistry article knows when
# water freezes), and they must not lift the bar for everything else.
PROBE_QUANTILE = 0.5
MARGIN = 0.15


def refusal_scores(index: PassageIndex, encoder: Encoder, questions: list[str]) -> np.ndarray:
    """The confidence each question would get on this index (its best hit's confidence)."""
    from index.answering.confidence import confidence
    from index.answering.search import search

    vectors = encoder.encode(list(questions))
    scores = []
    for question, vector in zip(questions, vectors, strict=True):
        hits = search(index, vector, question, k=1)
        scores.append(confidence(hits) if hits else 0.0)
    return np.array(scores, dtype=np.float32)


def calibrate_threshold(index: PassageIndex, encoder: Encoder) -> Manifest:
    """The manifest with the refusal calibration of this corpus: how high off-topic probes
    score on it (the verdict's confidence is measured from there), and how its near-topic
    probes fare at the threshold (recorded: moving the threshold by them was measured and did
    not help, see README)."""
    from index.answering.verdict import THRESHOLD

    if not index.passages:
        return replace(index.manifest, threshold=1.0)
    scores = refusal_scores(index, encoder, list(OFF_TOPIC_PROBES))
    median = round(float(np.quantile(scores, PROBE_QUANTILE)), 4)
    calibration = {"off_topic_median": median}
    near = near_topic_scores(
        replace(index, manifest=replace(index.manifest, calibration=calibration)), encoder
    )
    threshold = THRESHOLD
    if len(near):
        calibration |= {
            "near_topic_probes": len(near),
            "near_topic_median": round(float(np.median(near)), 4),
            "near_topic_refused": round(float(np.mean(near < threshold)), 4),
        }
    log.info(
        "refusal calibration: off-topic probes median %.3f; %d near-topic probes median %s; threshold %.3f",
        median,
        len(near),
        calibration.get("near_topic_median", "-"),
        threshold,
    )
    return replace(index.manifest, threshold=threshold, calibration=calibration)


# Near-topic probes: questions on the corpus's own subject that it cannot answer. A trial index
# holds every other passage; the opening words of the sentences of the others, asked of it,
# are about this corpus's subject, and their facts are mostly not in the trial index.
TRIAL_PROBES = 60
PROBE_WORDS = 12
TRIAL_PASSAGES = 2_000  # a larger corpus is sampled: the trial costs a BM25 build of this size


def trial_index(index: PassageIndex, keep: list[int]) -> PassageIndex:
    """An index of some of ``index``'s passages, made from its vectors without the model."""
    from index.corpus.passages import context_text
    from index.store.disk import PassageIndex
    from index.store.segments import Segment
    from index.words.vocabulary import WordTally

    passages = [index.passages[i] for i in keep]
    sentence_rows = np.concatenate(
        [
            np.arange(index.sentence_first[i], index.sentence_first[i] + len(index.passages[i].sentences))
            for i in keep
        ]
    )
    texts = [context_text(p) for p in passages]
    vocabulary = index.vocabulary.subset(texts)
    words = WordTally({}, {}, tuple(vocabulary.embedded), vocabulary.vectors)  # searched, never saved
    segment = Segment.of(
        "trial",
        passages,
        index.passage_vectors.take(keep),
        index.sentence_vectors.take(sentence_rows),
        words,
    )
    return PassageIndex.of_segments(
        replace(index.manifest, passages=len(passages)), [segment], vocabulary=vocabulary
    )


def near_topic_probes(index: PassageIndex) -> tuple[list[int], list[str]]:
    """The passages a trial index keeps, and probe questions made from those it holds out."""
    n = len(index.passages)
    sample = list(range(0, n, max(1, n // TRIAL_PASSAGES)))
    keep, held = sample[::2], sample[1::2]
    step = max(1, len(held) // TRIAL_PROBES)
    probes = []
    for i in held[::step][:TRIAL_PROBES]:
        first = index.passages[i].sentence_texts()[0]
        probes.append(" ".join(first.split()[:PROBE_WORDS]))
    return keep, probes


class _KnownFirst:
    """An encoder that gives the corpus's own words the vectors they already have: the trial
    index lacks half the corpus's words, and they need not go through the model again."""

    def __init__(self, index: PassageIndex, encoder: Encoder) -> None:
        self._vocabulary = index.vocabulary
        self._encoder = encoder
        self.dimension = encoder.dimension

    def encode(self, texts: list[str]) -> np.ndarray:
        fresh = [t for t in texts if self._vocabulary.vector(t) is None]
        made = dict(zip(fresh, self._encoder.encode(fresh), strict=True)) if fresh else {}
        rows = [made[t] if t in made else self._vocabulary.vector(t) for t in texts]
        return np.stack(rows).astype(np.float32) if rows else np.zeros((0, self.dimension), np.float32)


def near_topic_scores(index: PassageIndex, encoder: Encoder) -> np.ndarray:
    """The verdict's probability for each near-topic probe, asked of a trial index."""
    from index.answering.engine import Engine
    from index.answering.verdict import THRESHOLD

    keep, probes = near_topic_probes(index)
    if len(keep) < 2 or not probes:
        return np.zeros(0, dtype=np.float32)
    engine = Engine(trial_index(index, keep), _KnownFirst(index, encoder), threshold=THRESHOLD)
    return np.array([a.confidence for a in engine.answer_many(probes)], dtype=np.float32)
