"""Forum channels over the wire: each new post answered in the post, once, whichever of its two
events comes first; the Solved button; follow-ups; /settings forum; /stats and /gaps."""

from __future__ import annotations

import pytest

from tests.bot.wire.fake_discord import FakeDiscord
from tests.bot.wire.harness import buttons, fake_discord, posts, reply_to, running, told

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)

TITLE = "North Korean troops in Russia"
BODY = "How many North Korean troops are in Russia for training?"
MESSAGE_CONTENT = 1 << 15
MANAGE_THREADS = 1 << 34
# everything but Manage Threads (and Administrator, which would imply it)
NO_MANAGE_THREADS = FakeDiscord.permissions & ~MANAGE_THREADS & ~(1 << 3)


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


@pytest.mark.parametrize("message_first", [False, True])
async def test_a_post_whose_opening_message_mentions_citebot_is_answered_once(
    engine, tmp_path, fake, message_first
):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        body = f"<@{fake.app_id}> {BODY}"
        thread = await fake.post(TITLE, body, mentions_bot=True, message_first=message_first)
        await answer_in(fake, thread)
        await settled(fake, bot)
        assert len(in_post(fake, thread)) == 1  # not again by the Asking cog, in either order


async def test_the_first_message_is_fetched_when_its_event_never_comes(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id):
        thread = await fake.post(TITLE, BODY, send_message=False)
        answer = await answer_in(fake, thread)
        assert "training" in answer["embeds"][0]["title"]  # the message's words, fetched
        assert f"/channels/{thread['id']}/messages/{thread['id']}" in [
            c.path for c in fake.calls if c.method == "GET"
        ]


async def test_a_post_mentioning_citebot_in_another_forum_is_answered_and_others_are_not(
    engine, tmp_path, fake
):
    async with running(engine, tmp_path, fake):
        assert not fake.identifies[0]["intents"] & MESSAGE_CONTENT  # no forum set: not asked for
        quiet = await fake.post("Just chatting", "Nothing for citebot here.")
        thread = await fake.post(TITLE, f"<@{fake.app_id}> {BODY}", mentions_bot=True)
        answer = await answer_in(fake, thread)
        assert "training" in answer["embeds"][0]["title"] and "<@" not in answer["embeds"][0]["title"]
        assert not in_post(fake, quiet)  # answered after it: the quiet post was passed over
        assert len(in_post(fake, thread)) == 1


async def test_a_post_opened_with_a_raw_mention_is_answered_as_a_message_with_one_would_be(
    engine, tmp_path, fake
):
    """``<@id>`` written in an opener that Discord's mention list lacks: the Asking cog counts it
    a mention and leaves openers to the forums, so the forums must count it too (issue 22,
    item 10: one test of what mentions citebot, in the module both cogs import)."""
    async with running(engine, tmp_path, fake) as bot:
        thread = await fake.post(TITLE, f"<@{fake.app_id}> {BODY}", mentions_bot=False)
        answer = await answer_in(fake, thread)
        assert "training" in answer["embeds"][0]["title"]
        await settled(fake, bot)
        assert len(in_post(fake, thread)) == 1


async def test_the_poster_marks_the_post_solved_which_sets_the_forums_tag(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        poster = fake.plain_member("poster")
        bug = fake.forum_tags[1]["id"]
        thread = await fake.post(TITLE, BODY, author=poster, tags=(bug,))
        answer = await answer_in(fake, thread)
        click = await fake.click(answer, buttons(answer)["Solved"], poster)
        assert await told(fake, click, "Marked as solved.") == "Marked as solved."
        patch = await fake.wait_for(lambda c: c.method == "PATCH" and c.path == f"/channels/{thread['id']}")
        assert patch.json["applied_tags"] == [bug, fake.solved_tag_id]  # its own tag kept
        assert bot.forum_posts.solved_posts(int(fake.guild_id)) == {int(thread["id"])}


async def test_the_solved_button_works_after_a_restart(engine, tmp_path, fake):
    poster = fake.user("poster")
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id):
        thread = await fake.post(TITLE, BODY, author=poster)
        answer = await answer_in(fake, thread)
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        click = await fake.click(answer, buttons(answer)["Solved"], poster)  # the post is not cached now
        assert await told(fake, click, "Marked as solved.") == "Marked as solved."
        await fake.wait_for(lambda c: c.method == "PATCH" and c.path == f"/channels/{thread['id']}")
        assert bot.forum_posts.solved_posts(int(fake.guild_id)) == {int(thread["id"])}


async def test_without_manage_threads_the_post_is_still_solved_and_the_clicker_told(engine, tmp_path):
    async with fake_discord(permissions=NO_MANAGE_THREADS) as fake:
        async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
            poster = fake.user("poster")
            thread = await fake.post(TITLE, BODY, author=poster)
            answer = await answer_in(fake, thread)
            click = await fake.click(answer, buttons(answer)["Solved"], poster)
            text = await told(fake, click, "Marked as solved.")
            assert "“Solved” tag could not be set" in text and "Manage Threads" in text
            assert not [c for c in fake.calls if c.method == "PATCH" and c.path.startswith("/channels/")]
            assert bot.forum_posts.solved_posts(int(fake.guild_id)) == {int(thread["id"])}


async def test_a_refused_tag_change_still_records_the_post_solved(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        poster = fake.user("poster")
        thread = await fake.post(TITLE, BODY, author=poster)
        answer = await answer_in(fake, thread)
        fake.fail_next[rf"/channels/{thread['id']}"] = [403]
        click = await fake.click(answer, buttons(answer)["Solved"], poster)
        assert "could not be set" in await told(fake, click, "Marked as solved.")
        assert bot.forum_posts.solved_posts(int(fake.guild_id)) == {int(thread["id"])}


async def test_someone_elses_click_is_refused_privately_and_a_moderators_counts(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        thread = await fake.post(TITLE, BODY, author=fake.user("poster"))
        answer = await answer_in(fake, thread)
        other = await fake.click(answer, buttons(answer)["Solved"], fake.plain_member("other"))
        refusal = (await fake.response(other)).json
        assert refusal["data"]["flags"] == 64 and "Only the person who started" in refusal["data"]["content"]
        assert not bot.forum_posts.solved_posts(int(fake.guild_id))
        moderator = await fake.click(answer, buttons(answer)["Solved"], fake.user("moderator"))
        assert await told(fake, moderator, "Marked as solved.")  # Manage Threads: may mark it


async def test_forum_followups_answer_a_message_without_a_mention_after_the_posts_question(
    engine, tmp_path, fake
):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id):
        await fake.response(await fake.slash("settings set", forum_followups=True))
        poster = fake.user("poster")
        thread = await fake.post(TITLE, BODY, author=poster)
        first = await answer_in(fake, thread)
        asked = await fake.message("And who trains them?", author=poster, channel_id=thread["id"])
        call = await reply_to(fake, asked)
        footer = call.json["embeds"][0]["footer"]["text"]
        assert f"following: {first['embeds'][0]['title']}" in footer


async def test_with_forum_followups_a_mention_in_a_post_is_still_answered_once(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        await fake.response(await fake.slash("settings set", forum_followups=True))
        poster = fake.user("poster")
        thread = await fake.post(TITLE, BODY, author=poster)
        await answer_in(fake, thread)
        mention = f"<@{fake.app_id}> And who trains them?"
        asked = await fake.message(mention, author=poster, channel_id=thread["id"], mentions_bot=True)
        await reply_to(fake, asked)
        await settled(fake, bot)
        assert len(in_post(fake, thread)) == 2  # the post's answer, and one to the mention


async def test_without_forum_followups_a_message_in_a_post_is_left_alone(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        poster = fake.user("poster")
        thread = await fake.post(TITLE, BODY, author=poster)
        await answer_in(fake, thread)
        await fake.message("And who trains them?", author=poster, channel_id=thread["id"])
        await settled(fake, bot)
        assert len(in_post(fake, thread)) == 1


async def test_settings_forum_adds_a_forum_kept_across_a_restart_and_takes_it_out(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake):
        added = await fake.slash("settings forum", channels={"channel": fake.forum_id})
        card = (await fake.response(added)).json["data"]
        assert "Message Content" in card["content"] and "restart" in card["content"]
        forums = next(f for f in card["embeds"][0]["fields"] if f["name"].startswith("Forums"))
        assert forums["name"].endswith("(this server)") and f"<#{fake.forum_id}>" in forums["value"]
    async with running(engine, tmp_path, fake):
        assert fake.identifies[-1]["intents"] & MESSAGE_CONTENT
        thread = await fake.post(TITLE, BODY)
        assert "training" in (await answer_in(fake, thread))["embeds"][0]["title"]
        removed = await fake.slash("settings forum", channels={"channel": fake.forum_id}, answer=False)
        card = (await fake.response(removed)).json["data"]
        forums = next(f for f in card["embeds"][0]["fields"] if f["name"].startswith("Forums"))
        assert forums["value"] == "none"


async def test_settings_forum_says_when_citebot_cannot_set_the_solved_tag(engine, tmp_path):
    async with fake_discord(permissions=NO_MANAGE_THREADS) as fake:
        async with running(engine, tmp_path, fake):
            added = await fake.slash("settings forum", channels={"channel": fake.forum_id})
            note = (await fake.response(added)).json["data"]["content"]
            assert note.startswith("Saved.") and "Solved tag without Manage Threads" in note


async def test_stats_give_the_share_of_answered_posts_marked_solved(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id):
        poster = fake.user("poster")
        solved = await fake.post(TITLE, BODY, author=poster)
        answer = await answer_in(fake, solved)
        await answer_in(fake, await fake.post("Training", "Where are the troops trained?"))
        click = await fake.click(answer, buttons(answer)["Solved"], poster)
        await told(fake, click, "Marked as solved.")
        report = await fake.slash("stats")
        description = (await fake.followup(report)).json["embeds"][0]["description"]
        assert "Forum posts: 2 answered, 1 marked solved (50%)." in description


async def test_gaps_leave_out_the_questions_of_solved_posts(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id):
        poster = fake.user("poster")
        solved = await fake.post("Pancakes", "What is the best recipe for pancakes?", author=poster)
        answer = await answer_in(fake, solved)
        await answer_in(fake, await fake.post("Football", "Who won the 1998 football World Cup?"))
        click = await fake.click(answer, buttons(answer)["Solved"], poster)
        await told(fake, click, "Marked as solved.")
        report = await fake.slash("gaps")
        text = str((await fake.followup(report)).json["embeds"][0])
        assert "World Cup" in text and "pancakes" not in text.lower()


@pytest.mark.parametrize("message_first", [False, True])
async def test_a_bots_post_is_not_answered_in_either_order(engine, tmp_path, fake, message_first):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        feed = await fake.post(
            TITLE, BODY, author=fake.user("newsfeed", bot=True), message_first=message_first
        )
        person = await fake.post(TITLE, BODY, author=fake.user("poster"), message_first=message_first)
        await answer_in(fake, person)  # the bot's post came first, and would be answered by now
        await settled(fake, bot)
        assert not in_post(fake, feed)  # a bot's post asks nothing, whichever of its events came first


async def test_a_forum_among_the_answer_channels_has_its_every_post_answered_once(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, ANSWER_CHANNEL_IDS=fake.forum_id) as bot:
        thread = await fake.post(TITLE, BODY)  # every message there is a question, a post's first too
        assert "training" in (await answer_in(fake, thread, wait=15.0))["embeds"][0]["title"]
        await settled(fake, bot)
        assert len(in_post(fake, thread)) == 1


async def test_a_database_fault_after_a_posts_answer_costs_its_record_not_an_apology(engine, tmp_path, fake):
    async with running(engine, tmp_path, fake, FORUM_CHANNEL_IDS=fake.forum_id) as bot:
        bot.forum_posts.close()  # recording the post as answered now fails
        thread = await fake.post(TITLE, BODY)
        await answer_in(fake, thread)
        await settled(fake, bot)
        sent = in_post(fake, thread)
        assert len(sent) == 1 and "embeds" in sent[0].json  # the answer, and no apology after it
