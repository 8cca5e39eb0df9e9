"""The buttons under an answer. They are persistent: the custom id carries the ask's number
(and the page), so they keep working after a restart."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.batching import Busy
from bot.delivery import BUSY, RESTARTING, tell
from bot.render.answer import render_page, render_passages
from bot.render.embed import NO_PINGS, card_embed
from bot.stores.feedback import StoredAsk
from index import ANSWER_PASSAGES

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)

GONE = "That answer is too old for its buttons; please ask again."
ELSEWHERE = "That button belongs to an answer given somewhere else; please ask again here."
LAST = "That was the last passage I rank for this question."


def answer_view(ask_id: int, shown: int, more: bool) -> discord.ui.View:
    """The row of buttons under an answer that showed ``shown`` passages."""
    view = discord.ui.View(timeout=None)
    view.add_item(MoreContext(ask_id, disabled=shown == 0))  # nonsense is refused with no passage
    view.add_item(NextPassage(ask_id, shown, disabled=not more))
    view.add_item(Vote(ask_id, 1))
    view.add_item(Vote(ask_id, -1))
    return view


class Guarded:
    """What every answer button shares: the allow-lists, a stop in progress, and an apology
    (not discord.py's silent log line) when something goes wrong."""

    ask_id: int

    async def interaction_check(self, interaction: discord.Interaction[CiteBot]) -> bool:
        bot = interaction.client
        channel = interaction.channel
        reason = bot.refusal_for(
            interaction.guild_id, interaction.channel_id, getattr(channel, "parent_id", None)
        )
        if bot.stopping:
            reason = RESTARTING
        if reason:
            await tell(interaction, reason)
            return False
        return True

    async def callback(self, interaction: discord.Interaction[CiteBot]) -> Any:
        bot = interaction.client
        try:
            ask = await bot.database(bot.store.ask, self.ask_id)
            if ask is None:
                await tell(interaction, GONE)
                return
            if ask.guild_id != interaction.guild_id:  # an id is easy to copy, a server is not
                await tell(interaction, ELSEWHERE)
                return
            await self.act(bot, interaction, ask)
        except Exception:
            log.exception("the %s button failed (ask %s)", type(self).__name__, self.ask_id)
            await tell(interaction)

    async def act(self, bot: CiteBot, interaction: discord.Interaction[CiteBot], ask: StoredAsk) -> None:
        raise NotImplementedError


class MoreContext(Guarded, discord.ui.DynamicItem[discord.ui.Button], template=r"cb:ctx:(?P<ask>\d+)"):
    """The paragraphs around the answer's passage, shown only to whoever clicked."""

    def __init__(self, ask_id: int, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="More context",
                emoji="📖",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb:ctx:{ask_id}",
                disabled=disabled,
            )
        )
        self.ask_id = ask_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[CiteBot], item: discord.ui.Button, match: re.Match[str], /
    ) -> MoreContext:
        return cls(int(match["ask"]))

    async def act(self, bot: CiteBot, interaction: discord.Interaction[CiteBot], ask: StoredAsk) -> None:
        passages = (await bot.view_of(ask.guild_id)).engine.neighbours(ask.focus)
        if not passages:  # the index was rebuilt without that passage
            await tell(interaction, GONE)
            return
        card = render_passages(passages, ask.focus)
        await interaction.response.send_message(
            embed=card_embed(card), ephemeral=True, allowed_mentions=NO_PINGS
        )


class NextPassage(
    Guarded, discord.ui.DynamicItem[discord.ui.Button], template=r"cb:next:(?P<ask>\d+):(?P<shown>\d+)"
):
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
        cls, interaction: discord.Interaction[CiteBot], item: discord.ui.Button, match: re.Match[str], /
    ) -> NextPassage:
        return cls(int(match["ask"]), int(match["shown"]))

    async def act(self, bot: CiteBot, interaction: discord.Interaction[CiteBot], ask: StoredAsk) -> None:
        if bot.store.user_key(interaction.user.id) != ask.asker:
            await tell(interaction, "Only the person who asked can page through these passages. Try /ask!")
            return
        # at least the top three, among which the answer's own passage always is
        want = min(max(self.shown + max(1, ask.results), ANSWER_PASSAGES), bot.max_results)
        if self.shown >= want:
            await tell(interaction, LAST)
            return
        wait, _ = bot.limit_wait(interaction.user.id, interaction.guild_id)  # a page runs the model too
        if wait:
            await tell(interaction, f"Please wait {max(1, round(wait))} s before paging on.")
            return
        await interaction.response.defer()  # within Discord's 3 s, however long the queue is
        # the page of the answer the asker saw: a follow-up is read with its conversation again
        history = await bot.database(bot.store.history_of, ask)
        try:  # a page is not a new ask: not recorded
            answer, _ = await bot.answer(ask.question, want, None, interaction.guild_id, history)
        except Busy:
            await tell(interaction, BUSY)
            return
        if len(answer.citations) <= self.shown:
            await tell(interaction, LAST)
            return
        more = len(answer.citations) == want and want < bot.max_results
        await interaction.edit_original_response(
            embed=card_embed(render_page(answer, self.shown)),
            view=answer_view(self.ask_id, want, more),
            allowed_mentions=NO_PINGS,
        )


class Vote(
    Guarded, discord.ui.DynamicItem[discord.ui.Button], template=r"cb:vote:(?P<ask>\d+):(?P<vote>up|down)"
):
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
        cls, interaction: discord.Interaction[CiteBot], item: discord.ui.Button, match: re.Match[str], /
    ) -> Vote:
        return cls(int(match["ask"]), 1 if match["vote"] == "up" else -1)

    async def act(self, bot: CiteBot, interaction: discord.Interaction[CiteBot], ask: StoredAsk) -> None:
        emoji = "👍" if self.vote > 0 else "👎"
        counted = await bot.database(bot.store.vote, ask, interaction.user.id, self.vote)
        text = (
            f"Thanks: your {emoji} is recorded."
            if counted
            else f"You already gave this answer {emoji}; it counts once."
        )
        await tell(interaction, text)


async def setup(bot: CiteBot) -> None:
    """No commands: the answer buttons, which work for every answer ever given (their custom ids
    carry the ask), even across restarts."""
    bot.add_dynamic_items(MoreContext, NextPassage, Vote)
