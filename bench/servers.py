"""Many servers, each its own library: ``python -m bench --servers 1000`` builds 1,000 server
libraries of about 200 passages each under a data folder and asks them questions through
``Libraries``, as the bot does, within the memory budget (LIBRARY_MEMORY_MB).

Their passages are drawn from a pool embedded once: editions of the built-in article
(bench/synthetic.py), each server taking a run of them from its own place in the pool, so that
no two servers hold the same articles and none needs the model. Each library is built as an add
builds one: its passages chunked, its BM25 counted, its words tallied, its refusal calibrated
(the probe questions' vectors are remembered across servers: they are the same questions), and
saved (a cache folder keeps them for the next run, which reports the first run's build time).
Printed: the time to build them, the RSS after, and the p50 and p99 of a question to a
library already in memory and to one that must be opened from disk first."""

from __future__ import annotations

import json
import random
import resource
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from index.build import build_segment, known_vectors, manifest_for, recalibrated
from index.corpus.articles import BUILTIN_CORPUS, read_article, read_corpus
from index.corpus.passages import DEFAULT_CHUNKING
from index.libraries import ARTICLES, INDEX, Libraries, server_folder
from index.library import Library
from index.store import disk as store
from index.store.disk import PassageIndex

PASSAGES_EACH = 200
QUESTIONS = 200  # asked of loaded libraries, and of unloaded ones


class Remembered:
    """An encoder that embeds each text once: the calibration asks every library the same
    off-topic probes."""

    def __init__(self, encoder) -> None:
        self.encoder, self.dimension, self.seen = encoder, encoder.dimension, {}

    def encode(self, texts: list[str]) -> np.ndarray:
        fresh = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if fresh:
            self.seen.update(zip(fresh, self.encoder.encode(fresh), strict=True))
        return np.stack([self.seen[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)


def rss_mb() -> float:
    """The process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def pool(cache: Path, passages: int, encoder) -> tuple[list[Path], PassageIndex]:
    """The pool's article files (editions of the built-in article) and its index, embedded once."""
    from bench.synthetic import article_shape, editions_corpus

    folder = cache / f"pool-{passages}"
    if not folder.is_dir():
        source = read_article(next(BUILTIN_CORPUS.glob("*.txt")))
        editions_corpus([("nk-troops", article_shape(source.body))], folder.with_suffix(".new"), passages)
        folder.with_suffix(".new").rename(folder)
    library = Library.open(folder, cache, cache / f"pool-{passages}-index", encoder=encoder)
    return sorted(folder.glob("*.txt")), library.engine.index


def build_servers(
    data: Path, servers: int, each: int, files: list[Path], pool_index: PassageIndex, encoder
) -> float:
    """``servers`` libraries of about ``each`` passages under ``data``; the seconds it took."""
    known = known_vectors(pool_index)
    per_file = max(1, round(pool_index.manifest.passages / len(files)))
    take = max(1, round(each / per_file))
    started = time.perf_counter()
    for number in range(servers):
        folder = server_folder(data, 10**17 + number)
        (folder / ARTICLES).mkdir(parents=True, exist_ok=True)
        first = (number * 7) % len(files)
        for path in (files * 2)[first : first + take]:
            shutil.copyfile(path, folder / ARTICLES / path.name)
        articles = read_corpus(folder / ARTICLES).articles
        segment = build_segment(articles, encoder, DEFAULT_CHUNKING, known)
        assert segment is not None
        index = PassageIndex.of_segments(pool_index.manifest, [segment])
        index.manifest = manifest_for(index, articles, DEFAULT_CHUNKING, str(folder / ARTICLES), encoder)
        index.manifest = recalibrated(index, encoder)
        store.save(index, folder / INDEX)
        if number and number % 100 == 0:
            print(f"  {number} servers built, {time.perf_counter() - started:.0f} s", flush=True)
    return time.perf_counter() - started


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in seconds)
    return statistics.median(ms), ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]


def servers_bench(servers: int, cache: Path, each: int = PASSAGES_EACH, memory_mb: int | None = None) -> dict:
    """The figures of ``python -m bench --servers N``: ``servers`` libraries built under
    ``cache``, then asked questions loaded and unloaded."""
    from index.config import LIBRARY_MEMORY_MB
    from index.store.encoder import shared_encoder

    cache.mkdir(parents=True, exist_ok=True)
    encoder = Remembered(shared_encoder())
    files, pool_index = pool(cache, max(2_000, 10 * each), encoder)
    data = cache / f"servers-{servers}-{each}"
    record = data / "built.json"
    if record.is_file():  # built by an earlier run: reused, its build time reported
        build_s = float(json.loads(record.read_text())["build_s"])
    else:
        shutil.rmtree(data, ignore_errors=True)
        build_s = build_servers(data, servers, each, files, pool_index, encoder)
        record.write_text(json.dumps({"build_s": build_s}))
    rss_built = rss_mb()
    shared = Library.open(None, data, data / "index", encoder=encoder)
    budget = memory_mb or LIBRARY_MEMORY_MB
    libraries = Libraries(shared, data, budget)
    ids = [10**17 + n for n in range(servers)]
    rng = random.Random(1)
    questions = [p.sentence_texts()[0] for p in rng.sample(pool_index.passages, QUESTIONS)]

    def ask(server: int, question: str) -> float:
        started = time.perf_counter()
        view = libraries.view(server)
        view.label(view.engine.answer(question))
        return time.perf_counter() - started

    unloaded = [
        ask(server, q) for server, q in zip(rng.sample(ids, min(QUESTIONS, servers)), questions, strict=False)
    ]
    hot = libraries.loaded()[-20:]  # the most recently used, in memory
    loaded = [ask(hot[i % len(hot)], q) for i, q in enumerate(questions)]
    for server in ids:  # every library opened once: the budget keeps only some
        libraries.view(server)
    rss_all = rss_mb()
    loaded_p50, loaded_p99 = percentiles(loaded)
    unloaded_p50, unloaded_p99 = percentiles(unloaded)
    passages = [store.read_manifest(server_folder(data, s) / INDEX).passages for s in ids[:20]]
    return {
        "servers": servers,
        "servers_passages_each": round(sum(passages) / len(passages)),
        "servers_build_s": round(build_s, 1),
        "servers_build_each_ms": round(build_s / servers * 1000, 1),
        "servers_rss_after_build_mb": round(rss_built),
        "servers_rss_all_asked_mb": round(rss_all),
        "servers_peak_rss_mb": round(peak_mb()),
        "servers_memory_budget_mb": budget,
        "servers_loaded_at_end": len(libraries.loaded()),
        "servers_resident_estimate_mb": round(libraries.resident_bytes() / 1e6),
        "servers_measured_mb_each": round((rss_all - rss_built) / max(1, len(libraries.loaded())), 1),
        "servers_loaded_p50_ms": round(loaded_p50, 1),
        "servers_loaded_p99_ms": round(loaded_p99, 1),
        "servers_unloaded_p50_ms": round(unloaded_p50, 1),
        "servers_unloaded_p99_ms": round(unloaded_p99, 1),
    }
