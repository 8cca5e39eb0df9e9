"""Gaps: unanswered questions grouped by what they ask, most frequent first."""

from __future__ import annotations

import pytest

from index.words.gaps import group_asked, group_questions


def test_rewordings_of_one_question_are_one_group(encoder):
    questions = [
        "What is the population of Pyongyang?",
        "How many people live in Pyongyang?",
        "who is the president of france",
        "What is the population of Pyongyang?",
        "Pyongyang population?",
        "Who is France's president?",
        "What colour is the sky?",
    ]
    groups = group_questions(questions, encoder.encode(questions), list(range(len(questions))))
    assert groups[0].wording == "What is the population of Pyongyang?"
    assert groups[0].count >= 3 and "How many people live in Pyongyang?" in groups[0].variants
    assert sum(g.count for g in groups) == len(questions)
    france = next(g for g in groups if "france" in g.wording.lower())
    assert france.count == 2
    assert groups[-1].wording == "What colour is the sky?" and groups[-1].count == 1


def test_groups_need_a_vector_and_a_time_per_question(encoder):
    assert group_questions([], encoder.encode([]), []) == []
    with pytest.raises(ValueError):
        group_questions(["a question"], encoder.encode([]), [0.0])


def test_each_group_counts_why_its_questions_were_not_answered_well(encoder):
    questions = [
        "Who won the 1998 World Cup?",
        "Which team won the World Cup in 1998?",
        "What is the capital of Peru?",
    ]
    reasons = ["not answered", "👎", "not answered"]
    groups = group_asked(questions, [1.0, 2.0, 3.0], reasons, encoder)
    assert groups[0].count == 2 and dict(groups[0].reasons) == {"not answered": 1, "👎": 1}
    assert groups[0].last_asked == 2.0 and dict(groups[1].reasons) == {"not answered": 1}
    assert group_asked([], [], [], encoder) == []
