"""Where questions come in: mentions, answer channels, DMs, and the slash commands. What this
shares with the forums and the message command is in ``bot/cogs/_answering.py``."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs._answering import (
    answer_command,
    answer_message,
    held_back,
    history_of,
    note_answer,
    question_in,
    say,
    view_for,
)
from bot.delivery import APOLOGY, RESTARTING, deliver, tell
from bot.render.answer import render_card, render_passages
from bot.render.card import LIMITS, cut, escape
from bot.render.embed import NO_PINGS, card_embed
from bot.render.help import example_questions, render_help
from bot.render.library import render_sources

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)


class Asking(commands.Cog):
    """Answers questions wherever they are asked, rendering the engine's Answer."""

    def __init__(self, bot: CiteBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        asked = question_in(self.bot, message)
        if asked is None:
            return
        self.bot.track()
        try:
            await answer_message(self.bot, message, asked)
        except asyncio.CancelledError:
            await say(message.channel, RESTARTING, message)
            raise
        except Exception:
            log.exception("could not answer a message in channel %s", message.channel.id)
            await say(message.channel, APOLOGY, message)

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
        if await held_back(bot, interaction):
            return
        private = here.private if private is None else private
        await interaction.response.defer(thinking=True, ephemeral=private)
        bot.track()
        # in a thread, the thread's conversation; elsewhere its own, which replies to it continue
        conversation, history = interaction.id, []
        if isinstance(interaction.channel, discord.Thread):
            conversation = interaction.channel.id
            history = await history_of(bot, conversation)
        k = results or here.results
        answered = await answer_command(
            bot, interaction, question, k, history, conversation=conversation, private=private
        )
        if answered is None:
            return
        answer, ask_id = answered
        embed, view = card_embed(render_card(answer)), view_for(bot, answer, ask_id)
        sent = await deliver(
            lambda: interaction.followup.send(
                embed=embed, view=view, ephemeral=private, allowed_mentions=NO_PINGS, wait=True
            ),
            f"the follow-up to /ask in channel {interaction.channel_id}",
        )
        if not private:  # a private answer cannot be replied to
            await note_answer(bot, ask_id, sent)

    @app_commands.command(name="passage")
    @app_commands.describe(id="The passage id, e.g. nk-troops#p3 (start typing to choose)")
    async def passage(
        self, interaction: discord.Interaction[CiteBot], id: app_commands.Range[str, 1, 200]
    ) -> None:
        """Show one passage of the article with the paragraphs around it."""
        if await held_back(self.bot, interaction):
            return
        engine = (await self.bot.view_of(interaction.guild_id)).engine
        passages = engine.neighbours(id)
        if not passages:
            first = engine.catalogue.first_id
            example = f" Ids look like `{first}`; start typing to pick one." if first else ""
            text = f"No passage has the id “{cut(escape(id), 120)}”.{example}"
            await tell(interaction, text)
            return
        card = render_passages(passages, id.strip())
        await interaction.response.send_message(embed=card_embed(card), allowed_mentions=NO_PINGS)

    @passage.autocomplete("id")
    async def passage_choices(
        self, interaction: discord.Interaction[CiteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        engine, most = (await self.bot.view_of(interaction.guild_id)).engine, LIMITS["choice"]
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
        view = await self.bot.view_of(interaction.guild_id)
        states = await self.bot.database(self.bot.source_states, view)
        card = render_sources(view.engine.manifest, states)
        await interaction.response.send_message(
            embed=card_embed(card), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction[CiteBot]) -> None:
        """How to ask citebot, with example questions."""
        limit = self.bot.guild_settings(interaction.guild_id).rate_limit
        note = f"Up to {limit.count} questions per {limit.seconds:g} s each." if limit.enabled else ""
        topics = (await self.bot.view_of(interaction.guild_id)).engine.catalogue.topics
        card = render_help(example_questions(topics), note)
        await interaction.response.send_message(
            embed=card_embed(card), ephemeral=True, allowed_mentions=NO_PINGS
        )


async def setup(bot: CiteBot) -> None:
    await bot.add_cog(Asking(bot))
