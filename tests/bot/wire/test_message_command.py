"""The message command "Ask citebot" over the wire: another message's text asked as a question,
answered in a reply to that message."""

from __future__ import annotations

import pytest

from bot.cogs.ask_message import NAME, NO_SEND, NO_TEXT, NOT_YOURS
from bot.render.answer import render_card
from bot.render.embed import card_embed
from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import fake_discord, posts, reply_to, running, told
from tests.bot.wire.test_followups import MEETING, MINISTER, footer, mention, noted

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

NO_SEND_PERMISSIONS = (1 << 10) | (1 << 14) | (1 << 16) | (1 << 38)  # view, embed, history, threads


async def someone_says(fake: FakeDiscord, text: str) -> dict:
    """A message by someone else that does not ask citebot anything."""
    return await fake.message(text, author=fake.user("bob"))


async def test_ask_citebot_answers_a_message_in_a_reply_to_it(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        target = await someone_says(fake, f"{MINISTER}\n\nAnyone know?")
        used = await fake.message_command(NAME, target, user=fake.user("alice"))
        deferred = await fake.response(used)
        assert deferred.json["type"] == 5 and deferred.json["data"]["flags"] & 64  # only alice sees it
        answer = await reply_to(fake, target)
        expected = card_embed(render_card(engine.answer(f"{MINISTER} Anyone know?"))).to_dict()
        embed = answer.json["embeds"][0]
        assert embed["title"] == expected["title"] and embed["description"] == expected["description"]
        assert answer.path == f"/channels/{fake.channel_id}/messages"
        assert answer.json["allowed_mentions"]["parse"] == []
        assert "Answered in a reply" in await told(fake, used, "Answered")


async def test_a_reply_to_its_answer_follows_the_message(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        target = await someone_says(fake, MINISTER)
        await fake.message_command(NAME, target)
        answer = await reply_to(fake, target)
        answered = next(m for m in fake.messages.values() if m.get("embeds") == answer.json["embeds"])
        await noted(bot, answered["id"])
        assert bot.store.conversation_of(int(answered["id"])) == int(target["id"])
        follow = await mention(fake, MEETING, reference=answered)
        assert f"following: {MINISTER}" in footer(follow)


async def test_it_keeps_the_askers_rate_limit(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, USER_RATE_LIMIT="1/60"):
        alice = fake.user("alice")
        asked = await fake.message(f"<@{fake.app_id}> {MEETING}", author=alice, mentions_bot=True)
        await reply_to(fake, asked)
        target = await someone_says(fake, MINISTER)
        used = await fake.message_command(NAME, target, user=alice)
        assert "faster than I can keep up" in await told(fake, used, "faster")
        assert len(posts(fake)) == 1  # the mention's answer only: nothing in reply to the message


async def test_a_message_without_text_is_not_asked(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        target = await someone_says(fake, "")  # an image or a sticker alone
        used = await fake.message_command(NAME, target)
        assert await told(fake, used, NO_TEXT) == NO_TEXT
        assert posts(fake) == []


async def test_where_it_may_not_send_it_says_so_privately(engine, tmp_path):
    async with fake_discord(permissions=NO_SEND_PERMISSIONS) as fake, running(engine, tmp_path, fake):
        target = await someone_says(fake, MINISTER)
        used = await fake.message_command(NAME, target)
        assert await told(fake, used, NO_SEND) == NO_SEND
        assert (await fake.response(used)).json["data"]["flags"] & 64
        assert posts(fake) == []


async def test_a_member_who_may_not_send_there_cannot_make_citebot_post(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        target = await someone_says(fake, MINISTER)  # in an announcements channel, say
        reader = fake.user("reader")
        fake.member_permissions[reader["id"]] = (1 << 10) | (1 << 16)  # view and read history only
        used = await fake.message_command(NAME, target, user=reader)
        assert await told(fake, used, NOT_YOURS) == NOT_YOURS
        assert (await fake.response(used)).json["data"]["flags"] & 64
        assert posts(fake) == []
