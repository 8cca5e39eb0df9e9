"""Question cleaning."""

import pytest

from index.question import QuestionError, clean_question


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  what   happened\n\ton Tuesday?  ", "what happened on Tuesday?"),
        ("<@123> <@!456> who is <#789> Choe?", "who is Choe?"),
        ("<@&42> @everyone @here why?", "why?"),
        ("zero\u200bwidth\u200d join", "zerowidth join"),
        ("bell\x07 and\x00 null", "bell and null"),
        ("ｆｕｌｌ　ｗｉｄｔｈ？", "full width?"),
        ("<:pepe:123456> what now", "what now"),
    ],
)
def test_cleaning(raw, clean):
    assert clean_question(raw) == clean


def test_question_at_the_limit_is_kept_and_over_it_refused():
    assert len(clean_question("a" * 500)) == 500
    with pytest.raises(QuestionError, match="501 characters"):
        clean_question("a" * 501)


def test_limit_counts_after_cleaning():
    assert clean_question("  " * 400 + "why?") == "why?"


def test_zero_width_characters_cannot_hide_a_mention():
    assert clean_question("<@\u200b123> what now") == "what now"
