"""``python -m bench.followups``: what a follow-up costs beside a plain question.

A follow-up ("Since when?") is read with the question before it: its text gains that question's
topic words, and the model encodes two more texts (its own words and the question followed),
whose search marks the passages the conversation is about. Each conversation below is answered
warm, plain first (the follow-up alone, no history) then as a follow-up, ``--rounds`` times, on
the built-in article with the encoder citebot answers with.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from bench.measure import percentile
from index.answering.engine import Engine, query_encoder
from index.build import open_index
from index.corpus.articles import BUILTIN_CORPUS
from index.store.encoder import shared_encoder

# (earlier question, follow-up): written for this benchmark, not taken from the scored sets
CONVERSATIONS = (
    ("Who visited Russia on Tuesday?", "What did she discuss there?"),
    ("What did the Pentagon confirm?", "Where are they?"),
    ("How many North Korean troops are in Russia?", "Since when?"),
    ("What did Zelenskiy say on X?", "And Yoon?"),
    ("What weapons has North Korea sent to Russia?", "For how long?"),
    ("Who is Gilbert Rozman?", "Where does he work?"),
    ("What is South Korea considering?", "Why?"),
    ("What role will the troops play?", "Who said so?"),
)


def timed(ask, rounds: int) -> list[float]:
    """Milliseconds per call of ``ask``, ``rounds`` times over."""
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        ask()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=30, help="answers timed per question")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        index, _ = open_index(BUILTIN_CORPUS, index_dir, shared_encoder())
        engine = Engine(index, query_encoder(index_dir))
        plain: list[float] = []
        follow: list[float] = []
        read_with = 0
        for earlier, question in CONVERSATIONS:
            engine.answer(question)  # warm
            plain += timed(lambda q=question: engine.answer(q), args.rounds)
            follow += timed(lambda q=question, e=earlier: engine.answer(q, history=[e]), args.rounds)
            read_with += engine.answer(question, history=[earlier]).following is not None
        encoder = type(engine.encoder).__name__
        print(f"encoder: {encoder}; {len(CONVERSATIONS)} conversations, {args.rounds} rounds")
        print(f"read with the conversation: {read_with} of {len(CONVERSATIONS)} follow-ups")
        print("| question | p50 ms | p90 ms | mean ms | texts encoded |")
        print("| --- | --- | --- | --- | --- |")
        for name, values, texts in (("plain", plain, 1), ("follow-up", follow, 3)):
            print(
                f"| {name} | {statistics.median(values):.1f} | {percentile(values, 0.9):.1f} "
                f"| {statistics.mean(values):.1f} | {texts} |"
            )
        ratio = statistics.median(follow) / statistics.median(plain)
        print(f"a follow-up costs {ratio:.2f}x a plain question (p50)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
