"""A question read with the conversation before it: follow-ups take the topic of the question
they follow, their own words first; questions that stand alone are read alone."""

from __future__ import annotations

import pytest

from index.words.followup import MAX_HISTORY, needs_history, read_with, topic_words


@pytest.mark.parametrize(
    "question",
    [
        "Is Putin meeting her?",
        "Since when?",
        "According to whom?",
        "Did he confirm it?",
        "When did Ukraine make gains there?",
        "And what did Seoul say?",
        "What was the number before?",
        "Why was this agreement made?",
        "Did the Pentagon confirm that?",
        "What did their leaders agree?",
        "How many troops are going there?",
    ],
)
def test_a_question_that_points_back_is_a_follow_up(question):
    assert needs_history(question)


@pytest.mark.parametrize(
    "question",
    [
        "What is Russia helping North Korea build?",
        "When did Russia invade Ukraine?",
        "How many North Korean troops are in Russia for training?",
        # "that" and "this" after a word of the question's own: a clause of it, not a pointer
        "What is one reason that Russia wants North Korean troops?",
        "Which analysts stated that the troops serve a political purpose?",
        # "there" with a form of "be": nothing is placed
        "Are there North Korean troops in Kursk?",
        "How many satellites are there in the fleet?",
        # "its" and "their" after a name the question gives itself
        "What did the Pentagon say about its briefing?",
        "When did North Korean soldiers start their training?",
    ],
)
def test_a_question_with_a_topic_of_its_own_stands_alone(question):
    assert not needs_history(question)
    assert read_with(question, ["Who is the Pentagon spokesperson?"]).text == question


def test_a_follow_up_keeps_its_own_words_first_and_gains_the_topic_it_follows():
    reading = read_with("Is Putin meeting her?", ["Who is North Korea's foreign minister?"])
    assert reading.text == "Is Putin meeting her? (north korea foreign minister)"
    assert reading.following == "Who is North Korea's foreign minister?"
    assert reading.question == "Is Putin meeting her?"


def test_the_latest_earlier_question_with_a_topic_is_followed_and_only_the_last_few():
    history = ["Who is Gilbert Rozman?", "What does CSIS say about the troops?", "And then?"]
    assert read_with("Why does Russia need them?", history).following == history[1]
    old = ["What did NATO report on Monday?"] + ["Why?"] * MAX_HISTORY
    assert read_with("Since when?", old).following is None  # past the last few: read alone


def test_no_history_or_an_empty_question_is_read_as_it_is():
    assert read_with("Since when?").text == "Since when?" and read_with("Since when?").following is None
    assert read_with("", ["Who?"]).text == ""
    assert topic_words("What did North Korea's army do?") == ["north", "korea", "army"]


def test_a_question_asked_again_is_not_its_own_history():
    assert read_with("Since when?", ["Is South Korea at war with the North?", "since  WHEN?"]).following == (
        "Is South Korea at war with the North?"
    )
    assert read_with("Why are they there?", ["Why are they there?"]).following is None
