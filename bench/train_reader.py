"""``python -m bench.train_reader --squad FILE``: train the reader (index/answering/reader.py) here.

A cross-encoder from the bundled all-MiniLM-L6-v2 weights: the question and a candidate
sentence read together; binary cross-entropy on "the sentence answers" and, for the sentences
that do, cross-entropy on the answer's first and last token. Pairs come from
``bench/reader_data.py`` (SQuAD articles 7-28, the engine's own candidates). Fixed seed, a
progress bar, a log, a time cap; the best epoch (on articles 29-35, which it never trains on)
is exported to ONNX, quantized to int8, and written with its card to ``--out``.
``--quick`` trains on a slice in seconds (for the test).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import subprocess
import time
from pathlib import Path

import numpy as np

from bench.reader_data import FIT_ARTICLES, TRAIN_ARTICLES, Pair, build_pairs, load_pairs, save_pairs
from index.answering.reader import (
    CARD_FILE,
    MODEL_CARD,
    MODEL_FILE,
    READER_DIR,
    TOKENIZER_FILE,
    pair_tokenizer,
)

log = logging.getLogger("train_reader")

SEED = 20261207
SPAN_WEIGHT = 0.5
# With --listwise, a question's pairs are batched together and, beside each pair's own loss, the
# answer sentence must win a softmax over its question's sentences: the ranking the engine uses.
LIST_WEIGHT = 1.0
QUICK_PAIRS = 64
FIXED_PAIRS = (  # the card records the shipped model's scores on these; a test checks them
    ("Who is the harbourmaster at Kessock?", "The harbourmaster, Ann Reid, said the pier would reopen."),
    ("Who is the harbourmaster at Kessock?", "The harbour at Kessock reopened on Monday after repairs."),
    ("When did the Korean War end?", "The two Koreas fought a war from 1950 to 1953."),
    ("How many troops are in Russia?", "About 10,000 North Korean soldiers are training in eastern Russia."),
    ("What is the capital of Australia?", "Pyongyang has sent artillery shells to Moscow."),
)


def tokenized(tokenizer, pairs: list[Pair]) -> list[dict]:
    """Each pair's token ids, type ids, label and answer tokens (-1 without an answer)."""
    out = []
    for p in pairs:
        e = tokenizer.encode(p.question, p.sentence)
        start = end = -1
        if p.label and p.span:
            s, t = e.char_to_token(p.span[0], 1), e.char_to_token(p.span[1] - 1, 1)
            if s is not None and t is not None and t >= s:
                start, end = s, t
        out.append(
            {
                "ids": e.ids,
                "types": e.type_ids,
                "label": p.label,
                "start": start,
                "end": end,
                "group": p.group,
            }
        )
    return out


def batches(rows: list[dict], size: int, rng: random.Random) -> list[list[dict]]:
    """Batches of rows of like length (less padding), in random order."""
    order = rows[:]
    rng.shuffle(order)
    chunk = size * 50
    out = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i : i + chunk], key=lambda r: len(r["ids"]))
        out += [part[j : j + size] for j in range(0, len(part), size)]
    rng.shuffle(out)
    return out


def group_batches(rows: list[dict], size: int, rng: random.Random) -> list[list[dict]]:
    """Batches of whole questions (every pair of a question in one batch), of about ``size``
    pairs, questions of like length together, in random order."""
    by_group: dict[str, list[dict]] = {}
    for r in rows:
        by_group.setdefault(r["group"], []).append(r)
    groups = list(by_group.values())
    rng.shuffle(groups)
    chunk = max(1, size * 50 // 6)
    out: list[list[dict]] = []
    for i in range(0, len(groups), chunk):
        part = sorted(groups[i : i + chunk], key=lambda g: max(len(r["ids"]) for r in g))
        batch: list[dict] = []
        for g in part:
            if batch and len(batch) + len(g) > size:
                out.append(batch)
                batch = []
            batch += g
        if batch:
            out.append(batch)
    rng.shuffle(out)
    return out


def tensors(torch, batch: list[dict]) -> dict:
    width = max(len(r["ids"]) for r in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for i, r in enumerate(batch):
        n = len(r["ids"])
        ids[i, :n] = torch.tensor(r["ids"])
        types[i, :n] = torch.tensor(r["types"])
        mask[i, :n] = 1
    return {
        "input_ids": ids,
        "attention_mask": mask,
        "token_type_ids": types,
        "label": torch.tensor([float(r["label"]) for r in batch]),
        "start": torch.tensor([r["start"] for r in batch]),
        "end": torch.tensor([r["end"] for r in batch]),
        "group": [r["group"] for r in batch],
    }


def list_loss(torch, relevance, batch: dict):
    """The mean, over the batch's questions that have an answer sentence, of its softmax
    cross-entropy against the question's other sentences (0 when none has one)."""
    rows: dict[str, list[int]] = {}
    for i, g in enumerate(batch["group"]):
        rows.setdefault(g, []).append(i)
    terms = []
    for at in rows.values():
        labels = batch["label"][at]
        if len(at) > 1 and labels.sum() == 1:
            target = torch.argmax(labels).unsqueeze(0)
            terms.append(torch.nn.functional.cross_entropy(relevance[at].unsqueeze(0), target))
    return torch.stack(terms).mean() if terms else relevance.sum() * 0.0


def loss_of(torch, model, batch: dict, listwise: bool = False):
    relevance, start, end = model(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])
    loss = torch.nn.functional.binary_cross_entropy_with_logits(relevance, batch["label"])
    if listwise:
        loss = loss + LIST_WEIGHT * list_loss(torch, relevance, batch)
    has = batch["start"] >= 0
    if has.any():
        outside = (batch["token_type_ids"] == 0) | (batch["attention_mask"] == 0)
        s = start[has].masked_fill(outside[has], -1e4)
        e = end[has].masked_fill(outside[has], -1e4)
        ce = torch.nn.functional.cross_entropy
        loss = loss + SPAN_WEIGHT * (ce(s, batch["start"][has]) + ce(e, batch["end"][has])) / 2
    return loss


def evaluate(torch, model, rows: list[dict], groups: list[str]) -> dict[str, float]:
    """On held-apart pairs: AUC of relevance, the share of questions whose answer sentence is
    read first among its pairs, and the share of answer spans found exactly."""
    model.eval()
    scores, spans = [], []
    with torch.no_grad():
        for i in range(0, len(rows), 64):
            b = tensors(torch, rows[i : i + 64])
            relevance, start, end = model(b["input_ids"], b["attention_mask"], b["token_type_ids"])
            scores += relevance.tolist()
            outside = (b["token_type_ids"] == 0) | (b["attention_mask"] == 0)
            s = start.masked_fill(outside, -1e4).argmax(-1)
            e = end.masked_fill(outside, -1e4).argmax(-1)
            spans += [(int(x), int(y)) for x, y in zip(s, e, strict=True)]
    model.train()
    labels = np.array([r["label"] for r in rows])
    scores_a = np.array(scores)
    pos, neg = scores_a[labels == 1], scores_a[labels == 0]
    auc = float((pos[:, None] > neg[None, :]).mean()) if len(pos) and len(neg) else 0.0
    by_group: dict[str, list[tuple[float, int]]] = {}
    for g, s, y in zip(groups, scores, labels, strict=True):
        by_group.setdefault(g, []).append((s, int(y)))
    answered = [g for g in by_group.values() if any(y for _, y in g)]
    first = float(np.mean([max(g)[1] == 1 for g in answered])) if answered else 0.0
    exact = [sp == (r["start"], r["end"]) for sp, r in zip(spans, rows, strict=True) if r["start"] >= 0]
    return {
        "auc": round(auc, 4),
        "first": round(first, 4),
        "span_exact": round(float(np.mean(exact or [0])), 4),
    }


def train(args: argparse.Namespace) -> Path:
    import torch

    from bench.reader_model import export_onnx, load_base, quantize
    from index.store.encoder import model_dir

    torch.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(args.threads)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    data = {}
    for name, articles in (("train", TRAIN_ARTICLES), ("fit", FIT_ARTICLES)):
        stem = name
        if args.quick:  # one article each
            articles, stem = articles[:1], f"{name}-quick"
        path = work / f"pairs-{stem}.jsonl"
        if not path.exists():
            log.info("making the %s pairs (articles %d-%d)", name, articles.start + 1, articles.stop)
            save_pairs(build_pairs(args.squad, articles, SEED), path)
        data[name] = load_pairs(path)
    train_pairs, held = data["train"], data["fit"]
    if args.quick:
        train_pairs, held = train_pairs[:QUICK_PAIRS], held[: QUICK_PAIRS // 2]
    else:
        held = held[: args.held]
    tokenizer = pair_tokenizer(model_dir() / TOKENIZER_FILE)
    rows, held_rows = tokenized(tokenizer, train_pairs), tokenized(tokenizer, held)
    groups = [p.group for p in held]
    log.info(
        "%d training pairs (%d answer), %d held apart",
        len(rows),
        sum(r["label"] for r in rows),
        len(held_rows),
    )
    model = load_base(model_dir(), args.layers)
    model.train()
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    body = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": heads, "lr": args.lr * 20}], weight_decay=0.01
    )
    rng = random.Random(SEED)
    batching = group_batches if args.listwise else batches
    per_epoch = len(batching(rows, args.batch, random.Random(SEED)))
    plan = {"total": per_epoch * args.epochs}
    warmup = max(1, int(0.06 * plan["total"]))

    def rate(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (plan["total"] - step) / max(1, plan["total"] - warmup))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    from tqdm import tqdm

    started, step, best = time.monotonic(), 0, None
    cap = args.max_minutes * 60
    history = []
    for epoch in range(args.epochs):
        bar = tqdm(batching(rows, args.batch, rng), desc=f"epoch {epoch + 1}/{args.epochs}", mininterval=5)
        for batch in bar:
            loss = loss_of(torch, model, tensors(torch, batch), args.listwise)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            bar.set_postfix(loss=f"{loss.item():.3f}")
            if step == 30 and not args.quick:  # fit the schedule to the time cap, once the pace is known
                pace = (time.monotonic() - started) / step
                fits = int((cap - 120) / pace)
                if fits < plan["total"]:
                    log.info(
                        "%.2f s a step: %d steps fit in %d min, not %d",
                        pace,
                        fits,
                        args.max_minutes,
                        plan["total"],
                    )
                    plan["total"] = fits
            if step >= plan["total"] or time.monotonic() - started > cap:
                plan["total"] = step  # the cap is hard: a slower pace later ends training early
                break
        figures = evaluate(torch, model, held_rows, groups)
        figures |= {"epoch": epoch + 1, "step": step, "minutes": round((time.monotonic() - started) / 60, 1)}
        log.info("held apart after epoch %d: %s", epoch + 1, figures)
        history.append(figures)
        if best is None or figures["first"] + figures["auc"] > best["first"] + best["auc"]:
            best = figures
            torch.save(model.state_dict(), work / "best.pt")
        if step >= plan["total"]:
            break
    minutes = round((time.monotonic() - started) / 60, 1)
    model.load_state_dict(torch.load(work / "best.pt"))
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    export_onnx(model, work / "reader-fp32.onnx")
    quantize(work / "reader-fp32.onnx", out / MODEL_FILE)
    (out / TOKENIZER_FILE).write_bytes((model_dir() / TOKENIZER_FILE).read_bytes())
    write_card(args, out, train_pairs, history, best, minutes)
    return out


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_card(
    args: argparse.Namespace, out: Path, pairs: list[Pair], history: list, best: dict, minutes: float
) -> None:
    """card.json beside the model: what it was trained on and how, its figures and checksums,
    and its scores on FIXED_PAIRS (fp32 beside the int8 that ships)."""
    from index.answering.reader import SentenceReader
    from index.store.disk import sha256_file

    kinds = {k: sum(p.kind == k for p in pairs) for k in ("answer", "hard", "unanswerable", "near")}
    card = {
        "model": "citebot reader: a cross-encoder on all-MiniLM-L6-v2 (Apache-2.0)",
        "layers": args.layers,
        "quantization": "dynamic int8, weights per channel (onnxruntime)",
        "data": {
            "source": "SQuAD 2.0 dev (Rajpurkar, Jia and Liang, 2018), CC BY-SA 4.0",
            "articles": f"{TRAIN_ARTICLES.start + 1}-{TRAIN_ARTICLES.stop} of the shared file; "
            f"{FIT_ARTICLES.start + 1}-{FIT_ARTICLES.stop} held apart (the fusion and verdict fitted there); "
            "1-6 never seen (reported)",
            "pairs": len(pairs),
            "pairs_by_kind": kinds,
        },
        "command": "python -m bench.train_reader --squad ../shared/eval/squad/squad_v2_dev.jsonl"
        + (" --quick" if args.quick else "")
        + (" --listwise" if args.listwise else "")
        + f" --layers {args.layers} --epochs {args.epochs} --max-minutes {args.max_minutes}",
        "commit": _commit(),
        "seed": SEED,
        "training_minutes": minutes,
        "held_apart": history,
        "chosen": best,
        "files": {name: sha256_file(out / name) for name in (MODEL_FILE, TOKENIZER_FILE)},
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=1), encoding="utf-8")
    shipped = SentenceReader(out)
    card["fixed_pairs"] = [
        {"question": q, "sentence": s, "relevance": round(r.relevance, 4)}
        for (q, s), r in zip(FIXED_PAIRS, [shipped.read(q, [s])[0] for q, s in FIXED_PAIRS], strict=True)
    ]
    (out / CARD_FILE).write_text(json.dumps(card, indent=1), encoding="utf-8")
    (out / MODEL_CARD).write_text(render_card(card), encoding="utf-8")
    log.info("wrote %s (%s)", out, json.dumps(best))


def render_card(card: dict) -> str:
    """The model card for people: card.json's facts, and the figures measured after training
    (its ``figures`` key, filled by hand from bench.fit_reader and the scorers)."""
    kinds = ", ".join(f"{k} {v:,}" for k, v in card["data"]["pairs_by_kind"].items())
    when = f"seed {card['seed']}, {card['training_minutes']} minutes on the 2-core machine"
    lines = [
        "# citebot's reader: model card",
        "",
        f"{card['model']}, {card['layers']} layers, {card['quantization']}.",
        "Reads a question and one candidate sentence together; outputs the logit that the sentence",
        "answers the question, and a start and end logit for each token (the answering words).",
        "",
        "## Training",
        f"- data: {card['data']['source']}; articles {card['data']['articles']}",
        f"- pairs: {card['data']['pairs']:,} ({kinds})",
        f"- command: `{card['command']}`",
        f"- commit: {card['commit']}, {when}",
        "- licence: the weights derive from all-MiniLM-L6-v2 (Apache-2.0) and SQuAD 2.0 (CC BY-SA 4.0)",
        "",
        "## Held apart while training (articles 29-35's pairs)",
        "| epoch | steps | minutes | AUC | answer sentence read first | span exact |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for h in card["held_apart"]:
        lines.append(
            f"| {h['epoch']} | {h['step']} | {h['minutes']} | {h['auc']} | {h['first']} | {h['span_exact']} |"
        )
    lines += ["", f"Shipped: epoch {card['chosen']['epoch']}.", ""]
    if card.get("figures"):
        lines += ["## Figures, measured after training", ""]
        lines += [f"- {k}: {v}" for k, v in card["figures"].items()]
        lines.append("")
    lines += ["## Files (SHA-256, checked on every load)", ""]
    lines += [f"- `{name}`: `{digest}`" for name, digest in card["files"].items()]
    lines += ["", "## Fixed pairs (the shipped model's logits; a test checks them)", ""]
    lines += [
        f"- {f['relevance']:+.4f}: {f['question']} / {f['sentence']}" for f in card.get("fixed_pairs", [])
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--squad", type=Path, required=True, help="squad_v2_dev.jsonl")
    ap.add_argument(
        "--out", type=Path, default=READER_DIR, help=f"where the model and card go (default {READER_DIR})"
    )
    ap.add_argument("--work", type=Path, default=Path("data/reader-work"), help="pairs and checkpoints")
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--held", type=int, default=4000, help="held-apart pairs scored after each epoch")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=50.0)
    ap.add_argument(
        "--listwise",
        action="store_true",
        help="batch by question; the answer must also win its question's softmax",
    )
    ap.add_argument("--quick", action="store_true", help="a slice, in seconds: for the test")
    ap.add_argument(
        "--card-only", action="store_true", help="write MODEL_CARD.md again from --out's card.json"
    )
    args = ap.parse_args(argv)
    if args.card_only:
        card = json.loads((args.out / CARD_FILE).read_text(encoding="utf-8"))
        (args.out / MODEL_CARD).write_text(render_card(card), encoding="utf-8")
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    for name in ("train_reader", "bench.reader_data"):  # not the quantizer's line for each tensor
        logging.getLogger(name).setLevel(logging.INFO)
    train(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
