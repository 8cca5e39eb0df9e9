"""What one server's managers see is theirs: no other server's channels, no paths or file lines
from the machine, and an editor role that is never everyone. Over the wire, real bot and store."""

from __future__ import annotations

import os
import sqlite3

import pytest

from tests.bot.wire.fake_discord import FakeDiscord, snowflake
from tests.bot.wire.harness import fake_discord, running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)


def card_text(call) -> str:
    return str(call.json["data"]["embeds"])


async def told(fake: FakeDiscord, interaction: dict) -> str:
    return (await fake.response(interaction)).json["data"].get("content") or ""


async def test_settings_show_only_this_servers_channels_of_the_operators_list(engine, tmp_path, fake):
    foreign = snowflake()  # a channel of another server the operator answers in

    async with running(engine, tmp_path, fake, ANSWER_CHANNEL_IDS=f"{foreign}"):
        card = card_text(await fake.response(await fake.slash("settings show")))
        assert foreign not in card and "none" in card


async def test_the_first_channel_change_copies_only_this_servers_channels(engine, tmp_path):
    foreign = snowflake()

    async with fake_discord() as fake:
        channels = f"{foreign},{fake.other_channel_id}"
        async with running(engine, tmp_path, fake, ANSWER_CHANNEL_IDS=channels) as bot:
            added = await fake.slash("settings channel", channels={"channel": fake.channel_id})
            card = card_text(await fake.response(added))
            assert foreign not in card and f"<#{fake.other_channel_id}>" in card
            own = bot.guild_store.get(int(fake.guild_id)).answer_channels
            assert own == {int(fake.channel_id), int(fake.other_channel_id)}


async def test_the_editor_role_cannot_be_everyone(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        refused = await fake.slash("settings set", roles={"editor_role": fake.guild_id})
        assert "@everyone" in await told(fake, refused)
        assert bot.guild_store.get(int(fake.guild_id)).editor_role is None
        gaps = await fake.slash("gaps", user=fake.plain_member())
        assert "Manage Server" in await told(fake, gaps)


async def test_an_everyone_editor_role_saved_before_is_ignored(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        bot.guild_store.update(int(fake.guild_id), results=2)
    with sqlite3.connect(tmp_path / "feedback.sqlite3") as db:  # as an older citebot saved it
        db.execute("UPDATE guild_settings SET editor_role = guild_id")
    async with running(engine, tmp_path, fake) as bot:
        listed = await fake.slash("article list", user=fake.plain_member())
        assert "Manage Server" in await told(fake, listed)
        gaps = await fake.slash("gaps", user=fake.plain_member())
        assert "Manage Server" in await told(fake, gaps)


async def test_the_article_list_gives_reasons_without_paths_or_file_lines(library, tmp_path, fake):
    (library.folder / "oops.md").write_text('---\ntitle: "Oops\nsource: x\n---\nThe body.\n')
    (library.folder / "harbour.txt").write_text("The harbour of Wonsan froze over in March.\n")
    (library.folder / "harbour.yaml").write_text("title: [unclosed\n")
    locked = library.folder / "locked.txt"
    locked.write_text("The harbour of Wonsan froze over in March.\n")
    locked.chmod(0)
    unreadable = not os.access(locked, os.R_OK)  # root reads it all the same
    library.refresh()

    async with running(library, tmp_path, fake):
        card = card_text(await fake.response(await fake.slash("article list")))
        for leak in (str(tmp_path), "<unicode string>", "column", "^", "Oops", "unclosed", "Errno"):
            assert leak not in card, leak
        assert "oops.md" in card and "front matter" in card and "end of stream" in card
        assert "harbour.txt" in card and "harbour.yaml cannot be read" in card
        if unreadable:
            assert "locked.txt: Permission denied" in card


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("[Errno 13] Permission denied: '/srv/citebot/articles/a.txt'", "Permission denied"),
        ("[Errno 18] Invalid cross-device link: '/a/b.txt' -> '/c/d.txt'", "Invalid cross-device link"),
        ("corpus not found: /srv/citebot/articles", "corpus not found: articles"),
        ("could not save C:\\Users\\op\\index\\x.faiss", "could not save x.faiss"),
        ("at most 5/60 questions; see /article list", "at most 5/60 questions; see /article list"),
    ],
)
def test_a_reason_is_shown_without_the_machines_paths(reason, shown):
    from bot.render.library import plain_reason

    assert plain_reason(reason) == shown


def test_an_os_error_on_this_machine_is_shown_without_its_path(tmp_path):
    from bot.render.library import plain_reason

    with pytest.raises(OSError) as raised:
        (tmp_path / "gone" / "harbour.txt").read_bytes()
    assert str(tmp_path) in str(raised.value)
    assert plain_reason(str(raised.value)) == "No such file or directory"


def test_the_settings_store_refuses_everyone_as_the_editor_role(tmp_path):
    from bot.stores.guild_settings import GuildSettingsStore

    store = GuildSettingsStore(tmp_path / "settings.sqlite3")
    with pytest.raises(ValueError, match="@everyone"):
        store.update(42, editor_role=42)
    assert store.get(42).editor_role is None and store.update(42, editor_role=7).editor_role == 7
