"""A rendered Card as Discord shows it: an embed, or plain text where embeds are not allowed."""

from __future__ import annotations

import discord

from bot.render.card import LIMITS, Card, cut, render_text

ANSWERED = discord.Colour.from_rgb(88, 101, 242)
NOT_ANSWERED = discord.Colour.light_grey()
NO_PINGS = discord.AllowedMentions.none()


def card_embed(card: Card) -> discord.Embed:
    """The embed for a card; the card is already escaped and cut to Discord's limits."""
    embed = discord.Embed(
        title=card.title,
        description=card.description,
        colour=ANSWERED if card.answered else NOT_ANSWERED,
    )
    for field in card.fields:
        embed.add_field(name=field.name, value=field.value or "\u200b", inline=False)
    if card.footer:
        embed.set_footer(text=card.footer)
    return embed


def card_text(card: Card) -> str:
    """The card as message content, for channels where the bot may not embed links."""
    return cut(render_text(card), LIMITS["content"])
