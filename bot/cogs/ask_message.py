"""The message command "Ask citebot" (a message's Apps menu): its text asked as a question,
answered in a reply to that message, as a mention would be."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs._answering import (
    answer_command,
    conversation,
    held_back,
    may_send,
    note_answer,
    send_answer,
)
from bot.delivery import RESTARTING, tell
from index import question_from

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)

NAME = "Ask citebot"
NO_TEXT = "That message has no text to ask about."
NO_SEND = "citebot may not send messages in this channel, so it cannot answer there."
NOT_SENT = "citebot could not send its answer in this channel."
NOT_YOURS = "You may not send messages in this channel, so citebot will not answer there for you."


def member_may_send(interaction: discord.Interaction[CiteBot], channel: object) -> bool:
    """Whether the member who clicked may send where the answer would go (in a thread, send
    in threads); Discord resolves their permissions there, overwrites included."""
    permissions = interaction.permissions
    if isinstance(channel, discord.Thread):
        return permissions.send_messages_in_threads
    return permissions.send_messages


class AskMessage(commands.Cog):
    """Adds the message command to the bot's tree while loaded (a context menu cannot be a cog
    method)."""

    def __init__(self, bot: CiteBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name=NAME, callback=self.ask_message)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def ask_message(self, interaction: discord.Interaction[CiteBot], message: discord.Message) -> None:
        """Answer a message's text in a reply to it; the clicker is told privately how it went."""
        bot = self.bot
        if bot.stopping:
            await tell(interaction, RESTARTING)
            return
        question = question_from(message.content)
        if not question:
            await tell(interaction, NO_TEXT)
            return
        if not may_send(message.channel):
            await tell(interaction, NO_SEND)
            return
        if interaction.guild_id is not None and not member_may_send(interaction, message.channel):
            # citebot's permission is not the clicker's: reading an announcements channel must
            # not let anyone make citebot post there
            await tell(interaction, NOT_YOURS)
            return
        if await held_back(bot, interaction):
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        bot.track()
        conversation_id, history = await conversation(bot, message)
        here = bot.guild_settings(interaction.guild_id)
        answered = await answer_command(
            bot, interaction, question, here.results, history, conversation=conversation_id
        )
        if answered is None:
            return
        answer, ask_id = answered
        reference = message.to_reference(fail_if_not_exists=False)
        sent = await send_answer(bot, message.channel, answer, ask_id, reference)
        if sent is None:
            await tell(interaction, NOT_SENT)
            return
        await note_answer(bot, ask_id, sent)
        await tell(interaction, f"Answered in a reply to that message: {sent.jump_url}")


async def setup(bot: CiteBot) -> None:
    await bot.add_cog(AskMessage(bot))
