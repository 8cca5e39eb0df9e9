"""BM25 over segments gives the scores of one index built afresh over the live documents: a
change (a segment added, documents deleted) costs only itself (issue 23, section 2)."""

from __future__ import annotations

import numpy as np
import pytest

from index.corpus.articles import BUILTIN_CORPUS
from index.store.lexical import LexicalIndex, tokenize
from index.store.terms_segments import SegmentedBM25, TermSegment

EXTRA = [
    "The harbour of Wonsan froze over in March and the fishing boats waited in port.",
    "Local traders said the price of fish doubled during the freeze, then fell again.",
    "The ferry to Rason sails twice a week in summer, the port office said on Monday.",
    "Troops trained near the border while officials in Moscow and Pyongyang met again.",
]


def articles() -> list[list[str]]:
    """Four articles: the built-in one's paragraphs in three, and a few lines of our own."""
    lines = [line for line in next(BUILTIN_CORPUS.glob("*.txt")).read_text().splitlines() if line.strip()]
    third = len(lines) // 3
    return [lines[:third], lines[third : 2 * third], lines[2 * third :], EXTRA]


def same_as_a_fresh_build(segmented: SegmentedBM25, texts: list[str], rows: list[int]) -> None:
    """Every word's idf and every live document's score as a fresh build gives them; deleted
    rows score nothing."""
    fresh = LexicalIndex.build(texts)
    vocabulary = sorted(w for w in fresh._model.vocab_dict if w)  # bm25s keeps "" for its own use
    assert vocabulary, "the fresh build has words"
    dead = np.setdiff1d(np.arange(segmented.size), rows)
    for word in vocabulary:
        assert segmented.idf(word) == pytest.approx(fresh._word_idf(word), abs=1e-12), word
        got = segmented.raw_scores([word])
        expected = np.asarray(fresh._model.get_scores([word]), dtype=np.float32)
        np.testing.assert_allclose(got[rows], expected, rtol=1e-5, atol=1e-6, err_msg=word)
        assert not got[dead].any(), word
    for question in ("Who visited Russia?", "What happened to the price of fish?", "ferry twice a week"):
        np.testing.assert_allclose(
            segmented.scores(question)[rows], fresh.scores(question), rtol=1e-5, atol=1e-6
        )


def test_adds_and_removals_score_as_a_fresh_build_of_the_live_articles():
    a, b, c, d = articles()
    segments = [TermSegment.build(a)]
    deleted = [np.zeros(len(a), bool)]

    def state() -> tuple[SegmentedBM25, list[str], list[int]]:
        segmented = SegmentedBM25(segments, deleted)
        texts, rows, offset = [], [], 0
        for segment, dead, source in zip(segments, deleted, (a, b, c, d), strict=False):
            for row, text in enumerate(source):
                if not dead[row]:
                    texts.append(text)
                    rows.append(offset + row)
            offset += segment.size
        return segmented, texts, rows

    same_as_a_fresh_build(*state())
    for added in (b, c, d):  # each add is a segment of its own: nothing before it is touched
        segments.append(TermSegment.build(added))
        deleted.append(np.zeros(len(added), bool))
        same_as_a_fresh_build(*state())
    deleted[1][:] = True  # b removed: its rows marked, no segment rewritten
    same_as_a_fresh_build(*state())
    deleted[0][: len(a) // 2] = True  # half of a, too
    same_as_a_fresh_build(*state())


def test_a_segment_is_saved_and_loaded_without_pickle_and_a_damaged_one_is_refused(tmp_path):
    segment = TermSegment.build(articles()[3])
    segment.save(tmp_path / "seg")
    loaded = TermSegment.load(tmp_path / "seg")
    assert loaded.words == segment.words
    for name in ("indptr", "docs", "counts", "lengths"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(segment, name))
    (tmp_path / "seg" / "words.json").write_text('["only-one"]', encoding="utf-8")
    with pytest.raises(ValueError, match="do not match"):
        TermSegment.load(tmp_path / "seg")


def test_the_segment_counts_words_as_the_lexical_index_tokenizes_them():
    segment = TermSegment.build(["The troops, the troops and the generals trained."])
    words = tokenize(["The troops, the troops and the generals trained."])[0]
    assert set(segment.words) == set(words) and int(segment.lengths[0]) == len(words)
    column = segment.words.index(tokenize(["troops"])[0][0])
    assert float(segment.counts[segment.indptr[column]]) == 2.0


def test_nothing_live_scores_nothing():
    segmented = SegmentedBM25([TermSegment.build(EXTRA)], [np.ones(len(EXTRA), bool)])
    assert segmented.documents == 0 and not segmented.scores("harbour froze").any()
