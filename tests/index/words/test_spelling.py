"""Misspelt words put right against the corpus's vocabulary, and real words left alone."""

import numpy as np
import pytest

from index.words.spelling import Speller
from index.words.vocabulary import Vocabulary

TEXT = (
    "North Korea's foreign minister visited Russia. Zelenskiy spoke of a second mobilization. "
    "Officials in Seoul are concerned."
)


@pytest.fixture(scope="module")
def speller():
    vocabulary = Vocabulary.build([TEXT], lambda ws: np.zeros((len(ws), 4), np.float32))
    return Speller(vocabulary)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Who is the forign minister", "Who is the foreign minister"),
        ("what did zelensky say", "what did zelenskiy say"),
        ("a second mobilisation?", "a second mobilization?"),
        ("Forign minister", "Foreign minister"),
    ],
)
def test_misspellings_become_the_corpus_word(speller, typed, read):
    assert speller.correct(typed) == read


@pytest.mark.parametrize("typed", ["Who is the defence minister?", "What about Tokyo?", "is it cold"])
def test_real_words_and_words_out_of_reach_stay(speller, typed):
    assert speller.correct(typed) == typed


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("how meny soldiers", "how many soldiers"),  # a common word, though the corpus lacks it
        ("worried abt what", "worried about what"),  # a chat shorthand
        ("Wat did they say", "What did they say"),
    ],
)
def test_chat_spellings_become_the_words_meant(speller, typed, read):
    assert speller.correct(typed) == read


def test_a_name_is_never_taken_for_a_common_word(speller):
    assert speller.correct("What did Thom say?") == "What did Thom say?"  # not "them"
