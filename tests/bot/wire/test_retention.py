"""Questions are kept RETENTION_DAYS (default 180) and no longer: pruned with their votes when
the bot starts and every day after, gone from the files on disk too."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

import bot.config
from bot.config import DAY, bot_config
from bot.stores.feedback import FeedbackStore, Pruned
from bot.stores.forum_posts import ForumPosts
from index.config import ConfigError
from tests.bot.stores import asks
from tests.bot.wire.harness import running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)


TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"


def ask_at(store: FeedbackStore, question: str, created: float, voters: tuple[int, ...] = ()) -> int:
    """An ask (and votes on it) recorded ``created`` seconds after the epoch."""
    ask = store.ask(asks.answered(store, question))
    for voter in voters:
        store.vote(ask, voter, -1)
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE asks SET created = ? WHERE id = ?", (created, ask.id))
        db.execute("UPDATE feedback SET created = ? WHERE ask_id = ?", (created, ask.id))
    return ask.id


def on_disk(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_retention_days_default_to_180_and_a_bad_value_is_one_line():
    assert bot_config({"DISCORD_TOKEN": TOKEN}).retention_days == 180
    assert bot_config({"DISCORD_TOKEN": TOKEN, "RETENTION_DAYS": "30"}).retention_days == 30
    for raw in ("0", "-5", "forever", "1.5", "100000"):
        with pytest.raises(ConfigError) as caught:
            bot_config({"DISCORD_TOKEN": TOKEN, "RETENTION_DAYS": raw})
        assert str(caught.value).startswith("RETENTION_DAYS") and "\n" not in str(caught.value)


def test_prune_removes_older_asks_with_all_their_votes_and_keeps_the_rest(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    now = time.time()
    old = ask_at(store, "Secretive old question?", now - 200 * DAY, voters=(7, 8))
    kept = ask_at(store, "Recent question?", now - 10 * DAY, voters=(7,))
    store.vote(store.ask(old), 9, 1)  # a vote given today on an old ask goes with it
    assert store.prune(now - 180 * DAY) == Pruned(asks=1, votes=3)
    assert store.ask(old) is None and store.ask(kept) is not None
    assert store.votes(old) == (0, 0) and store.votes(kept) == (0, 1)
    assert store.prune(now - 180 * DAY) == Pruned(asks=0, votes=0)
    store.close()
    assert b"Secretive old question" not in on_disk(store.path)  # not left in free pages or the WAL


async def test_the_bot_prunes_on_start_and_again_each_day(engine, tmp_path, monkeypatch, fake):
    monkeypatch.setattr(bot.config, "PRUNE_EVERY", 0.2)  # a day, shortened
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    now = time.time()
    before_start = ask_at(store, "Old before the start?", now - 31 * DAY, voters=(5,))
    recent = ask_at(store, "Recent?", now - 29 * DAY)
    store.close()

    async def gone(citebot, ask_id: int) -> None:
        while await citebot.database(citebot.store.ask, ask_id) is not None:
            await asyncio.sleep(0.05)

    posts = ForumPosts(tmp_path / "feedback.sqlite3")
    posts.answered(1, 7, now - 31 * DAY)  # a forum post answered before the window
    posts.answered(2, 7, now - 29 * DAY)
    posts.close()

    async def post_gone(citebot, thread_id: int) -> None:
        while await citebot.database(citebot.forum_posts.is_answered, thread_id):
            await asyncio.sleep(0.05)

    async with running(engine, tmp_path, fake, RETENTION_DAYS="30") as citebot:
        await asyncio.wait_for(gone(citebot, before_start), 10)
        await asyncio.wait_for(post_gone(citebot, 1), 10)
        later = ask_at(citebot.store, "Old since the start?", now - 31 * DAY)
        await asyncio.wait_for(gone(citebot, later), 10)
        assert await citebot.database(citebot.store.ask, recent) is not None
        assert await citebot.database(citebot.forum_posts.is_answered, 2)
