"""Per-server settings in the real SQLite file: forums and follow-ups in forum posts."""

from __future__ import annotations

import sqlite3

from bot.config import bot_config
from bot.stores.database import database_path
from bot.stores.guild_settings import GuildSettingsStore, in_force

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"
GUILD = 1
OLD_SCHEMA = """
CREATE TABLE guild_settings (
    guild_id INTEGER PRIMARY KEY, answer_channels TEXT, threads INTEGER, cooldown TEXT,
    results INTEGER, private INTEGER, editor_role INTEGER, updated REAL NOT NULL
);
INSERT INTO guild_settings VALUES (1, '[5]', 1, NULL, 2, NULL, NULL, 0);
"""


def test_forums_start_from_the_operators_own_here_and_survive_a_reopen(tmp_path):
    config = bot_config({"DISCORD_TOKEN": TOKEN, "FORUM_CHANNEL_IDS": "7,99"})
    path = database_path(tmp_path)
    store = GuildSettingsStore(path)
    assert not store.any_forums()
    here = frozenset({7, 8})  # 99 is another server's forum
    store.set_channel(GUILD, 8, True, config.forum_channel_ids, here, setting="forum_channels")
    store.update(GUILD, forum_followups=True)
    store.close()
    again = GuildSettingsStore(path)
    try:
        assert again.any_forums() and not again.any_answer_channels()
        settings = in_force(config, 3, again.get(GUILD))
        assert settings.forum_channel_ids == {7, 8} and settings.forum_followups
        again.set_channel(GUILD, 7, False, config.forum_channel_ids, here, setting="forum_channels")
        assert in_force(config, 3, again.get(GUILD)).forum_channel_ids == {8}
    finally:
        again.close()


def test_the_operators_forums_and_no_followups_apply_where_a_server_set_nothing(tmp_path):
    config = bot_config({"DISCORD_TOKEN": TOKEN, "FORUM_CHANNEL_IDS": "7,99"})
    store = GuildSettingsStore(database_path(tmp_path))
    try:
        settings = in_force(config, 3, store.get(GUILD))
        assert settings.forum_channel_ids == {7, 99} and not settings.forum_followups
        assert settings.in_server(frozenset({7, 8})).forum_channel_ids == {7}
    finally:
        store.close()


def test_a_database_from_before_forums_gains_their_columns_and_keeps_its_settings(tmp_path):
    path = database_path(tmp_path)
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
    store = GuildSettingsStore(path)
    try:
        own = store.get(GUILD)
        assert own.answer_channels == {5} and own.threads and own.results == 2
        assert own.forum_channels is None and own.forum_followups is None
        store.update(GUILD, forum_followups=False)
        assert store.get(GUILD).forum_followups is False
    finally:
        store.close()
