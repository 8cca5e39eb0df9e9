"""``python -m bench.fit_reader --squad FILE``: how the reader joins the hand-made ranking.

For each answerable question of SQuAD articles 29-35 (which the reader never saw), the engine
ranks its candidate sentences by the hand-made score and the reader reads the best ones. A grid
over how many it reads (``READ_TOP``), the weight of its probability (``W_READER``) and the
probability its span needs (``SPAN_FROM``) is scored by the share of questions whose chosen
sentence holds the answer, and of those, whose marked span holds it. Articles 1-6 are printed
beside, never fitted. Copy the chosen values into ``index/answering/reader.py``.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.reader_data import FIT_ARTICLES, REPORT_ARTICLES, holds, normal, ranked_for
from index.answering.answer import Candidate, choice_of
from index.answering.engine import Engine
from index.answering.reader import (
    READER_DIR,
    READER_THREADS,
    ReaderScore,
    SentenceReader,
    fused_best,
    shared_reader,
)
from index.build import open_index
from index.store.encoder import shared_encoder
from index.words.answer_types import expected_kind

TOPS = (1, 3, 4, 6, 8, 10)
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 5.0, 100.0)
SPAN_FROMS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.01)


@dataclass(frozen=True)
class Asked:
    """One question's candidates, their readings, and which hold an answer."""

    question: str
    candidates: list[Candidate]
    readings: list[ReaderScore]
    answers: list[str]
    kind: bool  # the question asks for a kind of thing (who, when, how many, where): it gets a span

    def holds(self, i: int) -> bool:
        return holds(self.candidates[i].text, self.answers)

    def choose(self, top: int, weight: float) -> int:
        n = min(top, len(self.readings))
        return fused_best([c.score for c in self.candidates[:n]], self.readings[:n], weight)

    def span_holds(self, i: int, span_from: float) -> bool:
        """The span marked in candidate ``i`` holds an answer (reader's span when sure enough)."""
        c, r = self.candidates[i], self.readings[i]
        span = choice_of(c, self.question, r.span if r.span_confidence >= span_from else None).span
        if span is None:
            return False
        marked = normal(c.text[span[0] : span[1]])
        return any(normal(a).strip() and normal(a).strip() in marked for a in self.answers)


def asked_of(squad: Path, articles: range, model: Path | None = None) -> list[Asked]:
    encoder = shared_encoder()
    reader = shared_reader() if model is None else SentenceReader(READER_DIR, READER_THREADS, model)
    lines = squad.read_text(encoding="utf-8").splitlines()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in articles:
            article = json.loads(lines[n])
            path = Path(tmp) / f"a{n}.txt"
            path.write_text(article["text"], encoding="utf-8")
            index, _ = open_index(path, Path(tmp) / f"index{n}", encoder)
            engine = Engine(index, encoder, reader=None)
            for q in article["questions"]:
                read = ranked_for(engine, q["q"]) if q["answerable"] else None
                if read and read[1]:
                    asked, ranked = read[0], read[1][: max(TOPS)]
                    readings = reader.read(asked, [c.text for c in ranked])
                    kind = expected_kind(asked) is not None
                    out.append(Asked(asked, ranked, readings, q["answers"], kind))
    return out


def table(asked: list[Asked]) -> dict[tuple[int, float], float]:
    return {
        (top, w): sum(a.holds(a.choose(top, w)) for a in asked) / len(asked) for top in TOPS for w in WEIGHTS
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--squad", type=Path, required=True, help="squad_v2_dev.jsonl")
    ap.add_argument("--model", type=Path, help="another ONNX reader to measure (an fp32 export, say)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    fit = asked_of(args.squad, FIT_ARTICLES, args.model)
    report = asked_of(args.squad, REPORT_ARTICLES, args.model)
    fitted, reported = table(fit), table(report)
    print(f"answer sentence chosen, {len(fit)} questions fitted (29-35) | {len(report)} reported (1-6)")
    print("top  " + "  ".join(f"w={w:<5}" for w in WEIGHTS))
    for top in TOPS:
        print(f"{top:>3}  " + "  ".join(f"{fitted[top, w]:.3f}  " for w in WEIGHTS))
        print("     " + "  ".join(f"{reported[top, w]:.3f}  " for w in WEIGHTS))
    top, weight = max(fitted, key=lambda key: (fitted[key], -key[0]))
    print(
        f"chosen: READ_TOP = {top}, W_READER = {weight}: fitted {fitted[top, weight]:.3f}, "
        f"reported {reported[top, weight]:.3f}; hand-made alone {fitted[1, 0.0]:.3f} / {reported[1, 0.0]:.3f}"
    )
    for name, asked in (("fitted", fit), ("reported", report)):
        right = [(a, a.choose(top, weight)) for a in asked]
        right = [(a, i) for a, i in right if a.kind and a.holds(i)]
        line = "  ".join(
            f"{t}: {sum(a.span_holds(i, t) for a, i in right) / max(1, len(right)):.3f}" for t in SPAN_FROMS
        )
        print(
            f"span holds the answer ({name}, {len(right)} right sentences asking for a kind), "
            f"by SPAN_FROM: {line}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
