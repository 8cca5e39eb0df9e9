"""The answer: the one sentence that answers, inside cited passages, or an honest refusal."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.lexical import LexicalIndex
from index.search import Hit

# How the answer sentence is chosen among the top passages' sentences (measured, see README):
# its own cosine with the question, the share of the question's words it holds, and the
# standing of its passage.
S_DENSE = 1.0
S_LEXICAL = 1.0
S_PASSAGE = 1.0
ANSWER_PASSAGES = 3


@dataclass(frozen=True)
class Citation:
    """One cited passage as every surface shows it."""

    id: str
    rank: int
    text: str
    score: float
    article: str
    article_title: str
    source: str
    section: str
    paragraph: int
    highlight: tuple[int, int] | None  # the answer sentence's span in ``text``, if it is here


@dataclass(frozen=True)
class Answer:
    """What citebot says to one question, for the console, JSON and Discord alike."""

    question: str
    answered: bool
    sentence: str | None
    citations: tuple[Citation, ...]
    confidence: float
    threshold: float
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None

    @property
    def elapsed_ms(self) -> float:
        return self.timings.get("total_ms", 0.0)

    @property
    def confidence_label(self) -> str:
        """Plain words for how sure the answer is."""
        if not self.answered:
            return "not covered"
        margin = self.confidence - self.threshold
        return (
            "high confidence"
            if margin >= 0.2
            else "medium confidence"
            if margin >= 0.08
            else "low confidence"
        )


def best_sentence(question: str, hits: list[Hit], lexical: LexicalIndex) -> tuple[int, int] | None:
    """(hit position, sentence number) of the sentence that best answers, among the top hits."""
    candidates = [
        (i, j, text)
        for i, hit in enumerate(hits[:ANSWER_PASSAGES])
        for j, text in enumerate(hit.passage.sentence_texts())
    ]
    if not candidates:
        return None
    shares = lexical.overlaps(question, [text for _, _, text in candidates])  # one tokenizer pass
    top = hits[0].score

    def score(n: int) -> float:
        i, j, _ = candidates[n]
        return (
            S_DENSE * hits[i].sentence_scores[j] + S_LEXICAL * shares[n] - S_PASSAGE * (top - hits[i].score)
        )

    i, j, _ = candidates[max(range(len(candidates)), key=score)]
    return i, j


def compose(
    question: str,
    hits: list[Hit],
    lexical: LexicalIndex,
    confidence: float,
    threshold: float,
    sources: dict[str, str],
    timings: dict[str, float],
    k: int | None = None,
) -> Answer:
    """Put hits, the chosen sentence and the verdict together into an Answer citing ``k`` hits.

    The passage holding the answer is always cited, in place of the last one if need be.
    """
    answered = bool(hits) and confidence >= threshold
    chosen = best_sentence(question, hits, lexical) if answered else None
    k = len(hits) if k is None else k
    shown = list(range(min(k, len(hits))))
    if chosen and chosen[0] not in shown:
        shown[-1] = chosen[0]
    sentence = None
    citations = []
    for i in shown:
        hit, p = hits[i], hits[i].passage
        span = None
        if chosen and chosen[0] == i:
            span = p.sentences[chosen[1]]
            sentence = p.text[span[0] : span[1]]
        citations.append(
            Citation(
                id=p.id,
                rank=hit.rank,
                text=p.text,
                score=round(hit.score, 4),
                article=p.article,
                article_title=p.title,
                source=sources.get(p.article, ""),
                section=p.section,
                paragraph=p.paragraph,
                highlight=span,
            )
        )
    return Answer(
        question=question,
        answered=answered,
        sentence=sentence,
        citations=tuple(citations),
        confidence=round(confidence, 4),
        threshold=threshold,
        timings=timings,
    )


def refusal(question: str, message: str, threshold: float = 0.0) -> Answer:
    """The answer to a question that could not be asked (empty, too long, only symbols)."""
    return Answer(question, False, None, (), 0.0, threshold, {"total_ms": 0.0}, error=message)
