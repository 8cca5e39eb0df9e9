"""What people asked that the article did not answer well, grouped by similar wording."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

SAME_QUESTION = 0.8  # cosine above which two questions ask the same thing in other words


@dataclass(frozen=True)
class QuestionGroup:
    """Questions that ask the same thing: the most common wording first, how often, when last."""

    wording: str
    count: int
    variants: tuple[str, ...]  # other wordings, most common first
    last_asked: float
    reasons: tuple[tuple[str, int], ...] = ()  # why its questions are here, and how often


def group_questions(
    questions: Sequence[str],
    vectors: np.ndarray,
    times: Sequence[float],
    threshold: float = SAME_QUESTION,
    reasons: Sequence[str] | None = None,
) -> list[QuestionGroup]:
    """Group questions whose vectors (normalized) are within ``threshold`` cosine of a group's
    first question; groups come most frequent first, then most recent. ``reasons`` (one per
    question, optional) are counted per group."""
    if len(questions) != len(vectors) or len(questions) != len(times):
        raise ValueError("one vector and one time per question")
    if reasons is not None and len(reasons) != len(questions):
        raise ValueError("one reason per question")
    leaders: list[int] = []
    members: list[list[int]] = []
    for i in range(len(questions)):
        if leaders:
            scores = vectors[leaders] @ vectors[i]
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                members[best].append(i)
                continue
        leaders.append(i)
        members.append([i])
    groups = []
    for rows in members:
        wordings = Counter(" ".join(questions[r].split()) for r in rows).most_common()
        groups.append(
            QuestionGroup(
                wording=wordings[0][0],
                count=len(rows),
                variants=tuple(w for w, _ in wordings[1:]),
                last_asked=max(times[r] for r in rows),
                reasons=tuple(Counter(reasons[r] for r in rows).most_common()) if reasons is not None else (),
            )
        )
    return sorted(groups, key=lambda g: (-g.count, -g.last_asked))


class TextEncoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def group_asked(
    questions: Sequence[str], times: Sequence[float], reasons: Sequence[str], encoder: TextEncoder
) -> list[QuestionGroup]:
    """``group_questions`` with the questions embedded by ``encoder`` (the engine's own)."""
    if not questions:
        return []
    return group_questions(questions, encoder.encode(list(questions)), times, reasons=reasons)
