"""Buttons trust nothing in their custom id: a stale or forged removal button removes nothing,
an answer's buttons work only in the server it was asked in, and a removed article is set aside
where /article list shows it. Over the wire: the real bot, folder, index and model."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from index.corpus.intake import draft_from_text
from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import PAGE, ask, buttons, fake_discord, own_folder, own_library, running, told

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

REMOVED_FOLDER = "removed"  # the folder in the corpus folder the operator restores from
OTHER = draft_from_text(
    "Wonsan harbour freezes",
    "A second report: the harbour of Wonsan stayed open all winter.\n\n"
    "Ferries ran on time and traders sold squid at the usual price.",
)


async def confirmation(fake: FakeDiscord, slug: str) -> tuple[dict, str]:
    """The private "Remove ...?" message /article remove answers with, and its Remove button."""
    remove = await fake.slash("article remove", id=slug)
    await told(fake, remove, "Remove **")
    message = next(m for m in reversed(list(fake.messages.values())) if "art:rm:" in str(m["components"]))
    return message, message["components"][0]["components"][0]["custom_id"]


async def added_and_confirming(fake: FakeDiscord) -> tuple[dict, str]:
    """The harbour page added, then /article remove asked for it: the confirmation."""
    await told(fake, await fake.slash("article add", files={"file": ("h.html", PAGE)}), "Added")
    return await confirmation(fake, "wonsan-harbour-freezes")


async def ephemeral(fake: FakeDiscord, click: dict) -> str:
    call = (await fake.response(click)).json
    assert call["type"] == 4 and call["data"]["flags"] == 64, call
    return call["data"]["content"]


async def test_a_stale_removal_button_leaves_a_new_article_with_that_id(library, tmp_path, fake):
    async with running(library, tmp_path, fake) as bot:
        stale, stale_id = await added_and_confirming(fake)
        fresh, fresh_id = await confirmation(fake, "wonsan-harbour-freezes")
        await told(fake, await fake.click(fresh, fresh_id), "Removed")  # the first one goes
        server = int(fake.guild_id)
        article, _ = await asyncio.to_thread(bot.libraries.add, server, OTHER)  # another takes its id
        assert article.slug == "wonsan-harbour-freezes"
        text = await ephemeral(fake, await fake.click(stale, stale_id))
        assert "changed" in text and "/article remove" in text
        assert own_library(bot, fake).find("wonsan-harbour-freezes") is not None


async def test_a_removal_button_dated_in_the_future_or_unpinned_is_refused(library, tmp_path, fake):
    async with running(library, tmp_path, fake) as bot:
        message, custom_id = await added_and_confirming(fake)
        future = custom_id.rsplit(":", 1)[0] + f":{int(time.time()) + 10 * 365 * 86_400}"
        unpinned = f"art:rm:wonsan-harbour-freezes:{int(time.time())}"  # as citebot made them before
        for forged in (future, unpinned):
            on = json.loads(json.dumps(message).replace(custom_id, forged))  # Discord checks it is there
            text = await ephemeral(fake, await fake.click(on, forged))
            assert "expired" in text, forged
        assert own_library(bot, fake).find("wonsan-harbour-freezes") is not None


async def test_a_removed_article_is_listed_with_its_folder_and_not_deleted(library, tmp_path, fake):
    async with running(library, tmp_path, fake) as bot:
        message, custom_id = await added_and_confirming(fake)
        click = await fake.click(message, custom_id)
        done = await told(fake, click, "Removed")
        assert "restore" in done and "deleted" not in done
        card = str((await fake.response(await fake.slash("article list"))).json["data"]["embeds"])
        assert "Removed" in card and "wonsan-harbour-freezes" in card and REMOVED_FOLDER in card
        assert str(tmp_path) not in card
        assert list((own_folder(bot, fake) / REMOVED_FOLDER).glob("*/wonsan-harbour-freezes.md"))


async def test_an_answers_buttons_do_nothing_in_another_server(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        answer = await ask(fake, fake.user("asker"))
    async with fake_discord() as elsewhere, running(engine, tmp_path, elsewhere) as bot:  # another server
        answer = {**answer, "channel_id": elsewhere.channel_id}
        for label in ("👍", "More context"):
            click = await elsewhere.click(answer, buttons(answer)[label], elsewhere.user("voter"))
            text = await ephemeral(elsewhere, click)
            assert "ask again" in text, label
        assert bot.store.votes(1) == (0, 0)
