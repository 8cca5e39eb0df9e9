"""BM25 over segments gives the scores of one index built afresh over the live documents (by
bm25s, the library citebot's BM25 was first built with): a change (a segment added, documents
deleted) costs only itself (issue 23, section 2)."""

from __future__ import annotations

import math

import bm25s
import numpy as np
import pytest

from index.corpus.articles import BUILTIN_CORPUS
from index.store.lexical import LexicalIndex, TermSegment, tokenize

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


def same_as_a_fresh_build(segmented: LexicalIndex, texts: list[str], rows: list[int]) -> None:
    """Every word's idf and every live document's score as a fresh bm25s build gives them,
    numbered as it numbers them (``rows``: where each live document stood among them all)."""
    fresh = bm25s.BM25()  # Lucene's variant, k1 1.5, b 0.75: as citebot's first BM25 was built
    fresh.index(tokens := [words for words in tokenize(texts)], show_progress=False)
    documents = len(tokens)
    vocabulary = sorted(w for w in fresh.vocab_dict if w)  # bm25s keeps "" for its own use
    assert vocabulary, "the fresh build has words"
    for word in vocabulary:
        df = sum(word in set(t) for t in tokens)
        assert segmented.idf(word) == pytest.approx(
            math.log(1 + (documents - df + 0.5) / (df + 0.5)), abs=1e-12
        )
        got = segmented.raw_scores([word])
        expected = np.asarray(fresh.get_scores([word]), dtype=np.float32)
        assert len(got) == len(rows) == documents
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg=word)
    for question in ("Who visited Russia?", "What happened to the price of fish?", "ferry twice a week"):
        whole = LexicalIndex.build(texts).scores(question)  # one segment, built afresh
        np.testing.assert_allclose(segmented.scores(question), whole, rtol=1e-5, atol=1e-6)


def test_adds_and_removals_score_as_a_fresh_build_of_the_live_articles():
    a, b, c, d = articles()
    segments = [TermSegment.build(a)]
    deleted = [np.zeros(len(a), bool)]

    def state() -> tuple[LexicalIndex, list[str], list[int]]:
        segmented = LexicalIndex(segments, deleted)
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


def test_segments_are_saved_and_loaded_without_pickle_and_damage_is_refused(tmp_path):
    a, b = articles()[2:]
    segments = [TermSegment.build(a), TermSegment.build(b)]
    for number, segment in enumerate(segments):
        segment.save(tmp_path / str(number))
    loaded = [TermSegment.load(tmp_path / str(number)) for number in range(2)]
    assert [s.words for s in loaded] == [s.words for s in segments]
    deleted = [np.zeros(len(a), bool), np.eye(1, len(b), 0, bool)[0]]
    index, again = LexicalIndex(segments, deleted), LexicalIndex(loaded, deleted)
    np.testing.assert_array_equal(again.scores("harbour froze"), index.scores("harbour froze"))
    assert again.documents == len(a) + len(b) - 1 == len(again.scores("harbour froze"))
    (tmp_path / "1" / "terms.json").write_text('["only-one"]', encoding="utf-8")
    with pytest.raises(ValueError, match="do not match"):
        TermSegment.load(tmp_path / "1")


def test_the_segment_counts_words_as_the_lexical_index_tokenizes_them():
    segment = TermSegment.build(["The troops, the troops and the generals trained."])
    words = tokenize(["The troops, the troops and the generals trained."])[0]
    assert set(segment.words) == set(words) and int(segment.lengths[0]) == len(words)
    column = segment.words.index(tokenize(["troops"])[0][0])
    assert float(segment.counts[segment.indptr[column]]) == 2.0


def test_nothing_live_scores_nothing():
    segmented = LexicalIndex([TermSegment.build(EXTRA)], [np.ones(len(EXTRA), bool)])
    assert segmented.documents == 0 and not segmented.scores("harbour froze").any()
