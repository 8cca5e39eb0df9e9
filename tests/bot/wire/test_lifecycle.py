"""Command sync and a clean stop, over the wire."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.command_sync import SyncRecord
from bot.delivery import RESTARTING
from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import fake_discord, reply_to, running, slowed

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

QUESTION = "Who visited Russia on Tuesday?"


COMMANDS = {"ask", "passage", "sources", "help", "article", "gaps", "stats", "settings", "Ask citebot"}


def puts(fake: FakeDiscord) -> list:
    return [c for c in fake.calls if c.method == "PUT" and c.path.endswith("/commands")]


async def test_commands_sync_once_then_only_when_changed_or_forced(engine, tmp_path):
    async with fake_discord() as fake:
        async with running(engine, tmp_path, fake):
            (first,) = puts(fake)
            assert first.path == f"/applications/{fake.app_id}/commands"
            commands = {c["name"]: c for c in first.json}
            assert set(commands) == COMMANDS
            assert commands["Ask citebot"]["type"] == 3  # a message's Apps menu
            question = next(o for o in commands["ask"]["options"] if o["name"] == "question")
            assert (question["min_length"], question["max_length"], question["required"]) == (3, 300, True)
            results = next(o for o in commands["ask"]["options"] if o["name"] == "results")
            assert (results["min_value"], results["max_value"]) == (1, 5)
            passage = next(o for o in commands["passage"]["options"] if o["name"] == "id")
            assert passage["autocomplete"] is True
            # the operators' commands: in servers only; /settings shown to managers by default
            assert all(commands[name]["contexts"] == [0] for name in ("article", "gaps", "stats", "settings"))
            assert int(commands["settings"]["default_member_permissions"]) == 1 << 5  # Manage Server
            assert {o["name"] for o in commands["article"]["options"]} == {"add", "list", "remove", "sync"}
        async with running(engine, tmp_path, fake):  # a restart with the same commands
            assert len(puts(fake)) == 1
        record = SyncRecord.in_folder(tmp_path).path  # as if the last sync had sent other commands
        synced = json.loads(record.read_text(encoding="utf-8"))
        assert list(synced) == [f"{fake.app_id}:global"]
        record.write_text(json.dumps(dict.fromkeys(synced, "0" * 64)), encoding="utf-8")
        async with running(engine, tmp_path, fake):  # a restart with changed commands
            assert len(puts(fake)) == 2 and puts(fake)[-1].json == first.json
        async with running(engine, tmp_path, fake):  # and the change recorded
            assert len(puts(fake)) == 2
        async with running(engine, tmp_path, fake, force_sync=True):  # python -m bot --sync
            assert len(puts(fake)) == 3
    async with fake_discord() as other, running(engine, tmp_path, other):  # another application
        assert len(puts(other)) == 1


async def test_a_dev_guild_gets_the_commands_instantly_and_global_is_left_alone(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, DEV_GUILD_ID=fake.guild_id):
        (put,) = puts(fake)
        assert put.path == f"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands"
        assert {c["name"] for c in put.json} == COMMANDS


async def test_a_refused_sync_is_logged_and_the_bot_runs_on(engine, tmp_path, caplog, fake):
    fake.fail_next[r"/applications/\d+/commands"] = [403]
    async with running(engine, tmp_path, fake):
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        assert (await reply_to(fake, asked)).json["embeds"]
    async with running(engine, tmp_path, fake):  # tried again on the next start
        assert len(puts(fake)) == 2
    assert "could not sync slash commands" in caplog.text


@pytest.mark.parametrize(("delay", "grace", "finishes"), [(1.5, 10.0, True), (2.0, 0.2, False)])
async def test_stopping_lets_pending_answers_finish_or_tells_the_asker(
    engine, tmp_path, delay, grace, finishes, fake
):

    slow = slowed(engine, delay)

    async with running(slow, tmp_path, fake) as bot:
        bot.shutdown_grace = grace
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await fake.wait_for(lambda c: c.path.endswith("/typing"))
        await bot.close()
        reply = await reply_to(fake, asked, timeout=1)
        if finishes:
            assert reply.json["embeds"][0]["title"] == QUESTION
        else:
            assert reply.json["content"] == RESTARTING
        with pytest.raises(sqlite3.ProgrammingError):  # the database was closed
            bot.store.ask(1)
