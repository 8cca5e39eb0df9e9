"""The buttons under an answer, over the wire, including after a restart."""

from __future__ import annotations

import sqlite3

import pytest

from index.answering.engine import Engine
from tests.bot.wire.harness import BUTTONS_QUESTION as QUESTION
from tests.bot.wire.harness import Held, ask, buttons, posts, reply_to, running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)


async def test_more_context_shows_the_neighbouring_paragraphs_privately(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        answer = await ask(fake, fake.user("asker"))
        click = await fake.click(answer, buttons(answer)["More context"], fake.user("someone"))
        call = (await fake.response(click)).json
        assert call["type"] == 4 and call["data"]["flags"] == 64
        fields = call["data"]["embeds"][0]["fields"]
        focus = next(f for f in fields if f["name"].startswith("▶"))
        highlighted = engine.answer(QUESTION).citations
        answer_passage = next(c for c in highlighted if c.highlight)
        assert answer_passage.id in focus["name"] and len(fields) >= 2


async def test_next_passage_pages_for_the_asker_only(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        asker = fake.user("asker")
        answer = await ask(fake, asker)
        other = await fake.click(answer, buttons(answer)["Next passage"], fake.user("other"))
        refused = (await fake.response(other)).json
        assert refused["type"] == 4 and refused["data"]["flags"] == 64
        assert "Only the person who asked" in refused["data"]["content"]

        mine = await fake.click(answer, buttons(answer)["Next passage"], asker)
        assert (await fake.response(mine)).json["type"] == 6  # deferred update, before the model runs
        edit = await fake.followup(mine)
        assert edit.method == "PATCH" and edit.path.endswith("/messages/@original")
        ranks = [f["name"].split("]")[0] for f in edit.json["embeds"][0]["fields"]]
        assert ranks == ["[4", "[5", "[6"]
        assert buttons(edit.json)["Next passage"].endswith(":6")
        assert edit.json["allowed_mentions"]["parse"] == []


async def test_votes_count_once_per_person_and_land_in_sqlite(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        answer = await ask(fake, fake.user("asker"))
        voter = fake.user("voter")
        replies = []
        for label in ("👍", "👍", "👎"):
            click = await fake.click(answer, buttons(answer)[label], voter)
            replies.append((await fake.response(click)).json["data"]["content"])
        assert "recorded" in replies[0] and "already" in replies[1] and "recorded" in replies[2]
    with sqlite3.connect(tmp_path / "feedback.sqlite3") as db:
        rows = db.execute("SELECT vote, user, question, passage_ids FROM feedback").fetchall()
    assert len(rows) == 1  # one person, one vote: the changed mind replaced the first
    vote, user, question, passage_ids = rows[0]
    assert vote == -1 and question == QUESTION and "#p" in passage_ids
    assert not user.isdigit() and len(user) == 32  # hashed, never the Discord id


async def test_buttons_still_work_after_a_restart(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        asker = fake.user("asker")
        answer = await ask(fake, asker)
    async with running(engine, tmp_path, fake):  # a new process, the same data folder
        click = await fake.click(answer, buttons(answer)["👍"], fake.user("voter"))
        assert "recorded" in (await fake.response(click)).json["data"]["content"]
        click = await fake.click(answer, buttons(answer)["More context"])
        assert (await fake.response(click)).json["data"]["embeds"]
        click = await fake.click(answer, buttons(answer)["Next passage"], asker)
        assert (await fake.followup(click)).json["embeds"][0]["fields"][0]["name"].startswith("[4]")


async def test_buttons_answer_within_three_seconds_while_questions_queue(engine, tmp_path, fake):
    held = Held(engine)
    async with running(held, tmp_path, fake, USER_RATE_LIMIT="0"):
        asker = fake.user("asker")
        answer = await ask(fake, asker)
        with held.held():  # the model is busy for as long as the test says
            queued = [
                await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True) for _ in range(10)
            ]
            await held.wait_working()
            paging = await fake.click(answer, buttons(answer)["Next passage"], asker)
            deferred = await fake.response(paging, timeout=3.0)
            assert deferred.json["type"] == 6  # a deferred update: the page comes when the model is free
            voted = await fake.response(await fake.click(answer, buttons(answer)["👍"], fake.user("v")), 3.0)
            assert "recorded" in voted.json["data"]["content"]  # a vote needs no model
            assert fake.callbacks(paging) == [deferred]  # no page yet: the model is still held
            assert not any(c.json.get("message_reference") for c in posts(fake)[1:])  # nor answers
        edit = await fake.followup(paging)
        assert edit.method == "PATCH" and edit.json["embeds"][0]["fields"][0]["name"].startswith("[4]")
        for message in queued:
            assert (await reply_to(fake, message)).json["embeds"]


async def test_a_failing_button_apologises_and_the_bot_goes_on(engine, tmp_path, fake):
    class Faulty(Engine):
        def neighbours(self, passage_id: str, before: int = 1, after: int = 1):
            raise RuntimeError("the index fell over")

    async with running(Faulty(engine.index, engine.encoder), tmp_path, fake):
        answer = await ask(fake, fake.user("asker"))
        response = await fake.response(await fake.click(answer, buttons(answer)["More context"]))
        assert "Sorry" in response.json["data"]["content"] and response.json["data"]["flags"] == 64
        response = await fake.response(await fake.click(answer, buttons(answer)["👍"]))
        assert "recorded" in response.json["data"]["content"]


async def test_buttons_keep_to_the_allow_lists(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        answer = await ask(fake, fake.user("asker"))
    async with running(engine, tmp_path, fake, ALLOWED_CHANNEL_IDS="5") as bot:
        answer = {**answer, "channel_id": fake.channel_id}
        response = await fake.response(await fake.click(answer, buttons(answer)["👍"]))
        assert response.json["data"]["content"] == "citebot is not enabled in this channel."
        assert bot.store.votes(1) == (0, 0)
