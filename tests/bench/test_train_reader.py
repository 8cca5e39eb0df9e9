"""The reader's training command, on its quick slice: pairs made by the engine, a model trained,
exported, quantized and written with a card that checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.reader_data import FIT_ARTICLES, TRAIN_ARTICLES, load_pairs
from index.answering.reader import CARD_FILE, MODEL_CARD, check_files, load

ROOT = Path(__file__).resolve().parents[2]


def squad_like(path: Path) -> Path:
    """A SQuAD-shaped jsonl of as many articles as the training's split needs, each the built-in
    article's paragraphs with a question on each (its answer: three words of its first sentence)
    and one that none answers."""
    text = next((ROOT / "index" / "data").glob("*.txt")).read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n\n") if len(p.split()) > 12 and not p.startswith("#")][:8]
    questions = []
    for n, p in enumerate(paragraphs):
        said = p.split()
        questions.append(
            {
                "id": f"q{n}",
                "q": "What is said of " + " ".join(said[:6]) + "?",
                "answers": [" ".join(said[6:9])],
                "answerable": True,
                "para_idx": n,
            }
        )
    questions.append(
        {"id": "none", "q": "How do magnets work?", "answers": [], "answerable": False, "para_idx": 0}
    )
    row = {
        "title": "Built_in",
        "text": "\n\n".join(paragraphs),
        "paragraphs": paragraphs,
        "questions": questions,
    }
    path.write_text("\n".join(json.dumps(row) for _ in range(FIT_ARTICLES.stop)), encoding="utf-8")
    return path


def test_the_quick_training_writes_a_reader_whose_card_checks(tmp_path):
    squad = squad_like(tmp_path / "squad.jsonl")
    out, work = tmp_path / "reader", tmp_path / "work"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.train_reader",
            "--squad",
            str(squad),
            "--quick",
            "--listwise",
            "--layers",
            "2",
            "--epochs",
            "1",
            "--out",
            str(out),
            "--work",
            str(work),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    pairs = load_pairs(work / "pairs-train-quick.jsonl")
    assert {p.label for p in pairs} == {0, 1}
    assert all(p.sentence[p.span[0] : p.span[1]] for p in pairs if p.label and p.span)
    card = check_files(out)
    assert card["layers"] == 2 and card["seed"] and "--quick --listwise" in card["command"]
    assert card["data"]["articles"].startswith(f"{TRAIN_ARTICLES.start + 1}-{TRAIN_ARTICLES.stop}")
    reader = load(out)
    for fixed in card["fixed_pairs"]:
        got = reader.read(fixed["question"], [fixed["sentence"]])[0]
        assert abs(got.relevance - fixed["relevance"]) < 1e-3
    assert json.loads((out / CARD_FILE).read_text())["files"] == card["files"]
    assert card["files"][next(iter(card["files"]))] in (out / MODEL_CARD).read_text()


def test_listwise_batches_keep_each_question_whole():
    import random

    from bench.train_reader import group_batches

    rows = [
        {"ids": [0] * (5 + g), "group": f"g{g}", "label": int(i == 0)} for g in range(40) for i in range(6)
    ]
    made = group_batches(rows, 32, random.Random(1))
    assert sorted(id(r) for b in made for r in b) == sorted(id(r) for r in rows)
    for batch in made:
        assert len(batch) <= 32
        for g in {r["group"] for r in batch}:
            assert sum(r["group"] == g for r in batch) == 6


def test_the_listwise_loss_rewards_the_answer_ranked_first():
    import torch

    from bench.train_reader import list_loss

    batch = {"group": ["a", "a", "a", "b", "b"], "label": torch.tensor([0.0, 1.0, 0.0, 0.0, 0.0])}
    right = list_loss(torch, torch.tensor([-2.0, 3.0, -1.0, 5.0, 5.0]), batch)
    wrong = list_loss(torch, torch.tensor([3.0, -2.0, -1.0, 5.0, 5.0]), batch)
    assert 0.0 < right.item() < 0.05 < wrong.item()  # question b has no answer sentence: not in the loss
    none = list_loss(
        torch, torch.tensor([1.0, 2.0]), {"group": ["c", "c"], "label": torch.tensor([0.0, 0.0])}
    )
    assert none.item() == 0.0
