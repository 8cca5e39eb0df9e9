"""The feedback database's key and files: never left empty, never replaced under recorded asks,
readable by the owner only, and questions kept no longer than RETENTION_DAYS."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.stores.feedback import FeedbackStore
from tests.bot.stores import asks
from tests.bot.wire.harness import bot_env


def damage_key(store: FeedbackStore, text: str) -> Path:
    store.close()
    store.secret_path.write_text(text, encoding="ascii")
    return store.secret_path


def key_bytes(path: Path) -> bytes:
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


@pytest.mark.parametrize("text", ["", "abcd", "not hex at all"], ids=["empty", "short", "garbage"])
def test_a_damaged_key_is_made_anew_while_no_ask_was_hashed_with_it(tmp_path, text):
    path = damage_key(FeedbackStore(tmp_path / "feedback.sqlite3"), text)
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    assert len(key_bytes(path)) == 32 and path.stat().st_mode & 0o777 == 0o600
    assert store.user_key(1) == FeedbackStore(tmp_path / "feedback.sqlite3").user_key(1)  # kept
    store.close()


@pytest.mark.parametrize("text", ["", "abcd"], ids=["empty", "short"])
def test_a_damaged_key_under_recorded_asks_stops_with_one_line_and_is_kept(tmp_path, text):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    asks.answered(store, "Who?")
    path = damage_key(store, text)
    with pytest.raises(OSError) as caught:
        FeedbackStore(tmp_path / "feedback.sqlite3")
    message = str(caught.value)
    assert str(path) in message and "32 bytes" in message and "\n" not in message
    assert path.read_text(encoding="ascii") == text  # nothing replaced: a backup can still go back


def test_a_new_key_is_written_and_synced_before_it_appears_under_its_name(tmp_path, monkeypatch):
    key_path = tmp_path / "feedback.key"
    seen: list[tuple[bool, bytes]] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        if os.path.isfile(f"/proc/self/fd/{fd}"):
            with open(f"/proc/self/fd/{fd}", "rb") as f:
                seen.append((key_path.exists(), f.read()))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.close()
    written = key_path.read_bytes()
    assert (False, written) in seen and len(bytes.fromhex(written.decode())) == 32


def test_the_bot_stops_with_exit_2_on_a_damaged_key_under_recorded_asks(tmp_path, builtin_index_dir):
    # loopback addresses that are never reached: the key stops the bot before it connects
    env = bot_env(
        tmp_path,
        builtin_index_dir,
        None,
        DISCORD_TOKEN="abc.def.ghi",
        DISCORD_API_BASE="http://127.0.0.1:9/api",
        DISCORD_GATEWAY_URL="ws://127.0.0.1:9/gateway",
    )
    data = tmp_path / "data"
    store = FeedbackStore(data / "feedback.sqlite3")
    asks.answered(store, "Who?")
    damage_key(store, "")
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("citebot: the feedback key") and "Traceback" not in done.stderr
    assert (data / "feedback.key").read_text() == ""


def files_of(store: FeedbackStore) -> list[Path]:
    return [
        store.path,
        store.path.with_name(store.path.name + "-wal"),
        store.path.with_name(store.path.name + "-shm"),
    ]


def test_the_database_and_its_wal_and_shm_files_are_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask: new files world-readable
    try:
        store = FeedbackStore(tmp_path / "feedback.sqlite3")
        asks.answered(store, "Who asked this?")
        assert all(path.exists() for path in files_of(store))
        assert [path.stat().st_mode & 0o777 for path in files_of(store)] == [0o600] * 3
        store.close()
    finally:
        os.umask(old)


def test_a_world_readable_database_from_before_is_made_owner_only(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    asks.answered(store, "Who asked this?")
    for path in files_of(store):
        path.chmod(0o644)
    store.close()
    again = FeedbackStore(tmp_path / "feedback.sqlite3")
    assert [path.stat().st_mode & 0o777 for path in files_of(again) if path.exists()] == [0o600] * 3
    again.close()


def gaps_steps(store: FeedbackStore, since: float) -> tuple[int, int]:
    """(gaps found, SQLite VM steps in thousands) for one /gaps read."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store._db.set_progress_handler(count, 1000)
    try:
        found = len(store.gaps(since))
    finally:
        store._db.set_progress_handler(None, 1000)
    return found, steps[0]


def test_gaps_read_only_their_window_however_much_is_older(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    now = time.time()
    for n in range(5):
        ask = store.ask(asks.answered(store, f"Recent {n}?", user_id=n))
        store.vote(ask, n, -1)
    before = gaps_steps(store, now - 3600)
    old = [(f"Old {n}?", "[]", "", 0, 3, "x", now - 30 * 86_400) for n in range(20_000)]
    store._db.execute("BEGIN")
    store._db.executemany(
        "INSERT INTO asks (question, passage_ids, focus, answered, results, asker, created)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        old,
    )
    store._db.execute(
        "INSERT INTO feedback (ask_id, user, vote, question, passage_ids, created)"
        " SELECT id, 'u', -1, question, '[]', created FROM asks WHERE question LIKE 'Old%'"
    )
    store._db.execute("COMMIT")
    after = gaps_steps(store, now - 3600)
    assert before[0] == after[0] == 5
    assert after[1] <= before[1] + 1  # 20,000 older asks and votes were not read
    store.close()


def test_a_missing_key_under_recorded_asks_is_made_anew_and_said_in_the_log(tmp_path, caplog):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    asks.answered(store, "Who?", user_id=42)
    secret = store.secret_path
    store.close()
    secret.unlink()
    with caplog.at_level("WARNING", logger="bot.stores.feedback"):
        again = FeedbackStore(tmp_path / "feedback.sqlite3")
    assert len(bytes.fromhex(again.secret_path.read_text())) == 32
    assert "feedback key" in caplog.text and "missing" in caplog.text
    again.close()
