"""The answer: the one sentence that answers, inside cited passages, or an honest refusal."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from index.answering.search import Hit
from index.store.lexical import LexicalIndex
from index.words.answer_types import Kind, answer_spans, asked_stems
from index.words.terms import words

# How the answer sentence is chosen among the top passages' sentences (measured, see README):
# its own cosine with the question, the share of the question's words it holds, and the
# standing of its passage.
S_DENSE = 1.0
S_LEXICAL = 1.0
S_PASSAGE = 1.0
# A sentence holding the kind of thing asked for (a name for "who", a number for "how many")
# gains this much over one that does not (fitted with the verdict: bench/fit_verdict.py).
S_KIND = 0.15
ANSWER_PASSAGES = 3
HIGH_MARGIN = 0.5
MEDIUM_MARGIN = 0.2


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
    answer_span: tuple[int, int] | None = None  # the name, number or date answering, in ``text``
    page: int | None = None  # the page of a paged article (a PDF's) the passage stands on
    url: str = ""  # where the article lives on the web, from its front matter, if anywhere
    quoted: tuple[int, int] | None = None  # the sentence a link points at: the answer's, else the first
    library: str = "shared"  # the library the passage is from: "shared" or a server's id


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
    error: str | None = None  # the question could not be asked (empty, too long, no words)
    refusal: str | None = None  # why it is not answered, naming what the article lacks
    answer_span: tuple[int, int] | None = None  # the name, number or date answering, in ``sentence``
    read_as: str | None = None  # the question as searched, when misspellings were put right
    following: str | None = None  # the earlier question a follow-up was read with

    @property
    def span_text(self) -> str | None:
        if self.sentence is None or self.answer_span is None:
            return None
        return self.sentence[self.answer_span[0] : self.answer_span[1]]

    @property
    def elapsed_ms(self) -> float:
        return self.timings.get("total_ms", 0.0)

    @property
    def confidence_label(self) -> str:
        """Plain words for how sure the answer is: the verdict's probability, 0.5 above the
        threshold is high, 0.2 above it medium (0.75 and 0.45 at the fitted threshold of 0.25)."""
        if not self.answered:
            return "not covered"
        margin = self.confidence - self.threshold
        return (
            "high confidence"
            if margin >= HIGH_MARGIN
            else "medium confidence"
            if margin >= MEDIUM_MARGIN
            else "low confidence"
        )


@dataclass(frozen=True)
class Choice:
    """The sentence chosen to answer, and the span in it that answers, if one does."""

    hit: int  # position among the hits
    sentence: int  # sentence number within the hit's passage
    span: tuple[int, int] | None  # within the sentence
    kind_found: bool  # the sentence holds a thing of the kind the question asks for


def _nearest_span(sentence: str, question: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The span closest to where the sentence uses the question's own words."""
    asked = set(words(question))
    lower = sentence.lower()
    places = [i for w in asked if len(w) > 2 for i in [lower.find(w)] if i >= 0]
    if not places:
        return spans[0]
    return min(spans, key=lambda s: min(abs(s[0] - p) for p in places))


@dataclass(frozen=True)
class Candidate:
    """One sentence of the top hits, with the hand-made score that ranks it."""

    hit: int  # position among the hits
    sentence: int  # sentence number within the hit's passage
    text: str
    score: float  # its cosine, the share of the question's words it holds, its passage's standing
    spans: tuple[tuple[int, int], ...]  # things of the kind asked for, within the sentence


def rank_sentences(
    question: str,
    hits: list[Hit],
    lexical: LexicalIndex,
    kind: Kind | None = None,
    proper: Collection[str] = (),
    expanded: str | None = None,
) -> list[Candidate]:
    """The top hits' sentences, best first by the hand-made score.

    ``expanded``: the question with corpus words standing in for those it lacks, for the share
    of its words each sentence holds.
    """
    candidates = [
        (i, j, text)
        for i, hit in enumerate(hits[:ANSWER_PASSAGES])
        for j, text in enumerate(hit.passage.sentence_texts())
    ]
    if not candidates:
        return []
    shares = lexical.overlaps(expanded or question, [text for _, _, text in candidates])  # one pass
    asked = asked_stems(question) if kind else frozenset()
    top = hits[0].score
    out = []
    for n, (i, j, text) in enumerate(candidates):
        found = [(s.start, s.end) for s in answer_spans(text, question, kind, proper, asked)] if kind else []
        score = (
            S_DENSE * hits[i].sentence_scores[j]
            + S_LEXICAL * shares[n]
            - S_PASSAGE * (top - hits[i].score)
            + S_KIND * bool(found)
        )
        out.append(Candidate(i, j, text, score, tuple(found)))
    out.sort(key=lambda c: -c.score)  # stable: ties keep the hits' order
    return out


def choice_of(candidate: Candidate, question: str, span: tuple[int, int] | None = None) -> Choice:
    """The Choice for a candidate: ``span`` when given, else its kind's span nearest the
    question's own words."""
    found = list(candidate.spans)
    if span is None and found:
        span = _nearest_span(candidate.text, question, found)
    return Choice(candidate.hit, candidate.sentence, span, bool(found))


def compose(
    *,
    question: str,
    hits: list[Hit],
    chosen: Choice | None,
    confidence: float,
    threshold: float,
    sources: dict[str, str],
    timings: dict[str, float],
    urls: dict[str, str] | None = None,
    k: int | None = None,
    refusal: str | None = None,
    read_as: str | None = None,
    following: str | None = None,
) -> Answer:
    """Put hits, the chosen sentence and the verdict together into an Answer citing ``k`` hits.

    ``sources`` and ``urls`` give each article's source name and web address by its slug.

    A question is answered when ``confidence`` reaches ``threshold`` and a sentence was chosen.
    The passage holding the answer is cited first; the others follow in their order.
    """
    answered = bool(hits) and chosen is not None and confidence >= threshold
    urls = urls or {}
    if not answered:
        chosen = None
    k = len(hits) if k is None else k
    order = list(range(len(hits)))
    if chosen is not None:
        order.remove(chosen.hit)
        order.insert(0, chosen.hit)
    sentence, answer_span = None, None
    citations = []
    for rank, i in enumerate(order[: max(1, min(k, len(hits)))], start=1):
        hit, p = hits[i], hits[i].passage
        span = absolute = None
        if chosen is not None and chosen.hit == i:
            span = p.sentences[chosen.sentence]
            sentence = p.text[span[0] : span[1]]
            if chosen.span is not None:
                answer_span = chosen.span
                absolute = (span[0] + chosen.span[0], span[0] + chosen.span[1])
        citations.append(
            Citation(
                id=p.id,
                rank=rank,
                text=p.text,
                score=round(hit.score, 4),
                article=p.article,
                article_title=p.title,
                source=sources.get(p.article, ""),
                section=p.section,
                paragraph=p.paragraph,
                highlight=span,
                answer_span=absolute,
                page=p.page,
                url=urls.get(p.article, ""),
                quoted=span or (p.sentences[0] if p.sentences else None),
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
        refusal=None if answered else (refusal or "The article doesn't say."),
        answer_span=answer_span,
        read_as=read_as,
        following=following,
    )


def refusal(question: str, message: str, threshold: float = 0.0) -> Answer:
    """The answer to a question that could not be asked (empty, too long, only symbols)."""
    return Answer(question, False, None, (), 0.0, threshold, {"total_ms": 0.0}, error=message)
