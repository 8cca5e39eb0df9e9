"""``python -m bench``: warm answer latency of citebot beside the plain pipeline."""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.live import live_figures
from bench.measure import batched_throughput, folder_mb, machine, percentile, throughput, timed_process
from bench.plain import PlainPipeline
from bench.scale import build_synthetic, search_figures
from index.answering.engine import Engine, query_encoder
from index.answering.reader import READ_TOP
from index.build import open_index
from index.corpus.articles import BUILTIN_CORPUS
from index.store.encoder import shared_encoder
from index.words.background import background_words

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


def build_figures(name: str, corpus: Path, encoder, workdir: Path) -> dict[str, float]:
    """Index build time, passages per second and size on disk for one corpus."""
    from index.build import build_index
    from index.corpus.articles import load_corpus
    from index.store.disk import save

    articles = load_corpus(corpus)
    started = time.perf_counter()
    index = build_index(articles, encoder)
    seconds = time.perf_counter() - started
    save(index, workdir / name)
    return {
        f"build_{name}_passages": index.manifest.passages,
        f"build_{name}_s": round(seconds, 1),
        f"build_{name}_passages_per_s": round(index.manifest.passages / seconds, 1),
        f"build_{name}_mb": round(folder_mb(workdir / name), 1),
    }


def squad_corpus(jsonl: Path, folder: Path) -> Path:
    """The SQuAD articles of the evaluation set as a folder of .txt files."""
    folder.mkdir(parents=True, exist_ok=True)
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        (folder / f"{article['title']}.txt").write_text(article["text"], encoding="utf-8")
    return folder


def reader_figures(engine: Engine, rounds: int) -> dict[str, float]:
    """The reader's time in a warm answer (p50) and its share, the same engine's answer without
    it, and the reader's throughput in pairs a second, batched as the engine batches them."""
    bare = Engine(engine.index, engine.encoder, engine.threshold, engine.background, reader=None)
    read, total, without = [], [], []
    for _ in range(rounds):
        for q in QUESTIONS:
            answer = engine.answer(q)
            read.append(answer.timings["read_ms"])
            total.append(answer.timings["total_ms"])
            without.append(bare.answer(q).timings["total_ms"])
    sentences = [p.sentence_texts()[0] for p in engine.index.passages][:READ_TOP]
    started, pairs = time.perf_counter(), 0
    while time.perf_counter() - started < 2.0:
        engine.reader.read(QUESTIONS[0], sentences)
        pairs += len(sentences)
    return {
        "reader_p50_ms": round(statistics.median(read), 2),
        "reader_share": round(sum(read) / sum(total), 3),
        "noreader_p50_ms": round(statistics.median(without), 2),
        "reader_pairs_per_s": round(pairs / (time.perf_counter() - started), 1),
    }


def cold_starts(env: dict[str, str], runs: int) -> dict[str, float]:
    """Fresh process to first answer, with a built index: citebot's console beside the plain
    pipeline's ten lines; medians of ``runs`` alternating runs."""
    question = QUESTIONS[0]
    commands = {
        "plain": [sys.executable, "-m", "bench.plain", question],
        "citebot": [sys.executable, "-m", "bot.console", question],
    }
    timed: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            timed[name].append(timed_process(argv, env))
    out: dict[str, float] = {}
    for name, values in timed.items():
        out[f"{name}_cold_s"] = round(statistics.median(v[0] for v in values), 2)
        out[f"{name}_peak_mb"] = round(max(v[1] for v in values), 1)
    out["ratio_cold"] = round(out["citebot_cold_s"] / out["plain_cold_s"], 2)
    out["ratio_peak_mb"] = round(out["citebot_peak_mb"] / out["plain_peak_mb"], 2)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench", description=__doc__)
    ap.add_argument("--rounds", type=int, default=20, help="passes over the questions (default 20)")
    ap.add_argument("--cold-runs", type=int, default=3, help="fresh processes timed for each (0: skip)")
    ap.add_argument(
        "--squad",
        type=Path,
        help="a SQuAD jsonl (e.g. ../shared/eval/squad/squad_v2_dev.jsonl) to time a build of",
    )
    ap.add_argument(
        "--synthetic",
        type=int,
        default=0,
        metavar="PASSAGES",
        help="with --squad: also build a synthetic corpus of this many passages (e.g. 50000) from "
        "the SQuAD articles and measure its build, recall@10 and answer latency",
    )
    ap.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="with --synthetic: keep the synthetic corpus, index and build figures in DIR, and "
        "reuse them when DIR already has them",
    )
    ap.add_argument(
        "--hostile", action="store_true", help="time only the parsers of outside text on pathological inputs"
    )
    ap.add_argument(
        "--live",
        action="store_true",
        help="time only an article added and removed on a corpus of --passages passages made from the "
        "built-in article (built once into --cache, then reused)",
    )
    ap.add_argument("--passages", type=int, default=2000, help="with --live: the corpus's size (2000)")
    ap.add_argument("--cache", type=Path, help="with --live or --servers: where corpora and indexes are kept")
    ap.add_argument(
        "--servers",
        type=int,
        metavar="N",
        help="time only N servers' libraries of about 200 passages each, built then asked",
    )
    ap.add_argument(
        "--memory-mb", type=int, help="with --servers: the memory budget (default LIBRARY_MEMORY_MB)"
    )
    args = ap.parse_args(argv)
    if args.servers:
        from bench.servers import servers_bench
        from index.words.background import cache_dir

        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        f = servers_bench(args.servers, args.cache or cache_dir() / "bench", memory_mb=args.memory_mb)
        print(
            f"{f['servers']:,} servers of {f['servers_passages_each']} passages: built in "
            f"{f['servers_build_s']} s ({f['servers_build_each_ms']} ms each); RSS "
            f"{f['servers_rss_after_build_mb']} MB after the build, "
            f"{f['servers_rss_all_asked_mb']} MB once every one was asked ({f['servers_loaded_at_end']} kept "
            f"in {f['servers_memory_budget_mb']} MB); a question to a loaded library p50 "
            f"{f['servers_loaded_p50_ms']} ms, p99 {f['servers_loaded_p99_ms']} ms; to an unloaded one p50 "
            f"{f['servers_unloaded_p50_ms']} ms, p99 {f['servers_unloaded_p99_ms']} ms"
        )
        print(json.dumps(f))
        return 0
    if args.live:
        from bench.live import live_bench
        from index.words.background import cache_dir

        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        figures = live_bench(args.passages, args.cache or cache_dir() / "bench")
        f = figures
        print(
            f"live, {f['live_passages']:,} passages (built or loaded in {f['live_build_s']} s): an article "
            f"of {f['live_added_passages']} passages answered from {f['live_add_s']} s after the add (cited: "
            f"{bool(f['live_answered_from_added'])}), gone {f['live_remove_s']} s after its removal "
            f"(gone: {bool(f['live_gone_after_removal'])})"
        )
        print(json.dumps(figures))
        return 0
    if args.hostile:
        from bench.hostile import main as hostile_main

        return hostile_main([])
    if (args.synthetic or args.keep) and not args.squad:
        ap.error("--synthetic and --keep need --squad FILE: the synthetic corpus is made from its articles")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "data" / "index"
        env = {**os.environ, "INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1", "LOG_LEVEL": "WARNING"}
        # built (and the fast path exported) by citebot itself, in its own processes, so that
        # this process is still small when it starts the cold ones: a child's peak memory
        # counts its parent's at the fork
        subprocess.run(
            [sys.executable, "-m", "bot.console", QUESTIONS[0]], env=env, check=True, capture_output=True
        )
        cold = cold_starts(env, args.cold_runs) if args.cold_runs else {}
        scale_dir, builds = None, {}
        if args.squad and args.synthetic:
            scale_dir, builds = build_synthetic(args.squad, args.synthetic, Path(tmp), env, args.keep)
        encoder = shared_encoder()
        plain = PlainPipeline(BUILTIN_CORPUS / "nk-troops.txt", encoder)
        index, _ = open_index(BUILTIN_CORPUS, index_dir, encoder)
        fast = query_encoder(index_dir)  # as citebot runs: the fast path if made
        engine = Engine(index, fast, background=background_words(index.manifest.model, fast))
        builds.update(build_figures("builtin", BUILTIN_CORPUS, encoder, Path(tmp) / "builds"))
        if args.squad:
            squad = squad_corpus(args.squad, Path(tmp) / "squad")
            builds.update(build_figures("squad", squad, encoder, Path(tmp) / "builds"))
            # each corpus takes an article it does not hold: every text in it is new
            first_squad = sorted(squad.glob("*.txt"))[0]
            builds.update(
                live_figures(
                    "builtin", BUILTIN_CORPUS, index_dir, first_squad, engine.encoder, Path(tmp) / "live"
                )
            )
            builds.update(
                live_figures(
                    "squad",
                    squad,
                    Path(tmp) / "builds" / "squad",
                    BUILTIN_CORPUS / "nk-troops.txt",
                    engine.encoder,
                    Path(tmp) / "live",
                )
            )
            if scale_dir:
                builds.update(search_figures(scale_dir, args.squad))
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
    figures.update(reader_figures(engine, args.rounds))
    burst = list(QUESTIONS) * max(2, args.rounds)
    figures["plain_qps_8"] = round(throughput(plain.query, burst), 1)
    figures["citebot_qps_8_threads"] = round(throughput(engine.answer, burst), 1)
    figures["citebot_qps_8"] = round(batched_throughput(engine.answer_many, burst), 1)  # as the bot does
    figures.update(cold)
    figures.update(builds)
    figures["query_encoder"] = type(engine.encoder).__name__
    figures["machine"] = machine()
    print(f"on {figures['machine']}")
    print(f"{'':10}{'p50 ms':>10}{'p99 ms':>10}{'cold s':>10}{'peak MB':>10}{'q/s x8':>10}")
    for name in ("plain", "citebot"):
        cold_s, peak = (
            figures.get(f"{name}_cold_s", float("nan")),
            figures.get(f"{name}_peak_mb", float("nan")),
        )
        print(
            f"{name:10}{figures[name + '_p50_ms']:>10.2f}{figures[name + '_p99_ms']:>10.2f}"
            f"{cold_s:>10.2f}{peak:>10.0f}{figures[name + '_qps_8']:>10.1f}"
        )
    print(f"warm answer / plain query (p50): {figures['ratio_p50']:.2f}x")
    print(
        f"the reader: {figures['reader_p50_ms']} ms of an answer (p50), {figures['reader_share']:.0%} of it; "
        f"without it {figures['noreader_p50_ms']} ms; {figures['reader_pairs_per_s']} pairs/s in batches of "
        f"{READ_TOP}"
    )
    if cold:
        print(f"cold start to first answer / plain: {figures['ratio_cold']:.2f}x")
    for name in ("builtin", "squad"):
        if f"build_{name}_s" in figures:
            n, s, rate, mb = (figures[f"build_{name}_{k}"] for k in ("passages", "s", "passages_per_s", "mb"))
            print(f"build {name}: {n} passages in {s} s ({rate}/s), {mb} MB on disk")
    for name in ("builtin", "squad"):
        if f"live_{name}_add_s" in figures:
            f = {
                k.removeprefix(f"live_{name}_"): v
                for k, v in figures.items()
                if k.startswith(f"live_{name}_")
            }
            print(
                f"live {name} ({f['corpus_passages']} passages): an article of "
                f"{f['added_passages']} passages added and answered from in {f['add_s']} s "
                f"(cited: {bool(f['answered_from_added'])}), "
                f"removed in {f['remove_s']} s"
            )
    if "scale_passages" in figures:
        f = figures
        print(
            f"synthetic: {f['scale_passages']:,} passages ({f['scale_sentences']:,} sentences, "
            f"{f['scale_articles']:,} articles) built in {f['scale_build_s']} s "
            f"({f['scale_build_passages_per_s']}/s, peak {f['scale_build_peak_mb']} MB), "
            f"{f['scale_index_mb']} MB on disk"
            + (" (kept from an earlier run)" if f.get("scale_build_kept") else "")
        )
        print(
            f"synthetic: {f['scale_vector_index']} recall@10 {f['scale_recall10_passages']} (passages), "
            f"{f['scale_recall10_sentences']} (sentences); counting only exact search's own picks among "
            f"equal scores: {f['scale_recall10_passages_by_id']}, {f['scale_recall10_sentences_by_id']}"
        )
        print(f"synthetic: answers p50 {f['scale_p50_ms']} ms, p99 {f['scale_p99_ms']} ms")
    print(
        f"citebot with 8 askers: {figures['citebot_qps_8']} q/s batched as the bot does, "
        f"{figures['citebot_qps_8_threads']} q/s from 8 threads"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
