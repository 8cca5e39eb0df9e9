"""``python -m bot`` as the operator runs it: exit codes, one-line errors, the ready line, signals."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import ROOT, bot_env, line_with, reply_to, sent_messages, start_bot

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)


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
def test_refusals_from_discord_are_one_line_and_exit_2(
    tmp_path, builtin_index_dir, fake_kwargs, extra, expected
):
    async def scenario() -> None:
        fake = FakeDiscord(**fake_kwargs)
        await fake.start()
        env = bot_env(tmp_path, builtin_index_dir, fake, **extra)
        if "token" in fake_kwargs:
            env["DISCORD_TOKEN"] = "the.wrong.token"
        proc = await start_bot(env)
        _, err = await asyncio.wait_for(proc.communicate(), 120)
        await fake.stop()
        text = err.decode()
        assert proc.returncode == 2, text
        assert expected in text and "Traceback" not in text and "the.wrong.token" not in text
        assert [line for line in text.splitlines() if line.startswith("citebot:")] == [
            text.strip().splitlines()[-1]
        ]

    asyncio.run(scenario())


async def test_runs_answers_and_stops_cleanly_on_sigterm_and_ctrl_c(tmp_path, builtin_index_dir, fake):
    env = bot_env(tmp_path, builtin_index_dir, fake)
    for sig, level in ((signal.SIGTERM, "INFO"), (signal.SIGINT, "DEBUG")):
        env["LOG_LEVEL"] = level  # the token is never logged, not even at DEBUG
        seen: list[str] = []
        proc = await start_bot(env)
        ready = await line_with(proc, "ready as", seen)
        assert "citebot" in ready and "1 guild" in ready
        assert "oauth2/authorize?client_id=" in ready and "applications.commands" in ready
        drain = asyncio.create_task(line_with(proc, "never logged", seen))  # keep the pipe empty
        asked = await fake.message(f"<@{fake.app_id}> Who visited Russia on Tuesday?", mentions_bot=True)
        assert (await reply_to(fake, asked, timeout=30)).json["embeds"]
        started = time.monotonic()
        interaction = await fake.slash("ask", question="What did NATO report on Monday?")
        followup = await fake.followup(interaction)
        first = fake.callbacks(interaction)[0]
        assert first.json["type"] == 5 and first.at - started < 3.0
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


def test_answer_channels_set_in_a_server_never_stop_the_bot_when_the_intent_is_off(
    tmp_path, builtin_index_dir
):

    from bot.stores.guild_settings import GuildSettingsStore

    async def scenario() -> None:
        fake = FakeDiscord(privileged_intents_enabled=False)
        await fake.start()
        env = bot_env(tmp_path, builtin_index_dir, fake)
        store = GuildSettingsStore(tmp_path / "data" / "feedback.sqlite3")
        store.update(int(fake.guild_id), answer_channels=frozenset({int(fake.other_channel_id)}))
        store.close()
        seen: list[str] = []
        proc = await start_bot(env)
        await line_with(proc, "connecting without it", seen)
        await line_with(proc, "ready as", seen)
        asked = await fake.message(f"<@{fake.app_id}> Who visited Russia on Tuesday?", mentions_bot=True)
        assert (await reply_to(fake, asked, timeout=30)).json["embeds"]
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        assert proc.returncode == 0, "".join(seen)
        await fake.stop()

    asyncio.run(scenario())
