"""Forum channels over the wire: each new post answered in the post, once, whichever of its two
events comes first; the Solved button; follow-ups; /settings forum; /stats and /gaps."""

from __future__ import annotations

import pytest

from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import buttons, posts, running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

TITLE = "North Korean troops in Russia"
BODY = "How many North Korean troops are in Russia for training?"
MESSAGE_CONTENT = 1 << 15
MANAGE_THREADS = 1 << 34


def in_post(fake: FakeDiscord, thread: dict) -> list:
    """The messages the bot sent in a post."""
    return posts(fake, f"/channels/{thread['id']}/messages")


async def answer_in(fake: FakeDiscord, thread: dict, wait: float = 30.0) -> dict:
    """The bot's (first) answer in a post, as the fake stored it (with its id, for clicking)."""
    path = f"/channels/{thread['id']}/messages"
    call = await fake.wait_for(lambda c: c.method == "POST" and c.path == path and "embeds" in c.json, wait)
    return next(m for m in fake.messages.values() if m.get("embeds") == call.json["embeds"])


async def settled(fake: FakeDiscord, bot) -> None:
    """Every answer under way has been sent: a marker question by mention is answered after them."""
    marker = await fake.message(f"<@{fake.app_id}> Who trains the troops?", mentions_bot=True)
    await fake.wait_for(
        lambda c: (
            c.method == "POST"
            and str((c.json or {}).get("message_reference", {}).get("message_id")) == marker["id"]
        )
    )


@pytest.mark.parametrize("message_first", [False, True])
async def test_a_new_post_is_answered_once_in_the_post_reading_title_and_message(
    engine, tmp_path, fake, message_first
):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        assert fake.identifies[0]["intents"] & MESSAGE_CONTENT
        poster = fake.user("poster")
        thread = await fake.post(TITLE, BODY, author=poster, message_first=message_first)
        answer = await answer_in(fake, thread)
        embed = answer["embeds"][0]
        assert embed["title"].startswith(TITLE) and "training" in embed["title"]
        labels = list(buttons(answer))
        assert labels == ["More context", "Next passage", "👍", "👎", "Solved"]
        await settled(fake, bot)
        assert len(in_post(fake, thread)) == 1  # both events came; one answer
        fetched = [c for c in fake.calls if c.method == "GET" and "/messages/" in c.path]
        assert len(fetched) == (0 if message_first else 1)  # the message came first: no need to fetch
