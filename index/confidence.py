"""How sure an answer is: the number compared with the calibrated threshold."""

from __future__ import annotations

from index.search import Hit


def confidence(hits: list[Hit]) -> float:
    """The best hit's strongest dense match (cosine of the passage or its best sentence)."""
    return max((h.dense for h in hits[:1]), default=0.0)
