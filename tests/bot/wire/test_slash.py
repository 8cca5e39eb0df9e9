"""Slash commands over the wire: /ask defers at once and follows up; /passage, /sources, /help."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from bot.render.answer import render_card
from bot.render.embed import card_embed
from tests.bot.wire.harness import Held, running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)


QUESTION = "Where could North Korean troops be deployed?"


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for ``condition`` (something the bot does that sends nothing, e.g. a log line)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        await asyncio.sleep(0.01)


async def test_ask_defers_within_three_seconds_then_follows_up_with_the_answer(engine, tmp_path, fake):
    held = Held(engine)
    async with running(held, tmp_path, fake):
        with held.held():  # however long the model takes, "thinking…" comes at once
            interaction = await fake.slash("ask", question=QUESTION)
            first = await fake.response(interaction, timeout=3.0)
            assert first.json["type"] == 5  # thinking…
            await held.wait_working()  # the model is on it, and kept on it
            assert fake.callbacks(interaction) == [first]  # no answer yet: it comes after
        followup = await fake.followup(interaction)
        assert fake.callbacks(interaction) == [first, followup]
        assert followup.query.get("wait") in ("true", "1")
        expected = card_embed(render_card(engine.answer(QUESTION, 3))).to_dict()
        assert followup.json["embeds"][0]["description"] == expected["description"]
        assert followup.json["allowed_mentions"]["parse"] == []
        assert not followup.json.get("flags")


async def test_ask_private_and_results_are_honoured(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        interaction = await fake.slash("ask", question=QUESTION, results=5, private=True)
        followup = await fake.followup(interaction)
        defer = fake.callbacks(interaction)[0]
        assert defer.json["data"]["flags"] == 64
        assert followup.json["flags"] & 64
        assert len(followup.json["embeds"][0]["fields"]) == 5


async def test_passage_shows_the_passage_with_its_neighbours(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        middle = engine.passage_ids()[4]
        call = await fake.response(await fake.slash("passage", id=middle))
        embed = call.json["data"]["embeds"][0]
        names = [f["name"] for f in embed["fields"]]
        assert len(names) == 3 and middle in names[1] and names[1].startswith("▶")
        assert embed["fields"][1]["value"].startswith("**")


async def test_unknown_passage_id_gets_a_private_hint(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        call = await fake.response(await fake.slash("passage", id="nope**@everyone"))
        data = call.json["data"]
        assert data["flags"] == 64 and "No passage has the id" in data["content"]
        assert "\\*\\*" in data["content"] and data["allowed_mentions"]["parse"] == []


async def test_passage_autocomplete_offers_matching_ids(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        call = await fake.response(await fake.autocomplete("passage", "id", "pentagon"))
        assert call.json["type"] == 8
        choices = call.json["data"]["choices"]
        assert choices and all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
        for choice in choices:
            assert "pentagon" in engine.passage(choice["value"]).text.lower()


async def test_sources_lists_the_indexed_articles(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        call = await fake.response(await fake.slash("sources"))
        embed = call.json["data"]["embeds"][0]
        article = engine.sources()[0]
        assert embed["fields"][0]["name"] == article.title
        assert f"{article.passages} passages" in embed["fields"][0]["value"]
        assert engine.manifest.built_at in embed["description"]


async def test_help_examples_come_from_the_sections_and_are_answered(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        call = await fake.response(await fake.slash("help"))
        embed = call.json["data"]["embeds"][0]
        examples = [line.removeprefix("• ") for line in embed["fields"][0]["value"].splitlines()]
        sections = {p.section.lower() for p in engine.index.passages if p.section}
        assert examples and all(any(s in e for s in sections) for e in examples)
        assert all(engine.answer(e).answered for e in examples)


async def test_an_expired_interaction_is_one_warning_not_a_traceback(engine, tmp_path, caplog, fake):
    async with running(engine, tmp_path, fake):
        fake.fail_next[r"/interactions/\d+/[^/]+/callback"] = [(404, 10062, "Unknown interaction")]
        interaction = await fake.slash("ask", question=QUESTION)
        await fake.response(interaction)
        await until(lambda: "expired before the answer" in caplog.text)  # its handling ended there
        again = await fake.slash("ask", question=QUESTION)
        assert (await fake.followup(again)).json["embeds"]
        assert len(fake.callbacks(interaction)) == 1  # no second try at a dead interaction
    assert "expired before the answer" in caplog.text and "Traceback" not in caplog.text
