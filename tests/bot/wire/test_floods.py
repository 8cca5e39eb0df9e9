"""Floods and fairness over the wire: every message counts against its sender's limit, kept
across servers and DMs; the wait for the model is bounded; a database fault loses no answer."""

from __future__ import annotations

import pytest

from tests.bot.wire.harness import Held, ask, buttons, posts, reply_to, running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

QUESTION = "How many North Korean troops are in Russia for training?"


async def test_bare_mentions_and_symbols_count_against_the_limit_and_a_flood_is_told_once(
    engine, tmp_path, fake
):

    async with running(engine, tmp_path, fake, USER_RATE_LIMIT="2/60"):
        alice = fake.user("alice")
        for text in (f"<@{fake.app_id}>", f"<@{fake.app_id}> ??", f"<@{fake.app_id}> 👍"):
            await fake.message(text, author=alice, mentions_bot=True)
        for _ in range(5):
            await fake.message("👍", author=alice, guild=False)  # a DM of symbols only
        marker = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await reply_to(fake, marker)
        replies = [c.json.get("content") or "" for c in posts(fake)]
        assert sum("/ask" in r for r in replies) == 2  # the how-to, within the limit
        assert sum("try again in" in r for r in replies) == 1  # then once, for the whole flood
        assert len(posts(fake)) == 4


async def test_passage_counts_against_the_limit_and_past_it_is_told_privately(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, USER_RATE_LIMIT="2/60"):
        alice = fake.user("alice")
        shown = [
            (await fake.response(await fake.slash("passage", user=alice, id=engine.passage_ids()[0]))).json
            for _ in range(3)
        ]
        assert [s["data"].get("flags", 0) for s in shown] == [0, 0, 64]
        assert "try again in" in shown[2]["data"]["content"]


async def test_the_limit_is_kept_across_servers_and_direct_messages(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, USER_RATE_LIMIT="2/60"):
        alice = fake.user("alice")
        for _ in range(2):
            asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", author=alice, mentions_bot=True)
            assert (await reply_to(fake, asked)).json.get("embeds")
        in_dm = await fake.message(QUESTION, author=alice, guild=False)
        assert "try again in" in ((await reply_to(fake, in_dm)).json.get("content") or "")


async def test_a_server_cannot_loosen_the_operators_limit(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, USER_RATE_LIMIT="2/60") as bot:
        for loose in ("0", "10/60"):
            said = await fake.response(await fake.slash("settings set", cooldown=loose))
            assert "stricter" in said.json["data"]["content"]
        assert bot.guild_settings(int(fake.guild_id)).rate_limit.count == 2
        said = await fake.response(await fake.slash("settings set", cooldown="1/60"))
        assert bot.guild_settings(int(fake.guild_id)).rate_limit.count == 1


async def test_past_the_queue_limit_an_asker_is_told_busy_at_once(engine, tmp_path, fake):
    held = Held(engine)
    async with running(held, tmp_path, fake, USER_RATE_LIMIT="0", QUEUE_LIMIT="1"):
        with held.held():
            ask = [
                lambda name=name: fake.message(
                    f"<@{fake.app_id}> {QUESTION}", author=fake.user(name), mentions_bot=True
                )
                for name in ("ann", "ben", "cat")
            ]
            asked = [await ask[0]()]
            await held.wait_working()  # ann's is being answered
            asked.append(await ask[1]())
            await fake.wait_for(
                lambda c: c.path.endswith("/typing") and len(typing(fake)) == 2
            )  # ben's waits
            asked.append(await ask[2]())  # cat's finds the wait full
            told = await reply_to(fake, asked[2])
            assert "busy" in (told.json.get("content") or "")
            assert not [c for c in posts(fake) if c.json.get("embeds")]  # told before any answer came
        for message in asked[:2]:
            assert (await reply_to(fake, message)).json.get("embeds")


def typing(fake) -> list:
    return [c for c in fake.calls if c.method == "POST" and c.path.endswith("/typing")]


async def test_a_database_fault_still_answers_everyone_without_buttons(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        bot.store.close()  # every write to the feedback database now fails
        asked = [
            await fake.message(f"<@{fake.app_id}> {QUESTION}", author=fake.user(n), mentions_bot=True)
            for n in ("ann", "ben")
        ]
        for message in asked:
            reply = (await reply_to(fake, message)).json
            assert reply["embeds"][0]["title"] == QUESTION
            assert not reply.get("components")


class Walked(list):
    """The index's passages, counting every walk through them all."""

    walks = 0

    def __iter__(self):
        Walked.walks += 1
        return super().__iter__()


async def test_help_autocomplete_and_an_unknown_id_never_walk_the_corpus(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, USER_RATE_LIMIT="0") as bot:
        first = engine.passage_ids()[0]
        walked = Walked(bot.library.engine.index.passages)
        object.__setattr__(bot.library.engine.index, "passages", walked)
        try:
            Walked.walks = 0
            helped = await fake.response(await fake.slash("help"))
            offered = await fake.response(await fake.autocomplete("passage", "id", "pentagon"))
            unknown = await fake.response(await fake.slash("passage", id="no-such-id"))
            assert "What does the article say about" in str(helped.json)
            assert offered.json["data"]["choices"]
            assert first in unknown.json["data"]["content"]
            assert Walked.walks == 0  # each was answered from the catalogue made at load
        finally:
            object.__setattr__(bot.library.engine.index, "passages", list(walked))


async def test_next_passage_counts_against_the_limit_kept_across_servers(engine, tmp_path, fake):

    async with running(engine, tmp_path, fake, USER_RATE_LIMIT="2/60"):
        asker = fake.user("asker")
        answer = await ask(fake, asker)  # the first of two
        paged = await fake.response(await fake.click(answer, buttons(answer)["Next passage"], asker))
        assert paged.json["type"] == 6  # deferred: the page is being made (the second)
        in_dm = await fake.message(QUESTION, author=asker, guild=False)
        assert "try again in" in ((await reply_to(fake, in_dm)).json.get("content") or "")
        held = await fake.response(await fake.click(answer, buttons(answer)["Next passage"], asker))
        assert held.json["data"]["flags"] == 64 and "wait" in held.json["data"]["content"]
