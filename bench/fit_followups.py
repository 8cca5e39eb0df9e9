"""``python -m bench.fit_followups --squad FILE``: fit how a follow-up is searched (index/answering/engine.py
``W_TOPIC``, ``PRIOR_POOL``, ``W_OWN``) on follow-ups made from SQuAD, apart from the
development set (``dev_followups.jsonl``) whose figures are reported.

Two questions written on the same SQuAD paragraph make a conversation: the words the second
shares with the first (a run holding a name, or two topic words) become "it" in the second,
which then only makes sense after the first ("When did the Normans conquer England?" then "Who
led it?"). A hit is an answer inside the first passage, from that paragraph; answer@1 an answer
inside the chosen sentence. Standalone: the second question asked unchanged after a question
on another paragraph must be answered as if alone. Articles 7-35 are fitted (as
bench.fit_verdict does); 1-6 are kept apart and printed for the chosen settings. Our own
conversations on the built-in article (bench/data/fit_followups.jsonl, written apart from the
development set) are fitted too, each weighing OWN_WEIGHT SQuAD ones: SQuAD's made follow-ups
keep most of their words, ours are as short as people type them ("Who said so?").
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import random
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from index.answering import engine as engine_module
from index.answering.engine import Engine
from index.build import open_index
from index.corpus.articles import BUILTIN_CORPUS
from index.store.encoder import shared_encoder
from index.words.followup import topic_words

FIT_FROM = 6
OWN = Path(__file__).parent / "data" / "fit_followups.jsonl"
# ours weigh about 15% of the fit, as bench.fit_verdict's own questions do (30 x 5 beside 910)
OWN_WEIGHT = 5
PAIRS_PER_PARAGRAPH = 2
MAX_RUN = 4
# Searched before on these articles: the sentence's word share over the question as read
# rather than its own words (10-14 points of answer@1 lower at every setting), W_OWN 0 and
# 0.75, PRIOR_POOL 3 (never better than 1), a weight not scaled by the follow-up's own words
# (best at W_TOPIC 0.1, standalone 0.846)
GRID = {
    "W_TOPIC": (0.25, 0.5, 1.0),
    "PRIOR_POOL": (1,),
    "W_OWN": (0.25, 0.5),
    "TOPIC_WORDS": (1, 2),
}


@dataclass(frozen=True)
class Turn:
    """A question, the conversation before it, the answers and the paragraph they are in."""

    question: str
    history: tuple[str, ...]
    answers: tuple[str, ...]
    paragraph: str
    follow_up: bool


def _norm(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.lower().replace("\u2019", "'"))) + " "


def shared_run(first: str, second: str) -> tuple[int, int] | None:
    """The longest run of ``second``'s words also found, in order, in ``first``, worth turning
    into "it": at most MAX_RUN words that begin and end with topic words and hold a name (a
    capitalised word past the question's first)."""
    a = [w.strip(",") for w in first.rstrip("?").split()]
    b = second.rstrip("?").split()
    best = None
    for i in range(len(b)):
        for j in range(min(len(b), i + MAX_RUN), i, -1):
            run = [w.strip(",") for w in b[i:j]]
            if not any(a[k : k + len(run)] == run for k in range(len(a) - len(run) + 1)):
                continue
            if topic_words(b[i]) and topic_words(b[j - 1]) and any(w[:1].isupper() for w in b[max(i, 1) : j]):
                if best is None or j - i > best[1] - best[0]:
                    best = (i, j)
                break
    return best


def conversations(article: dict, rng: random.Random) -> list[Turn]:
    """Follow-ups and standalone questions made from one article's questions."""
    by_paragraph: dict[int, list[dict]] = {}
    for q in article["questions"]:
        if q["answerable"] and q["answers"]:
            by_paragraph.setdefault(q["para_idx"], []).append(q)
    turns = []
    paragraphs = sorted(by_paragraph)
    for p in paragraphs:
        qs = by_paragraph[p]
        made = 0
        for first, second in itertools.permutations(qs, 2):
            run = shared_run(first["q"], second["q"])
            if run is None or made == PAIRS_PER_PARAGRAPH:
                continue
            words = second["q"].rstrip("?").split()
            start = words[: run[0]]
            if start and start[-1].lower() in ("the", "a", "an"):
                start = start[:-1]
            asked = " ".join([*start, "it", *words[run[1] :]]) + "?"
            if len(topic_words(asked)) >= len(topic_words(second["q"])):
                continue  # nothing was taken away
            para = article["paragraphs"][p]
            turns.append(Turn(asked, (first["q"],), tuple(second["answers"]), para, True))
            other = rng.choice([o for o in paragraphs if o != p] or [p])
            earlier = rng.choice(by_paragraph[other])["q"]
            turns.append(Turn(second["q"], (earlier,), tuple(second["answers"]), para, False))
            made += 1
    return turns


def score(engine: Engine, turns: list[Turn]) -> dict[str, list[bool]]:
    out: dict[str, list[bool]] = {"hit": [], "answer": [], "alone": []}
    answers = engine.answer_many([t.question for t in turns], None, [t.history for t in turns])
    for turn, answer in zip(turns, answers, strict=True):
        golds = [_norm(a) for a in turn.answers if _norm(a).strip()]
        top = answer.citations[0].text if answer.citations else ""
        in_place = _norm(top) in _norm(turn.paragraph) or _norm(turn.paragraph) in _norm(top)
        hit = in_place and any(g in _norm(top) for g in golds)
        if turn.follow_up:
            out["hit"].append(hit)
            out["answer"].append(any(g in _norm(answer.sentence or "") for g in golds))
        else:
            out["alone"].append(hit)
    return out


def own_turns() -> list[Turn]:
    """Our conversations on the built-in article; an evidence phrase stands for the answers."""
    rows = [json.loads(line) for line in OWN.read_text(encoding="utf-8").splitlines() if line.strip()]
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(BUILTIN_CORPUS.glob("*.txt")))
    return [
        Turn(r["q"], tuple(r["history"]), tuple(r["evidence"]), text, r["cat"] == "follow-up") for r in rows
    ]


def line(name: str, results: dict[str, list[bool]]) -> str:
    def share(xs: list[bool]) -> str:
        return f"{sum(xs) / max(1, len(xs)):.3f}"

    return (
        f"{name}: follow-ups n={len(results['hit'])} hit@1 {share(results['hit'])} "
        f"answer@1 {share(results['answer'])}; standalone n={len(results['alone'])} hit@1 "
        f"{share(results['alone'])}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--squad", type=Path, required=True, help="squad_v2_dev.jsonl")
    ap.add_argument("--articles", type=int, default=12, help="fitted articles (from the 7th on)")
    ap.add_argument("--keep", type=Path, help="keep the articles' indexes in this folder for later runs")
    ap.add_argument("--grid", type=json.loads, help='settings to try, e.g. {"W_TOPIC": [0, 0.1]}')
    args = ap.parse_args(argv)
    grid_space = args.grid or GRID
    logging.basicConfig(level=logging.ERROR)
    rng = random.Random(15)
    encoder = shared_encoder()
    articles = [json.loads(line) for line in args.squad.read_text(encoding="utf-8").splitlines()]
    chosen = list(enumerate(articles))[: FIT_FROM + args.articles]
    engines: list[tuple[bool, Engine, list[Turn]]] = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        for n, article in chosen:
            path = Path(tmp) / f"a{n}.txt"
            path.write_text(article["text"], encoding="utf-8")
            index, _ = open_index(path, Path(tmp) / f"index{n}", encoder)
            engines.append((n >= FIT_FROM, Engine(index, encoder), conversations(article, rng)))
        index, _ = open_index(BUILTIN_CORPUS, tmp / "builtin", encoder)
        own_engine, ours = Engine(index, encoder), own_turns()
        for part, name in ((True, "fitted"), (False, "kept apart")):
            alone: list[bool] = []
            for fitted, engine, turns in engines:
                if fitted == part:
                    lone = [t for t in turns if not t.follow_up]
                    alone += score(
                        engine, [Turn(t.question, (), t.answers, t.paragraph, False) for t in lone]
                    )["alone"]
            print(f"{name}: standalone asked with no history: hit@1 {sum(alone) / max(1, len(alone)):.3f}")
        grid = [
            dict(zip(grid_space, values, strict=True)) for values in itertools.product(*grid_space.values())
        ]
        table = []
        for setting in grid:
            for name, value in setting.items():
                setattr(engine_module, name, value)
            results: dict[str, list[bool]] = {"hit": [], "answer": [], "alone": []}
            for fitted, engine, turns in engines:
                if fitted:
                    for key, values in score(engine, turns).items():
                        results[key] += values
            own = score(own_engine, ours)
            table.append((setting, results, own))
            print(line(str(setting), results), "|", line("ours", own), flush=True)

        def merit(row: tuple[dict, dict[str, list[bool]], dict[str, list[bool]]]) -> float:
            _, squad, own = row
            return sum(sum(squad[key]) + OWN_WEIGHT * sum(own[key]) for key in squad)

        # on a tie, the setting that pulls a question less toward the one it follows
        best, _, _ = max(table, key=lambda row: (merit(row), -row[0].get("W_TOPIC", 0.0)))
        for name, value in best.items():
            setattr(engine_module, name, value)
        print("chosen:", best)
        kept: dict[str, list[bool]] = {"hit": [], "answer": [], "alone": []}
        for fitted, engine, turns in engines:
            if not fitted:
                for key, values in score(engine, turns).items():
                    kept[key] += values
        print(line("kept apart (articles 1-6)", kept))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
