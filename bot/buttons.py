"""The buttons under an answer. They are persistent: the custom id carries the ask's number
(and the page), so they keep working after a restart."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.embed import NO_PINGS, card_embed
from bot.render import render_page, render_passages
from index.answer import ANSWER_PASSAGES

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)

GONE = "That answer is too old for its buttons; please ask again."


def answer_view(ask_id: int, shown: int, more: bool) -> discord.ui.View:
    """The row of buttons under an answer that showed ``shown`` passages."""
    view = discord.ui.View(timeout=None)
    view.add_item(MoreContext(ask_id))
    view.add_item(NextPassage(ask_id, shown, disabled=not more))
    view.add_item(Vote(ask_id, 1))
    view.add_item(Vote(ask_id, -1))
    return view


def _bot(interaction: discord.Interaction) -> CiteBot:
    return interaction.client  # type: ignore[return-value]


async def _tell(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)


class MoreContext(discord.ui.DynamicItem[discord.ui.Button], template=r"cb:ctx:(?P<ask>\d+)"):
    """The paragraphs around the answer's passage, shown only to whoever clicked."""

    def __init__(self, ask_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="More context",
                emoji="📖",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb:ctx:{ask_id}",
            )
        )
        self.ask_id = ask_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> MoreContext:
        return cls(int(match["ask"]))

    async def callback(self, interaction: discord.Interaction) -> Any:
        bot = _bot(interaction)
        ask = bot.store.ask(self.ask_id)
        passages = bot.engine.neighbours(ask.focus) if ask else []
        if not passages:
            await _tell(interaction, GONE)
            return
        card = render_passages(passages, ask.focus)
        await interaction.response.send_message(
            embed=card_embed(card), ephemeral=True, allowed_mentions=NO_PINGS
        )


class NextPassage(discord.ui.DynamicItem[discord.ui.Button], template=r"cb:next:(?P<ask>\d+):(?P<shown>\d+)"):
    """The passages ranked after those shown; only the asker may page."""

    def __init__(self, ask_id: int, shown: int, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Next passage",
                emoji="➡️",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb:next:{ask_id}:{shown}",
                disabled=disabled,
            )
        )
        self.ask_id, self.shown = ask_id, shown

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> NextPassage:
        return cls(int(match["ask"]), int(match["shown"]))

    async def callback(self, interaction: discord.Interaction) -> Any:
        bot = _bot(interaction)
        ask = bot.store.ask(self.ask_id)
        if ask is None:
            await _tell(interaction, GONE)
            return
        if bot.store.user_key(interaction.user.id) != ask.asker:
            await _tell(
                interaction,
                "Only the person who asked can page through these passages. Ask your own with /ask!",
            )
            return
        page = max(1, ask.results)
        # at least the top three, among which the answer's own passage always is
        want = min(max(self.shown + page, ANSWER_PASSAGES), bot.max_results)
        if self.shown >= want:
            await _tell(interaction, "That was the last passage I rank for this question.")
            return
        answer = await bot.compute(bot.engine.answer, ask.question, want)
        if len(answer.citations) <= self.shown:
            await _tell(interaction, "That was the last passage I rank for this question.")
            return
        card = render_page(answer, self.shown)
        more = len(answer.citations) == want and want < bot.max_results
        await interaction.response.edit_message(
            embed=card_embed(card), view=answer_view(self.ask_id, want, more), allowed_mentions=NO_PINGS
        )


class Vote(discord.ui.DynamicItem[discord.ui.Button], template=r"cb:vote:(?P<ask>\d+):(?P<vote>up|down)"):
    """👍 or 👎 on an answer; anyone may vote, once each (a changed mind replaces the vote)."""

    def __init__(self, ask_id: int, vote: int) -> None:
        name = "up" if vote > 0 else "down"
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote > 0 else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb:vote:{ask_id}:{name}",
            )
        )
        self.ask_id, self.vote = ask_id, vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> Vote:
        return cls(int(match["ask"]), 1 if match["vote"] == "up" else -1)

    async def callback(self, interaction: discord.Interaction) -> Any:
        bot = _bot(interaction)
        ask = bot.store.ask(self.ask_id)
        if ask is None:
            await _tell(interaction, GONE)
            return
        emoji = "👍" if self.vote > 0 else "👎"
        counted = await bot.compute(bot.store.vote, ask, interaction.user.id, self.vote)
        if counted:
            await _tell(interaction, f"Thanks: your {emoji} is recorded.")
        else:
            await _tell(interaction, f"You already gave this answer {emoji}; it counts once.")
