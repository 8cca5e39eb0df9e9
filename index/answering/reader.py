"""The reader: a small cross-encoder trained on this machine (``python -m bench.train_reader``)
that reads the question and a candidate sentence together, says how likely the sentence
answers it, and marks the words that do.

It ships as an ONNX file in ``index/models/reader/`` with its tokenizer and a model card
(``card.json``) naming each file's SHA-256; the files are checked against the card when
loaded, and a damaged or missing file is a clear error. Answering needs onnxruntime only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from index.errors import CitebotError

log = logging.getLogger(__name__)

READER_DIR = Path(__file__).resolve().parents[1] / "models" / "reader"  # index/models/reader
MODEL_FILE = "reader.onnx"
TOKENIZER_FILE = "tokenizer.json"
CARD_FILE = "card.json"
MODEL_CARD = "MODEL_CARD.md"  # the card for people, made from card.json
MAX_PAIR_TOKENS = 128  # question and sentence together; a longer sentence is cut, never the question
MAX_SPAN_TOKENS = 24  # the longest answer span it marks
READER_THREADS = 2
# How the reader joins the hand-made ranking (bench/fit_reader.py fits them on SQuAD articles
# 29-35, which the reader never saw): it reads the READ_TOP best sentences by the hand-made
# score, each gains W_READER times the reader's probability, and the reader's span replaces the
# rules' when its probability reaches SPAN_FROM (0: always; every threshold did worse). Six
# sentences at 2.0 gave 0.004 more on the fitted articles for twice the reading (README).
READ_TOP = 3
W_READER = 2.0
SPAN_FROM = 0.0


class ReaderError(CitebotError, RuntimeError):
    """The reader's files are missing, damaged or do not match their card."""


@dataclass(frozen=True)
class ReaderScore:
    """What the reader makes of one sentence against a question."""

    relevance: float  # the model's logit that the sentence answers the question
    span: tuple[int, int] | None  # the characters of the sentence that answer, by the span head
    span_confidence: float  # the span's start and end probabilities multiplied

    @property
    def probability(self) -> float:
        """The reader's probability that the sentence answers."""
        return 1.0 / (1.0 + float(np.exp(-max(-30.0, min(30.0, self.relevance)))))


def fused_best(hand: Sequence[float], readings: Sequence[ReaderScore], weight: float = W_READER) -> int:
    """The position of the best sentence among those read: its hand-made score plus ``weight``
    times the reader's probability."""
    return max(range(len(readings)), key=lambda i: hand[i] + weight * readings[i].probability)


def pair_tokenizer(path: Path):
    """The model's tokenizer, set to read a (question, sentence) pair as training did."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_PAIR_TOKENS, strategy="only_second")
    return tokenizer


def encode_pairs(tokenizer, question: str, sentences: list[str]) -> tuple[list, dict[str, np.ndarray]]:
    """The encodings of ``question`` against each sentence, and the model's padded inputs."""
    encodings = tokenizer.encode_batch([(question, s) for s in sentences])
    width = max(len(e.ids) for e in encodings)
    inputs = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in _INPUTS}
    for row, e in enumerate(encodings):
        n = len(e.ids)
        inputs["input_ids"][row, :n] = e.ids
        inputs["attention_mask"][row, :n] = 1
        inputs["token_type_ids"][row, :n] = e.type_ids
    return encodings, inputs


_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def best_span(encoding, start: np.ndarray, end: np.ndarray) -> tuple[tuple[int, int] | None, float]:
    """The sentence's likeliest answer span (characters) by the span head, and its probability."""
    tokens = [i for i, s in enumerate(encoding.sequence_ids) if s == 1]
    if not tokens:
        return None, 0.0
    lo, hi = tokens[0], tokens[-1] + 1
    p_start, p_end = _softmax(start[lo:hi]), _softmax(end[lo:hi])
    # the best end for each start, no further than MAX_SPAN_TOKENS: a banded product
    best, where = 0.0, None
    for i in range(hi - lo):
        j = i + int(np.argmax(p_end[i : i + MAX_SPAN_TOKENS]))
        p = float(p_start[i] * p_end[j])
        if p > best:
            best, where = p, (i, j)
    if where is None:
        return None, 0.0
    offsets = encoding.offsets
    return (offsets[lo + where[0]][0], offsets[lo + where[1]][1]), best


class SentenceReader:
    """Reads candidate sentences against a question with the shipped ONNX model."""

    def __init__(self, folder: Path = READER_DIR, threads: int = 1, model: Path | None = None) -> None:
        """``model``: another ONNX file to read with (a variant being measured), with the
        folder's tokenizer and card."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(model or folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = pair_tokenizer(folder / TOKENIZER_FILE)
        self.card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))

    def read(self, question: str, sentences: list[str]) -> list[ReaderScore]:
        """One reading per sentence, in order; one pass through the model for them all."""
        if not sentences:
            return []
        encodings, inputs = encode_pairs(self._tokenizer, question, sentences)
        relevance, start, end = self._session.run(None, inputs)
        out = []
        for row, e in enumerate(encodings):
            span, p = best_span(e, start[row], end[row])
            out.append(ReaderScore(float(relevance[row]), span, p))
        return out


def check_files(folder: Path = READER_DIR) -> dict:
    """The card, once every file it names has the SHA-256 it gives.

    Raises:
        ReaderError: the card or a file is missing, or a file's checksum differs.
    """
    from index.store.disk import sha256_file

    try:
        card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
        files = card["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReaderError(f"the reader's model card {folder / CARD_FILE} cannot be read ({exc})") from exc
    for name in (MODEL_FILE, TOKENIZER_FILE):
        path = folder / name
        if not path.is_file():
            raise ReaderError(f"the reader's file {path} is missing (reinstall citebot)")
        if sha256_file(path) != files.get(name):
            raise ReaderError(f"the reader's file {path} is damaged: its SHA-256 is not the card's")
    return card


def load(folder: Path = READER_DIR, threads: int = 1) -> SentenceReader:
    """The reader in ``folder``, checked against its card.

    Raises:
        ReaderError: a file is missing or damaged, or onnxruntime cannot open the model.
    """
    check_files(folder)
    try:
        return SentenceReader(folder, threads)
    except Exception as exc:  # onnxruntime's own errors name no common base
        raise ReaderError(f"the reader in {folder} cannot be opened ({exc})") from exc


@cache
def shared_reader() -> SentenceReader:
    """The shipped reader, loaded and checked once per process.

    Raises:
        ReaderError: its files are missing or damaged.
    """
    reader = load(READER_DIR, READER_THREADS)
    log.info(
        "the reader is loaded (%s layers, trained %s)",
        reader.card.get("layers"),
        reader.card.get("commit", "")[:7],
    )
    return reader
