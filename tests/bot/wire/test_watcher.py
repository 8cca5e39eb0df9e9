"""The watched corpus folder, over the wire: real files in the library's folder, the real watcher
(bot/cogs/watcher.py, watchfiles), the real bot and model. README: a file added, changed or
deleted on disk is reindexed without a restart; a spoiled file keeps its last good version."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.client import CiteBot
from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

FISH = "What happened to the price of fish in Wonsan?"
HARBOUR = (
    "---\ntitle: Wonsan harbour freezes\n---\n"
    "The harbour of Wonsan froze over in March.\n\n"
    "Local traders said the price of fish doubled during the freeze.\n"
)
ICE = "---\ntitle: Icebreakers reach Wonsan\n---\nTwo icebreakers reached the port of Wonsan on Friday.\n"
CHANGED = "corpus folder changed"


async def asked(fake: FakeDiscord, question: str) -> dict:
    """The embed /ask answers ``question`` with."""
    interaction = await fake.slash("ask", question=question)
    return (await fake.followup(interaction, timeout=30)).json["embeds"][0]


async def until(check: Callable[[], Any], what: str, timeout: float = 30.0) -> None:
    """Wait until ``check()`` holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.05)


def watcher_said(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.cogs.watcher" and text in r.getMessage()]


async def watching(bot: CiteBot, caplog: pytest.LogCaptureFixture) -> None:
    """Return once the watcher sees the folder (watchfiles tells nobody when it has started):
    put a metadata file the folder already has back in place, unchanged (nothing to reindex),
    until the watcher reports it, and its look at the folder is over."""
    caplog.set_level(logging.INFO, logger="bot.cogs.watcher")
    library = bot.library
    probe = library.folder / "nk-troops.yaml"
    same = probe.read_bytes()
    for _ in range(30):
        spare = library.folder / ".probe.tmp"  # hidden: not looked at
        spare.write_bytes(same)
        os.replace(spare, probe)  # whole at once: a refresh never reads it half written
        try:
            await until(lambda: watcher_said(caplog, f"{CHANGED} ({probe.name})"), "the probe seen", 1.0)
        except AssertionError:
            continue
        # the refresh was handed to the one index worker as the line was logged: wait behind it
        await bot.aside(lambda: None)
        return
    raise AssertionError("the watcher never reported a change to the folder")


async def test_a_file_dropped_into_the_folder_is_answered_without_a_restart(library, tmp_path, fake, caplog):
    async with running(library, tmp_path, fake) as bot:
        await watching(bot, caplog)
        (library.folder / "harbour.md").write_text(HARBOUR)
        await until(lambda: library.find("harbour"), "harbour.md indexed")
        assert "price of fish doubled" in (await asked(fake, FISH))["description"]
        (library.folder / "harbour.md").unlink()
        await until(lambda: not library.find("harbour"), "harbour.md gone from the index")
        assert "price of fish doubled" not in str(await asked(fake, FISH))


async def test_a_live_edit_of_an_article_is_answered_after_the_change(library, tmp_path, fake, caplog):
    harbour = library.folder / "harbour.md"
    harbour.write_text(HARBOUR)
    library.refresh()
    async with running(library, tmp_path, fake) as bot:
        await watching(bot, caplog)
        assert "price of fish doubled" in (await asked(fake, FISH))["description"]
        harbour.write_text(HARBOUR.replace("doubled", "tripled"))  # edited in place
        await until(lambda: "tripled" in library.find("harbour").body, "the edit indexed")
        description = (await asked(fake, FISH))["description"]
        assert "price of fish tripled" in description and "doubled" not in description


async def test_after_a_failed_refresh_the_watcher_goes_on(library, tmp_path, fake, caplog, monkeypatch):
    async with running(library, tmp_path, fake) as bot:
        await watching(bot, caplog)
        real, failed = library.refresh, []

        def fails_once():
            if not failed:
                failed.append(True)
                raise RuntimeError("the disk hiccuped")
            return real()

        monkeypatch.setattr(library, "refresh", fails_once)
        (library.folder / "harbour.md").write_text(HARBOUR)
        failure = "could not reindex after a change to harbour.md"
        await until(lambda: watcher_said(caplog, failure), "the failure logged")
        assert "the disk hiccuped" in caplog.text and library.find("harbour") is None  # with its trace
        (library.folder / "ice.md").write_text(ICE)  # a later change
        await until(lambda: library.find("ice"), "ice.md indexed after the failure")
        assert library.find("harbour")  # the folder is read as it now stands
        assert "price of fish doubled" in (await asked(fake, FISH))["description"]


async def test_hidden_and_temporary_files_are_not_looked_at(library, tmp_path, fake, caplog):
    ignored = (".draft.md", ".harbour.md.swp", "harbour.md.tmp", "harbour.md~")
    async with running(library, tmp_path, fake) as bot:
        await watching(bot, caplog)
        for name in ignored:
            (library.folder / name).write_text(HARBOUR)
        (library.folder / "ice.md").write_text(ICE)  # the marker: a change that is looked at
        await until(lambda: library.find("ice"), "ice.md indexed")
        seen = watcher_said(caplog, CHANGED)
        assert not [line for line in seen for name in ignored if name in line], seen
        assert not library.find("harbour")


@pytest.mark.parametrize(
    ("damage", "reason"),
    [(b"Caf\xe9 cr\xe8me, the price of fish\n", "not UTF-8"), (b"", "has no text")],
    ids=["not-utf8", "emptied"],
)
async def test_a_spoiled_article_keeps_its_last_good_version_and_is_named(
    library, tmp_path, fake, caplog, damage, reason
):
    harbour = library.folder / "harbour.md"
    harbour.write_text(HARBOUR)
    library.refresh()
    async with running(library, tmp_path, fake) as bot:
        await watching(bot, caplog)
        harbour.write_bytes(damage)
        kept = "(its last good version is still answered from)"
        await until(lambda: watcher_said(caplog, kept), "the spoiled file named in the log")
        (warning,) = watcher_said(caplog, kept)
        assert warning.startswith("harbour.md is not indexed: ") and reason in warning, warning
        assert "price of fish doubled" in (await asked(fake, FISH))["description"]
        assert library.find("harbour") is not None
