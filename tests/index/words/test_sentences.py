"""Sentence boundaries on the hard cases of news text."""

from hypothesis import given
from hypothesis import strategies as st

from index.corpus.passages import MAX_PASSAGE_CHARS
from index.words.sentences import split_sentences


def texts(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, MAX_PASSAGE_CHARS)]


def test_quote_followed_by_attribution_stays_one_sentence():
    text = "“This war is becoming internationalized,” Zelenskiy stated on X. He added more."
    assert texts(text) == [
        "“This war is becoming internationalized,” Zelenskiy stated on X.",
        "He added more.",
    ]


def test_abbreviations_do_not_end_sentences():
    text = "U.S. President Joe Biden spoke. Maj. Gen. Patrick Ryder briefed the press on Monday."
    assert texts(text) == [
        "U.S. President Joe Biden spoke.",
        "Maj. Gen. Patrick Ryder briefed the press on Monday.",
    ]


def test_numbers_with_separators_and_percent_stay_whole():
    text = "Troops rose from 3,000 to 10,000. They are less than 1% of the force. Costs hit $3.5 billion."
    assert texts(text) == [
        "Troops rose from 3,000 to 10,000.",
        "They are less than 1% of the force.",
        "Costs hit $3.5 billion.",
    ]


def test_overlong_run_is_cut_at_whitespace_within_the_limit():
    text = " ".join(["word"] * 600)
    spans = split_sentences(text, limit=MAX_PASSAGE_CHARS)
    assert len(spans) > 1
    assert all(b - a <= MAX_PASSAGE_CHARS for a, b in spans)
    assert " ".join(text[a:b] for a, b in spans) == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000))
def test_spans_are_ordered_trimmed_and_cover_every_visible_character(text):
    spans = split_sentences(text, MAX_PASSAGE_CHARS)
    previous_end = 0
    covered = []
    for a, b in spans:
        assert previous_end <= a < b <= len(text)
        assert b - a <= 1024
        assert not text[a].isspace() and not text[b - 1].isspace()
        covered.append(text[a:b])
        previous_end = b
    assert "".join("".join(covered).split()) == "".join(text.split())
