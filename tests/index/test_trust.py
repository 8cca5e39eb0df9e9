"""Trust on the built-in article, with the real model: answers that name what was asked,
refusals that name what is missing, misspellings read as meant, nonsense refused."""

import pytest

from index.words.answer_types import Kind


def test_a_who_question_is_answered_by_the_sentence_with_the_name_in_bold(engine):
    answer = engine.answer("Who is the Pentagon's spokesperson?")
    assert answer.answered and "Patrick Ryder" in answer.sentence
    assert "Patrick Ryder" in answer.span_text
    cited = answer.citations[0]
    assert cited.highlight is not None and cited.answer_span is not None
    a, b = cited.answer_span
    assert cited.text[a:b] == answer.span_text  # the same span, placed in the cited passage


def test_a_how_many_question_gets_the_numbers(engine):
    answer = engine.answer("How many North Korean troops are in Russia for training?")
    # "rising from an estimated 3,000 to 10,000": the reader marks the figure now
    assert answer.answered and answer.span_text in ("3,000 to 10,000", "10,000")


def test_an_answer_without_the_kind_asked_for_shows_no_span(engine):
    answer = engine.answer("Why does Moscow want a partner like Pyongyang?")
    assert answer.answered and answer.answer_span is None


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What did Xi Jinping say about the troops?", "Xi Jinping"),
        ("What time is it in Tokyo?", "Tokyo"),
    ],
)
def test_a_question_on_something_the_article_never_mentions_is_refused_naming_it(engine, question, missing):
    answer = engine.answer(question)
    assert not answer.answered
    assert answer.refusal == f"The article doesn't mention {missing}."
    assert answer.citations, "the nearest passage is still offered as a lead"


def test_a_misspelt_question_is_answered_as_the_spelt_one(engine):
    spelt = engine.answer("Who is North Korea's foreign minister?")
    typed = engine.answer("Who is North Korea's forign minister?")
    assert typed.answered and typed.sentence == spelt.sentence
    assert typed.question == "Who is North Korea's forign minister?"  # shown as typed
    assert typed.read_as == "Who is North Korea's foreign minister?"
    assert spelt.read_as is None


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("1,000,000.00", "only a number"),
        ("Что Россия получает от Северной Кореи?", "Cyrillic"),
    ],
)
def test_nonsense_is_not_a_question(engine, question, says):
    answer = engine.answer(question)
    assert not answer.answered and not answer.citations and says in answer.error


@pytest.mark.parametrize("word", ["false", "hi"])
def test_a_lone_word_the_article_never_uses_is_refused_with_no_passage_to_lead_to(engine, word):
    answer = engine.answer(word)
    assert not answer.answered and answer.refusal == f"The article doesn't mention {word}."
    assert not answer.citations


def test_a_lone_word_the_article_uses_is_a_question_about_it(engine):
    answer = engine.answer("satellites")
    assert answer.answered and "satellites" in answer.sentence


def test_the_evidence_sees_the_kind_asked_for(engine):
    text = "In what year did the Korean War start?"
    vector = engine.encoder.encode([text])[0]
    from index.words.terms import key_terms

    _, chosen, evidence = engine.evidence(text, vector, key_terms(text), {}, 3)
    assert evidence.kind is Kind.DATE and evidence.kind_in_answer and chosen.span is not None
