"""Key terms checked against the corpus by spelling, stem and meaning (vectors made up here)."""

import numpy as np

from index.answering.evidence import check_terms
from index.words.terms import key_terms
from index.words.vocabulary import Vocabulary

AXES = {"personnel": 0, "labor": 0, "seoul": 1, "troops": 2, "rising": 3}


def unit(axis: int, lean: float = 0.0, towards: int = 5) -> np.ndarray:
    v = np.zeros(8, np.float32)
    v[axis] = 1.0
    v[towards] = lean
    return v / np.linalg.norm(v)


def embed(words):
    return np.stack([unit(AXES.get(w, 6)) for w in words])


VOCAB = Vocabulary.build(["The troops in Seoul needed personnel, rising from 3,000."], embed)


def test_a_word_the_corpus_uses_or_its_stem_is_covered():
    checks = check_terms(key_terms("Which troop needs personnel?"), {}, VOCAB, "troops personnel", "troops")
    by_word = {c.term.word: c for c in checks}
    assert by_word["troop"].corpus == 1.0 and by_word["personnel"].corpus == 1.0
    assert by_word["personnel"].passage == 1.0 and by_word["personnel"].sentence == 0.0


def test_a_near_synonym_covers_a_missing_word_and_a_far_one_does_not():
    terms = key_terms("Is there enough manpower or money?")
    vectors = {"manpower": unit(0, 0.3), "money": unit(7, 0.0, 4)}  # cos 0.96 to personnel; far
    by_word = {c.term.word: c for c in check_terms(terms, vectors, VOCAB, "", "")}
    assert by_word["manpower"].corpus == 1.0 and by_word["manpower"].nearest == "personnel"
    assert by_word["money"].corpus == 0.0


def test_a_name_needs_a_closer_match_than_a_word():
    vector = unit(1, 0.9)  # cosine 0.74 to Seoul: enough for a word, not for a name
    word = check_terms(key_terms("what about capitals"), {"capitals": vector}, VOCAB, "", "")[0]
    name = check_terms(key_terms("What about Tokyo"), {"tokyo": vector}, VOCAB, "", "")[0]
    assert word.corpus > 0.9 and name.corpus < 0.3


def test_numbers_match_by_spelling_only():
    checks = check_terms(key_terms("Was it 3,000 or 4,000?"), {}, VOCAB, "from 3,000", "")
    assert [(c.term.word, c.corpus) for c in checks] == [("3000", 1.0), ("4000", 0.0)]
