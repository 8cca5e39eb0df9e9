"""Hybrid retrieval against brute force, with FAISS's -1 padding never cited."""

import numpy as np

from index.answering.search import candidate_features, search
from index.build import build_index
from index.corpus.articles import load_corpus


def test_dense_scores_match_a_numpy_brute_force(engine, encoder):
    index = engine.index
    q = encoder.encode(["How many troops are in eastern Russia?"])[0]
    passages = index.passage_vectors.all()
    sentences = index.sentence_vectors.all()
    for f in candidate_features(index, q, np.zeros(len(index.passages), dtype=np.float32)):
        assert abs(f.dense_passage - float(passages[f.row] @ q)) < 1e-5
        first = index.sentence_first[f.row]
        brute = sentences[first : first + len(f.sentence_scores)] @ q
        assert np.allclose(f.sentence_scores, brute, atol=1e-5)
    best_dense_row = int(np.argmax(passages @ q))
    assert best_dense_row in {f.row for f in candidate_features(index, q, np.zeros(len(index.passages)))}


def test_k_beyond_the_passage_count_returns_each_real_passage_once(tmp_path, encoder):
    path = tmp_path / "tiny.txt"
    path.write_text("The bridge opened in 1990.\nIt carries trains and cars.", encoding="utf-8")
    index = build_index(load_corpus(path), encoder)
    q = encoder.encode(["When did the bridge open?"])[0]
    hits = search(index, q, "When did the bridge open?", k=10)
    assert [h.passage.id for h in hits] == ["tiny#p1", "tiny#p2"]
    assert [h.rank for h in hits] == [1, 2]


def test_duplicate_paragraphs_are_cited_once(tmp_path, encoder):
    para = "The harbour authority closed the northern pier after storm damage on Sunday."
    path = tmp_path / "dup.txt"
    path.write_text(f"{para}\nShips now berth at the southern quay.\n{para}", encoding="utf-8")
    index = build_index(load_corpus(path), encoder)
    q = encoder.encode(["Why was the pier closed?"])[0]
    hits = search(index, q, "Why was the pier closed?", k=3)
    texts = [h.passage.text for h in hits]
    assert len(texts) == len(set(texts)) == 2


def test_rare_name_is_found_by_bm25_even_in_a_one_word_query(engine):
    answer = engine.answer("Rozman")
    assert answer.citations[0].id == "nk-troops#p12"
