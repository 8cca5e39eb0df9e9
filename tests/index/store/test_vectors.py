"""Vector indexes: exact for a corpus this size, an HNSW graph above the threshold, with its
recall against exact search checked (the oracle is a brute-force FAISS flat index)."""

from __future__ import annotations

import faiss
import numpy as np

from index.answering.engine import Engine
from index.build import build_index
from index.corpus.articles import BUILTIN_CORPUS, load_corpus
from index.store import disk as store
from index.store import vectors as vectors_


def clustered(n: int, dim: int = 384, clusters: int = 200, seed: int = 0) -> np.ndarray:
    """Normalized vectors in topical clusters (the same topics whatever the seed), as sentence
    embeddings of many articles, and questions about them, are."""
    centres = np.random.default_rng(12345).normal(size=(clusters, dim))
    rng = np.random.default_rng(seed)
    vectors = centres[rng.integers(0, clusters, n)] + 0.6 * rng.normal(size=(n, dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


def test_hnsw_recall_at_10_against_exact_search():
    vectors = clustered(20_000)
    queries = clustered(200, seed=1)
    approx = vectors_.vector_index(vectors, approximate_from=10_000)
    assert isinstance(approx, faiss.IndexHNSWFlat)
    recall = vectors_.recall_at(approx, queries, 10)
    assert recall >= 0.98, recall
    assert np.array_equal(approx.reconstruct(123), vectors[123])  # vectors kept exactly


def test_recall_counts_what_an_index_misses():
    vectors = clustered(2_000)
    queries = clustered(50, seed=2)
    assert vectors_.recall_at(vectors_.flat_index(vectors), queries, 10) == 1.0
    coarse = faiss.IndexHNSWFlat(vectors.shape[1], 2, faiss.METRIC_INNER_PRODUCT)
    coarse.hnsw.efSearch = 1  # a graph too thin to search well
    coarse.add(vectors)
    assert vectors_.recall_at(coarse, queries, 10) < 0.9


def test_small_corpora_stay_exact():
    assert isinstance(vectors_.vector_index(clustered(500)), faiss.IndexFlatIP)


def test_an_approximate_index_round_trips_and_answers_like_the_exact_one(
    encoder, engine, tmp_path, monkeypatch
):
    monkeypatch.setattr(vectors_, "APPROXIMATE_FROM", 10)
    index = build_index(load_corpus(BUILTIN_CORPUS), encoder)
    store.save(index, tmp_path / "index")
    loaded = store.load(tmp_path / "index")
    assert isinstance(loaded.passage_vectors.parts[0], faiss.IndexHNSWFlat)
    assert loaded.sentence_vectors.parts[0].hnsw.efSearch == vectors_.HNSW_EF_SEARCH
    approximate = Engine(loaded, encoder)
    for question in ("Who visited Russia on Tuesday?", "What weapons has North Korea sent to Russia?"):
        a, b = engine.answer(question), approximate.answer(question)
        assert a.sentence == b.sentence and [c.id for c in a.citations] == [c.id for c in b.citations]
    monkeypatch.setattr(vectors_, "HNSW_EF_SEARCH", 300)  # a search setting: applies on load, no rebuild
    assert store.load(tmp_path / "index").passage_vectors.parts[0].hnsw.efSearch == 300


def test_stored_vectors_are_the_indexed_vectors_without_a_copy(tmp_path):
    vectors = clustered(300)
    for index in (vectors_.flat_index(vectors), vectors_.hnsw_index(vectors)):
        faiss.write_index(index, str(tmp_path / "v.faiss"))
        for held in (index, faiss.read_index(str(tmp_path / "v.faiss"))):
            view = vectors_.stored_vectors(held)
            assert np.array_equal(view, vectors) and not view.flags["OWNDATA"]
    assert vectors_.stored_vectors(vectors_.flat_index(vectors[:0].reshape(0, 384))).shape == (0, 384)


def test_recall_counts_a_copy_found_in_place_of_its_twin():
    distinct = clustered(500)
    copies = np.vstack([distinct] * 6)  # every vector six times: six equally right answers
    index = vectors_.hnsw_index(copies)
    queries = clustered(50, seed=3)
    assert vectors_.recall_at(index, queries, 10) >= 0.98
    # exact search's pick among the copies is arbitrary, and the graph often finds others
    assert vectors_.recall_at(index, queries, 10, by_id=True) < 0.95
