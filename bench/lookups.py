"""``python -m bench.lookups``: what /help, /passage autocomplete and an unknown id cost on the
event loop at 50,000 passages in 5,000 sections, read from the catalogue made at load (the
figures before it, walking every passage, are printed beside them)."""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from bot.render.help import example_questions, render_help
from index.answering.catalogue import catalogue
from index.corpus.passages import Passage

WORDS = "north korean troops russia pentagon minister talks front training officials report".split()


def corpus(passages: int, sections: int, seed: int = 7) -> list[Passage]:
    rng = random.Random(seed)
    out = []
    for n in range(passages):
        text = " ".join(rng.choice(WORDS) for _ in range(70)) + f" marker{n}."
        section = f"section {n * sections // passages}"
        out.append(
            Passage(
                f"a{n // 50}#p{n % 50 + 1}",
                f"a{n // 50}",
                "An article",
                section,
                n,
                1,
                0,
                len(text),
                text,
                ((0, len(text)),),
            )
        )
    return out


def ms(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def walked_topics(passages: list[Passage]) -> list[str]:
    """How /help found its topics before the catalogue: a list searched for each passage."""
    topics: list[str] = []
    for p in passages:
        topic = p.section.strip().lower()
        if topic and topic not in topics:
            topics.append(topic)
    return topics


def walked_matches(passages: list[Passage], typed: str) -> list[str]:
    """How autocomplete matched before: every passage lowercased per keystroke."""
    found = []
    for p in passages:
        if typed in p.id.lower() or typed in p.text.lower():
            found.append(p.id)
            if len(found) == 25:
                break
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.lookups", description=__doc__.split("\n")[0])
    ap.add_argument("--passages", type=int, default=50_000)
    ap.add_argument("--sections", type=int, default=5_000)
    args = ap.parse_args(argv)
    passages = corpus(args.passages, args.sections)
    started = time.perf_counter()
    made = catalogue(passages)
    print(
        f"{args.passages} passages, {args.sections} sections; catalogue made at load in "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    last = f"marker{args.passages - 1}."
    rows = {
        "/help": (
            lambda: render_help(example_questions(made.topics)),
            lambda: render_help(example_questions(walked_topics(passages))),
        ),
        "autocomplete, common word": (
            lambda: made.matching("korean"),
            lambda: walked_matches(passages, "korean"),
        ),
        "autocomplete, last passage": (lambda: made.matching(last), lambda: walked_matches(passages, last)),
        "autocomplete, nowhere": (lambda: made.matching("zzz"), lambda: walked_matches(passages, "zzz")),
        "unknown id": (lambda: made.first_id, lambda: [p.id for p in passages][0]),
    }
    print(f"{'on the event loop':<30}{'now ms':>10}{'before ms':>12}")
    for name, (now, before) in rows.items():
        print(f"{name:<30}{ms(now):>10}{ms(before, 1):>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
