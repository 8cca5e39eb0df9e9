"""``make run`` (``python -m bot.launch``): the bot when a token is set, the console otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def launch(tmp_path: Path, stdin: str, env_file: str | None = None) -> subprocess.CompletedProcess:
    if env_file is not None:
        (tmp_path / ".env").write_text(env_file, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot.launch"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_a_token_it_is_the_console(tmp_path, builtin_index_dir):
    done = launch(tmp_path, "Who visited Russia on Tuesday?\n", f"INDEX_DIR={builtin_index_dir}\n")
    assert done.returncode == 0, done.stderr
    assert "❓ Who visited Russia on Tuesday?" in done.stdout


def test_with_a_token_in_env_file_it_is_the_bot(tmp_path):
    # a bad bot setting proves the bot's path was taken, before any model or network
    done = launch(tmp_path, "", "DISCORD_TOKEN=abc.def.ghi\nANSWER_IN_THREAD=perhaps\n")
    assert done.returncode == 2
    assert done.stderr.strip() == "citebot: ANSWER_IN_THREAD='perhaps' must be true or false"


def test_an_unreadable_env_file_is_one_line(tmp_path):
    (tmp_path / ".env").write_bytes(b"DISCORD_TOKEN=\xff\xfe\n")
    done = launch(tmp_path, "")
    assert done.returncode == 2 and done.stderr.startswith("citebot: cannot read .env")
    assert "Traceback" not in done.stderr
