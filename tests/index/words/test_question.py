"""Question cleaning."""

import pytest

from index.words.question import QuestionError, clean_question


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


def test_a_long_text_becomes_a_question_the_core_takes_cut_at_a_word():
    from index.words.question import CUT_MARK, MAX_QUESTION_CHARS, question_from

    assert question_from("  How many\n\ntroops <@123> are there? ") == "How many troops are there?"
    text = "Why are they there? " * 400
    long = question_from(text)
    assert len(long) <= MAX_QUESTION_CHARS and long.endswith(CUT_MARK)
    assert text.startswith(long.removesuffix(CUT_MARK) + " ")  # cut where a word ends
    assert clean_question(long) == long  # taken as it is
    wide = question_from("\ufb01ne " * 2000)  # "ﬁ" reads as "fi": the text grows as it is read
    assert clean_question(wide).startswith("fine fine") and len(wide) <= MAX_QUESTION_CHARS
