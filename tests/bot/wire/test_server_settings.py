"""/settings over the wire: a server's own settings, kept in the real SQLite file across a
restart, over the operator's .env defaults."""

from __future__ import annotations

import pytest

from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import reply_to, running

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

QUESTION = "What roles might North Korean troops take on?"
MESSAGE_CONTENT = 1 << 15


async def shown(fake: FakeDiscord, interaction: dict) -> dict:
    """The settings card (and its note) the bot answered with."""
    return (await fake.response(interaction)).json["data"]


def field(card: dict, start: str) -> dict:
    return next(f for f in card["embeds"][0]["fields"] if f["name"].startswith(start))


async def test_a_server_sets_results_privacy_threads_and_cooldown(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, USER_RATE_LIMIT="10/60"):
        changed = await fake.slash("settings set", results=1, private=True, threads=True, cooldown="1/60")
        card = await shown(fake, changed)
        assert card["content"] == "Saved."
        assert field(card, "Passages per answer (this server)")["value"] == "1"
        assert field(card, "Cooldown (this server)")["value"] == "1 questions per 60 s each"
        asker = fake.user("asker")
        asked = await fake.slash("ask", user=asker, question=QUESTION)
        deferral = await fake.response(asked)
        assert deferral.json["data"]["flags"] & 64  # private, as the server chose
        answer = (await fake.followup(asked)).json["embeds"][0]
        assert len([f for f in answer["fields"] if "¶" in f["name"]]) == 1
        again = await fake.message(f"<@{fake.app_id}> {QUESTION}", author=asker, mentions_bot=True)
        refusal = await reply_to(fake, again)
        assert "faster than I can keep up" in refusal.json["content"]


async def test_threads_set_off_here_override_the_operators_default(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, ANSWER_IN_THREAD="true"):
        await shown(fake, await fake.slash("settings set", threads=False))
        asked = await fake.message(f"<@{fake.app_id}> {QUESTION}", mentions_bot=True)
        await reply_to(fake, asked)
        assert not [c for c in fake.calls if c.path.endswith("/threads")]


async def test_an_answer_channel_is_kept_across_a_restart_which_turns_on_message_content(
    engine, tmp_path, fake
):

    async with running(engine, tmp_path, fake):
        assert not fake.identifies[-1]["intents"] & MESSAGE_CONTENT
        added = await fake.slash("settings channel", channels={"channel": fake.other_channel_id})
        card = await shown(fake, added)
        assert "Message Content" in card["content"] and "restart" in card["content"]
        assert f"<#{fake.other_channel_id}>" in field(card, "Answer channels (this server)")["value"]
    async with running(engine, tmp_path, fake):
        assert fake.identifies[-1]["intents"] & MESSAGE_CONTENT
        asked = await fake.message(QUESTION, channel_id=fake.other_channel_id)  # no mention
        assert (await reply_to(fake, asked)).json["embeds"][0]["title"] == QUESTION
        card = await shown(fake, await fake.slash("settings reset"))
        assert card["content"] == "Back to the defaults."
        assert field(card, "Answer channels (default)")


async def test_only_managers_change_settings_and_bad_values_are_named(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake) as bot:
        member = fake.plain_member()
        refused = await shown(fake, await fake.slash("settings set", user=member, results=1))
        assert "Manage Server" in refused["content"]
        bad = await shown(fake, await fake.slash("settings set", cooldown="often"))
        assert "5/60" in bad["content"]
        role = await shown(fake, await fake.slash("settings set", roles={"editor_role": fake.editor_role_id}))
        assert f"<@&{fake.editor_role_id}>" in field(role, "Editor role (this server)")["value"]
        one = await shown(fake, await fake.slash("settings reset", setting="editor_role"))
        assert field(one, "Editor role (default)")
        assert bot.guild_settings(int(fake.guild_id)).results == 3  # untouched by the refused change
