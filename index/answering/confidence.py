"""How sure an answer is: the number compared with the calibrated threshold."""

from __future__ import annotations

from index.answering.search import Hit

# The best sentence's cosine, plus a little for sharing the question's rarer words. Measured
# on the development questions, this separates covered from off-topic questions more widely
# than the cosine alone (lowest covered 0.32 against highest off-topic 0.18).
LEXICAL_WEIGHT = 0.3


def confidence(hits: list[Hit]) -> float:
    """The top hit's confidence: best sentence cosine + LEXICAL_WEIGHT x lexical share."""
    if not hits:
        return 0.0
    return hits[0].dense_sentence + LEXICAL_WEIGHT * hits[0].lexical
