"""Logs at LOG_LEVEL=DEBUG hold no question text and no token: discord.py's own DEBUG lines carry
gateway payloads (message content, interaction tokens) and webhook URLs (interaction tokens)."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import pytest

from tests.bot.wire.harness import bot_env, line_with, reply_to, start_bot

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

MARKER = "Zanzibarquux"


async def test_debug_logs_hold_neither_the_question_nor_any_token(tmp_path, builtin_index_dir, fake):
    proc = await start_bot(bot_env(tmp_path, builtin_index_dir, fake, LOG_LEVEL="DEBUG"))
    seen: list[str] = []
    try:
        await line_with(proc, "ready as", seen)
        drain = asyncio.create_task(line_with(proc, "never logged", seen))
        asked = await fake.message(f"<@{fake.app_id}> Who visited Russia, {MARKER}?", mentions_bot=True)
        assert (await reply_to(fake, asked, timeout=30)).json["embeds"]
        interaction = await fake.slash("ask", question=f"What did NATO report, {MARKER}?")
        assert MARKER in (await fake.followup(interaction, timeout=30)).json["embeds"][0]["title"]
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        with contextlib.suppress(AssertionError):  # "ended without logging": it ended
            await asyncio.wait_for(drain, 10)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = "".join(seen)
    assert "citebot stopped" in log and any(line.startswith("DEBUG ") for line in log.splitlines())
    assert MARKER not in log
    assert fake.token not in log and interaction["token"] not in log
