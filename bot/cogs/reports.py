"""``/gaps`` and ``/stats``: what people asked that the articles did not answer well (solved
forum posts left out), and how much citebot is used, from the SQLite store."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import allowed
from bot.delivery import tell
from bot.render.embed import NO_PINGS, card_embed
from bot.render.reports import render_gaps, render_usage
from bot.stores.feedback import days_ago
from index import group_asked

if TYPE_CHECKING:
    from bot.client import CiteBot

GAPS_READ = 500  # the latest questions grouped: enough to see the pattern, a second or two of work


class Reports(commands.Cog):
    """The reports for the people who run citebot in a server."""

    def __init__(self, bot: CiteBot) -> None:
        self.bot = bot

    @app_commands.command(name="gaps")
    @app_commands.guild_only()
    @app_commands.describe(days="How far back to look (1-90 days, default 7)")
    async def gaps(
        self, interaction: discord.Interaction[CiteBot], days: app_commands.Range[int, 1, 90] = 7
    ) -> None:
        """Questions the articles did not answer well, grouped by what they ask, most asked first."""
        if not await allowed(interaction):
            return
        bot, guild_id = self.bot, interaction.guild_id
        assert guild_id is not None  # guild_only
        await interaction.response.defer(thinking=True, ephemeral=True)
        solved = await bot.database(bot.forum_posts.solved_posts, guild_id)  # no gaps: solved
        gaps = await bot.database(
            lambda: bot.store.gaps(days_ago(days), guild_id, GAPS_READ, excluding=solved)
        )
        groups = await bot.aside(
            group_asked,
            [g.question for g in gaps],
            [g.created for g in gaps],
            [g.reason for g in gaps],
            bot.library.engine.encoder,
        )
        await self.send(interaction, render_gaps(groups, days))

    @app_commands.command(name="stats")
    @app_commands.guild_only()
    @app_commands.describe(days="How far back to look (1-90 days, default 14)")
    async def stats(
        self, interaction: discord.Interaction[CiteBot], days: app_commands.Range[int, 1, 90] = 14
    ) -> None:
        """How many questions were asked here per day, the share answered, and the feedback."""
        bot, guild_id = self.bot, interaction.guild_id
        assert guild_id is not None  # guild_only
        await interaction.response.defer(thinking=True, ephemeral=True)
        usage = await bot.database(bot.store.usage, days_ago(days), guild_id)
        forum = await bot.database(bot.forum_posts.usage, guild_id, days_ago(days))
        await self.send(interaction, render_usage(usage, days, forum))

    async def send(self, interaction: discord.Interaction[CiteBot], card) -> None:
        try:
            await interaction.edit_original_response(embed=card_embed(card), allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            await tell(interaction)


async def setup(bot: CiteBot) -> None:
    await bot.add_cog(Reports(bot))
