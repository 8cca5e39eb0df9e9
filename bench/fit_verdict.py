"""``python -m bench.fit_verdict --squad FILE``: fit the answer-or-refuse model (index/answering/verdict.py).

Each SQuAD article is indexed with only its even paragraphs, as ``score_squad.py --held-out``
does: questions on the kept paragraphs must be answered, questions on the others whose answer
is nowhere in the kept text must be refused. The model is fitted on articles 29-35 only (the
reader, whose score is a feature, learnt from 7-28 and would look surer there than anywhere
else) and its trade-off curve printed for them and for articles 1-6, which are kept for
reporting. The
coefficients printed are those to copy into ``index/answering/verdict.py``; scikit-learn is needed here
only, never when answering. Our own questions on the built-in article (bench/data) are fitted
too, together weighing OWN_SHARE of the fit (as they did beside articles 7-35 before).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import tempfile
from pathlib import Path

import numpy as np

from bench.reader_data import FIT_ARTICLES, REPORT_ARTICLES, as_read
from index.answering.engine import Engine
from index.answering.verdict import FEATURES, features
from index.build import open_index
from index.corpus.articles import BUILTIN_CORPUS
from index.store.encoder import shared_encoder

OWN = Path(__file__).parent / "data" / "fit_questions.jsonl"  # ours, on the built-in article
OWN_SHARE = 0.15  # 75 news-style questions weighed 10 each beside 4,375 SQuAD ones, as before
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def _words(text: str) -> str:
    """The scorer's normal form: lowercase words, curly quotes made straight, space-joined."""
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " " + " ".join(re.findall(r"\w+", re.sub(r"[*_`~|>]", "", text).lower())) + " "


def question_row(engine: Engine, question: str) -> list[float] | None:
    """The verdict's features for one question, or None when it cannot be asked."""
    read = as_read(engine, question)
    if read is None:
        return None
    _, _, evidence = engine.evidence(*read, 3)
    return features(evidence, engine.off_topic_median)


def own_rows(engine: Engine) -> list[tuple[list[float], bool]]:
    """(features, must answer) for our own questions on the built-in article."""
    rows = []
    for line in OWN.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        f = question_row(engine, q["q"])
        if f is not None:
            rows.append((f, q.get("answerable", True)))
    return rows


def article_rows(engine: Engine, article: dict, kept_text: str) -> list[tuple[list[float], bool]]:
    """(features, must answer) for each question of one held-out article."""
    kept = _words(kept_text)
    rows = []
    for q in article["questions"]:
        if q["para_idx"] % 2 == 0:
            if not q["answerable"]:
                continue
            label = True
        elif q["answerable"] and not any(_words(a).strip() and _words(a) in kept for a in q["answers"]):
            label = False
        else:
            continue
        f = question_row(engine, q["q"])
        if f is not None:
            rows.append((f, label))
    return rows


def curve(p: np.ndarray, y: np.ndarray) -> str:
    return "  ".join(
        f"{t:.2f}: answered {np.mean(p[y] >= t):.3f} refused {np.mean(p[~y] < t):.3f}" for t in THRESHOLDS
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--squad", type=Path, required=True, help="squad_v2_dev.jsonl")
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    ap.add_argument("--drop", action="append", default=[], choices=FEATURES, help="fit without this feature")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # one index built per article: no line for each
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    encoder = shared_encoder()
    articles = [json.loads(line) for line in args.squad.read_text(encoding="utf-8").splitlines()]
    X, y, part = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n, article in enumerate(articles):
            if n not in FIT_ARTICLES and n not in REPORT_ARTICLES:
                continue
            text = "\n\n".join(article["paragraphs"][::2])
            path = Path(tmp) / f"a{n}.txt"
            path.write_text(text, encoding="utf-8")
            index, _ = open_index(path, Path(tmp) / f"index{n}", encoder)
            for f, label in article_rows(Engine(index, encoder), article, text):
                X.append(f)
                y.append(label)
                part.append(n in FIT_ARTICLES)
        index, _ = open_index(BUILTIN_CORPUS, Path(tmp) / "builtin", encoder)
        own = own_rows(Engine(index, encoder))
    X, y, fit = np.array(X), np.array(y), np.array(part)
    Xo, yo = np.array([f for f, _ in own]), np.array([a for _, a in own])
    for name in args.drop:  # an ablation: the feature held at zero, so its coefficient is 0
        X[:, FEATURES.index(name)] = 0.0
        Xo[:, FEATURES.index(name)] = 0.0
    own_weight = OWN_SHARE / (1 - OWN_SHARE) * fit.sum() / max(1, len(own))
    weights = np.concatenate([np.ones(fit.sum()), np.full(len(own), own_weight)])
    model = LogisticRegression(C=args.c, max_iter=2000).fit(
        np.vstack([X[fit], Xo]), np.concatenate([y[fit], yo]), sample_weight=weights
    )
    print("COEFFICIENTS =", tuple(round(float(c), 3) for c in model.coef_[0]), " # ", FEATURES)
    print("INTERCEPT =", round(float(model.intercept_[0]), 3))
    for name, rows in (("fitted (articles 29-35)", fit), ("reported (articles 1-6)", ~fit)):
        p = model.predict_proba(X[rows])[:, 1]
        print(f"{name}: {rows.sum()} questions, AUC {roc_auc_score(y[rows], p):.3f}")
        print("  " + curve(p, y[rows]))
    p = model.predict_proba(Xo)[:, 1]
    print(f"fitted (our {len(own)} questions): AUC {roc_auc_score(yo, p):.3f}\n  " + curve(p, yo))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
