"""FAISS mechanics: the index type by corpus size, the vectors an index holds, and recall
against exact search. Persistence (the folder, manifest and checksums) is index/store.py's."""

from __future__ import annotations

from collections.abc import Sequence

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


def recall_at(index: faiss.Index | Vectors, queries: np.ndarray, k: int = 10, by_id: bool = False) -> float:
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
    held = index.all() if isinstance(index, Vectors) else index.reconstruct_n(0, index.ntotal)
    true_scores, truth = flat_index(held).search(queries, k)
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


class Vectors:
    """Dense vectors held in parts (a segment's FAISS index each), searched as one with the
    deleted rows of each part skipped. Rows are numbered over the live rows, part after part,
    as a single index of the live vectors would number them."""

    def __init__(self, parts: Sequence[faiss.Index], deleted: Sequence[np.ndarray] | None = None) -> None:
        """``deleted``: for each part, a mask of its deleted rows (none when omitted)."""
        self.parts = [searchable(p) for p in parts]
        if not self.parts:
            raise ValueError("vectors need at least one part")
        self.d = self.parts[0].d
        masks = [
            np.zeros(p.ntotal, bool) if deleted is None else np.asarray(deleted[i], bool)
            for i, p in enumerate(self.parts)
        ]
        self._stored = [stored_vectors(p) for p in self.parts]
        self._dead = [int(m.sum()) for m in masks]
        self._global: list[np.ndarray] = []  # each part's rows -> live row number (-1: deleted)
        start = 0
        for mask in masks:
            live = ~mask
            numbers = np.full(len(mask), -1, dtype=np.int64)
            numbers[live] = np.arange(start, start + int(live.sum()))
            self._global.append(numbers)
            start += int(live.sum())
        self.ntotal = start
        self._part = np.concatenate([np.full(int((~m).sum()), i, np.int64) for i, m in enumerate(masks)])
        self._local = np.concatenate([np.flatnonzero(~m) for m in masks]).astype(np.int64)

    @classmethod
    def of(cls, vectors: np.ndarray, approximate_from: int | None = None) -> Vectors:
        """One part holding ``vectors`` (exact, or a graph past ``approximate_from``)."""
        return cls([vector_index(vectors, approximate_from)])

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """FAISS's ``search``: for each query the ``k`` best live rows and their scores, best
        first, padded with -1 rows (and -inf scores) past the end."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.d)
        scores, rows = [], []
        for part, numbers, dead in zip(self.parts, self._global, self._dead, strict=True):
            if part.ntotal == 0 or k <= 0:
                continue
            found_scores, found = part.search(queries, min(part.ntotal, k + dead))
            mapped = np.where(found >= 0, numbers[np.maximum(found, 0)], -1)
            scores.append(np.where(mapped >= 0, found_scores, -np.inf))
            rows.append(mapped)
        if not rows:
            return np.full((len(queries), k), -np.inf, np.float32), np.full((len(queries), k), -1, np.int64)
        all_scores, all_rows = np.hstack(scores), np.hstack(rows)
        order = np.argsort(-all_scores, axis=1, kind="stable")[:, :k]
        best_scores = np.take_along_axis(all_scores, order, axis=1)
        best_rows = np.take_along_axis(all_rows, order, axis=1)
        if best_rows.shape[1] < k:
            pad = k - best_rows.shape[1]
            best_scores = np.pad(best_scores, ((0, 0), (0, pad)), constant_values=-np.inf)
            best_rows = np.pad(best_rows, ((0, 0), (0, pad)), constant_values=-1)
        return best_scores.astype(np.float32), best_rows

    def take(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """The vectors of these live rows, in their order (a copy)."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(self.parts) == 1 and not self._dead[0]:
            return self._stored[0][rows]
        out = np.empty((len(rows), self.d), dtype=np.float32)
        parts, local = self._part[rows], self._local[rows]
        for number in np.unique(parts):
            chosen = parts == number
            out[chosen] = self._stored[number][local[chosen]]
        return out

    def block(self, start: int, stop: int) -> np.ndarray:
        """The vectors of live rows ``start`` to ``stop`` (a view when they lie in one part)."""
        if stop <= start:
            return np.zeros((0, self.d), np.float32)
        part, local = int(self._part[start]), int(self._local[start])
        if int(self._part[stop - 1]) == part and int(self._local[stop - 1]) - local == stop - 1 - start:
            return self._stored[part][local : local + stop - start]
        return self.take(np.arange(start, stop))

    def all(self) -> np.ndarray:
        """Every live vector, in row order."""
        return self.take(np.arange(self.ntotal))
