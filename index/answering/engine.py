"""The answer engine: answers questions from one opened index (``Library.open`` opens it)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from index.answering.answer import (
    ANSWER_PASSAGES,
    Answer,
    Candidate,
    Choice,
    choice_of,
    compose,
    rank_sentences,
    refusal,
)
from index.answering.catalogue import Catalogue, catalogue
from index.answering.confidence import confidence
from index.answering.evidence import Evidence, check_terms
from index.answering.reader import READ_TOP, SPAN_FROM, ReaderScore, SentenceReader, fused_best, shared_reader
from index.answering.search import Hit, search
from index.answering.verdict import probability, refusal_message
from index.corpus.passages import Passage, context_text
from index.store import onnx_encoder
from index.store.disk import ArticleInfo, Manifest, PassageIndex
from index.store.encoder import Encoder, shared_encoder, use_threads
from index.store.onnx_encoder import OnnxEncoder
from index.words.answer_types import expected_kind
from index.words.background import BackgroundWords
from index.words.followup import MAX_HISTORY, Reading, read_with, topic_words
from index.words.question import MAX_QUESTION_CHARS, QuestionError, check_script, clean_question, scripts
from index.words.spelling import Speller
from index.words.terms import Term, key_terms, words, zipf

log = logging.getLogger(__name__)

DEFAULT_K = 3
MAX_K = 10
ONNX_THREADS = 2  # measured on two cores, with spinning off: as good as one under load, faster idle
TORCH_QUERY_THREADS = 1
# A corpus word this close (cosine) to a question word the corpus lacks stands in for it in
# BM25: synonyms measured 0.62-0.66 (workforce/labor, manpower/personnel), related words that
# are other things 0.45-0.53 (died/casualties, city/region).
EXPAND_FROM = 0.6
# Words this common (wordfreq weight under 0.5: "like", "get") count for too little to be worth
# a pass through the model when the corpus lacks them: they are simply missing.
MIN_WEIGHT = 0.5
QueryEncoder = Encoder | OnnxEncoder
# A follow-up's search: the passage that best answered the question followed (PRIOR_POOL of
# them) gains W_TOPIC of that score, in full for a follow-up of at most TOPIC_WORDS words of its
# own and less the more it says ("Since when?" is all conversation; "Who led the Norman army
# there?" mostly its own); its sentences' cosines are W_OWN the follow-up's own words (the rest:
# as read with the conversation), and the share of words they hold is of its own words.
# Fitted by bench/fit_followups.py on follow-ups made from SQuAD articles 7-35 and on our own
# conversations (bench/data), never on the development set.
W_TOPIC = 0.25
PRIOR_POOL = 1
W_OWN = 0.25
TOPIC_WORDS = 2
RECENT_KEPT = 2 * MAX_HISTORY  # earlier questions read: room for the question itself asked again


def query_encoder(index_dir: Path) -> QueryEncoder:
    """The fastest encoder that reproduces the model: the ONNX export kept beside the index
    (made on first use), else the torch encoder."""
    folder = onnx_encoder.onnx_dir(index_dir)
    fast = onnx_encoder.load(folder, ONNX_THREADS)
    if fast is None:
        fast = onnx_encoder.export(folder, shared_encoder(), ONNX_THREADS)
    if fast is None:
        # one thread: on two cores, two torch threads beside other work gave a p99 of a second
        encoder = shared_encoder()
        use_threads(TORCH_QUERY_THREADS)
        log.warning("questions are encoded with torch (%d thread): no ONNX export", TORCH_QUERY_THREADS)
        return encoder
    log.info("questions are encoded with ONNX Runtime (%d threads, no spinning)", fast.threads)
    return fast


@dataclass(frozen=True)
class FollowUp:
    """A follow-up's conversation, as its search needs it: the question it follows, and the
    vectors of that question and of the follow-up's own words."""

    earlier: str
    earlier_vector: np.ndarray
    own: str
    own_vector: np.ndarray


class Engine:
    """Answers questions from one index; the one object every surface talks to."""

    def __init__(
        self,
        index: PassageIndex,
        encoder: QueryEncoder,
        threshold: float | None = None,
        background: BackgroundWords | None = None,
        reader: SentenceReader | None | bool = True,
    ) -> None:
        """``reader``: True for the shipped reader, False or None to choose sentences by the
        hand-made score alone (for measuring what the reader adds), or a reader of one's own."""
        self.index = index
        self.encoder = encoder
        self.reader = shared_reader() if reader is True else (reader or None)
        self.background = background  # common words' vectors: fewer passes through the model
        self.threshold = index.manifest.threshold if threshold is None else threshold
        self._by_id = {p.id: i for i, p in enumerate(index.passages)}
        self._sources = {a.slug: a.source for a in index.manifest.articles}
        self._urls = {a.slug: a.url for a in index.manifest.articles if a.url}
        self._speller = Speller(index.vocabulary)
        self._off_topic = float(index.manifest.calibration.get("off_topic_median", 0.0))
        self._scripts = set(scripts(" ".join(index.vocabulary.words)))
        zipf("the")  # wordfreq reads its list on first use (0.3 s): here, not on the first question

    @cached_property
    def catalogue(self) -> Catalogue:
        """What /help and autocomplete list, made on first use: the library makes it before an
        engine serves (off the event loop); a calibration's trial engine never does."""
        return catalogue(self.index.passages)

    @property
    def manifest(self) -> Manifest:
        return self.index.manifest

    def answer(self, question: str, k: int = DEFAULT_K, history: Sequence[str] = ()) -> Answer:
        """The article's own words that answer ``question``, or a refusal saying why not.

        ``history``: the earlier questions of its conversation, oldest first; a follow-up
        ("Since when?") is read with them (``index.words.followup.read_with``).
        """
        return self.answer_many([question], [k], [history])[0]

    def answer_many(
        self,
        questions: Sequence[str],
        ks: Sequence[int] | None = None,
        histories: Sequence[Sequence[str]] | None = None,
    ) -> list[Answer]:
        """``answer`` for several questions, their vectors made in one pass through the model.

        ``ks`` gives each question's number of passages (default ``DEFAULT_K`` each), and
        ``histories`` each one's earlier questions (default: none). Each answer's ``encode_ms``
        is the time of the shared pass.
        """
        started = time.perf_counter()
        ks = [DEFAULT_K] * len(questions) if ks is None else list(ks)
        histories = [()] * len(questions) if histories is None else list(histories)
        if len(ks) != len(questions) or len(histories) != len(questions):
            raise ValueError("one k and one history per question")
        cleaned: dict[int, str] = {}
        read: dict[int, str] = {}  # as searched: misspellings put right, a follow-up's context added
        readings: dict[int, Reading] = {}
        answers: dict[int, Answer] = {}
        for i, question in enumerate(questions):
            try:
                cleaned[i], spelled = self.read(question)
            except QuestionError as exc:
                answers[i] = refusal(question, str(exc), self.threshold)
                continue
            readings[i] = read_with(spelled, self.recent(histories[i]))
            read[i] = readings[i].text
        t_clean = time.perf_counter()
        # one pass through the model: each question as read, and for a follow-up also its own
        # words and the question it follows
        texts = list(read.values())
        for i in read:
            if readings[i].following is not None:
                texts += [readings[i].question, readings[i].following]
        vectors = self.encoder.encode(texts) if texts else None
        terms = {i: key_terms(text) for i, text in read.items()}
        term_vectors = self.term_vectors([t for ts in terms.values() for t in ts])
        encode_ms = (time.perf_counter() - t_clean) * 1000
        extra = len(read)
        for row, i in enumerate(read):
            k = max(1, min(int(ks[i]), MAX_K))
            context = None
            if readings[i].following is not None:
                context = FollowUp(
                    readings[i].following, vectors[extra + 1], readings[i].question, vectors[extra]
                )
                extra += 2
            answers[i] = self._compose(
                cleaned[i], readings[i], vectors[row], terms[i], term_vectors, k, encode_ms, started, context
            )
        return [answers[i] for i in range(len(questions))]

    def read(self, question: str) -> tuple[str, str]:
        """The question cleaned, and as it is searched for (misspellings put right).

        Raises:
            QuestionError: it cannot be asked (empty, too long, no words, another script).
        """
        cleaned = clean_question(question)
        check_script(cleaned, self._scripts)
        return cleaned, self._speller.correct(cleaned)

    def recent(self, history: Sequence[str]) -> list[str]:
        """The latest earlier questions as they are read: no more than a follow-up can use, each
        no longer than a question may be, misspellings put right (whatever the caller sent)."""
        latest = [h for h in list(history[-RECENT_KEPT:]) if isinstance(h, str)]
        return [self._speller.correct(h[:MAX_QUESTION_CHARS]) for h in latest]

    def term_vectors(self, terms: list[Term]) -> dict[str, np.ndarray]:
        """Vectors of the words among ``terms`` that the corpus does not use (those it uses have
        theirs in the vocabulary): from the common-word table, else made in one pass."""
        vocabulary, common = self.index.vocabulary, self.background
        unknown = sorted(
            {
                t.word
                for t in terms
                if not t.number and t.weight >= MIN_WEIGHT and vocabulary.vector(t.word) is None
            }
        )
        out = {w: v for w in unknown if common is not None and (v := common.vector(w)) is not None}
        fresh = [w for w in unknown if w not in out]
        if fresh:
            out.update(zip(fresh, self.encoder.encode(fresh), strict=True))
        return out

    def expansions(self, terms: list[Term], term_vectors: dict[str, np.ndarray]) -> tuple[str, ...]:
        """For each question word the corpus lacks, the corpus word nearest in meaning, when it
        is near enough to stand in for it ("manpower" -> "personnel")."""
        out = []
        for t in terms:
            vector = term_vectors.get(t.word)
            if vector is None or self.index.vocabulary.has(t.word):
                continue
            word, cosine = self.index.vocabulary.nearest(t.word, vector)
            if cosine >= EXPAND_FROM:
                out.append(word)
        return tuple(out)

    def topic_prior(self, context: FollowUp) -> dict[int, float]:
        """What each passage gains in a follow-up's search: a share of how well it answered the
        question followed (the conversation's topic is where its last answer was)."""
        earlier = search(self.index, context.earlier_vector, context.earlier, PRIOR_POOL)
        said = len(topic_words(context.own))
        weight = W_TOPIC * min(1.0, TOPIC_WORDS / max(1, said))
        return {hit.row: weight * hit.score for hit in earlier}

    def own_scores(self, hit: Hit, context: FollowUp) -> Hit:
        """``hit`` with each sentence's cosine taken partly with the follow-up's own words."""
        first = int(self.index.sentence_first[hit.row])
        rows = self.index.sentence_vectors.block(first, first + len(hit.sentence_scores))
        own = rows @ context.own_vector
        mixed = tuple(
            (1 - W_OWN) * s + W_OWN * float(o) for s, o in zip(hit.sentence_scores, own, strict=True)
        )
        return replace(hit, sentence_scores=mixed)

    @property
    def off_topic_median(self) -> float:
        """The confidence off-topic probes got when this index was built (median)."""
        return self._off_topic

    def candidates(
        self,
        text: str,
        vector: np.ndarray,
        terms: list[Term],
        term_vectors: dict[str, np.ndarray],
        k: int,
        context: FollowUp | None = None,
    ) -> tuple[list[Hit], list[Candidate], str]:
        """Hits, their sentences ranked by the hand-made score, and the question the sentence
        must answer (a follow-up's own words), for one question as read."""
        expansions = self.expansions(terms, term_vectors)
        prior = None if context is None else self.topic_prior(context)
        hits = search(self.index, vector, text, max(k, ANSWER_PASSAGES), expansions, prior)
        asked = text
        if context is not None:  # the sentence answers the follow-up, not the question before it
            hits = [self.own_scores(hit, context) for hit in hits]
            asked = context.own
        ranked = rank_sentences(
            asked,
            hits,
            self.index.lexical,
            expected_kind(text),
            self.index.vocabulary.proper,
            " ".join((asked, *expansions)),
        )
        return hits, ranked, asked

    def evidence(
        self,
        text: str,
        vector: np.ndarray,
        terms: list[Term],
        term_vectors: dict[str, np.ndarray],
        k: int,
        context: FollowUp | None = None,
    ) -> tuple[list[Hit], Choice | None, Evidence]:
        """Hits, the chosen sentence and the evidence for one question as read (spelling put
        right, a follow-up's context added); what the verdict and the answer are made from."""
        hits, ranked, asked = self.candidates(text, vector, terms, term_vectors, k, context)
        kind = expected_kind(text)
        t_read = time.perf_counter()
        chosen, reading = self.choose(asked, ranked, kind is not None)
        read_ms = (time.perf_counter() - t_read) * 1000
        passage = hits[chosen.hit].passage if chosen else None
        checks = check_terms(
            terms,
            term_vectors,
            self.index.vocabulary,
            context_text(passage) if passage else "",  # its title and section are where it stands
            passage.sentence_texts()[chosen.sentence] if passage else "",
        )
        top = hits[0] if hits else None
        evidence = Evidence(
            terms=checks,
            kind=kind,
            kind_in_answer=bool(chosen and chosen.kind_found),
            confidence=confidence(hits),
            dense=top.dense_sentence if top else 0.0,
            lexical=top.lexical if top else 0.0,
            words=len(words(text)),
            reader=reading.probability if reading else 0.5,
            read_ms=read_ms,
        )
        return hits, chosen, evidence

    def choose(
        self, asked: str, ranked: list[Candidate], spans: bool = True
    ) -> tuple[Choice | None, ReaderScore | None]:
        """The answer sentence among the ranked candidates, and the reader's reading of it: the
        reader reads the best READ_TOP and its probability joins their hand-made scores. For a
        question that asks for a kind of thing (``spans``), the reader's span is taken when it
        is sure enough, else the rules'; other questions get no span ("why" has no short one)."""
        if not ranked:
            return None, None
        if self.reader is None:
            return choice_of(ranked[0], asked), None
        top = ranked[:READ_TOP]
        readings = self.reader.read(asked, [c.text for c in top])
        best = fused_best([c.score for c in top], readings)
        reading = readings[best]
        span = reading.span if spans and reading.span_confidence >= SPAN_FROM else None
        return choice_of(top[best], asked, span), reading

    def _compose(
        self,
        question: str,
        reading: Reading,
        vector: np.ndarray,
        terms: list[Term],
        term_vectors: dict[str, np.ndarray],
        k: int,
        encode_ms: float,
        started: float,
        context: FollowUp | None = None,
    ) -> Answer:
        t_search = time.perf_counter()
        text = reading.text
        # the answer is chosen among the same top passages whatever k is; k only sets how many
        # are cited
        hits, chosen, evidence = self.evidence(text, vector, terms, term_vectors, k, context)
        searched_ms = (time.perf_counter() - t_search) * 1000
        timings = {
            "encode_ms": encode_ms,
            "search_ms": searched_ms - evidence.read_ms,
            "read_ms": evidence.read_ms,
        }
        score = probability(evidence, self._off_topic)
        if evidence.lone_word_absent():
            # "false", "banana": one word the article never uses is no question about it, and no
            # passage is near enough to lead to
            hits, chosen = [], None
        answer = compose(
            question=question,
            hits=hits,
            chosen=chosen,
            confidence=score,
            threshold=self.threshold,
            sources=self._sources,
            timings=timings,
            urls=self._urls,
            k=k,
            refusal=refusal_message(text, evidence),
            read_as=reading.question if reading.question != question else None,
            following=reading.following,
        )
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        return answer

    def passage(self, passage_id: str) -> Passage | None:
        """The passage with this id, or None."""
        row = self._by_id.get(passage_id.strip())
        return None if row is None else self.index.passages[row]

    def neighbours(self, passage_id: str, before: int = 1, after: int = 1) -> list[Passage]:
        """The passage and those around it in the same article, in order."""
        row = self._by_id.get(passage_id.strip())
        if row is None:
            return []
        article = self.index.passages[row].article
        lo, hi = max(0, row - before), min(len(self.index.passages), row + after + 1)
        return [p for p in self.index.passages[lo:hi] if p.article == article]

    def passage_ids(self) -> list[str]:
        """Every passage id, in corpus order."""
        return [p.id for p in self.index.passages]

    def sources(self) -> tuple[ArticleInfo, ...]:
        """The indexed articles."""
        return self.index.manifest.articles
