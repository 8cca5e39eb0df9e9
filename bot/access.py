"""Who may change what citebot answers from and read its reports: server managers, and
members of the role a server names in /settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.delivery import tell

if TYPE_CHECKING:
    from bot.client import CiteBot

NOT_ALLOWED = "Only members with Manage Server (or the role named in /settings) can do that."
GUILD_ONLY = "That works in a server, not in direct messages."


def manages_server(interaction: discord.Interaction[CiteBot]) -> bool:
    """Manage Server (or Administrator) in the channel the command was used in."""
    perms = interaction.permissions
    return interaction.guild_id is not None and (perms.manage_guild or perms.administrator)


def may_edit(interaction: discord.Interaction[CiteBot], editor_role_id: int | None) -> bool:
    """A server manager, or a member holding the server's editor role."""
    if manages_server(interaction):
        return True
    user = interaction.user
    return (
        editor_role_id is not None
        and isinstance(user, discord.Member)
        and any(role.id == editor_role_id for role in user.roles)
    )


SHARED = (
    "The shared library is answered from in every server citebot is in: only the bot's owners "
    "change it, or editors in the servers its operator names in ARTICLE_GUILD_IDS. This server's "
    "own articles are yours to change: leave out `shared`."
)


async def is_owner(bot: CiteBot, user: discord.abc.User) -> bool:
    """One of the bot's owners: the application's owner or team (as discord.py tells), or a user
    the operator names in OWNER_IDS."""
    if user.id in bot.config.owner_ids:
        return True
    try:
        return await bot.is_owner(user)
    except (discord.HTTPException, AttributeError):  # the application could not be looked up
        return False


def may_change_shared_here(bot: CiteBot, guild_id: int) -> bool:
    """Whether a server's editors may change the shared library: a server the operator names
    in ARTICLE_GUILD_IDS, or, when none are named, while citebot is in this one server alone."""
    named = bot.config.article_guild_ids
    if named:
        return guild_id in named
    return [g.id for g in bot.guilds] == [guild_id]


async def allowed(
    interaction: discord.Interaction[CiteBot], changing: bool = False, shared: bool = False
) -> bool:
    """In a server, by a manager or an editor (``changing`` the shared library: by an owner, or
    an editor in a server that may change it); else the user is told why not."""
    bot = interaction.client
    if interaction.guild_id is None:
        await tell(interaction, GUILD_ONLY)
        return False
    owner = changing and shared and await is_owner(bot, interaction.user)
    if not owner and not may_edit(interaction, bot.guild_settings(interaction.guild_id).editor_role_id):
        await tell(interaction, NOT_ALLOWED)
        return False
    if changing and shared and not owner and not may_change_shared_here(bot, interaction.guild_id):
        await tell(interaction, SHARED)
        return False
    return True
