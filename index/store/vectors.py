"""FAISS mechanics: the index type by corpus size, the vectors an index holds, and recall
against exact search. Persistence (the folder, manifest and checksums) is index/store.py's."""

from __future__ import annotations

import faiss
import numpy as np

# Above this many vectors an exact scan stops being cheap on two cores (50,000 x 384 floats
# is 77 MB read per question), and the index becomes an HNSW graph: approximate, with its
# recall against exact search measured in tests and in the benchmark.
APPROXIMATE_FROM = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 512  # recall@10 on 51,502 passages: 0.959 at 128, 0.989 at 256, 0.995 at 512 (p50 10 ms)


def flat_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner-product search; on normalized vectors the inner product is the cosine."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def hnsw_index(vectors: np.ndarray) -> faiss.Index:
    """Approximate inner-product search on an HNSW graph; it keeps the vectors themselves, so
    ``reconstruct`` still gives them back exactly."""
    index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = HNSW_EF_SEARCH
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def vector_index(vectors: np.ndarray, approximate_from: int | None = None) -> faiss.Index:
    """Exact search for a corpus this size, an HNSW graph above ``approximate_from`` vectors."""
    limit = APPROXIMATE_FROM if approximate_from is None else approximate_from
    return hnsw_index(vectors) if len(vectors) >= limit else flat_index(vectors)


def stored_vectors(index: faiss.Index) -> np.ndarray:
    """The vectors an exact or HNSW index holds, as an array over its own memory (no copy):
    valid while the index lives and grows no more."""
    flat = faiss.downcast_index(index.storage) if isinstance(index, faiss.IndexHNSW) else index
    if flat.ntotal == 0:
        return np.zeros((0, flat.d), dtype=np.float32)
    return faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)


TIE = 1e-4  # scores this close to the k-th true one are ties: either vector is a right answer


def recall_at(index: faiss.Index, queries: np.ndarray, k: int = 10, by_id: bool = False) -> float:
    """The share of each query's true ``k`` nearest vectors (by exact search over the same
    vectors) that ``index`` finds, averaged over the queries.

    A found vector counts when it scores at least the k-th true score (less ``TIE``), as in
    the distance-based recall of ANN benchmarks: a corpus that holds a sentence twice has two
    equally right answers, and exact search's choice between them is arbitrary. ``by_id``
    counts only the very rows exact search returned.
    """
    k = min(k, index.ntotal)
    if k == 0 or len(queries) == 0:
        return 1.0
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    true_scores, truth = flat_index(index.reconstruct_n(0, index.ntotal)).search(queries, k)
    scores, found = index.search(queries, k)
    if by_id:
        return float(np.mean([len(set(t) & set(f)) / k for t, f in zip(truth, found, strict=True)]))
    return float(np.mean((scores >= true_scores[:, -1:] - TIE) & (found >= 0)))


def searchable(index: faiss.Index) -> faiss.Index:
    """A loaded index set to search as this version does (efSearch is a search setting, not
    part of the graph: changing it needs no rebuild)."""
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index
