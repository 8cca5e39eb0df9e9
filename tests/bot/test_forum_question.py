"""What a forum post asks: its title and the start of its first message, within the core's
question limit."""

from __future__ import annotations

from bot.cogs.forums import post_question
from index import clean_question


def test_the_title_leads_and_the_message_follows_on_one_line():
    joined = post_question("Troops in Russia", "How many\n\nare there?")
    assert joined == "Troops in Russia: How many are there?"
    assert post_question("How many troops?", "In Kursk.") == "How many troops? In Kursk."
    assert post_question("  How many troops? ", "") == "How many troops?"


def test_a_long_post_is_cut_to_a_question_the_core_takes():
    question = post_question("Troops in Russia", "Why are they there? " * 400)
    assert question.startswith("Troops in Russia: Why are they there?") and question.endswith("...")
    assert clean_question(question).startswith("Troops in Russia")  # not refused as too long
    wide = post_question("Troops", "\ufb01ne " * 400)  # "ﬁ" reads as "fi": a post's text grows when read
    assert clean_question(wide).startswith("Troops: fine fine")
