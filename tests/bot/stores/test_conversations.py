"""Conversations in the asks database: a real SQLite file."""

from __future__ import annotations

import sqlite3
import time

import pytest

from bot.stores import feedback
from bot.stores.feedback import SCHEMA, FeedbackStore
from index import MAX_HISTORY
from tests.bot.stores import asks

THREAD = 555


@pytest.fixture
def store(tmp_path):
    s = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    yield s
    s.close()


def set_created(store: FeedbackStore, ask_id: int, created: float) -> None:
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE asks SET created = ? WHERE id = ?", (created, ask_id))


def test_history_is_the_latest_public_questions_of_the_conversation_oldest_first(store):
    for n in range(MAX_HISTORY + 2):
        asks.answered(store, f"Q{n}?", conversation=THREAD)
    asks.answered(store, "Elsewhere?", conversation=THREAD + 1)
    asks.answered(store, "Nowhere?")
    expected = [f"Q{n}?" for n in range(2, MAX_HISTORY + 2)]
    assert store.history(THREAD) == expected
    assert store.history(THREAD + 1) == ["Elsewhere?"]
    assert store.history(THREAD + 2) == []


def test_a_private_question_is_never_history(store):
    asks.answered(store, "Public?", conversation=THREAD)
    private = asks.answered(store, "Private?", conversation=THREAD, private=True)
    assert store.history(THREAD) == ["Public?"]
    assert store.ask(private).conversation == THREAD  # still kept for /gaps and /stats


def test_questions_older_than_the_history_window_are_not_history(store):
    old = asks.answered(store, "Old?", conversation=THREAD)
    asks.answered(store, "New?", conversation=THREAD)
    set_created(store, old, time.time() - feedback.HISTORY_SECONDS - 60)
    assert store.history(THREAD) == ["New?"]
    assert store.history(THREAD, since=0.0) == ["Old?", "New?"]


def test_an_answer_message_leads_back_to_its_conversation_which_a_thread_may_replace(store):
    chained = asks.answered(store, "Chained?", conversation=100)
    threaded = asks.answered(store, "Threaded?", conversation=200)
    store.set_answer_message(chained, 101)
    store.set_answer_message(threaded, 201, conversation=THREAD)  # answered in a thread it opened
    assert store.conversation_of(101) == 100
    assert store.conversation_of(201) == THREAD
    assert store.history(THREAD) == ["Threaded?"] and store.history(200) == []
    assert store.conversation_of(999) is None


def test_gaps_leave_out_the_conversations_excluded(store):
    asks.answered(store, "Solved?", confidence="low confidence", conversation=THREAD)
    asks.answered(store, "Open?", confidence="low confidence", conversation=THREAD + 1)
    asks.refused(store, "Loose?")
    gaps = store.gaps(0.0, excluding=[THREAD])
    assert [(g.question, g.conversation) for g in gaps] == [("Loose?", None), ("Open?", THREAD + 1)]
    assert len(store.gaps(0.0)) == 3


def test_pruning_forgets_old_conversations(store):
    old = asks.answered(store, "Old?", conversation=THREAD)
    store.set_answer_message(old, 101)
    set_created(store, old, 1.0)
    assert store.prune(before=2.0).asks == 1
    assert store.conversation_of(101) is None and store.history(THREAD, since=0.0) == []


def test_a_schema_2_database_gains_conversations_and_keeps_its_asks(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA)
    old.execute("ALTER TABLE asks ADD COLUMN confidence TEXT NOT NULL DEFAULT ''")
    old.execute("ALTER TABLE asks ADD COLUMN guild_id INTEGER")
    old.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    old.execute(
        "INSERT INTO asks (question, passage_ids, focus, answered, results, asker, created, guild_id)"
        " VALUES ('Old?', '[]', '', 0, 3, 'x', ?, 5)",
        (time.time(),),
    )
    old.commit()
    old.close()
    store = FeedbackStore(path)
    try:
        assert [(g.question, g.conversation) for g in store.gaps(0.0, guild_id=5)] == [("Old?", None)]
        new = asks.answered(store, "New?", conversation=THREAD)
        store.set_answer_message(new, 42)
        assert store.conversation_of(42) == THREAD and store.history(THREAD) == ["New?"]
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("3",)
        assert db.execute("SELECT private FROM asks WHERE question = 'Old?'").fetchone() == (0,)
