"""The asks and votes database: a real SQLite file."""

from __future__ import annotations

import sqlite3
import time

import pytest

from bot.stores.feedback import SCHEMA, Day, FeedbackStore
from tests.bot.stores import asks


@pytest.fixture
def store(tmp_path):
    s = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    yield s
    s.close()


def test_an_ask_round_trips_with_the_asker_hashed(store):
    ask_id = store.record_ask(
        "Who?", passage_ids=["a#p1", "a#p2"], focus="a#p2", answered=True, results=3, user_id=123456789
    )
    ask = store.ask(ask_id)
    assert ask.question == "Who?" and ask.passage_ids == ("a#p1", "a#p2") and ask.focus == "a#p2"
    assert ask.answered and ask.results == 3
    assert ask.asker == store.user_key(123456789) and "123456789" not in ask.asker
    assert store.ask(ask_id + 1) is None


def test_one_vote_per_person_which_a_changed_mind_replaces(store):
    ask = store.ask(asks.answered(store, "Who?"))
    assert store.vote(ask, 7, 1) is True
    assert store.vote(ask, 7, 1) is False
    assert store.vote(ask, 8, 1) is True
    assert store.votes(ask.id) == (2, 0)
    assert store.vote(ask, 7, -1) is True
    assert store.votes(ask.id) == (1, 1)
    with pytest.raises(ValueError):
        store.vote(ask, 7, 0)


def test_the_hash_secret_survives_a_reopen_and_differs_between_databases(tmp_path):
    first = FeedbackStore(tmp_path / "one.sqlite3")
    key = first.user_key(42)
    first.close()
    again = FeedbackStore(tmp_path / "one.sqlite3")
    other = FeedbackStore(tmp_path / "two.sqlite3")
    assert again.user_key(42) == key != other.user_key(42)
    again.close()
    other.close()


def test_the_secret_lives_outside_the_database_readable_by_the_owner_only(store):
    asks.answered(store, "Who?")
    assert store.secret_path.stat().st_mode & 0o777 == 0o600
    assert store.secret_path.read_text().encode() not in store.path.read_bytes()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(OSError, match="cannot be used"):
        FeedbackStore(path)
    assert path.read_bytes().startswith(b"this is not sqlite")  # nothing overwritten


def test_rows_hold_question_passages_vote_user_and_time(store):
    ask = store.ask(
        store.record_ask("When?", passage_ids=["a#p3"], focus="a#p3", answered=False, results=2, user_id=5)
    )
    store.vote(ask, 5, -1)
    with sqlite3.connect(store.path) as db:
        row = db.execute("SELECT question, passage_ids, vote, user, created FROM feedback").fetchone()
    assert row[:3] == ("When?", '["a#p3"]', -1) and row[3] == store.user_key(5) and row[4] > 0


def test_gaps_are_refused_low_confidence_or_downvoted_questions_in_one_server(store):
    asks.refused(store, "Who won?", guild_id=10)
    asks.answered(store, "Why so?", guild_id=10, confidence="low confidence")
    liked = store.ask(asks.answered(store, "When?", "a#p2", user_id=2, guild_id=10))
    disliked = store.ask(asks.answered(store, "Where?", "a#p3", user_id=2, guild_id=10))
    store.vote(liked, 5, 1)
    store.vote(disliked, 5, -1)
    asks.refused(store, "Elsewhere?", user_id=3, guild_id=20)
    gaps = store.gaps(0.0, guild_id=10)
    assert [(g.question, g.reason) for g in gaps] == [
        ("Where?", "👎"),
        ("Why so?", "low confidence"),
        ("Who won?", "not answered"),
    ]
    assert {g.question for g in store.gaps(0.0)} == {"Where?", "Why so?", "Who won?", "Elsewhere?"}
    assert store.gaps(time.time() + 60) == []


def test_usage_counts_questions_per_day_answers_people_and_votes(store):
    for user, answered in ((1, True), (1, False), (2, True)):
        store.record_ask(
            "Q?", passage_ids=["a#p1"], focus="a#p1", answered=answered, results=3, user_id=user, guild_id=10
        )
    ask = store.ask(asks.answered(store, "Q?", user_id=3, guild_id=10))
    store.vote(ask, 1, -1)
    store.vote(ask, 2, 1)
    usage = store.usage(0.0, guild_id=10)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert usage.days == (Day(today, 4, 3),)
    assert (usage.asked, usage.answered, usage.people, usage.up, usage.down) == (4, 3, 3, 1, 1)
    assert store.usage(0.0, guild_id=99).asked == 0


def test_a_schema_1_database_gains_the_new_columns_and_keeps_its_asks(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA)  # the tables as schema 1 made them
    old.execute(
        "INSERT INTO asks (question, passage_ids, focus, answered, results, asker, created)"
        " VALUES ('Old?', '[]', '', 0, 3, 'x', 1.0)"
    )
    old.commit()
    old.close()
    store = FeedbackStore(path)
    assert [g.question for g in store.gaps(0.0)] == ["Old?"]
    asks.refused(store, "New?", guild_id=5)
    assert [g.question for g in store.gaps(0.0, guild_id=5)] == ["New?"]
    store.close()
