"""Scale figures: a synthetic corpus of 50,000+ passages built in a fresh process, the recall of
its approximate vector indexes against exact search, and answer latency on it."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from bench.measure import folder_mb, percentile, timed_process
from bench.synthetic import synthetic_corpus
from index.answering.engine import Engine, query_encoder
from index.store import disk as store
from index.store import vectors


def squad_questions(squad_jsonl: Path, limit: int) -> list[str]:
    """Up to ``limit`` SQuAD questions, spread over all the articles."""
    per_article = [
        [q["q"] for q in json.loads(line)["questions"]]
        for line in squad_jsonl.read_text(encoding="utf-8").splitlines()
    ]
    spread = [q for round_ in zip(*per_article, strict=False) for q in round_]
    return spread[:limit]


def build_synthetic(
    squad_jsonl: Path, passages: int, workdir: Path, env: dict[str, str], keep: Path | None = None
) -> tuple[Path, dict[str, float | int]]:
    """Write a synthetic corpus of at least ``passages`` passages and build its index in a
    fresh process (model load included), so that the peak memory is the build's own: start
    it before this process grows, since a child's peak counts its parent's at the fork.

    With ``keep``, the corpus, index and build figures stay in that folder, and a later run
    given the same folder measures search on them without building again (half an hour here).
    """
    folder = keep or workdir
    index_dir = folder / "synthetic-data" / "index"
    record = folder / "synthetic-build.json"
    if keep and record.is_file() and (index_dir / "manifest.json").is_file():
        figures = json.loads(record.read_text(encoding="utf-8"))
        if figures.get("scale_passages", 0) >= passages:
            return index_dir, {**figures, "scale_build_kept": 1}
    corpus = synthetic_corpus(squad_jsonl, folder / "synthetic", passages)
    seconds, peak_mb = timed_process(
        [sys.executable, "-m", "index", "build", "--corpus", str(corpus), "--index-dir", str(index_dir)], env
    )
    manifest = store.load(index_dir).manifest
    figures: dict[str, float | int] = {
        "scale_passages": manifest.passages,
        "scale_sentences": manifest.sentences,
        "scale_articles": len(manifest.articles),
        "scale_build_s": round(seconds, 1),
        "scale_build_passages_per_s": round(manifest.passages / seconds, 1),
        "scale_build_peak_mb": round(peak_mb),
        "scale_index_mb": round(folder_mb(index_dir), 1),
    }
    record.write_text(json.dumps(figures), encoding="utf-8")
    return index_dir, figures


def search_figures(index_dir: Path, squad_jsonl: Path, questions: int = 300) -> dict[str, float | int | str]:
    """On a built index: recall@10 of its vector indexes against exact search, and answer
    latency, for SQuAD questions."""
    index = store.load(index_dir)
    asked = squad_questions(squad_jsonl, questions)
    engine = Engine(index, query_encoder(index_dir))
    query_vectors = engine.encoder.encode(asked)
    figures: dict[str, float | int | str] = {
        "scale_vector_index": type(index.passage_vectors).__name__,
        "scale_recall10_passages": round(vectors.recall_at(index.passage_vectors, query_vectors, 10), 4),
        "scale_recall10_sentences": round(vectors.recall_at(index.sentence_vectors, query_vectors, 10), 4),
        "scale_recall10_passages_by_id": round(
            vectors.recall_at(index.passage_vectors, query_vectors, 10, by_id=True), 4
        ),
        "scale_recall10_sentences_by_id": round(
            vectors.recall_at(index.sentence_vectors, query_vectors, 10, by_id=True), 4
        ),
    }
    for q in asked[:10]:  # warm
        engine.answer(q)
    latencies = []
    for q in asked:
        started = time.perf_counter()
        engine.answer(q)
        latencies.append((time.perf_counter() - started) * 1000)
    figures["scale_p50_ms"] = round(statistics.median(latencies), 2)
    figures["scale_p99_ms"] = round(percentile(latencies, 0.99), 2)
    return figures
