"""``python -m bot`` as the operator runs it: exit codes, one-line errors, the ready line, signals."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.wire.harness import ROOT, bot_env, fake_discord, line_with, reply_to, sent_messages, start_bot

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

# Put on the bot's PYTHONPATH (as sitecustomize, which Python imports at start): while the file
# CITEBOT_HOLD_MODEL names exists, a pass through the model waits, having made that file's
# ".working" twin; the test holds the model of a real ``python -m bot`` as SlowEngine does in-process.
HOLD_HOOK = """
import os, time
from pathlib import Path

hold = os.environ.get("CITEBOT_HOLD_MODEL")
if hold:
    from index.answering.engine import Engine

    answer_many = Engine.answer_many

    def held(self, questions, ks=None, histories=None):
        if Path(hold).exists():
            Path(hold + ".working").touch()
            deadline = time.monotonic() + 60
            while Path(hold).exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return answer_many(self, questions, ks, histories)

    Engine.answer_many = held
"""


def holding(env: dict[str, str], tmp_path: Path) -> tuple[Path, Path]:
    """Let the test hold the bot's model: the file to create (and delete to let it go), and the
    file the bot creates when a pass through the model begins while held."""
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(HOLD_HOOK, encoding="utf-8")
    hold = tmp_path / "hold-model"
    env["CITEBOT_HOLD_MODEL"] = str(hold)
    env["PYTHONPATH"] = os.pathsep.join([str(hooks), env["PYTHONPATH"]])
    return hold, Path(f"{hold}.working")


async def appears(path: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def bot_process(env: dict[str, str], *args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot``, killed at the end if the test left it running."""
    proc = await start_bot(env, *args)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_missing_token_is_one_line_and_exit_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "DISCORD_TOKEN" in done.stderr and "Traceback" not in done.stderr


def test_a_bad_setting_in_env_file_names_the_key(tmp_path):
    (tmp_path / ".env").write_text("DISCORD_TOKEN=abc.def.ghi\nUSER_RATE_LIMIT=lots\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "USER_RATE_LIMIT" in done.stderr and "Traceback" not in done.stderr
    assert "abc.def.ghi" not in done.stderr


@pytest.mark.parametrize(
    ("fake_kwargs", "extra", "expected"),
    [
        ({"token": "another.real.token"}, {}, "DISCORD_TOKEN was rejected"),
        ({"privileged_intents_enabled": False}, {"ANSWER_CHANNEL_IDS": "1"}, "Message Content Intent"),
    ],
    ids=["rejected-token", "intent-not-enabled"],
)
async def test_refusals_from_discord_are_one_line_and_exit_2(
    tmp_path, builtin_index_dir, fake_kwargs, extra, expected
):
    async with fake_discord(**fake_kwargs) as fake:
        env = bot_env(tmp_path, builtin_index_dir, fake, **extra)
        if "token" in fake_kwargs:
            env["DISCORD_TOKEN"] = "the.wrong.token"
        async with bot_process(env) as proc:
            _, err = await asyncio.wait_for(proc.communicate(), 120)
    text = err.decode()
    assert proc.returncode == 2, text
    assert expected in text and "Traceback" not in text and "the.wrong.token" not in text
    assert [line for line in text.splitlines() if line.startswith("citebot:")] == [
        text.strip().splitlines()[-1]
    ]


async def test_runs_answers_and_stops_cleanly_on_sigterm_and_ctrl_c(tmp_path, builtin_index_dir, fake):
    env = bot_env(tmp_path, builtin_index_dir, fake)
    hold, working = holding(env, tmp_path)
    for sig, level in ((signal.SIGTERM, "INFO"), (signal.SIGINT, "DEBUG")):
        env["LOG_LEVEL"] = level  # the token is never logged, not even at DEBUG
        seen: list[str] = []
        async with bot_process(env) as proc:
            ready = await line_with(proc, "ready as", seen)
            assert "citebot" in ready and "1 guild" in ready
            assert "oauth2/authorize?client_id=" in ready and "applications.commands" in ready
            drain = asyncio.create_task(line_with(proc, "never logged", seen))  # keep the pipe empty
            asked = await fake.message(f"<@{fake.app_id}> Who visited Russia on Tuesday?", mentions_bot=True)
            assert (await reply_to(fake, asked, timeout=30)).json["embeds"]
            working.unlink(missing_ok=True)
            hold.touch()  # the model takes as long as the test says: "thinking…" may not wait for it
            try:
                interaction = await fake.slash("ask", question="What did NATO report on Monday?")
                first = await fake.response(interaction, timeout=3.0)
                assert first.json["type"] == 5  # thinking…
                await appears(working)  # the model is on it, and held there
                assert fake.callbacks(interaction) == [first]  # the answer comes after
            finally:
                hold.unlink(missing_ok=True)
            followup = await fake.followup(interaction)
            assert fake.callbacks(interaction) == [first, followup]
            assert "NATO" in followup.json["embeds"][0]["description"]
            puts = [c for c in fake.calls if c.method == "PUT"]
            assert len(puts) == 1  # synced on the first start only: the command set did not change
            proc.send_signal(sig)
            await asyncio.wait_for(proc.wait(), 30)
            with contextlib.suppress(AssertionError):  # "ended without logging": it ended
                await drain
        log = "".join(seen)
        assert proc.returncode == 0, log
        assert "Traceback" not in log and fake.token not in log and "citebot stopped" in log
    data = tmp_path / "data"
    assert not (data / "feedback.sqlite3-wal").exists()  # the database was closed, not abandoned
    assert all(b["allowed_mentions"]["parse"] == [] for b in sent_messages(fake))


async def test_a_second_signal_exits_at_once_with_code_1(tmp_path, builtin_index_dir, fake):
    env = bot_env(tmp_path, builtin_index_dir, fake)
    hold, working = holding(env, tmp_path)
    seen: list[str] = []
    try:
        async with bot_process(env) as proc:
            await line_with(proc, "ready as", seen)
            hold.touch()  # an answer the clean close waits for: the model's pass is held
            await fake.message(f"<@{fake.app_id}> Who visited Russia on Tuesday?", mentions_bot=True)
            await appears(working)
            proc.send_signal(signal.SIGINT)
            await line_with(proc, "SIGINT received: closing", seen, timeout=10)
            await line_with(proc, "waiting for 1 pending answer", seen, timeout=10)
            proc.send_signal(signal.SIGTERM)  # the operator will not wait
            await line_with(proc, "SIGTERM received again: exiting now", seen, timeout=10)
            await asyncio.wait_for(proc.wait(), 10)
            assert proc.returncode == 1, "".join(seen)
    finally:
        hold.unlink(missing_ok=True)
    assert "citebot stopped" not in "".join(seen)


@pytest.mark.parametrize("setting", ["answer_channels", "forum_channels"])
async def test_answer_channels_set_in_a_server_never_stop_the_bot_when_the_intent_is_off(
    tmp_path, builtin_index_dir, setting
):
    from bot.stores.guild_settings import GuildSettingsStore

    async with fake_discord(privileged_intents_enabled=False) as fake:
        env = bot_env(tmp_path, builtin_index_dir, fake)
        store = GuildSettingsStore(tmp_path / "data" / "feedback.sqlite3")
        channel = fake.other_channel_id if setting == "answer_channels" else fake.forum_id
        store.update(int(fake.guild_id), **{setting: frozenset({int(channel)})})  # /settings channel, forum
        store.close()
        seen: list[str] = []
        async with bot_process(env) as proc:
            await line_with(proc, "connecting without it", seen)
            await line_with(proc, "ready as", seen)
            asked = await fake.message(f"<@{fake.app_id}> Who visited Russia on Tuesday?", mentions_bot=True)
            assert (await reply_to(fake, asked, timeout=30)).json["embeds"]
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 30)
            assert proc.returncode == 0, "".join(seen)
