"""Building: long work is embedded in batches (behind a progress bar) with the same vectors."""

from __future__ import annotations

import numpy as np

from index import build


def test_embedding_in_batches_gives_the_same_vectors(encoder, monkeypatch):
    texts = [f"Sentence number {n} about the harbour." for n in range(7)]
    monkeypatch.setattr(build, "PROGRESS_FROM", 3)
    monkeypatch.setattr(build, "PROGRESS_BATCH", 2)
    batched = build.encode_with_progress(encoder, texts, "sentences")
    assert batched.shape == (7, encoder.dimension)
    assert np.allclose(batched, encoder.encode(texts), atol=1e-5)
