"""Safe by default, over the wire: no pings, Discord's limits, rate limits, failures survived."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

import pytest

from bot import delivery
from bot.render.card import LIMITS
from index.answering.engine import Engine
from index.build import open_index
from tests.bot.wire.fake_discord import Call, FakeDiscord
from tests.bot.wire.harness import fake_discord, posts, reply_to, running, sent_messages, slowed

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

QUESTION = "How many North Korean troops are in Russia for training?"

# An article written to break a naive bot: markdown everywhere, mass pings, role mentions.

NASTY = (
    "---\n"
    'title: "@everyone **Breaking** <@&123> news"\n'
    'source: "[click](https://example.com) @here"\n'
    "---\n"
    "# @everyone **Harbour** ||works||\n\n"
    "The harbour **reopened** on __Monday__ after ~~three~~ weeks, said @everyone and "
    "<@&1234567890123456789> at the port, `code` and ||spoilers|| and [a masked link](https://example.com) "
    "included. {filler}\n\n"
    "The mayor said the new pier cost twelve million dollars and would open to ferries in spring. "
    "> quoted # heading - list\n"
)


def limits_hold(body: dict) -> None:
    assert len(body.get("content") or "") <= LIMITS["content"]
    for embed in body.get("embeds") or []:
        assert len(embed.get("title", "")) <= LIMITS["title"]
        assert len(embed.get("description", "")) <= LIMITS["description"]
        assert len(embed.get("fields", [])) <= LIMITS["fields"]
        total = len(embed.get("title", "")) + len(embed.get("description", ""))
        for field in embed.get("fields", []):
            assert len(field["name"]) <= LIMITS["field_name"] and len(field["value"]) <= LIMITS["field_value"]
            total += len(field["name"]) + len(field["value"])
        footer = (embed.get("footer") or {}).get("text", "")
        assert len(footer) <= LIMITS["footer"]
        assert total + len(footer) <= LIMITS["total"]


def no_pings(fake: FakeDiscord) -> None:
    bodies = sent_messages(fake)
    assert bodies
    for body in bodies:
        assert body.get("allowed_mentions", {}).get("parse") == [], body
        assert not body["allowed_mentions"].get("users") and not body["allowed_mentions"].get("roles")
        assert not body["allowed_mentions"].get("replied_user")
        limits_hold(body)


async def test_limits_and_no_pings_with_a_huge_question_and_a_markdown_article(encoder, tmp_path, fake):
    article = tmp_path / "harbour.md"
    article.write_text(NASTY.format(filler="**bold** @everyone " * 300), encoding="utf-8")
    index, _ = open_index(article, tmp_path / "index", encoder)
    nasty = Engine(index, encoder)

    async with running(nasty, tmp_path, fake):
        long = await fake.message(
            f"<@{fake.app_id}> " + "when did the harbour reopen @everyone " * 140, mentions_bot=True
        )
        await reply_to(fake, long)
        asked = await fake.message(
            f"<@{fake.app_id}> When did the harbour reopen? @everyone", mentions_bot=True
        )
        reply = await reply_to(fake, asked)
        interaction = await fake.slash(
            "ask", question="When did the harbour reopen **now** @here?", results=5
        )
        await fake.followup(interaction)
        for name, options in (("passage", {"id": nasty.passage_ids()[0]}), ("sources", {}), ("help", {})):
            assert (await fake.response(await fake.slash(name, **options))).json["data"]["embeds"]
        embed = reply.json["embeds"][0]
        assert "\\*\\*" in embed["fields"][0]["value"] or "\\*\\*" in embed["footer"]["text"]
        no_pings(fake)
        assert len(long_reply_title(fake, long)) <= LIMITS["title"]


def long_reply_title(fake: FakeDiscord, message: dict) -> str:
    call = next(c for c in posts(fake) if str(c.json["message_reference"]["message_id"]) == message["id"])
    return call.json["embeds"][0]["title"]


async def test_rate_limit_answers_past_the_limit_with_a_notice(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, USER_RATE_LIMIT="2/60"):
        alice = fake.user("alice")
        replies = []
        for _ in range(3):
            asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", author=alice, mentions_bot=True)
            replies.append((await reply_to(fake, asked)).json)
        assert [bool(r.get("embeds")) for r in replies] == [True, True, False]
        assert "try again in" in replies[2]["content"]
        await fake.message(f"<@{fake.app_id}> {QUESTION}", author=alice, mentions_bot=True)
        marker = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await reply_to(fake, marker)
        assert len(posts(fake)) == 4  # told once a window, then quiet: the bot never spams back
        interaction = await fake.slash("ask", question=QUESTION, user=alice)
        notice = await fake.response(interaction)
        assert notice.json["type"] == 4 and notice.json["data"]["flags"] == 64
        assert "try again in" in notice.json["data"]["content"]
        bob = await fake.message(f"<@{fake.app_id}> {QUESTION}", author=fake.user("bob"), mentions_bot=True)
        assert (await reply_to(fake, bob)).json.get("embeds")  # others are not held back
        no_pings(fake)


def replies(fake: FakeDiscord, message: dict) -> list[Call]:
    """Every message the bot tried to send in reply to ``message``, refused ones too."""
    return [
        c
        for c in posts(fake)
        if str((c.json.get("message_reference") or {}).get("message_id")) == message["id"]
    ]


@pytest.mark.parametrize("via", [True, False], ids=["by-discord.py", "without-discords-headers"])
async def test_a_429_on_the_message_route_is_retried(engine, tmp_path, via):
    async with fake_discord(rate_limit_via=via) as fake, running(engine, tmp_path, fake):
        fake.fail_next[rf"/channels/{fake.channel_id}/messages"] = [429]
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await fake.wait_for(lambda c: len(replies(fake, asked)) >= 2)  # the refused one and the retry
        marker = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await reply_to(fake, marker)
        assert len(replies(fake, asked)) == 2  # no more than one retry
        first, retry = ({k: v for k, v in c.json.items() if k != "nonce"} for c in replies(fake, asked))
        assert first == retry


async def test_other_servers_are_ignored_with_allowed_guild_ids(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, ALLOWED_GUILD_IDS="5"):
        await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        dm = await fake.message(QUESTION, guild=False, channel_id="42")  # DMs are not a server
        await reply_to(fake, dm)
        assert len(posts(fake)) == 1


async def test_a_403_is_never_retried_and_the_bot_goes_on(engine, tmp_path, fake, caplog, monkeypatch):
    # were a 403 retried, the retry would be sent at once, before the next question's answer
    monkeypatch.setattr(delivery, "_retry_after", lambda exc: 0.0)
    caplog.set_level(logging.WARNING, logger="bot.delivery")
    async with running(engine, tmp_path, fake):
        fake.fail_next[rf"/channels/{fake.channel_id}/messages"] = [403]
        refused = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await reply_to(fake, refused)
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        assert (await reply_to(fake, asked)).json["embeds"]
        assert len(replies(fake, refused)) == 1 and len(posts(fake)) == 2
    said = [r.getMessage() for r in caplog.records if r.name == "bot.delivery"]
    assert said == [
        f"Discord refused a message in channel {fake.channel_id} (403: Missing Permissions); not retrying"
    ]


async def test_without_embed_permission_the_answer_is_plain_text(engine, tmp_path):
    send_only = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 38)  # view, send, history, send in threads
    async with fake_discord(permissions=send_only) as fake, running(engine, tmp_path, fake):
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        body = (await reply_to(fake, asked)).json
        assert "embeds" not in body and QUESTION in body["content"] and len(body["content"]) <= 2000
        assert engine.answer(QUESTION).sentence[:40] in body["content"]


async def test_where_the_bot_may_not_send_it_says_nothing(engine, tmp_path, caplog):
    no_send = (1 << 10) | (1 << 14) | (1 << 16) | (1 << 38)  # view, embed, history, send in threads
    caplog.set_level(logging.WARNING)
    async with fake_discord(permissions=no_send) as fake, running(engine, tmp_path, fake):
        await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await fake.message(f"<@{fake.app_id}>", mentions_bot=True)  # a bare mention: the how-to
        marker = await fake.message(QUESTION, guild=False, channel_id="42")  # a DM may be answered
        await reply_to(fake, marker)
        # no answer, no how-to, no apology, not even "typing…" where it may not send
        assert not [c for c in fake.calls if c.path.startswith(f"/channels/{fake.channel_id}/")]
        assert [c.path for c in posts(fake)] == ["/channels/42/messages"]
    warned = [
        r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("bot.")
    ]
    assert warned == [f"no permission to send in channel {fake.channel_id}; saying nothing"], warned


class Faulty(Engine):
    """The real engine, failing any pass that holds a question saying "explode"."""

    delay = 0.0

    def answer_many(self, questions, ks=None, histories=None):
        time.sleep(self.delay)
        if any("explode" in q for q in questions):
            raise RuntimeError("the model fell over")
        return super().answer_many(questions, ks, histories)


async def test_an_error_inside_a_question_gets_an_apology_and_the_bot_goes_on(engine, tmp_path, caplog, fake):
    faulty = Faulty(engine.index, engine.encoder)

    async with running(faulty, tmp_path, fake):
        boom = await fake.message(f"<@{fake.app_id}> please explode", mentions_bot=True)
        assert "Sorry" in (await reply_to(fake, boom)).json["content"]
        interaction = await fake.slash("ask", question="explode again")
        followup = await fake.followup(interaction)
        # the apology replaces the public "thinking…" (Discord ignores a private flag there)
        assert followup.method == "PATCH" and followup.path.endswith("/messages/@original")
        assert "Sorry" in followup.json["content"] and followup.json["embeds"] == []
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        assert (await reply_to(fake, asked)).json["embeds"]
        no_pings(fake)
    assert "the model fell over" in caplog.text  # the trace is in the log


async def test_a_bad_question_in_a_batch_costs_the_others_nothing(engine, tmp_path, fake):
    faulty = Faulty(engine.index, engine.encoder)
    faulty.delay = 0.5

    async with running(faulty, tmp_path, fake) as bot:
        users = [fake.user(f"user{n}") for n in range(3)]
        texts = [QUESTION, "please explode", "Who visited Russia on Tuesday?"]
        asked = [
            await fake.message(f"<@{fake.app_id}> {t}", author=u, mentions_bot=True)
            for t, u in zip(texts, users, strict=True)
        ]
        replies = [await reply_to(fake, m, timeout=30) for m in asked]
        assert max(bot.batcher.sizes) > 1, bot.batcher.sizes  # the last two came together
        assert replies[0].json["embeds"] and replies[2].json["embeds"]
        assert "Sorry" in replies[1].json["content"] and not replies[1].json.get("embeds")


async def test_a_dropped_gateway_reconnects_and_still_answers(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        await fake.drop_gateway()
        assert await fake.reconnected(), "the bot did not come back after the drop"
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        assert (await reply_to(fake, asked)).json["embeds"][0]["title"] == QUESTION


async def test_a_burst_of_twenty_questions_from_five_users_is_answered_in_full(engine, tmp_path, fake):
    questions = [
        QUESTION,
        "What did NATO report on Monday?",
        "Who visited Russia on Tuesday?",
        "What did Biden say about retaliation?",
    ]

    async with running(engine, tmp_path, fake):
        users = [fake.user(f"user{n}") for n in range(5)]
        asked = await asyncio.gather(
            *(
                fake.message(f"<@{fake.app_id}> {q}", author=u, mentions_bot=True)
                for u in users
                for q in questions
            )
        )
        replies = [await reply_to(fake, m, timeout=60) for m in asked]
        assert all(r.json.get("embeds") for r in replies)
        assert len(fake.identifies) == 1 and not fake.resumes
    with sqlite3.connect(tmp_path / "feedback.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM asks").fetchone()[0] == 20


async def test_the_heartbeat_keeps_beating_while_the_model_works(engine, tmp_path):
    slow = slowed(engine, 1.0)

    async with fake_discord(heartbeat_ms=200) as fake, running(slow, tmp_path, fake) as bot:
        users = [fake.user(f"user{n}") for n in range(4)]
        started = time.monotonic()
        asked = [
            await fake.message(f"<@{fake.app_id}> {QUESTION}", author=u, mentions_bot=True) for u in users
        ]
        for message in asked:
            assert (await reply_to(fake, message, timeout=30)).json["embeds"]
        beats = [t for t in fake.heartbeats if t >= started]
        gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
        # the three that came while the first was answered went through the model together
        assert sum(bot.batcher.sizes) == 4 and max(bot.batcher.sizes) > 1, bot.batcher.sizes
        assert len(beats) >= 8  # two seconds or more of answering at five beats a second
        assert max(gaps) < 0.8, gaps  # a model call on the loop would stall it for 1 s at a time
