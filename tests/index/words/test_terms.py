"""Key terms of a question and their weights."""

from index.words.terms import key_terms, name_around, weight, words


def test_framing_and_stopwords_are_not_key_terms():
    assert [t.word for t in key_terms("What did the article say about the population of Kursk?")] == [
        "population",
        "kursk",
    ]


def test_rarer_words_weigh_more():
    assert weight("kursk") > weight("population") > weight("people") >= 0


def test_a_word_nobody_uses_weighs_most():
    assert weight("qzxvyth") == max(weight("kursk"), weight("qzxvyth"))


def test_numbers_keep_their_value_without_separators():
    assert words("from 3,000 to 10,000 in 1950") == ("from", "3000", "to", "10000", "in", "1950")


def test_a_capitalised_term_is_named_with_the_rest_of_its_name():
    question = "What did Xi Jinping say about the troops?"
    xi = next(t for t in key_terms(question) if t.word == "xi")
    assert xi.capitalized and name_around(question, xi) == "Xi Jinping"


def test_the_first_word_is_not_taken_for_a_name():
    assert not key_terms("Population of Kursk")[0].capitalized


def test_a_dotted_abbreviation_is_one_word():
    assert words("U.S. troops and the U.N.") == ("us", "troops", "and", "the", "un")
