"""Forum channels: each new post in a forum citebot answers (FORUM_CHANNEL_IDS or /settings
forum), or one whose opening message mentions it, is a question answered in the post itself,
with a "✅ Solved" button for the poster and moderators; follow-ups in a post when the server
set forum_followups."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord.ext import commands

from bot.batching import Busy
from bot.cogs._answering import (
    Asked,
    answer_message,
    ignored,
    mentions_bot,
    question_in,
    say,
    send_card,
    slow_down,
    view_for,
)
from bot.cogs.buttons import Guarded
from bot.delivery import APOLOGY, BUSY, RESTARTING, tell
from bot.render.answer import render_card
from bot.render.card import LIMITS
from index import question_from

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)

V = TypeVar("V")

SOLVED_TAGS = ("solved", "resolved")  # a forum's tag with one of these names marks a post solved
RECENT = 1000  # posts remembered as taken, and opening messages held until their post arrives
ONLY_POSTER = "Only the person who started this post, or a moderator (Manage Threads), can mark it solved."
NOT_HERE = "That button belongs to another post."
NO_TAG = (
    " The forum's “{tag}” tag could not be set: citebot needs Manage Threads in this forum "
    "(a moderator can set it)."
)
FULL = " The forum's “{tag}” tag could not be set: the post already has 5 tags."
REFUSED = " The forum's “{tag}” tag could not be set (Discord refused it: {status})."


def post_question(title: str, text: str) -> str:
    """What a forum post asks: its title, then the start of its first message, in one line cut
    to the question limit (at a word)."""
    title, text = title.strip(), text.strip()
    joined = f"{title} {text}" if not text or re.search(r"[.?!:]$", title) else f"{title}: {text}"
    return question_from(joined)


def solved_tag(thread: discord.Thread) -> discord.ForumTag | None:
    """The forum's tag for solved posts ("Solved" or "Resolved", in any case), if it has one."""
    forum = thread.parent
    if not isinstance(forum, discord.ForumChannel):
        return None
    return next((t for t in forum.available_tags if t.name.strip().lower() in SOLVED_TAGS), None)


def remember(recent: OrderedDict[int, V], key: int, value: V) -> None:
    """Keep ``key`` among the ``RECENT`` latest, forgetting the oldest."""
    recent[key] = value
    recent.move_to_end(key)
    while len(recent) > RECENT:
        recent.popitem(last=False)


class Forums(commands.Cog):
    """Answers forum posts in the post, once each, whichever of a post's two events comes first."""

    def __init__(self, bot: CiteBot) -> None:
        self.bot = bot
        self.taken: OrderedDict[int, bool] = OrderedDict()  # posts answered or being answered
        # opening messages that came before their post's THREAD_CREATE, by the post's id
        self.held: OrderedDict[int, discord.Message] = OrderedDict()

    def answers_every_post(self, thread: discord.Thread) -> bool:
        """Whether the post's forum is one whose every post citebot answers: a forum set as one,
        or among the answer channels (every message there is a question, a post's first too)."""
        here = self.bot.guild_settings(thread.guild.id)
        return thread.parent_id in here.forum_channel_ids or thread.parent_id in here.answer_channel_ids

    # ---- new posts ---------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        if not isinstance(thread.parent, discord.ForumChannel):
            return
        opener = self.held.pop(thread.id, None)
        if opener is not None or self.answers_every_post(thread):
            await self.take(thread, opener)
        # else: an opening message that mentions citebot comes as MESSAGE_CREATE, and takes it

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        channel = message.channel
        if message.guild is None:
            return
        if message.id == channel.id:  # a post's opening message: a post's id is its first message's
            if isinstance(channel, discord.Thread):
                if isinstance(channel.parent, discord.ForumChannel):
                    await self.take(channel, message)
            else:
                remember(self.held, message.id, message)  # its post (THREAD_CREATE) has not come yet
            return
        if isinstance(channel, discord.Thread) and isinstance(channel.parent, discord.ForumChannel):
            await self.follow_up(channel, message)

    async def take(self, thread: discord.Thread, opener: discord.Message | None) -> None:
        """Answer the post unless it was taken already or asks nothing of citebot; the check and
        the claim are one step on the event loop, so the post's two events answer it once."""
        bot = self.bot
        if thread.id in self.taken or bot.stopping:
            return
        if opener is not None and ignored(bot, opener):
            return
        if not (self.answers_every_post(thread) or (opener is not None and mentions_bot(bot, opener))):
            return
        if bot.refusal_for(thread.guild.id, thread.id, thread.parent_id):
            return
        remember(self.taken, thread.id, True)
        await self.guarded(lambda: self.answer_post(thread, opener), thread, opener)

    async def answer_post(self, thread: discord.Thread, opener: discord.Message | None) -> None:
        bot = self.bot
        if opener is None:
            opener = await self.opening_message(thread)
            if opener is not None and ignored(bot, opener):
                return  # a bot's post, found out only now that its message was fetched
        guild_id = thread.guild.id
        here = bot.guild_settings(guild_id)
        asker = opener.author.id if opener else thread.owner_id
        wait, tell_them = bot.limit_wait(asker, guild_id, here.rate_limit)
        if wait:
            if tell_them:
                await say(thread, slow_down(wait), opener)
            return
        question = post_question(thread.name, opener.content if opener else "")
        with contextlib.suppress(discord.HTTPException):  # "citebot is typing…" is a nicety
            await thread.typing()
        try:
            answer, ask_id = await bot.answer(
                question, here.results, asker, guild_id, conversation=thread.id, shared=here.shared_library
            )
        except Busy:
            await say(thread, BUSY, opener)
            return
        view = view_for(bot, answer, ask_id)
        if view is discord.utils.MISSING:
            view = discord.ui.View(timeout=None)
        view.add_item(Solved(thread.id))
        reference = opener.to_reference(fail_if_not_exists=False) if opener else None
        await send_card(thread, render_card(answer), view, reference)
        log.info("answered forum post %s in forum %s", thread.id, thread.parent_id)
        try:  # the answer is out: a database fault costs the post its record, never an apology
            await bot.database(bot.forum_posts.answered, thread.id, guild_id)
        except Exception:
            log.exception("could not record forum post %s as answered", thread.id)

    async def opening_message(self, thread: discord.Thread) -> discord.Message | None:
        """The post's first message, fetched (its MESSAGE_CREATE has not come, or never will);
        None when it cannot be read: the title alone is the question then."""
        try:
            return await thread.fetch_message(thread.id)
        except discord.HTTPException as exc:
            log.warning("could not read the first message of forum post %s (%s)", thread.id, exc.status)
            return None

    # ---- follow-ups --------------------------------------------------------------------------

    async def follow_up(self, thread: discord.Thread, message: discord.Message) -> None:
        """A message in a post that does not mention citebot, answered when the server set
        forum_followups and citebot answers this post (its forum's every post, or this one)."""
        bot = self.bot
        here = bot.guild_settings(thread.guild.id)
        if not here.forum_followups:
            return
        if question_in(bot, message) is not None:
            return  # a mention (or an answer channel): the Asking cog answers it
        if ignored(bot, message) or not message.content.strip():
            return
        if bot.refusal_for(thread.guild.id, thread.id, thread.parent_id):
            return
        if not (self.answers_every_post(thread) or thread.id in self.taken):
            if not await bot.database(bot.forum_posts.is_answered, thread.id):
                return
        asked = Asked(message.content, here)
        await self.guarded(lambda: answer_message(bot, message, asked), thread, message)

    # ---- sending -----------------------------------------------------------------------------

    async def guarded(
        self, work: Callable[[], Awaitable[None]], thread: discord.Thread, message: discord.Message | None
    ) -> None:
        """Run ``work`` as a pending answer; a failure is logged and the poster told."""
        self.bot.track()
        try:
            await work()
        except asyncio.CancelledError:
            await say(thread, RESTARTING, message)
            raise
        except Exception:
            log.exception("could not answer in forum post %s", thread.id)
            await say(thread, APOLOGY, message)


class Solved(Guarded, discord.ui.DynamicItem[discord.ui.Button], template=r"cb:solved:(?P<thread>\d+)"):
    """✅ under an answer in a forum post: the poster or a moderator marks the post solved (the
    forum's Solved tag, where it has one, and the record for /stats and /gaps)."""

    def __init__(self, thread_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Solved",
                emoji="✅",
                style=discord.ButtonStyle.success,
                custom_id=f"cb:solved:{thread_id}",
            )
        )
        self.thread_id = thread_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[CiteBot], item: discord.ui.Button, match: re.Match[str], /
    ) -> Solved:
        return cls(int(match["thread"]))

    async def callback(self, interaction: discord.Interaction[CiteBot]) -> None:
        try:
            await self.mark(interaction)
        except Exception:
            log.exception("the Solved button failed (post %s)", self.thread_id)
            await tell(interaction)

    async def mark(self, interaction: discord.Interaction[CiteBot]) -> None:
        bot = interaction.client
        thread = interaction.channel
        forums = bot.get_cog("Forums")
        if not isinstance(thread, discord.Thread) or thread.id != self.thread_id:
            await tell(interaction, NOT_HERE)
            return
        if interaction.user.id != thread.owner_id and not interaction.permissions.manage_threads:
            await tell(interaction, ONLY_POSTER)
            return
        if not isinstance(forums, Forums):
            await tell(interaction, RESTARTING)
            return
        await interaction.response.defer()  # the tag and the record, within Discord's 3 s
        first = await bot.database(bot.forum_posts.solved, thread.id, thread.guild.id)
        note = await apply_solved_tag(thread, interaction.app_permissions.manage_threads)
        log.info("forum post %s marked solved by user %s", thread.id, interaction.user.id)
        await tell(
            interaction, ("Marked as solved." if first else "This post was already marked solved.") + note
        )


async def apply_solved_tag(thread: discord.Thread, may_manage: bool) -> str:
    """Set the forum's Solved tag on the post, keeping its other tags; '' when it is set (or the
    forum has none), else why not, for whoever clicked."""
    tag = solved_tag(thread)
    if tag is None or any(t.id == tag.id for t in thread.applied_tags):
        return ""
    if not may_manage:
        return NO_TAG.format(tag=tag.name)
    if len(thread.applied_tags) >= LIMITS["tags"]:
        return FULL.format(tag=tag.name)
    try:
        await thread.add_tags(tag, reason="citebot: marked solved")
    except discord.HTTPException as exc:
        log.warning("could not tag forum post %s as solved (%s)", thread.id, exc.status)
        if isinstance(exc, discord.Forbidden):
            return NO_TAG.format(tag=tag.name)
        return REFUSED.format(tag=tag.name, status=exc.status)
    return ""


async def setup(bot: CiteBot) -> None:
    """The forum listeners, and the Solved button (for every answer ever given in a post)."""
    await bot.add_cog(Forums(bot))
    bot.add_dynamic_items(Solved)
