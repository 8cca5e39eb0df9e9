"""Follow-ups over the wire: a question in a thread, or in reply to an answer, is read with the
public questions asked before it there (issue 15)."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from bot.client import CiteBot
from bot.render.answer import place
from bot.stores.database import database_path
from bot.stores.feedback import HISTORY_SECONDS
from tests.bot.wire.fake_discord import Call, FakeDiscord
from tests.bot.wire.harness import ask, buttons, reply_to, running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

MINISTER = "Who is North Korea's foreign minister?"
MEETING = "Is Putin meeting her?"
WAR = "Is South Korea at war with the North?"
SINCE = "Since when?"


def embed(call: Call) -> dict:
    return call.json["embeds"][0]


def footer(call: Call) -> str:
    return embed(call).get("footer", {}).get("text", "")


async def mention(fake: FakeDiscord, question: str, **where) -> Call:
    """Ask by mention (in a thread, or in reply to a message); the bot's reply."""
    asked = await fake.message(f"<@{fake.app_id}> {question}", mentions_bot=True, **where)
    return await reply_to(fake, asked)


async def noted(bot: CiteBot, message_id: str, timeout: float = 10.0) -> None:
    """Wait until the bot has noted which conversation its answer ``message_id`` belongs to
    (it does so just after sending it; a person's reply comes seconds later)."""
    deadline = time.monotonic() + timeout
    while bot.store.conversation_of(int(message_id)) is None:
        assert time.monotonic() < deadline, f"answer {message_id} was never noted"
        await asyncio.sleep(0.02)


async def test_a_question_in_a_thread_follows_the_one_asked_there_before(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        thread = await fake.open_thread("North Korea")
        first = await mention(fake, MINISTER, channel_id=thread["id"])
        assert "following" not in footer(first)
        follow = await mention(fake, MEETING, channel_id=thread["id"])
        assert f"following: {MINISTER}" in footer(follow)
        assert "does not intend to meet with her" in embed(follow)["description"]


async def test_a_thread_opened_from_an_answer_follows_its_question(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        answered = await ask(fake, fake.user(), WAR)
        await noted(bot, answered["id"])
        thread = await fake.open_thread("War", from_message=answered["id"])
        follow = await mention(fake, SINCE, channel_id=thread["id"])
        assert f"following: {WAR}" in footer(follow)
        assert "1950" in embed(follow)["description"]
        again = await mention(fake, "And who said so?", channel_id=thread["id"])
        assert "following:" in footer(again)  # the thread goes on with the same conversation


async def test_a_question_in_the_thread_opened_for_an_answer_follows_that_answer(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, ANSWER_IN_THREAD="true") as bot:
        await fake.message(f"<@{fake.app_id}> {WAR}", mentions_bot=True)
        opened = await fake.wait_for(lambda c: c.path.endswith("/threads"))
        answer = await fake.wait_for(lambda c: c.method == "POST" and c.path.endswith("/messages"))
        thread_id = answer.path.split("/")[2]
        assert opened.path.startswith(f"/channels/{fake.channel_id}/") and thread_id != fake.channel_id
        await noted(bot, next(m["id"] for m in fake.messages.values() if m["channel_id"] == thread_id))
        follow = await mention(fake, SINCE, channel_id=thread_id)
        assert follow.path == f"/channels/{thread_id}/messages"  # answered in the thread, no new one
        assert f"following: {WAR}" in footer(follow)
        assert "1950" in embed(follow)["description"]


async def test_a_reply_to_an_answer_follows_its_question_and_a_fresh_question_does_not(
    engine, tmp_path, fake
):
    async with running(engine, tmp_path, fake) as bot:
        answered = await ask(fake, fake.user(), MINISTER)
        await noted(bot, answered["id"])
        fresh = await mention(fake, MEETING)
        assert "following" not in footer(fresh)
        follow = await mention(fake, MEETING, reference=answered)
        assert f"following: {MINISTER}" in footer(follow)
        assert "does not intend to meet with her" in embed(follow)["description"]


async def test_a_reply_chain_goes_on_through_each_answer(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        alice = fake.user()
        first = await ask(fake, alice, WAR)
        await noted(bot, first["id"])
        second = await mention(fake, SINCE, reference=first)
        assert f"following: {WAR}" in footer(second)
        second_message = next(m for m in fake.messages.values() if m.get("embeds") == second.json["embeds"])
        await noted(bot, second_message["id"])
        await mention(fake, MINISTER, reference=second_message)
        chain = bot.store.conversation_of(int(first["id"]))
        assert bot.store.conversation_of(int(second_message["id"])) == chain
        assert bot.store.history(chain) == [WAR, SINCE, MINISTER]


async def test_questions_older_than_an_hour_are_not_followed(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        thread = await fake.open_thread("North Korea")
        await mention(fake, MINISTER, channel_id=thread["id"])
        with sqlite3.connect(database_path(tmp_path)) as db:
            moved = db.execute(
                "UPDATE asks SET created = created - ? WHERE conversation = ?",
                (HISTORY_SECONDS + 60, int(thread["id"])),
            ).rowcount
        assert moved == 1
        follow = await mention(fake, MEETING, channel_id=thread["id"])
        assert "following" not in footer(follow)


async def test_a_private_ask_reads_the_thread_but_is_never_read_as_history(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        thread = await fake.open_thread("North Korea")
        await mention(fake, MINISTER, channel_id=thread["id"])
        private = await fake.slash("ask", question=MEETING, private=True, in_channel=thread["id"])
        shown = await fake.followup(private)
        assert shown.json["flags"] & 64  # only the asker sees it
        assert f"following: {MINISTER}" in footer(shown)
        follow = await mention(fake, SINCE, channel_id=thread["id"])
        assert f"following: {MINISTER}" in footer(follow)  # not the private question, asked later
        assert MEETING not in footer(follow)


async def test_a_public_ask_in_a_thread_is_followed_by_a_mention(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        thread = await fake.open_thread("Korea")
        public = await fake.slash("ask", question=MINISTER, in_channel=thread["id"])
        assert "following" not in footer(await fake.followup(public))
        follow = await mention(fake, MEETING, channel_id=thread["id"])
        assert f"following: {MINISTER}" in footer(follow)


async def test_a_reply_to_a_public_asks_answer_follows_it(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        asked = await fake.slash("ask", question=MINISTER)
        shown = await fake.followup(asked)
        answered = next(m for m in fake.messages.values() if m.get("embeds") == shown.json["embeds"])
        await noted(bot, answered["id"])
        follow = await mention(fake, MEETING, reference=answered)
        assert f"following: {MINISTER}" in footer(follow)


async def test_a_database_fault_costs_a_follow_up_its_history_never_its_answer(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        thread = await fake.open_thread("North Korea")
        answered = await ask(fake, fake.user(), MINISTER)
        await noted(bot, answered["id"])
        bot.store.close()  # every read of the feedback database now fails
        in_thread = await mention(fake, MEETING, channel_id=thread["id"])
        in_reply = await mention(fake, MEETING, reference=answered)
        for call in (in_thread, in_reply):
            assert embed(call)["title"] == MEETING and "following" not in footer(call)


async def test_a_reference_to_an_answer_in_another_channel_never_gives_its_history(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        answered = await ask(fake, fake.user(), MINISTER)  # in the server's channel
        await noted(bot, answered["id"])
        in_dm = await mention(fake, MEETING, reference=answered, guild=False, channel_id="42")
        assert in_dm.path == "/channels/42/messages"
        assert "following" not in footer(in_dm)  # the server's question is not read in a DM


async def test_a_reply_in_a_thread_to_an_answer_in_its_channel_follows_it(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        answered = await ask(fake, fake.user(), MINISTER)
        await noted(bot, answered["id"])
        thread = await fake.open_thread("Putin")  # e.g. opened from the answer: a reply to it there
        follow = await mention(fake, MEETING, reference=answered, channel_id=thread["id"])
        assert follow.path == f"/channels/{thread['id']}/messages"
        assert f"following: {MINISTER}" in footer(follow)


async def test_next_passage_pages_the_follow_up_as_the_asker_saw_it(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        thread, asker = await fake.open_thread("The Koreas"), fake.user("asker")
        await mention(fake, WAR, channel_id=thread["id"], author=asker)
        follow = await mention(fake, SINCE, channel_id=thread["id"], author=asker)
        assert f"following: {WAR}" in footer(follow)
        shown = next(m for m in fake.messages.values() if m.get("embeds") == follow.json["embeds"])
        click = await fake.click(shown, buttons(shown)["Next passage"], asker)
        response = (await fake.response(click)).json
        assert response["type"] == 6, response
        edit = await fake.followup(click)
        page = engine.answer(SINCE, 6, [WAR])  # the follow-up read with its topic, as first answered
        assert page.answered
        names = [f["name"] for f in edit.json["embeds"][0]["fields"]]
        assert names == [f"[{c.rank}] {place(c)}" for c in page.citations[3:]]
