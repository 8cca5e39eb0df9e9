"""Dense vectors over segments: a search over parts with deleted rows gives what one exact index
of the live vectors gives (issue 23, section 2); and a change writes only its own segment."""

from __future__ import annotations

import numpy as np

from index.store import disk as store
from index.store.vectors import Vectors, flat_index


def unit_rows(n: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, 384)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_parts_with_deleted_rows_search_as_one_exact_index_of_the_live_vectors():
    parts = [unit_rows(n, seed) for seed, n in enumerate((200, 30, 45))]
    deleted = [np.zeros(200, bool), np.zeros(30, bool), np.zeros(45, bool)]
    deleted[0][::3] = True  # a third of the first part removed
    deleted[1][:] = True  # the whole of the second
    deleted[2][[0, 44]] = True
    segmented = Vectors([flat_index(p) for p in parts], deleted)
    live = np.vstack([p[~d] for p, d in zip(parts, deleted, strict=True)])
    assert segmented.ntotal == len(live)
    np.testing.assert_array_equal(segmented.all(), live)
    np.testing.assert_array_equal(segmented.take([5, 0, len(live) - 1]), live[[5, 0, len(live) - 1]])
    np.testing.assert_array_equal(segmented.block(120, 140), live[120:140])  # across two parts
    queries = unit_rows(20, 99)
    for k in (1, 10, len(live), len(live) + 5):
        scores, rows = segmented.search(queries, k)
        want_scores, want_rows = flat_index(live).search(queries, min(k, len(live)))
        np.testing.assert_array_equal(rows[:, : want_rows.shape[1]], want_rows)
        np.testing.assert_allclose(scores[:, : want_scores.shape[1]], want_scores, rtol=1e-6)
        assert (rows[:, want_rows.shape[1] :] == -1).all()  # padded past the end, as FAISS pads


def test_a_change_writes_its_own_segment_and_links_the_others(library):
    from tests.index.test_library import HARBOUR

    before = library.index_dir.resolve()
    old = {p.relative_to(before): p.stat().st_ino for p in before.rglob("*") if p.is_file()}
    library.add(HARBOUR)
    after = library.index_dir.resolve()
    new = {p.relative_to(after): p.stat().st_ino for p in after.rglob("*") if p.is_file()}
    segments = store.read_manifest(after).segments
    assert len(segments) == 2 and segments[0] == store.read_manifest(before).segments[0]
    first = [name for name in old if name.parts[:2] == (store.SEGMENTS, segments[0])]
    assert first and all(new[name] == old[name] for name in first)  # the same files: not written again
    added = [name for name in new if name.parts[:2] == (store.SEGMENTS, segments[1])]
    assert added and not {new[name] for name in added} & set(old.values())
