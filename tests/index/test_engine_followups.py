"""The engine answering a question asked in a conversation: a follow-up is searched with the
question it follows (its topic words, and the passages that answered it) and answered with a
sentence chosen for its own words; a question that stands alone is answered as if alone."""

from __future__ import annotations

import pytest

from index.answering.engine import Engine


def test_a_follow_up_is_answered_from_the_conversation_and_says_what_it_followed(engine: Engine):
    earlier = "Is South Korea at war with the North?"
    answer = engine.answer("Since when?", history=[earlier])
    assert answer.answered
    assert "1950" in answer.sentence
    assert answer.following == earlier
    assert answer.question == "Since when?"  # shown as asked, not as searched


def test_the_sentence_answers_the_follow_up_not_the_question_it_follows(engine: Engine):
    earlier = "What did the Pentagon confirm on Tuesday?"
    before = engine.answer(earlier)
    answer = engine.answer("How many more are on the way?", history=[earlier])
    assert answer.citations[0].id == before.citations[0].id  # the same paragraph
    assert "few thousand more troops" in answer.sentence
    assert answer.sentence != before.sentence


@pytest.mark.parametrize(
    ("question", "earlier"),
    [
        ("What is Russia helping North Korea build?", "Who is the Pentagon spokesperson?"),
        ("When did Russia invade Ukraine?", "What did NATO report on Monday?"),
    ],
)
def test_a_question_that_stands_alone_is_answered_as_if_alone(engine: Engine, question: str, earlier: str):
    alone = engine.answer(question)
    asked = engine.answer(question, history=[earlier])
    assert asked.following is None
    assert asked.sentence == alone.sentence
    assert [c.id for c in asked.citations] == [c.id for c in alone.citations]


def test_the_refusal_checks_run_on_the_question_as_read(engine: Engine):
    off_topic = engine.answer("Is it tasty?", history=["How do I bake bread?"])
    assert not off_topic.answered
    assert off_topic.following == "How do I bake bread?"
    assert "tasty" in off_topic.refusal


def test_a_batch_answers_each_question_with_its_own_history(engine: Engine):
    questions = ["Since when?", "Who is Gilbert Rozman?", "Where does he work?", "Is it tasty?"]
    histories = [
        ["Is South Korea at war with the North?"],
        [],
        ["Who is Gilbert Rozman?"],
        ["How do I bake bread?"],
    ]
    together = engine.answer_many(questions, None, histories)
    for question, history, answer in zip(questions, histories, together, strict=True):
        alone = engine.answer(question, history=history)
        assert (answer.sentence, answer.following) == (alone.sentence, alone.following)
        assert [c.id for c in answer.citations] == [c.id for c in alone.citations]
    assert together[1].following is None and together[2].following == "Who is Gilbert Rozman?"


def test_each_question_needs_its_own_history(engine: Engine):
    with pytest.raises(ValueError, match="history"):
        engine.answer_many(["Since when?", "Why?"], None, [["Who is Gilbert Rozman?"]])


def test_a_question_that_cannot_be_asked_is_refused_whatever_came_before(engine: Engine):
    answer = engine.answer("   ", history=["Who is Gilbert Rozman?"])
    assert answer.error and not answer.answered


def test_a_history_of_any_size_is_read_to_its_latest_questions(engine: Engine):
    earlier = "Is South Korea at war with the North?"
    flood = ["zzqx " * 20_000] * 500 + [earlier]  # what a hostile batch line could carry
    answer = engine.answer("Since when?", history=flood)
    assert answer.following == earlier and "1950" in answer.sentence
    assert engine.recent(flood)[-1] == earlier
    assert all(len(h) <= 500 for h in engine.recent(flood))
