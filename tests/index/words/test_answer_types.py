"""What a question asks for, and the spans of a sentence that can answer it."""

import pytest

from index.words.answer_types import Kind, answer_spans, expected_kind, spans

SENTENCE = (
    "Following discussions with South Korean President Yoon Suk Yeol, Ukraine’s President "
    "Volodymyr Zelenskiy remarked that North Korea’s actions are escalating the conflict."
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who is Ukraine's president?", Kind.NAME),
        ("Whose office described the warning?", Kind.NAME),
        ("Which think tank wrote the report?", None),  # a name as often as a role
        ("In what year did the Korean War start?", Kind.DATE),
        ("When did Russia invade Ukraine?", Kind.DATE),
        ("How many troops are in Russia?", Kind.NUMBER),
        ("What share of Russia's forces are they?", Kind.NUMBER),
        ("What is the population of Kursk?", Kind.NUMBER),
        ("Where did Choe arrive first?", Kind.PLACE),
        ("Which city did they attack?", Kind.PLACE),
        ("Why did Russia ask for help?", None),
        ("What did the Pentagon confirm?", None),
    ],
)
def test_the_kind_a_question_asks_for(question, kind):
    assert expected_kind(question) is kind


def test_names_numbers_and_dates_are_found():
    found = {
        (s.kind, text[s.start : s.end])
        for text in [
            SENTENCE,
            "The war from 1950 to 1953 ended.",
            "Troops rose from an estimated 3,000 to 10,000 on Tuesday.",
        ]
        for s in spans(text)
    }
    assert (Kind.NAME, "Ukraine’s President Volodymyr Zelenskiy") in found
    assert (Kind.DATE, "1950 to 1953") in found  # a range is one answer
    assert (Kind.NUMBER, "3,000 to 10,000") in found
    assert (Kind.DATE, "Tuesday") in found


def test_a_sentence_opener_is_no_name_unless_the_corpus_writes_it_so():
    assert not spans("Additionally, the talks went on.")
    text = "Moscow seeks a partner."
    assert [text[s.start : s.end] for s in spans(text, proper={"moscow"})] == ["Moscow"]


def test_the_answer_span_leaves_out_what_the_question_already_names():
    found = answer_spans(SENTENCE, "Who is Ukraine's president?", Kind.NAME)
    assert "Volodymyr Zelenskiy" in [SENTENCE[s.start : s.end] for s in found]
    assert not answer_spans("Ukraine's President spoke.", "Who is Ukraine's president?", Kind.NAME)


def test_a_share_is_answered_by_a_percentage_only():
    text = "A few thousand troops would be less than 1% of the army."
    found = answer_spans(text, "What percentage of the army are they?", Kind.NUMBER)
    assert [text[s.start : s.end] for s in found] == ["1%"]
