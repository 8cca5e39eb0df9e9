"""``python -m bench``: warm answer latency of citebot beside the plain pipeline."""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.plain import PlainPipeline
from index.articles import BUILTIN_CORPUS
from index.encoder import shared_encoder
from index.engine import Engine, open_index

QUESTIONS = (
    "Who visited Russia on Tuesday?",
    "What did the Pentagon confirm?",
    "How many North Korean troops are training in Russia?",
    "What did Zelenskiy say on X?",
    "What role will the troops play?",
    "What weapons has North Korea sent to Russia?",
    "Why does Moscow want a partner like Pyongyang?",
    "What is South Korea considering?",
    "How do I bake bread?",
    "Is Putin meeting the foreign minister?",
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench", description=__doc__)
    ap.add_argument("--rounds", type=int, default=20, help="passes over the questions (default 20)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    encoder = shared_encoder()
    article = BUILTIN_CORPUS / "nk-troops.txt"
    plain = PlainPipeline(article, encoder)
    with tempfile.TemporaryDirectory() as tmp:
        index, _ = open_index(BUILTIN_CORPUS, Path(tmp) / "index", encoder)
    engine = Engine(index, encoder)
    for q in QUESTIONS:  # warm both paths
        plain.query(q)
        engine.answer(q)
    plain_ms: list[float] = []
    citebot_ms: list[float] = []
    for _ in range(args.rounds):
        for q in QUESTIONS:  # interleaved, so both see the same machine load
            t0 = time.perf_counter()
            plain.query(q)
            t1 = time.perf_counter()
            engine.answer(q)
            t2 = time.perf_counter()
            plain_ms.append((t1 - t0) * 1000)
            citebot_ms.append((t2 - t1) * 1000)
    figures = {
        "questions": len(plain_ms),
        "plain_p50_ms": round(statistics.median(plain_ms), 2),
        "plain_p99_ms": round(percentile(plain_ms, 0.99), 2),
        "citebot_p50_ms": round(statistics.median(citebot_ms), 2),
        "citebot_p99_ms": round(percentile(citebot_ms, 0.99), 2),
    }
    figures["ratio_p50"] = round(figures["citebot_p50_ms"] / figures["plain_p50_ms"], 2)
    print(f"{'':10}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'plain':10}{figures['plain_p50_ms']:>10.2f}{figures['plain_p99_ms']:>10.2f}")
    print(f"{'citebot':10}{figures['citebot_p50_ms']:>10.2f}{figures['citebot_p99_ms']:>10.2f}")
    print(f"warm answer / plain query (p50): {figures['ratio_p50']:.2f}x")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
