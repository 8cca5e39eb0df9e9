"""The feedback database's key and files: never left empty, never replaced under recorded asks,
readable by the owner only, and questions kept no longer than RETENTION_DAYS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.feedback import FeedbackStore
from tests.bot.test_bot_process import bot_env


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
    store.record_ask("Who?", ["a#p1"], "a#p1", True, 3, 1)
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
    store.record_ask("Who?", ["a#p1"], "a#p1", True, 3, 1)
    damage_key(store, "")
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("citebot: the feedback key") and "Traceback" not in done.stderr
    assert (data / "feedback.key").read_text() == ""
