"""/gaps and /stats over the wire: questions asked in Discord, answered by the real engine,
kept in the real SQLite store, reported back grouped."""

from __future__ import annotations

import pytest

from tests.bot.stores import asks
from tests.bot.wire.harness import running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)


async def ask(fake, question: str) -> dict:
    """Ask with /ask; the answer as the fake stored it (with its id, for clicking)."""
    interaction = await fake.slash("ask", question=question)
    call = await fake.followup(interaction, timeout=30)
    return next(m for m in fake.messages.values() if m.get("embeds") == call.json["embeds"])


def button(message: dict, part: str) -> str:
    return next(
        c["custom_id"] for row in message["components"] for c in row["components"] if part in c["custom_id"]
    )


async def test_gaps_lists_what_was_asked_and_not_answered_grouped(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        await ask(fake, "Who won the 1998 football World Cup?")
        await ask(fake, "Which team won the World Cup in 1998?")
        await ask(fake, "What is the best recipe for pancakes?")
        answered = await ask(fake, "When did Russia invade Ukraine?")
        vote = await fake.click(answered, button(answered, ":down"))
        await fake.response(vote)
        report = await fake.slash("gaps")
        embed = (await fake.followup(report)).json["embeds"][0]
        text = str(embed)
        assert "World Cup" in text and "pancakes" in text and "When did Russia invade Ukraine?" in text
        first = embed["fields"][0]
        assert first["name"].startswith("2×") and "World Cup" in first["name"]
        assert "not answered 2" in first["value"]
        assert any("👎 1" in f["value"] for f in embed["fields"])


async def test_stats_counts_questions_answers_and_feedback(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        await ask(fake, "What is the best recipe for pancakes?")
        answered = await ask(fake, "When did Russia invade Ukraine?")
        await fake.response(await fake.click(answered, button(answered, ":up")))
        report = await fake.slash("stats", days=7)
        embed = (await fake.followup(report)).json["embeds"][0]
        assert "2 question(s) from 2 people; 1 answered (50%)" in embed["description"]
        assert "👍 1 · 👎 0" in embed["description"]
        assert "2 asked · 1 answered" in embed["fields"][0]["value"]


async def test_gaps_is_for_managers_and_reports_only_this_server(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        asks.refused(bot.store, "Asked in another server?", user_id=9, guild_id=1)
        member = fake.plain_member()
        refused = await fake.slash("gaps", user=member)
        assert "Manage Server" in (await fake.response(refused)).json["data"]["content"]
        report = await fake.slash("gaps")
        embed = (await fake.followup(report)).json["embeds"][0]
        assert "another server" not in str(embed) and "Nothing to report" in embed["description"]
