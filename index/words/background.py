"""Vectors of common English words, made once per model on a machine and kept in a cache
folder, so that a question word the corpus lacks seldom costs a pass through the model."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from index.words.terms import STOPWORDS

log = logging.getLogger(__name__)

# The most common English words by wordfreq (letters only, three or more, not stopwords): with
# the corpus's own words they hold nearly every word a question uses that is not a name.
WORDS = 6_000
FILE_WORDS = "words.json"
FILE_VECTORS = "vectors.npy"


class TextEncoder(Protocol):
    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def cache_dir() -> Path:
    """``CITEBOT_CACHE``, else ``$XDG_CACHE_HOME/citebot``, else ``~/.cache/citebot``: one table
    for every data folder and index on the machine (the scorers make a new one per corpus)."""
    explicit = os.environ.get("CITEBOT_CACHE", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "citebot"


def common_words(n: int | None = None) -> list[str]:
    """The ``n`` (default ``WORDS``) most common English words that can be key terms."""
    from wordfreq import top_n_list

    n = WORDS if n is None else n
    out = [w for w in top_n_list("en", n * 3) if w.isalpha() and len(w) > 2 and w not in STOPWORDS]
    return out[:n]


@dataclass
class BackgroundWords:
    """Common words and their vectors (made by the model the index uses)."""

    words: list[str]
    vectors: np.ndarray
    rows: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.rows = {w: i for i, w in enumerate(self.words)}

    def vector(self, word: str) -> np.ndarray | None:
        row = self.rows.get(word)
        return None if row is None else self.vectors[row]


def _folder(model: str) -> Path:
    return cache_dir() / f"words-{hashlib.sha256(model.encode('utf-8')).hexdigest()[:12]}"


def load(model: str) -> BackgroundWords | None:
    """The table for ``model`` from the cache, or None when it is missing or unreadable."""
    folder = _folder(model)
    try:
        meta = json.loads((folder / FILE_WORDS).read_text(encoding="utf-8"))
        vectors = np.load(folder / FILE_VECTORS, allow_pickle=False)
        digest = hashlib.sha256(vectors.tobytes()).hexdigest()
        if meta.get("model") != model or meta.get("sha256") != digest or len(meta["words"]) != len(vectors):
            raise ValueError("it does not match its record")
        return BackgroundWords(list(meta["words"]), np.asarray(vectors, dtype=np.float32))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("common-word vectors in %s are unusable (%s); they will be made again", folder, exc)
        return None


def build(model: str, encoder: TextEncoder) -> BackgroundWords:
    """Embed the common words and keep them in the cache (written whole, then moved in)."""
    words = sorted(common_words(), key=len)  # like lengths batch with little padding
    folder = _folder(model)
    log.info("embedding %d common English words once for this model (kept in %s)", len(words), folder)
    vectors = np.ascontiguousarray(encoder.encode(words), dtype=np.float32)
    table = BackgroundWords(words, vectors)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".words-", dir=folder.parent))
        np.save(tmp / FILE_VECTORS, vectors, allow_pickle=False)
        meta = {"model": model, "words": words, "sha256": hashlib.sha256(vectors.tobytes()).hexdigest()}
        (tmp / FILE_WORDS).write_text(json.dumps(meta), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    except OSError as exc:  # a read-only cache costs speed, never answers
        log.warning("cannot keep common-word vectors in %s: %s", folder, exc)
    return table


def background_words(model: str, encoder: TextEncoder) -> BackgroundWords:
    """The table for ``model``: from the cache, or made now (once per machine, about 15 s)."""
    return load(model) or build(model, encoder)
