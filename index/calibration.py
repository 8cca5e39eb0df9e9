"""The answer threshold, calibrated on the corpus itself with questions it cannot answer."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.encoder import Encoder
    from index.store import Manifest, PassageIndex

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
    from index.confidence import confidence
    from index.search import search

    vectors = encoder.encode(list(questions))
    scores = []
    for question, vector in zip(questions, vectors, strict=True):
        hits = search(index, vector, question, k=1)
        scores.append(confidence(hits) if hits else 0.0)
    return np.array(scores, dtype=np.float32)


def calibrate_threshold(index: PassageIndex, encoder: Encoder) -> Manifest:
    """The manifest with a threshold set from how off-topic probes score on this corpus."""
    if not index.passages:
        return replace(index.manifest, threshold=1.0)
    scores = refusal_scores(index, encoder, list(OFF_TOPIC_PROBES))
    threshold = float(np.quantile(scores, PROBE_QUANTILE)) + MARGIN
    log.info(
        "answer threshold %.3f (off-topic probes: median %.3f, max %.3f)",
        threshold,
        np.median(scores),
        scores.max(),
    )
    return replace(index.manifest, threshold=round(threshold, 4))
