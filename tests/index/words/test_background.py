"""Common-word vectors: made once, kept, checked, and sparing the model a pass per question."""

import numpy as np

from index.words import background
from index.words.terms import key_terms


class Counting:
    """The real encoder, counting the texts it is given."""

    def __init__(self, encoder):
        self.encoder, self.dimension, self.seen = encoder, encoder.dimension, []

    def encode(self, texts):
        self.seen.extend(texts)
        return self.encoder.encode(texts)


def test_the_table_is_made_once_then_read_back(encoder, tmp_path, monkeypatch):
    monkeypatch.setenv("CITEBOT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(background, "WORDS", 300)
    counting = Counting(encoder)
    made = background.background_words("model-a", counting)
    assert len(counting.seen) == 300 and "workforce" not in made.rows  # not among the 300 commonest
    again = background.background_words("model-a", counting)
    assert len(counting.seen) == 300 and again.words == made.words
    assert np.array_equal(again.vectors, made.vectors)
    assert background.load("model-b") is None  # each model has its own


def test_a_damaged_table_is_made_again(encoder, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("CITEBOT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(background, "WORDS", 50)
    made = background.background_words("model-a", encoder)
    vectors = next((tmp_path / "cache").glob("words-*")) / background.FILE_VECTORS
    np.save(vectors, made.vectors * 2, allow_pickle=False)
    assert background.load("model-a") is None and "unusable" in caplog.text


def test_without_the_cache_setting_the_table_is_kept_in_the_users_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("CITEBOT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert background.cache_dir() == tmp_path / "xdg" / "citebot"


def test_the_engine_embeds_no_word_the_table_holds(engine):
    terms = key_terms("How many workers does Russia lack?")  # "workers" and "lack": not in the article
    assert {"workers", "lack"} <= {t.word for t in terms}
    counting = Counting(engine.encoder)
    engine_encoder, engine.encoder = engine.encoder, counting
    try:
        vectors = engine.term_vectors(terms)
    finally:
        engine.encoder = engine_encoder
    assert {"workers", "lack"} <= set(vectors) and counting.seen == []
