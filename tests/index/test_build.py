"""Building: each distinct text is embedded once, in batches (behind a progress bar) when the
work is long, and every text gets the vector it would get alone."""

from __future__ import annotations

import numpy as np

from index import build


def test_embedding_in_batches_gives_the_same_vectors(encoder, monkeypatch):
    texts = [f"Sentence number {n} about the harbour{'s' * n}." for n in range(7)]
    monkeypatch.setattr(build, "PROGRESS_FROM", 3)
    monkeypatch.setattr(build, "PROGRESS_BATCH", 2)
    batched = build.encode_texts(encoder, texts, "sentences")
    assert batched.shape == (7, encoder.dimension)
    assert np.allclose(batched, encoder.encode(texts), atol=1e-5)


class CountingEncoder:
    """The real encoder, counting the texts it is given."""

    def __init__(self, encoder) -> None:
        self.encoder, self.seen = encoder, []
        self.dimension = encoder.dimension

    def encode(self, texts):
        self.seen.extend(texts)
        return self.encoder.encode(texts)


def test_repeated_texts_are_embedded_once_and_keep_their_order(encoder):
    texts = ["The harbour froze.", "Ships waited outside.", "The harbour froze.", "A thaw came in May."]
    counting = CountingEncoder(encoder)
    vectors = build.encode_texts(counting, texts, "sentences")
    assert sorted(counting.seen) == sorted(set(texts))
    assert np.allclose(vectors, encoder.encode(texts), atol=1e-5)
    assert np.allclose(vectors[0], vectors[2])
