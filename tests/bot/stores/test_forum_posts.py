"""The forum posts answered and solved: a real SQLite file, shared with the feedback store."""

from __future__ import annotations

import sqlite3

import pytest

from bot.stores.database import database_path
from bot.stores.feedback import FeedbackStore
from bot.stores.forum_posts import ForumPosts, ForumUsage

GUILD, OTHER = 1, 2


@pytest.fixture
def posts(tmp_path):
    s = ForumPosts(database_path(tmp_path / "data"))
    yield s
    s.close()


def test_a_post_is_answered_once_and_solved_once(posts):
    assert not posts.is_answered(10)
    posts.answered(10, GUILD, at=100.0)
    assert posts.is_answered(10)
    posts.answered(10, GUILD, at=200.0)  # a second answer changes nothing
    assert posts.usage(GUILD, since=150.0) == ForumUsage(0, 0)  # still answered at 100
    assert posts.solved(10, GUILD, at=300.0) is True
    assert posts.solved(10, GUILD, at=400.0) is False
    assert posts.usage(GUILD, since=0.0) == ForumUsage(1, 1)


def test_usage_and_solved_posts_are_per_server_and_window(posts):
    for thread_id, guild_id, at in ((10, GUILD, 100.0), (11, GUILD, 200.0), (12, OTHER, 200.0)):
        posts.answered(thread_id, guild_id, at=at)
    posts.solved(11, GUILD)
    posts.solved(12, OTHER)
    usage = posts.usage(GUILD, since=0.0)
    assert usage == ForumUsage(2, 1) and usage.share_solved == 0.5
    assert posts.solved_posts(GUILD) == {11}
    assert posts.solved_posts(GUILD, since=300.0) == frozenset()
    assert ForumUsage(0, 0).share_solved == 0.0


def test_a_post_solved_before_its_answer_was_recorded_counts_as_answered(posts):
    assert posts.solved(20, GUILD, at=50.0) is True
    assert posts.usage(GUILD, since=0.0) == ForumUsage(1, 1)


def test_prune_forgets_posts_answered_before_a_time(posts):
    posts.answered(10, GUILD, at=100.0)
    posts.answered(11, GUILD, at=300.0)
    assert posts.prune(200.0) == 1
    assert posts.usage(GUILD, since=0.0) == ForumUsage(1, 0)


def test_kept_in_the_feedback_database_file_beside_its_tables(tmp_path, posts):
    feedback = FeedbackStore(posts.path)
    try:
        posts.answered(10, GUILD, at=100.0)
        with sqlite3.connect(posts.path) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"forum_posts", "asks", "feedback"} <= tables
    finally:
        feedback.close()
