"""The operators' cards (articles, gaps, stats, settings): within Discord's limits, and saying
when a list was cut."""

from __future__ import annotations

from bot.config import RateLimit
from bot.render.card import LIMITS, total_chars
from bot.render.library import render_articles
from bot.render.reports import render_gaps, render_usage
from bot.render.settings import render_settings
from bot.stores.feedback import Day, Usage
from bot.stores.forum_posts import ForumUsage
from bot.stores.guild_settings import GuildSettings, Overrides
from index.corpus.articles import Refused
from index.store.disk import ArticleInfo, Manifest
from index.words.gaps import QuestionGroup


def manifest(articles: int) -> Manifest:
    infos = tuple(
        ArticleInfo(f"a-{i}", f"Article **{i}** @everyone", "Wire", "", "", 3) for i in range(articles)
    )
    return Manifest(2, "m", 384, {}, "x", "", 0.3, "2026-11-27", 3 * articles, 9 * articles, infos)


def test_a_long_article_list_says_how_many_it_shows():
    card = render_articles(manifest(40), (Refused("bad.txt", "not UTF-8 text"),), True)
    assert total_chars(card) <= LIMITS["total"] and len(card.fields) <= LIMITS["fields"]
    assert card.fields[0].name == "Files not indexed" and "bad.txt" in card.fields[0].value
    assert card.footer == f"The first {len(card.fields) - 1} of 40 articles are listed."
    assert r"Article \*\*1\*\*" in card.fields[2].name  # markdown shown as typed


def test_a_short_article_list_has_no_cut_notice_and_says_when_it_is_fixed():
    card = render_articles(manifest(2), (), False)
    assert card.footer == "citebot" and "single file" in card.description


def test_many_long_gaps_fit_and_say_how_many_groups_are_shown():
    groups = [
        QuestionGroup(
            "Why " + "very " * 60 + f"long {i}?", 40 - i, ("x " * 300,), 1.0e9, (("not answered", 3),)
        )
        for i in range(40)
    ]
    card = render_gaps(groups, 7)
    assert total_chars(card) <= LIMITS["total"]
    assert card.footer == f"The {len(card.fields)} most asked of 40 groups are shown."
    assert card.fields[0].name.startswith("40× Why")


def test_no_gaps_and_no_questions_are_said_plainly():
    assert "Nothing to report" in render_gaps([], 7).description
    assert (
        render_usage(Usage(0.0, (), 0, 0, 0, 0, 0), 14).description == "No questions in the last 14 day(s)."
    )


def test_usage_gives_the_share_answered_per_day():
    usage = Usage(0.0, (Day("2026-11-27", 4, 3), Day("2026-11-26", 1, 0)), 5, 3, 1, 2, 1)
    card = render_usage(usage, 14)
    assert "5 question(s) from 1 person; 3 answered (60%)" in card.description
    assert "👍 2 · 👎 1" in card.description
    assert card.fields[0].value.splitlines() == [
        "`2026-11-27` 4 asked · 3 answered",
        "`2026-11-26` 1 asked · 0 answered",
    ]


def test_usage_gives_the_share_of_forum_posts_solved_only_when_there_were_posts():
    usage = Usage(0.0, (Day("2026-11-27", 4, 3),), 4, 3, 2, 0, 0)
    card = render_usage(usage, 14, ForumUsage(answered=4, solved=3))
    assert "Forum posts: 4 answered, 3 marked solved (75%)." in card.description
    assert "Forum posts" not in render_usage(usage, 14, ForumUsage(0, 0)).description
    assert "Forum posts" not in render_usage(usage, 14).description


def test_settings_show_the_forums_and_their_follow_ups():
    current = GuildSettings(frozenset(), False, RateLimit(0, 0.0), 3, False, None, frozenset({8}), True)
    card = render_settings(current, Overrides(forum_channels=frozenset({8})), content_intent=False)
    forums = next(f for f in card.fields if f.name.startswith("Forums"))
    assert forums.name.endswith("(this server)") and "<#8>" in forums.value
    assert "Message Content" in forums.value
    followups = next(f for f in card.fields if f.name.startswith("Follow-ups in forum posts"))
    assert followups.name.endswith("(default)") and followups.value.startswith("every message")


def test_settings_say_which_are_this_servers_own():
    current = GuildSettings(frozenset({5}), True, RateLimit(0, 0.0), 2, False, None)
    card = render_settings(current, Overrides(threads=True, cooldown="0"), content_intent=False)
    names = [f.name for f in card.fields]
    assert "Answers in threads (this server)" in names and "Cooldown (this server)" in names
    assert "Answer channels (default)" in names
    channels = card.fields[0].value
    assert "<#5>" in channels and "Message Content" in channels
