"""What the three ways of asking in a channel share (a mention or an answer channel, a forum
post, the "Ask citebot" message command): which messages are ignored, what mentions citebot, a
message's conversation, the rate limit, and sending a card. The Asking, Forums and AskMessage
cogs import these; none of them reaches into another cog."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.batching import Busy
from bot.cogs.buttons import answer_view
from bot.delivery import BUSY, RESTARTING, deliver, tell
from bot.render.answer import render_card
from bot.render.card import LIMITS, Card, cut, escape
from bot.render.embed import NO_PINGS, card_embed, card_text
from bot.render.help import example_questions
from index import Answer

if TYPE_CHECKING:
    from bot.client import CiteBot
    from bot.stores.guild_settings import GuildSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asked:
    """A message that asks citebot something: its text without citebot's mentions (``""`` for
    a bare mention), and the settings in force where it was asked, read once for the message."""

    text: str
    here: GuildSettings


def slow_down(seconds: float) -> str:
    return f"You're asking faster than I can keep up with; please try again in {max(1, round(seconds))} s."


async def how_to(bot: CiteBot, guild_id: int | None) -> str:
    name = bot.user.mention if bot.user else "@citebot"
    examples = example_questions((await bot.view_of(guild_id)).engine.catalogue.topics, 1)
    example = f" For example: {name} {escape(examples[0])}" if examples else ""
    return f"Ask me about the article: mention me with your question, or use `/ask`.{example}"


# ---- which messages ask --------------------------------------------------------------------------


def ignored(bot: CiteBot, message: discord.Message) -> bool:
    """Messages nothing answers: other bots', webhooks', citebot's own, and system messages
    (joins, pins, renames)."""
    author = message.author
    return (
        author.bot
        or bool(message.webhook_id)
        or (bot.user is not None and author.id == bot.user.id)
        or message.type not in (discord.MessageType.default, discord.MessageType.reply)
    )


def mentions_bot(bot: CiteBot, message: discord.Message) -> bool:
    """Whether ``message`` mentions citebot: as a user (in Discord's list, or written raw as
    ``<@id>``, which a message's list can lack), or by its own role."""
    me = bot.user
    if me is None:
        return False
    role = message.guild.self_role if message.guild else None
    return (
        any(u.id == me.id for u in message.mentions)
        or re.search(rf"<@!?{me.id}>", message.content) is not None
        or (role is not None and role in message.role_mentions)
    )


def without_mentions(bot: CiteBot, message: discord.Message) -> str:
    """The message's text with citebot's mentions (as a user or by its role) taken out."""
    text = message.content
    if bot.user is not None:
        text = re.sub(rf"<@!?{bot.user.id}>", " ", text)
    role = message.guild.self_role if message.guild else None
    return text.replace(role.mention, " ") if role is not None else text


def opens_forum_post(message: discord.Message) -> bool:
    """Whether a message is a forum (or media) post's opening message: only there is a message's
    id its channel's, whether or not the post has reached the cache yet (its first message may
    come before it)."""
    return message.guild is not None and message.id == message.channel.id


def question_in(bot: CiteBot, message: discord.Message) -> Asked | None:
    """What a message asks citebot (its text ``""`` for a bare mention), with the settings in
    force there; None when it asks nothing: ignored, a forum post's opener (the forums answer
    it), where citebot does not answer, or in a server neither a mention nor in an answer
    channel."""
    if ignored(bot, message) or opens_forum_post(message):
        return None
    channel = message.channel
    guild_id = message.guild.id if message.guild else None
    parent_id = getattr(channel, "parent_id", None)
    if bot.refusal_for(guild_id, channel.id, parent_id):
        return None
    here = bot.guild_settings(guild_id)
    mentioned = mentions_bot(bot, message)
    in_answer_channel = channel.id in here.answer_channel_ids or parent_id in here.answer_channel_ids
    if not (guild_id is None or mentioned or in_answer_channel):
        return None
    text = without_mentions(bot, message)
    if not text.strip() and not (mentioned or guild_id is None):
        return None  # an image or a sticker in an answer channel asks nothing
    return Asked(text, here)


# ---- answering a message -------------------------------------------------------------------------


async def answer_message(bot: CiteBot, message: discord.Message, asked: Asked) -> None:
    """Answer what ``message`` asks: in reply to it (or in a thread opened from it, where the
    server answers in threads), within the asker's rate limit; a bare mention gets the how-to."""
    if bot.stopping:
        await say(message.channel, RESTARTING, message)
        return
    guild_id = message.guild.id if message.guild else None
    here = asked.here
    # every message counts, a bare mention too: a flood is told once a window, then ignored
    wait, tell_them = bot.limit_wait(message.author.id, guild_id, here.rate_limit)
    if wait:
        if tell_them:
            await say(message.channel, slow_down(wait), message)
        return
    if not any(ch.isalnum() for ch in asked.text):
        await say(
            message.channel, await how_to(bot, message.guild.id if message.guild else None), message
        )  # a bare mention, or symbols only
        return
    if may_send(message.channel):
        with contextlib.suppress(discord.HTTPException):  # "citebot is typing…" is a nicety
            await message.channel.typing()
    conversation_id, history = await conversation(bot, message)
    try:
        answer, ask_id = await bot.answer(
            asked.text,
            here.results,
            message.author.id,
            guild_id,
            history,
            conversation=conversation_id,
            shared=here.shared_library,
        )
    except Busy:
        await say(message.channel, BUSY, message)
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
    sent = await send_answer(bot, target, answer, ask_id, reference)
    await note_answer(bot, ask_id, sent, thread.id if thread else None)


def escape_thread_name(text: str) -> str:
    """A thread name shows no markdown, but mentions in it would still read as mentions."""
    return re.sub(r"\s+", " ", text).replace("@", "@\u200b").strip() or "Question"


# ---- conversations -------------------------------------------------------------------------------


async def conversation(bot: CiteBot, message: discord.Message) -> tuple[int, list[str]]:
    """The conversation a message's question belongs to, and its earlier public questions
    (oldest first): a reply to an answer continues that answer's conversation, a question in a
    thread opened from an answer that answer's, in any other thread the thread's; any other
    starts its own, keyed by the message's id. Only a reply in the same channel (or in a thread,
    to its channel's message, e.g. the one the thread was opened from) continues a
    conversation: a forward, or any reference to a message elsewhere (another server's, a
    DM's), never gives its history here."""
    known, reference = None, message.reference
    here = {message.channel.id, getattr(message.channel, "parent_id", None)} - {None}
    if (
        reference is not None
        and reference.message_id is not None
        and reference.type is discord.MessageReferenceType.default
        and reference.channel_id in here
    ):
        known = await answered_in(bot, reference.message_id)
    if known is None and isinstance(message.channel, discord.Thread):
        # a thread opened from a message has that message's id: from an answer, it goes on with
        # the answer's conversation
        known = await answered_in(bot, message.channel.id) or message.channel.id
    if known is None:
        return message.id, []
    return known, await history_of(bot, known)


async def answered_in(bot: CiteBot, message_id: int) -> int | None:
    """The conversation of the ask this message answered; None when it answered none (or the
    database cannot say)."""
    try:
        return await bot.database(bot.store.conversation_of, message_id)
    except Exception:
        log.exception("could not look up the conversation of message %s", message_id)
        return None


async def history_of(bot: CiteBot, conversation_id: int) -> list[str]:
    """The earlier public questions of a conversation, oldest first; none when the database
    cannot say (the question is then read alone)."""
    try:
        return await bot.database(bot.store.history, conversation_id)
    except Exception:
        log.exception("could not read the history of conversation %s", conversation_id)
        return []


async def note_answer(
    bot: CiteBot, ask_id: int | None, sent: discord.Message | None, conversation_id: int | None = None
) -> None:
    """Note the message that answered an ask, so that a reply to it is a follow-up (and the
    thread opened for it, when one was)."""
    if ask_id is None or sent is None:
        return
    try:
        await bot.database(bot.store.set_answer_message, ask_id, sent.id, conversation_id)
    except Exception:
        log.exception("could not note the answer to ask %s; replies to it start afresh", ask_id)


# ---- commands ------------------------------------------------------------------------------------


async def held_back(bot: CiteBot, interaction: discord.Interaction[CiteBot]) -> bool:
    """Past the user's limit: told so privately (a command must be answered), and True."""
    wait, _ = bot.limit_wait(interaction.user.id, interaction.guild_id)
    if wait:
        await tell(interaction, slow_down(wait))
    return bool(wait)


async def answer_command(
    bot: CiteBot,
    interaction: discord.Interaction[CiteBot],
    question: str,
    k: int,
    history: list[str],
    *,
    conversation: int,
    private: bool = False,
) -> tuple[Answer, int | None] | None:
    """A command's answer and its ask id (see ``CiteBot.answer``); None when the model was too
    busy, which the user has been told."""
    try:
        return await bot.answer(
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


# ---- sending -------------------------------------------------------------------------------------


def view_for(bot: CiteBot, answer: Answer, ask_id: int | None) -> discord.ui.View | discord.utils.MISSING:
    """The answer's buttons; none for a refusal citing nothing, or an answer not recorded."""
    if ask_id is None or not answer.citations:
        return discord.utils.MISSING
    more = answer.answered and len(answer.citations) < bot.max_results  # a refusal has no pages
    return answer_view(ask_id, len(answer.citations), more)


async def send_answer(
    bot: CiteBot,
    target: discord.abc.Messageable,
    answer: Answer,
    ask_id: int | None,
    reference: discord.MessageReference | None,
) -> discord.Message | None:
    """Send the answer as an embed with its buttons, or as text where embeds are not allowed;
    the message sent, or None when none was."""
    return await send_card(target, render_card(answer), view_for(bot, answer, ask_id), reference)


async def send_card(
    target: discord.abc.Messageable,
    card: Card,
    view: discord.ui.View | discord.utils.MISSING = discord.utils.MISSING,
    reference: discord.MessageReference | None = None,
) -> discord.Message | None:
    """A card in ``target`` (as text where citebot may not embed); None where it may not send."""
    if not may_send(target):
        log.warning("no permission to send in channel %s; saying nothing", getattr(target, "id", "?"))
        return None
    perms = permissions(target)
    kwargs = {"view": view, "reference": reference, "allowed_mentions": NO_PINGS}
    where = f"channel {getattr(target, 'id', '?')}"
    if perms is not None and not perms.embed_links:
        return await deliver(lambda: target.send(card_text(card), **kwargs), where)
    return await deliver(lambda: target.send(embed=card_embed(card), **kwargs), where)


def may_send(target: discord.abc.Messageable) -> bool:
    """Whether citebot may send in ``target`` (in a thread: send in threads), as far as known."""
    perms = permissions(target)
    if perms is None:
        return True
    return perms.send_messages_in_threads if isinstance(target, discord.Thread) else perms.send_messages


def permissions(target: discord.abc.Messageable) -> discord.Permissions | None:
    """citebot's permissions in ``target``; None when not known here (try, and take Discord's
    word for it)."""
    guild = getattr(target, "guild", None)
    if isinstance(target, discord.PartialMessageable) or guild is None or guild.me is None:
        return None
    return target.permissions_for(guild.me)


async def say(target: discord.abc.Messageable, text: str, to: discord.Message | None = None) -> None:
    """A short line in ``target``, in reply to ``to`` when there is one; nothing where citebot
    may not send, and a refusal only logged."""
    if not may_send(target):
        return
    reference = to.to_reference(fail_if_not_exists=False) if to else None
    where = f"channel {getattr(target, 'id', '?')}"
    try:
        await deliver(
            lambda: target.send(cut(text, LIMITS["content"]), reference=reference, allowed_mentions=NO_PINGS),
            where,
        )
    except discord.HTTPException as exc:
        log.warning("could not say something in %s: %s", where, exc.status)
