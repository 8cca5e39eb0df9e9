"""A library per server over the wire (issue 23): two servers (two fake Discords on one data
folder, one bot after the other: a restart between them), each adding its own article. An
article added in server A is answered in A and never seen in B, on every surface that names
articles or passages; B's likewise; the shared article is answered in both; a restart keeps all
three; a server can leave the shared library out in /settings; a DM is answered from the shared
library alone."""

from __future__ import annotations

import pytest

from bot.cogs.ask_message import NAME
from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import PAGE, ask, buttons, fake_discord, own_library, reply_to, running, told

pytestmark = pytest.mark.anyio

FISH = "What happened to the price of fish in Wonsan?"
TROOPS = "How many troops did North Korea send?"
FERRY = b"""# Ferry to Rason

The ferry to Rason sails twice a week in summer, the port office said on Monday.

Tickets cost about thirty dollars and are sold at the harbour gate.
"""
SAILS = "How often does the ferry to Rason sail?"
HARBOUR_ID, FERRY_ID = "wonsan-harbour-freezes", "ferry-to-rason"


async def answered(fake: FakeDiscord, question: str) -> dict:
    """The embed /ask answers ``question`` with."""
    interaction = await fake.slash("ask", question=question)
    return (await fake.followup(interaction, timeout=30)).json["embeds"][0]


async def shown(fake: FakeDiscord, command: str, **options: object) -> str:
    """Everything a command's reply says (content and embeds), as text."""
    call = await fake.response(await fake.slash(command, **options))
    data = call.json.get("data") or {}
    return f"{data.get('content') or ''} {data.get('embeds') or ''}"


async def offered(fake: FakeDiscord, command: str, option: str, typed: str) -> str:
    """The autocomplete choices a command offers for what is typed, as text."""
    call = await fake.response(await fake.autocomplete(command, option, typed))
    return str(call.json["data"]["choices"])


async def sees(fake: FakeDiscord, mine: str, theirs: str, question: str, other_question: str) -> None:
    """In ``fake``'s server: its own article ``mine`` is answered and offered everywhere; the
    other server's ``theirs`` nowhere; the shared article is answered."""
    own = await answered(fake, question)
    assert mine.split("-")[0] in str(own).lower() and "library" not in own.get("description", "")
    other = await answered(fake, other_question)
    assert theirs not in str(other) and theirs.split("-")[0] not in other["footer"]["text"].lower()
    assert "North Korean troops head for Russia" in (await answered(fake, TROOPS))["footer"]["text"]
    mention = await ask(fake, fake.user("asker"), question)  # a mention, answered with buttons
    assert mine.split("-")[0] in str(mention["embeds"]).lower()
    context = await fake.click(mention, buttons(mention)["More context"], fake.user("asker"))
    assert mine in str((await fake.response(context)).json)
    for text in (question, other_question):  # "Ask citebot" on a message
        target = await fake.message(text, author=fake.user("bob"))
        await fake.message_command(NAME, target, user=fake.user("asker"))
        embed = (await reply_to(fake, target)).json["embeds"][0]
        cited = f"{embed['footer']['text']} {embed.get('fields', '')}".lower()
        assert theirs not in str(embed) and theirs.split("-")[0] not in cited
        assert text != question or mine.split("-")[0] in cited
    assert theirs not in await offered(fake, "passage", "id", theirs.split("-")[0])
    assert mine in await offered(fake, "passage", "id", mine.split("-")[0])
    assert "No passage has the id" in await shown(fake, "passage", id=f"{theirs}#p1")
    assert mine in await shown(fake, "passage", id=f"{mine}#p1")
    for command in ("sources", "article list", "help"):
        text = await shown(fake, command)
        assert theirs not in text and theirs.split("-")[0] not in text.lower(), command
    listed = await shown(fake, "article list")
    assert mine in listed and "nk-troops" in listed and "shared library" in listed
    assert theirs not in await offered(fake, "article remove", "id", "")
    assert "No article has the id" in await shown(fake, "article remove", id=theirs)


async def test_each_server_answers_from_its_own_articles_and_the_shared_never_anothers(library, tmp_path):
    async with fake_discord() as a:
        guild_a = a.guild_id
        async with running(library, tmp_path, a) as bot:
            added = await a.slash("article add", files={"file": ("harbour.html", PAGE)})
            assert "Added" in await told(a, added, "Added")
            own = own_library(bot, a)
            assert own is not None and own.find(HARBOUR_ID) is not None
            assert library.find(HARBOUR_ID) is None  # the shared library is untouched
    async with fake_discord() as b:
        guild_b = b.guild_id
        async with running(library, tmp_path, b):
            added = await b.slash("article add", files={"file": ("ferry.md", FERRY)})
            assert "Added" in await told(b, added, "Added")
            await sees(b, FERRY_ID, HARBOUR_ID, SAILS, FISH)
    async with fake_discord(guild_id=guild_a) as a:  # server A again, after a restart
        async with running(library, tmp_path, a):
            await sees(a, HARBOUR_ID, FERRY_ID, FISH, SAILS)
            changed = await a.slash("settings set", shared_library=False)
            assert "off: this server's own articles alone" in str((await a.response(changed)).json)
            alone = await answered(a, TROOPS)  # the shared library left out here
            assert "North Korean troops head for Russia" not in alone["footer"]["text"]
            assert "price of fish doubled" in (await answered(a, FISH))["description"]
    async with fake_discord(guild_id=guild_b) as b:
        async with running(library, tmp_path, b):
            assert "twice a week" in (await answered(b, SAILS))["description"]
            assert "North Korean troops head for Russia" in (await answered(b, TROOPS))["footer"]["text"]


async def test_a_direct_message_is_answered_from_the_shared_library_alone(library, tmp_path, fake):
    async with running(library, tmp_path, fake):
        added = await fake.slash("article add", files={"file": ("harbour.html", PAGE)})
        await told(fake, added, "Added")
        dm = await fake.message(FISH, guild=False)
        reply = (await reply_to(fake, dm)).json
        assert HARBOUR_ID not in str(reply) and "Wonsan harbour freezes" not in str(reply)
        troops = await fake.message(TROOPS, guild=False)
        assert "North Korean troops head for Russia" in str((await reply_to(fake, troops)).json)


async def test_a_servers_pages_from_the_web_and_forum_posts_stay_its_own(library, tmp_path):
    from tests.bot.wire.test_forums import answer_in
    from tests.bot.wire.test_urls import LOOPBACK, serving

    async with serving() as site:
        async with fake_discord() as a:
            env = {"FORUM_CHANNEL_IDS": a.forum_id, "ALLOW_PRIVATE_URLS": LOOPBACK}
            async with running(library, tmp_path, a, **env) as bot:
                added = await a.slash("article add", url=f"{site.base}/story")
                assert "Added" in await told(a, added, "Added")
                states = bot.sources_of(int(a.guild_id))  # kept in the server's own folder
                assert states is not None and states.get(HARBOUR_ID) is not None
                assert bot.sources.get(HARBOUR_ID) is None  # not among the shared library's
                post = await answer_in(a, await a.post("Fish prices", FISH))
                assert "price of fish doubled" in str(post["embeds"][0])
                synced = await a.slash("article sync")
                assert "Checked 1 article(s) from the web: 1 unchanged" in await told(a, synced, "Checked")
                assert HARBOUR_ID in await shown(a, "article list")
        async with fake_discord() as b:
            env = {"FORUM_CHANNEL_IDS": b.forum_id, "ALLOW_PRIVATE_URLS": LOOPBACK}
            async with running(library, tmp_path, b, **env):
                post = await answer_in(b, await b.post("Fish prices", FISH))
                assert HARBOUR_ID not in str(post) and "Wonsan harbour freezes" not in str(post)
                synced = await b.slash("article sync")
                assert "No article added from a URL" in await told(b, synced, "No article")
                assert site.base not in await shown(b, "article list")


async def test_a_server_that_removes_citebot_keeps_its_library_for_its_days(library, tmp_path, fake):
    import asyncio
    import time

    from index.libraries import LEFT_FILE

    async with running(library, tmp_path, fake) as bot:
        added = await fake.slash("article add", files={"file": ("harbour.html", PAGE)})
        await told(fake, added, "Added")
        folder = bot.libraries.folder(int(fake.guild_id))
        await fake.dispatch("GUILD_DELETE", {"id": fake.guild_id})  # citebot removed from the server
        for _ in range(100):
            if (folder / LEFT_FILE).exists():
                break
            await asyncio.sleep(0.05)
        assert (folder / LEFT_FILE).exists() and (folder / "articles").is_dir()  # kept, marked
        assert bot.libraries.purge(30) == []  # within its 30 days
    async with running(library, tmp_path, fake) as bot:  # added back: its own again, whole
        assert not (folder / LEFT_FILE).exists()
        assert "price of fish doubled" in (await answered(fake, FISH))["description"]
        bot.libraries.left(int(fake.guild_id), when=time.time() - 31 * 86_400)
        assert bot.libraries.purge(bot.config.left_server_days) == [int(fake.guild_id)]
        assert not folder.exists()
