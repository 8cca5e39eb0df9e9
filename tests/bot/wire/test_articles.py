"""/article add|list|remove over the wire: the real bot, a real folder and index, the real model
(the watched corpus folder: test_watcher.py)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import PAGE, fake_discord, own_folder, own_library, running, told

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

FISH = "What happened to the price of fish in Wonsan?"


async def asked(fake: FakeDiscord, question: str) -> dict:
    """The embed /ask answers ``question`` with."""
    interaction = await fake.slash("ask", question=question)
    return (await fake.followup(interaction, timeout=30)).json["embeds"][0]


async def test_an_article_added_as_a_file_is_answered_at_once(library, tmp_path, fake):
    async with running(library, tmp_path, fake) as bot:
        assert "price of fish doubled" not in str(await asked(fake, FISH))
        add = await fake.slash("article add", files={"file": ("harbour.html", PAGE)})
        text = await told(fake, add, "Added")
        assert "Wonsan harbour freezes" in text and "wonsan-harbour-freezes" in text
        embed = await asked(fake, FISH)
        assert "price of fish doubled" in embed["description"]
        saved = list(own_folder(bot, fake).glob("wonsan-harbour-freezes*.md"))  # the server's own library
        assert len(saved) == 1 and "Subscribe" not in saved[0].read_text()
        assert not list(library.folder.glob("wonsan-harbour-freezes*"))  # not the shared one


async def test_an_article_pasted_into_the_form_is_answered(library, tmp_path, fake):
    async with running(library, tmp_path, fake):
        add = await fake.slash("article add", title="Ice on the Wonsan harbour")
        text = (
            "The harbour of Wonsan froze over in March.\n\n"
            "Local traders said the price of fish doubled during the freeze."
        )
        submitted = await fake.submit(add, {"title": "Ice on the Wonsan harbour", "text": text})
        assert "Ice on the Wonsan harbour" in await told(fake, submitted, "Added")
        assert "price of fish doubled" in (await asked(fake, FISH))["description"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00IHDR", "binary"),
        ("empty.md", b" \n\n ", "empty"),
        ("latin.txt", "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e".encode("latin-1"), "not UTF-8"),
        ("slides.docx", b"PK\x03\x04", "not a .txt, .md, .html or .pdf"),
        ("slides.pdf", b"%PDF-1.7", "damaged PDF"),
    ],
)
async def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_lost(
    library, tmp_path, name, content, reason, fake
):
    async with running(library, tmp_path, fake):
        before = sorted(p.name for p in library.folder.iterdir())
        add = await fake.slash("article add", files={"file": (name, content)})
        text = await told(fake, add, "Not added")
        assert reason in text
        assert sorted(p.name for p in library.folder.iterdir()) == before
        embed = await asked(fake, "How many troops did North Korea send?")
        assert "North Korean troops head for Russia" in embed["footer"]["text"]


async def test_a_removed_article_is_gone_from_answers_after_confirming(library, tmp_path, fake):
    async with running(library, tmp_path, fake) as bot:
        add = await fake.slash("article add", files={"file": ("harbour.html", PAGE)})
        await told(fake, add, "Added")
        remove = await fake.slash("article remove", id="wonsan-harbour-freezes")
        await told(fake, remove, "Remove **Wonsan harbour freezes**")
        own = own_library(bot, fake)
        assert own is not None and own.find("wonsan-harbour-freezes") is not None  # nothing before confirming
        confirm = next(m for m in fake.messages.values() if "art:rm:" in str(m.get("components")))
        button = confirm["components"][0]["components"][0]["custom_id"]
        click = await fake.click(confirm, button)
        assert "Removed" in await told(fake, click, "Removed")
        assert "price of fish doubled" not in str(await asked(fake, FISH))
        assert not list(own_folder(bot, fake).glob("wonsan-harbour-freezes*"))


async def test_keep_leaves_the_article_and_unknown_ids_are_named(library, tmp_path, fake):
    async with running(library, tmp_path, fake) as bot:
        unknown = await fake.slash("article remove", id="no-such-article")
        assert "No article has the id" in await told(fake, unknown, "No article")
        add = await fake.slash("article add", files={"file": ("harbour.html", PAGE)})
        await told(fake, add, "Added")
        remove = await fake.slash("article remove", id="wonsan-harbour-freezes")
        await told(fake, remove, "Remove")
        confirm = next(m for m in fake.messages.values() if "art:keep" in str(m.get("components")))
        click = await fake.click(confirm, "art:keep")
        assert "Kept" in await told(fake, click, "Kept")
        own = own_library(bot, fake)
        assert own is not None and own.find("wonsan-harbour-freezes") is not None


async def test_only_managers_and_the_editor_role_may_change_articles(library, tmp_path, fake):
    async with running(library, tmp_path, fake) as bot:
        member = fake.plain_member()
        refused = await fake.slash("article list", user=member)
        assert "Manage Server" in await told(fake, refused, "Manage Server")
        bot.guild_store.update(int(fake.guild_id), editor_role=int(fake.editor_role_id))
        fake.member_roles[member["id"]] = [fake.editor_role_id]
        listed = await fake.slash("article list", user=member)
        call = await fake.response(listed)
        assert "nk-troops" in str(call.json["data"]["embeds"])


async def test_the_list_names_files_that_are_not_indexed(library, tmp_path, fake):
    (library.folder / "notes.txt").write_bytes(b"\xff\xfeh\x00i\x00")
    library.refresh()
    async with running(library, tmp_path, fake):
        listed = await fake.slash("article list")
        embeds = str((await fake.response(listed)).json["data"]["embeds"])
        assert "notes.txt" in embeds and "UTF-16" in embeds and "nk-troops" in embeds


async def test_questions_are_answered_from_the_old_index_while_a_rebuild_runs(
    library, tmp_path, monkeypatch, fake
):

    import index.build

    real_build, building = index.build.build_index, threading.Event()

    def slow_build(*args, **kwargs):
        building.set()
        time.sleep(3)  # a long build (a big article)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(index.build, "build_index", slow_build)  # the server's first article

    async with running(library, tmp_path, fake) as bot:
        add = await fake.slash("article add", files={"file": ("harbour.html", PAGE)})
        await asyncio.to_thread(building.wait, 10)
        during = await asked(fake, "How many troops did North Korea send?")
        assert not any("Added" in str(c.json) for c in fake.calls)  # answered before the rebuild ended
        assert "North Korean troops head for Russia" in during["footer"]["text"]
        assert own_library(bot, fake) is None  # not made yet
        await told(fake, add, "Added")
        assert "price of fish doubled" in (await asked(fake, FISH))["description"]


async def test_the_shared_library_changes_only_from_the_servers_the_operator_names(library, tmp_path, fake):
    async with running(library, tmp_path, fake, ARTICLE_GUILD_IDS="123456789012345678") as bot:
        add = await fake.slash("article add", files={"file": ("harbour.html", PAGE)}, shared=True)
        assert "ARTICLE_GUILD_IDS" in await told(fake, add, "shared library")
        remove = await fake.slash("article remove", id="nk-troops", shared=True)
        assert "ARTICLE_GUILD_IDS" in await told(fake, remove, "shared library")
        assert sorted(p.name for p in library.folder.iterdir()) == ["nk-troops.txt", "nk-troops.yaml"]
        own = await fake.slash("article add", files={"file": ("harbour.html", PAGE)})  # its own library
        assert "Added" in await told(fake, own, "Added")
        assert list(own_folder(bot, fake).glob("wonsan-harbour-freezes*.md"))
        assert sorted(p.name for p in library.folder.iterdir()) == ["nk-troops.txt", "nk-troops.yaml"]
    async with fake_discord() as fake:
        async with running(library, tmp_path, fake, ARTICLE_GUILD_IDS=fake.guild_id):
            add = await fake.slash("article add", files={"file": ("harbour.html", PAGE)}, shared=True)
            assert "Added" in await told(fake, add, "Added")
            assert list(library.folder.glob("wonsan-harbour-freezes*.md"))
