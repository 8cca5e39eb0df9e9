"""The library over segments (issue 23, section 2): an add embeds only its texts into a new
segment, a removal marks rows deleted, and both answer as a fresh build of the same articles;
the calibration is made after the add is answered from; small segments are merged in the
background; a restart opens the segments as they were."""

from __future__ import annotations

import threading

import pytest

from index import library as index_library
from index.answering.engine import Engine
from index.build import build_index, calibrated, merged_segment, with_merged
from index.corpus.articles import load_corpus
from index.corpus.intake import draft_from_text
from index.library import Library
from index.store import disk as store
from tests.index.test_library import FISH, HARBOUR

FERRY = draft_from_text(
    "Ferry to Rason",
    "The ferry to Rason sails twice a week in summer, the port office said on Monday.\n\n"
    "Tickets cost about thirty dollars and are sold at the harbour gate.",
)
QUESTIONS = (
    FISH,
    "How often does the ferry to Rason sail?",
    "Who visited Russia on Tuesday?",
    "How many North Korean troops are in Russia?",
    "What is the capital of Peru?",
)


def same_answers(segmented: Engine, fresh: Engine) -> None:
    for question in QUESTIONS:
        a, b = segmented.answer(question), fresh.answer(question)
        assert (a.answered, a.sentence) == (b.answered, b.sentence), question
        assert [c.id for c in a.citations] == [c.id for c in b.citations], question
        assert [c.score for c in a.citations] == pytest.approx([c.score for c in b.citations], abs=1e-4)
        assert a.confidence == pytest.approx(b.confidence, abs=1e-3), question


def fresh_engine(library: Library) -> Engine:
    return Engine(build_index(load_corpus(library.folder), library.engine.encoder), library.engine.encoder)


def test_adds_and_removals_answer_as_a_fresh_build_of_the_same_articles(library, monkeypatch):
    monkeypatch.setattr(index_library, "merge_plan", lambda *args: [])  # segments as the changes left them
    harbour, ferry = library.add_many([HARBOUR, FERRY]).articles  # one segment for both
    library.remove(harbour.slug)
    assert library.settle(120)
    index = library.engine.index
    assert len(index.segments) == 2 and index.deleted  # nothing rewritten: the harbour's rows marked
    assert not any(p.article == harbour.slug for p in index.passages)
    same_answers(library.engine, fresh_engine(library))


def test_an_add_is_answered_at_once_and_calibrated_after(library, monkeypatch):
    let_go, real = threading.Event(), index_library.recalibrated

    def held(*args, **kwargs):
        let_go.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(index_library, "recalibrated", held)
    before = library.engine.manifest.calibration
    library.add(HARBOUR)
    assert library.engine.answer(FISH).answered  # answered from before its calibration is made
    assert not calibrated(library.engine.index) and library.engine.manifest.calibration == before
    assert not library.settle(0.2)
    let_go.set()
    assert library.settle(120) and calibrated(library.engine.index)
    assert calibrated(store.load(library.index_dir))  # and saved


def test_small_segments_are_merged_in_the_background_and_a_restart_finds_them(library):
    library.merge_at = 3
    library.add(HARBOUR)
    assert library.settle(120) and len(library.engine.index.segments) == 2
    library.add(FERRY)
    assert library.settle(120)
    index = library.engine.index
    assert len(index.segments) == 1 and not index.deleted  # three small segments folded into one
    same_answers(library.engine, fresh_engine(library))
    again = Library.open(None, library.folder.parent, library.index_dir, encoder=library.engine.encoder)
    assert again.engine.index.manifest.segments == index.manifest.segments
    assert not again.settle(0) or calibrated(again.engine.index)
    same_answers(again.engine, library.engine)


def test_rows_deleted_while_a_merge_is_made_are_deleted_in_it(library):
    harbour, ferry = library.add_many([HARBOUR, FERRY]).articles
    assert library.settle(120)
    base = library.engine.index
    merge = merged_segment(base, [s.name for s in base.segments])
    library.remove(harbour.slug)  # meanwhile
    merged = with_merged(library.engine.index, base, merge)
    assert merged is not None and [s.name for s in merged.segments] == [merge.segment.name]
    assert [p.id for p in merged.passages] == [p.id for p in library.engine.index.passages]
    assert with_merged(merged, base, merge) is None  # its segments are gone: nothing to fold
