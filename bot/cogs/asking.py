"""Where questions come in: mentions, answer channels, DMs, and the slash commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.batching import Busy
from bot.cogs.buttons import answer_view
from bot.delivery import APOLOGY, BUSY, RESTARTING, deliver, tell
from bot.render.answer import render_card, render_passages
from bot.render.card import LIMITS, Card, cut, escape
from bot.render.embed import NO_PINGS, card_embed, card_text
from bot.render.help import example_questions, render_help
from bot.render.library import render_sources
from index import Answer, QuestionError, clean_question

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)


def how_to(bot: CiteBot) -> str:
    name = bot.user.mention if bot.user else "@citebot"
    examples = example_questions(bot.engine.catalogue.topics, 1)
    example = f" For example: {name} {escape(examples[0])}" if examples else ""
    return f"Ask me about the article: mention me with your question, or use `/ask`.{example}"


def slow_down(seconds: float) -> str:
    return f"You're asking faster than I can keep up with; please try again in {max(1, round(seconds))} s."


class Asking(commands.Cog):
    """Answers questions wherever they are asked, rendering the engine's Answer."""

    def __init__(self, bot: CiteBot) -> None:
        self.bot = bot

    # ---- messages ----------------------------------------------------------------------------

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, '' for a bare mention, None when it asks nothing."""
        bot = self.bot
        if message.author.bot or message.webhook_id or (bot.user and message.author.id == bot.user.id):
            return None
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return None  # joins, pins, renames: not questions
        channel = message.channel
        if opens_forum_post(message):
            return None  # a forum post's question: the forums cog answers it
        parent_id = getattr(channel, "parent_id", None)
        if bot.refusal_for(message.guild.id if message.guild else None, channel.id, parent_id):
            return None
        own_role = message.guild.self_role if message.guild else None  # the bot's managed role
        mentioned = bot.user is not None and (
            any(u.id == bot.user.id for u in message.mentions)
            or re.search(rf"<@!?{bot.user.id}>", message.content) is not None
            or (own_role is not None and own_role in message.role_mentions)
        )
        channels = bot.guild_settings(message.guild.id if message.guild else None).answer_channel_ids
        in_answer_channel = channel.id in channels or parent_id in channels
        if not (message.guild is None or mentioned or in_answer_channel):
            return None
        text = message.content
        if bot.user is not None:
            text = re.sub(rf"<@!?{bot.user.id}>", " ", text)
        if own_role is not None:
            text = text.replace(own_role.mention, " ")
        if not text.strip() and not (mentioned or message.guild is None):
            return None  # an image or a sticker in an answer channel asks nothing
        return text

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None:
            return
        self.bot.track()
        try:
            await self.answer_message(message, question)
        except asyncio.CancelledError:
            await self.reply(message, RESTARTING)
            raise
        except Exception:
            log.exception("could not answer a message in channel %s", message.channel.id)
            await self.reply(message, APOLOGY)

    async def answer_message(self, message: discord.Message, question: str) -> None:
        bot = self.bot
        if bot.stopping:
            await self.reply(message, RESTARTING)
            return
        guild_id = message.guild.id if message.guild else None
        # every message counts, a bare mention too: a flood is told once a window, then ignored
        wait, tell_them = bot.limit_wait(message.author.id, guild_id)
        if wait:
            if tell_them:
                await self.reply(message, slow_down(wait))
            return
        try:
            clean_question(question)
        except QuestionError:
            if not question.strip() or not any(ch.isalnum() for ch in question):
                await self.reply(message, how_to(bot))  # a bare mention, or symbols only
                return
        here = bot.guild_settings(guild_id)
        if self.may_send(message.channel):
            with contextlib.suppress(discord.HTTPException):  # "citebot is typing…" is a nicety
                await message.channel.typing()
        conversation, history = await self.conversation(message)
        try:
            answer, ask_id = await bot.answer(
                question, here.results, message.author.id, guild_id, history, conversation=conversation
            )
        except Busy:
            await self.reply(message, BUSY)
            return
        target: discord.abc.Messageable = message.channel
        reference: discord.MessageReference | None = message.to_reference(fail_if_not_exists=False)
        thread: discord.Thread | None = None
        if here.answer_in_thread and isinstance(message.channel, discord.TextChannel):
            name = cut(escape_thread_name(answer.question or "Question"), LIMITS["thread_name"])
            try:
                target = thread = await message.create_thread(name=name)
                reference = None
            except discord.HTTPException as exc:
                log.warning(
                    "could not open a thread in %s (%s); replying instead", message.channel.id, exc.status
                )
        sent = await self.send_answer(target, answer, ask_id, reference)
        await self.note_answer(ask_id, sent, thread.id if thread else None)

    async def conversation(self, message: discord.Message) -> tuple[int, list[str]]:
        """The conversation a message's question belongs to, and its earlier public questions
        (oldest first): a reply to an answer continues that answer's conversation, a question in
        a thread opened from an answer that answer's, in any other thread the thread's; any other
        starts its own, keyed by the message's id. Only a reply
        in the same channel (or in a thread, to its channel's message, e.g. the one the thread
        was opened from) continues a conversation: a forward, or any reference to a message
        elsewhere (another server's, a DM's), never gives its history here."""
        known, reference = None, message.reference
        here = {message.channel.id, getattr(message.channel, "parent_id", None)} - {None}
        if (
            reference is not None
            and reference.message_id is not None
            and reference.type is discord.MessageReferenceType.default
            and reference.channel_id in here
        ):
            known = await self.answered_in(reference.message_id)
        if known is None and isinstance(message.channel, discord.Thread):
            # a thread opened from a message has that message's id: from an answer, it goes on
            # with the answer's conversation
            known = await self.answered_in(message.channel.id) or message.channel.id
        if known is None:
            return message.id, []
        return known, await self.history_of(known)

    async def answered_in(self, message_id: int) -> int | None:
        """The conversation of the ask this message answered; None when it answered none (or the
        database cannot say)."""
        try:
            return await self.bot.database(self.bot.store.conversation_of, message_id)
        except Exception:
            log.exception("could not look up the conversation of message %s", message_id)
            return None

    async def history_of(self, conversation: int) -> list[str]:
        """The earlier public questions of a conversation, oldest first; none when the database
        cannot say (the question is then read alone)."""
        try:
            return await self.bot.database(self.bot.store.history, conversation)
        except Exception:
            log.exception("could not read the history of conversation %s", conversation)
            return []

    async def note_answer(
        self, ask_id: int | None, sent: discord.Message | None, conversation: int | None = None
    ) -> None:
        """Note the message that answered an ask, so that a reply to it is a follow-up (and the
        thread opened for it, when one was)."""
        if ask_id is None or sent is None:
            return
        try:
            await self.bot.database(self.bot.store.set_answer_message, ask_id, sent.id, conversation)
        except Exception:
            log.exception("could not note the answer to ask %s; replies to it start afresh", ask_id)

    async def send_answer(
        self,
        target: discord.abc.Messageable,
        answer: Answer,
        ask_id: int | None,
        reference: discord.MessageReference | None,
    ) -> discord.Message | None:
        """Send the answer as an embed with its buttons, or as text where embeds are not allowed;
        the message sent, or None when none was."""
        card = render_card(answer)
        view = self.view_for(answer, ask_id)
        return await self.send_card(target, card, view, reference)

    def view_for(self, answer: Answer, ask_id: int | None) -> discord.ui.View | discord.utils.MISSING:
        if ask_id is None or not answer.citations:  # a refusal citing nothing has no buttons
            return discord.utils.MISSING
        more = answer.answered and len(answer.citations) < self.bot.max_results  # a refusal has no pages
        return answer_view(ask_id, len(answer.citations), more)

    async def send_card(
        self,
        target: discord.abc.Messageable,
        card: Card,
        view: discord.ui.View | discord.utils.MISSING = discord.utils.MISSING,
        reference: discord.MessageReference | None = None,
    ) -> discord.Message | None:
        if not self.may_send(target):
            log.warning("no permission to send in channel %s; saying nothing", getattr(target, "id", "?"))
            return None
        perms = self.permissions(target)
        kwargs = {"view": view, "reference": reference, "allowed_mentions": NO_PINGS}
        where = f"channel {getattr(target, 'id', '?')}"
        if perms is not None and not perms.embed_links:
            return await deliver(lambda: target.send(card_text(card), **kwargs), where)
        return await deliver(lambda: target.send(embed=card_embed(card), **kwargs), where)

    def may_send(self, target: discord.abc.Messageable) -> bool:
        perms = self.permissions(target)
        if perms is None:
            return True
        return perms.send_messages_in_threads if isinstance(target, discord.Thread) else perms.send_messages

    def permissions(self, target: discord.abc.Messageable) -> discord.Permissions | None:
        guild = getattr(target, "guild", None)
        if isinstance(target, discord.PartialMessageable) or guild is None or guild.me is None:
            return None  # not known here: try, and take Discord's word for it
        return target.permissions_for(guild.me)

    async def reply(self, message: discord.Message, text: str) -> None:
        await self.say(message.channel, text, message)

    async def say(
        self, target: discord.abc.Messageable, text: str, to: discord.Message | None = None
    ) -> None:
        """A short line in ``target``, in reply to ``to`` when there is one; nothing where
        citebot may not send, and a refusal only logged."""
        if not self.may_send(target):
            return
        reference = to.to_reference(fail_if_not_exists=False) if to else None
        where = f"channel {getattr(target, 'id', '?')}"
        try:
            await deliver(
                lambda: target.send(cut(text, 2000), reference=reference, allowed_mentions=NO_PINGS), where
            )
        except discord.HTTPException as exc:
            log.warning("could not say something in %s: %s", where, exc.status)

    # ---- slash commands ----------------------------------------------------------------------

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="What you want to know about the article",
        results="How many passages to cite (1-5)",
        private="Show the answer only to you (default: this server's setting)",
    )
    async def ask(
        self,
        interaction: discord.Interaction[CiteBot],
        question: app_commands.Range[str, 3, 300],
        results: app_commands.Range[int, 1, 5] | None = None,
        private: bool | None = None,
    ) -> None:
        """Ask a question about the article; the answer quotes it and cites where."""
        bot = self.bot
        if bot.stopping:
            await tell(interaction, RESTARTING)
            return
        here = bot.guild_settings(interaction.guild_id)
        if await self.held_back(interaction):
            return
        private = here.private if private is None else private
        await interaction.response.defer(thinking=True, ephemeral=private)
        bot.track()
        # in a thread, the thread's conversation; elsewhere its own, which replies to it continue
        conversation, history = interaction.id, []
        if isinstance(interaction.channel, discord.Thread):
            conversation = interaction.channel.id
            history = await self.history_of(conversation)
        k = results or here.results
        answered = await self.answer_command(
            interaction, question, k, history, conversation=conversation, private=private
        )
        if answered is None:
            return
        answer, ask_id = answered
        embed, view = card_embed(render_card(answer)), self.view_for(answer, ask_id)
        sent = await deliver(
            lambda: interaction.followup.send(
                embed=embed, view=view, ephemeral=private, allowed_mentions=NO_PINGS, wait=True
            ),
            f"the follow-up to /ask in channel {interaction.channel_id}",
        )
        if not private:  # a private answer cannot be replied to
            await self.note_answer(ask_id, sent)

    async def answer_command(
        self,
        interaction: discord.Interaction[CiteBot],
        question: str,
        k: int,
        history: list[str],
        *,
        conversation: int,
        private: bool = False,
    ) -> tuple[Answer, int | None] | None:
        """A command's answer and its ask id (see ``CiteBot.answer``); None when the model was
        too busy, which the user has been told."""
        try:
            return await self.bot.answer(
                question,
                k,
                interaction.user.id,
                interaction.guild_id,
                history,
                conversation=conversation,
                private=private,
            )
        except Busy:
            await tell(interaction, BUSY)
            return None
        except asyncio.CancelledError:
            await tell(interaction, RESTARTING)
            raise

    @app_commands.command(name="passage")
    @app_commands.describe(id="The passage id, e.g. nk-troops#p3 (start typing to choose)")
    async def passage(
        self, interaction: discord.Interaction[CiteBot], id: app_commands.Range[str, 1, 200]
    ) -> None:
        """Show one passage of the article with the paragraphs around it."""
        if await self.held_back(interaction):
            return
        passages = self.bot.engine.neighbours(id)
        if not passages:
            first = self.bot.engine.catalogue.first_id
            example = f" Ids look like `{first}`; start typing to pick one." if first else ""
            text = f"No passage has the id “{cut(escape(id), 120)}”.{example}"
            await tell(interaction, text)
            return
        card = render_passages(passages, id.strip())
        await interaction.response.send_message(embed=card_embed(card), allowed_mentions=NO_PINGS)

    async def held_back(self, interaction: discord.Interaction[CiteBot]) -> bool:
        """Past the user's limit: told so privately (a command must be answered), and True."""
        wait, _ = self.bot.limit_wait(interaction.user.id, interaction.guild_id)
        if wait:
            await tell(interaction, slow_down(wait))
        return bool(wait)

    @passage.autocomplete("id")
    async def passage_choices(
        self, interaction: discord.Interaction[CiteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        engine, most = self.bot.engine, LIMITS["choice"]
        rows = engine.catalogue.matching(current[:most], limit=LIMITS["choices"])
        passages = (engine.index.passages[row] for row in rows)
        return [
            app_commands.Choice(name=cut(f"{p.id} · {' '.join(p.text.split())}", most), value=p.id)
            for p in passages
            if len(p.id) <= most
        ]

    @app_commands.command(name="sources")
    async def sources(self, interaction: discord.Interaction[CiteBot]) -> None:
        """The articles citebot answers from."""
        states = {s.slug: s for s in await self.bot.database(self.bot.sources.all)}
        card = render_sources(self.bot.engine.manifest, states)
        await interaction.response.send_message(
            embed=card_embed(card), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction[CiteBot]) -> None:
        """How to ask citebot, with example questions."""
        limit = self.bot.guild_settings(interaction.guild_id).rate_limit
        note = f"Up to {limit.count} questions per {limit.seconds:g} s each." if limit.enabled else ""
        card = render_help(example_questions(self.bot.engine.catalogue.topics), note)
        await interaction.response.send_message(
            embed=card_embed(card), ephemeral=True, allowed_mentions=NO_PINGS
        )


def opens_forum_post(message: discord.Message) -> bool:
    """Whether a message is a forum (or media) post's opening message: only there is a message's
    id its channel's, whether or not the post has reached the cache yet (its first message may
    come before it)."""
    return message.guild is not None and message.id == message.channel.id


def escape_thread_name(text: str) -> str:
    """A thread name shows no markdown, but mentions in it would still read as mentions."""
    return re.sub(r"\s+", " ", text).replace("@", "@\u200b").strip() or "Question"


async def setup(bot: CiteBot) -> None:
    await bot.add_cog(Asking(bot))
