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


def test_a_rebuild_embeds_only_what_changed(encoder, tmp_path):
    import shutil

    from index.build import open_index
    from index.calibration import OFF_TOPIC_PROBES, near_topic_probes
    from index.corpus.articles import BUILTIN_CORPUS, load_corpus

    corpus = tmp_path / "corpus"
    shutil.copytree(BUILTIN_CORPUS, corpus)
    before, _ = open_index(corpus, tmp_path / "index", encoder)
    added = "The harbour of Wonsan froze over in March. Fishing boats stayed in port for weeks."
    (corpus / "harbour.txt").write_text(added + "\n", encoding="utf-8")

    counting = CountingEncoder(encoder)
    after, status = open_index(corpus, tmp_path / "index", counting)
    assert status.rebuilt and after.manifest.passages == before.manifest.passages + 1
    probes = {*OFF_TOPIC_PROBES, *near_topic_probes(after)[1]}
    embedded = set(counting.seen) - probes  # calibration asks its probes anew
    new = next(p for p in after.passages if p.article == "harbour")
    new_words = set(after.vocabulary.embedded) - set(before.vocabulary.embedded)
    assert new_words == {
        "harbour",
        "wonsan",
        "froze",
        "march",
        "fishing",
        "boats",
        "stayed",
        "port",
        "weeks",
    } - set(before.vocabulary.embedded)
    assert embedded == {build.context_text(new), *new.sentence_texts(), *new_words}
    fresh = build.build_index(load_corpus(corpus), encoder)
    for kept, made in (
        (after.passage_vectors, fresh.passage_vectors),
        (after.sentence_vectors, fresh.sentence_vectors),
    ):
        assert np.allclose(kept.all(), made.all(), atol=1e-5)
    assert np.allclose(after.vocabulary.vectors, fresh.vocabulary.vectors, atol=1e-5)


def test_vectors_of_another_model_are_never_reused(engine):
    from dataclasses import replace

    assert len(build.known_vectors(engine.index)) > engine.manifest.passages
    other = replace(engine.index, manifest=replace(engine.manifest, model="some-other-model"))
    assert build.known_vectors(other) == {}
    assert build.known_vectors(None) == {}


def test_the_refusal_calibration_is_kept_in_the_manifest_and_reproducible(encoder, tmp_path):
    from index.answering.verdict import THRESHOLD
    from index.corpus.articles import BUILTIN_CORPUS, load_corpus
    from index.store.disk import load, save

    first = build.build_index(load_corpus(BUILTIN_CORPUS), encoder)
    again = build.build_index(load_corpus(BUILTIN_CORPUS), encoder)
    calibration = first.manifest.calibration
    assert set(calibration) == {
        "corpus",  # the articles it was made for: a change calls for another
        "off_topic_median",
        "near_topic_probes",
        "near_topic_median",
        "near_topic_refused",
    }
    assert calibration["near_topic_probes"] > 0 and 0.0 <= calibration["near_topic_refused"] <= 1.0
    assert first.manifest.threshold == THRESHOLD
    assert again.manifest.calibration == calibration  # the same corpus calibrates the same way
    save(first, tmp_path / "index")
    assert load(tmp_path / "index").manifest.calibration == calibration  # and it is kept on disk
