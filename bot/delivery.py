"""Sending to Discord: a 403 is never retried, a 429 that discord.py gave up on is retried briefly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import discord

from bot.render.card import LIMITS, cut
from bot.render.embed import NO_PINGS

log = logging.getLogger(__name__)

T = TypeVar("T")
APOLOGY = "Sorry, something went wrong while answering that. It has been logged; please try again."
RESTARTING = "citebot is restarting and could not finish this answer; please ask again in a minute."
BUSY = "citebot is busy answering many questions right now; please try again in a minute."
RETRIES = 2
MAX_WAIT = 5.0  # seconds; a longer rate limit is not worth holding an answer for


def _retry_after(exc: discord.HTTPException) -> float:
    try:
        return float(exc.response.headers.get("Retry-After", 1.0))
    except (AttributeError, TypeError, ValueError):
        return 1.0


async def deliver(send: Callable[[], Awaitable[T]], where: str) -> T | None:
    """Run ``send``; None when Discord refused it.

    discord.py retries a 429 itself, except one without Discord's own headers (which it takes for
    a Cloudflare block): that is retried here, at most twice and never for long. A 403 means a
    missing permission, which no retry mends: it is logged and dropped.
    """
    for attempt in range(RETRIES + 1):
        try:
            return await send()
        except discord.Forbidden as exc:
            log.warning("Discord refused a message in %s (403: %s); not retrying", where, exc.text)
            return None
        except discord.HTTPException as exc:
            wait = _retry_after(exc)
            if exc.status != 429 or attempt == RETRIES or wait > MAX_WAIT:
                raise
            log.warning("rate limited sending to %s; retrying in %.2f s", where, wait)
            await asyncio.sleep(wait)
    return None


async def tell(interaction: discord.Interaction, text: str = APOLOGY) -> None:
    """A short private line (by default an apology) to whoever used a command or button,
    however far the interaction had got.

    After a slash command's public "thinking…", the line replaces it (Discord would ignore a
    private flag there); after a button's deferral it is a private follow-up, so that the
    answer the button sits under is left as it was.
    """
    text = cut(text, LIMITS["content"])
    try:
        if not interaction.response.is_done():
            if interaction.type is not discord.InteractionType.autocomplete:
                await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
        elif interaction.type is discord.InteractionType.application_command:
            await interaction.edit_original_response(
                content=text, embed=None, view=None, allowed_mentions=NO_PINGS
            )
        else:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not tell the user: %s", text[:80])
