"""Questions by message over the wire: mentions, answer channels, threads, DMs."""

from __future__ import annotations

import asyncio

import pytest

from bot.render.answer import render_card
from bot.render.embed import card_embed
from tests.bot.wire.fake_discord import snowflake
from tests.bot.wire.harness import fake_discord, posts, reply_to, running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)


QUESTION = "How many North Korean troops are in Russia for training?"


async def test_mention_gets_a_reply_with_the_consoles_answer_and_pings_nobody(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        call = await reply_to(fake, asked)
        expected = card_embed(render_card(engine.answer(QUESTION))).to_dict()
        embed = call.json["embeds"][0]
        assert embed["title"] == expected["title"] == QUESTION
        assert embed["description"] == expected["description"]
        assert embed["fields"] == expected["fields"]
        assert call.json["allowed_mentions"]["parse"] == []
        assert not call.json["allowed_mentions"].get("replied_user")  # Discord's default: no ping
        assert call.json["message_reference"]["fail_if_not_exists"] is False
        labels = [b.get("label") or b["emoji"]["name"] for b in call.json["components"][0]["components"]]
        assert labels == ["More context", "Next passage", "👍", "👎"]


async def test_a_message_is_decided_once_and_its_ask_written_by_one_thread(
    engine, tmp_path, fake, monkeypatch
):
    """Issue 22, item 11: the question is cleaned once (by the engine), the server's settings
    are read once, and the ask's row is written and then noted by the database's one thread."""
    import sys
    import threading

    import index.words.question

    real = index.words.question.clean_question
    cleaned: list[str] = []

    def counted(text, *args, **kwargs):
        cleaned.append(text)
        return real(text, *args, **kwargs)

    for module in list(sys.modules.values()):  # wherever it was imported by name
        if getattr(module, "clean_question", None) is real:
            monkeypatch.setattr(module, "clean_question", counted)
    async with running(engine, tmp_path, fake) as bot:
        reads, writers = [], []
        get = bot.guild_store.get
        monkeypatch.setattr(bot.guild_store, "get", lambda *a: reads.append(a) or get(*a))
        for name in ("record_ask", "set_answer_message"):
            method = getattr(bot.store, name)

            def written(*a, _method=method, _name=name, **k):
                writers.append((_name, threading.current_thread().name))
                return _method(*a, **k)

            monkeypatch.setattr(bot.store, name, written)
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await reply_to(fake, asked)
        for _ in range(200):  # the answer message is noted just after it is sent
            if len(writers) == 2:
                break
            await asyncio.sleep(0.02)
    assert len(cleaned) == 1 and len(reads) == 1, (cleaned, reads)
    assert [w[0] for w in writers] == ["record_ask", "set_answer_message"]
    assert writers[0][1] == writers[1][1], writers


async def test_bare_mention_gets_a_short_how_to(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        asked = await fake.message(f"<@{fake.app_id}>", mentions_bot=True)
        call = await reply_to(fake, asked)
        assert "/ask" in call.json["content"] and "embeds" not in call.json
        assert call.json["allowed_mentions"]["parse"] == []


async def test_other_bots_itself_and_unmentioned_messages_are_ignored(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        await fake.message(
            f"<@{fake.app_id}> {QUESTION}", author=fake.user("robot", bot=True), mentions_bot=True
        )
        await fake.message(f"<@{fake.app_id}> {QUESTION}", author=fake.bot_user, mentions_bot=True)
        await fake.message(QUESTION)
        marker = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await reply_to(fake, marker)
        assert len(posts(fake)) == 1  # only the marker was answered


async def test_answer_channel_takes_every_message_and_asks_for_message_content(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        assert not fake.identifies[0]["intents"] & (1 << 15)  # not requested without answer channels
    async with fake_discord() as fake:
        async with running(engine, tmp_path, fake, ANSWER_CHANNEL_IDS=fake.other_channel_id):
            assert fake.identifies[0]["intents"] & (1 << 15)
            asked = await fake.message(QUESTION, channel_id=fake.other_channel_id)
            call = await reply_to(fake, asked)
            assert call.json["embeds"][0]["title"] == QUESTION
            await fake.message("", channel_id=fake.other_channel_id)  # an attachment alone asks nothing
            marker = await fake.message(QUESTION, channel_id=fake.other_channel_id)
            await reply_to(fake, marker)
            assert len(posts(fake)) == 2


async def test_answer_in_thread_opens_a_thread_named_after_the_question(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, ANSWER_IN_THREAD="true"):
        await fake.message(f"<@{fake.app_id}> {QUESTION} @everyone", mentions_bot=True)
        thread = await fake.wait_for(lambda c: c.path.endswith("/threads"))
        assert thread.json["name"].startswith(QUESTION)
        assert "@everyone" not in thread.json["name"]  # broken with a zero-width space
        answer = await fake.wait_for(lambda c: c.method == "POST" and c.path.endswith("/messages"))
        assert answer.path != f"/channels/{fake.channel_id}/messages"  # posted in the new thread
        assert answer.json["embeds"][0]["description"].startswith(">")


async def test_direct_messages_are_answered_unless_turned_off(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        asked = await fake.message(QUESTION, guild=False, channel_id="42")
        call = await reply_to(fake, asked)
        assert call.path == "/channels/42/messages"
    async with fake_discord() as fake, running(engine, tmp_path, fake, ANSWER_DMS="false"):
        await fake.message(QUESTION, guild=False, channel_id="42")
        marker = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await reply_to(fake, marker)
        assert len(posts(fake)) == 1


async def test_allow_lists_keep_the_bot_out_of_other_channels(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, ALLOWED_CHANNEL_IDS="5"):
        await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        interaction = await fake.slash("ask", question=QUESTION)
        call = await fake.response(interaction)
        assert call.json["data"]["content"] == "citebot is not enabled in this channel."
        assert call.json["data"]["flags"] == 64
        marker = await fake.message(QUESTION, guild=False, channel_id="42")  # DMs are not a channel
        await reply_to(fake, marker)
        assert [c.path for c in posts(fake)] == ["/channels/42/messages"]  # only the marker's answer
        assert len(fake.callbacks(interaction)) == 1


async def test_a_mention_in_the_text_counts_even_without_the_mentions_list(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        asked = await fake.message(f"<@!{fake.app_id}> {QUESTION}", mentions_bot=False)
        assert (await reply_to(fake, asked)).json["embeds"][0]["title"] == QUESTION


async def test_webhook_system_and_own_messages_are_ignored(engine, tmp_path, fake):
    here = fake.other_channel_id  # an answer channel: there every message is a question
    async with running(engine, tmp_path, fake, ANSWER_CHANNEL_IDS=here):
        # not a bot account (so only the webhook check can stop it), posted through a webhook
        hook = await fake.message(
            QUESTION, author=fake.user("Captain Hook"), channel_id=here, webhook_id=snowflake()
        )
        # "… started a thread": a system message whose content is the thread's name
        system = await fake.message(QUESTION, channel_id=here, kind=18)
        own = await fake.message(QUESTION, author=fake.bot_user, channel_id=here)
        marker = await fake.message(QUESTION, channel_id=here)
        await reply_to(fake, marker)
        answered = [str(c.json["message_reference"]["message_id"]) for c in posts(fake)]
        assert answered == [marker["id"]], {
            "webhook": hook["id"],
            "system": system["id"],
            "own": own["id"],
            "answered": answered,
        }
