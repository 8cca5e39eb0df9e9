"""The fast query path: the same model exported once to ONNX and run by ONNX Runtime with the
model's own tokenizer, so that answering needs neither torch nor sentence-transformers.

The export lives beside the index (``<index parent>/onnx-model``) with a small manifest naming
the model it came from and the SHA-256 of the file; it is checked on load and made again when
missing, stale or damaged. It is kept only if it reproduces the reference encoder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from index.store.disk import sha256_file
from index.store.encoder import MAX_TOKENS, Encoder, model_dir, model_id

log = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "export.json"
AGREEMENT = 0.9999  # least cosine between the export and the reference encoder on the probes
PROBES = [
    "Who visited Russia on Tuesday?",
    "a",
    "The harbour reopened on Monday after three weeks of repairs, officials said. " * 12,
    "数字 3,000 — “quoted” ünïcode",
]


def onnx_dir(index_dir: Path | str) -> Path:
    """Where the exported model for an index folder is kept."""
    return Path(index_dir).resolve().parent / "onnx-model"


class OnnxEncoder:
    """Turns texts into L2-normalized float32 vectors, like ``Encoder``, without torch."""

    def __init__(self, folder: Path, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # idle threads sleep rather than spin: spinning wins on an idle machine (3.4 ms a question
        # against 4.6) but loses badly beside other work (7.9 ms, p99 16.6, against 4.8 and 7.9)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        # the model's tokenizer.json pads every input to 128 tokens; pad only batches, and only
        # to their longest text
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self.dimension = int(self._session.get_outputs()[0].shape[-1])
        self.threads = threads

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Vectors for ``texts``, one row each, normalized."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = [self._batch(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
        return np.ascontiguousarray(np.vstack(rows), dtype=np.float32)

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        return self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


def load(folder: Path, threads: int = 1) -> OnnxEncoder | None:
    """The exported encoder in ``folder``, or None when it is missing, stale or damaged."""
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        if manifest.get("model") != model_id():
            log.info("the exported model in %s is for %s: making it again", folder, manifest.get("model"))
            return None
        if sha256_file(folder / MODEL_FILE) != manifest.get("sha256"):
            log.warning("the exported model in %s is damaged: making it again", folder)
            return None
        return OnnxEncoder(folder, threads)
    except FileNotFoundError:
        return None
    except Exception as exc:  # any unreadable export is made again, never served
        log.warning("the exported model in %s cannot be used (%s): making it again", folder, exc)
        return None


def export(folder: Path, reference: Encoder, threads: int = 1) -> OnnxEncoder | None:
    """Export the packaged model to ONNX in ``folder``; None (and a log line) when the export
    does not reproduce ``reference``, in which case torch keeps answering."""
    import torch
    from transformers import AutoModel

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".onnx-model.new-", dir=folder.parent))
    try:
        model = AutoModel.from_pretrained(
            str(model_dir()), attn_implementation="eager", local_files_only=True
        )
        model.eval()
        dummy = torch.ones(1, 8, dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        # the tracer warns about shape checks it turns into constants; the agreement check
        # below, on texts of other lengths and on a padded batch, is what vouches for the graph
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _export(torch, model, dummy, axes, tmp / MODEL_FILE)
        shutil.copy(model_dir() / TOKENIZER_FILE, tmp / TOKENIZER_FILE)
        fast = OnnxEncoder(tmp, threads)
        agreement = float(min((fast.encode([p]) * reference.encode([p])).sum() for p in PROBES))
        batch = float((fast.encode(PROBES) * reference.encode(PROBES)).sum(axis=1).min())
        agreement = min(agreement, batch)  # one by one, and padded in a batch
        if agreement < AGREEMENT:
            log.warning(
                "the ONNX export disagrees with the model (cosine %.5f): staying with torch", agreement
            )
            return None
        manifest = {
            "model": model_id(),
            "sha256": sha256_file(tmp / MODEL_FILE),
            "agreement": round(agreement, 6),
        }
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
        log.info("exported the model to %s for fast answers (agreement %.5f)", folder, agreement)
        return OnnxEncoder(folder, threads)
    except Exception as exc:  # no export is never an error: torch answers, only slower
        log.warning("could not export the model to ONNX (%s): staying with torch", exc)
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _export(torch, model, dummy, axes: dict, target: Path) -> None:
    torch.onnx.export(
        _Pooled(model),
        (dummy, dummy),
        str(target),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}},
        opset_version=17,
        dynamo=False,  # the TorchScript exporter needs no onnxscript and handles this model
    )


class _Pooled:
    """The transformer with sentence-transformers' mean pooling and normalization, as one graph."""

    def __new__(cls, model):  # a torch.nn.Module made here, so that torch is imported only to export
        import torch

        class Pooled(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask):
                tokens = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
                mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(mean, dim=-1)

        return Pooled()
