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
    "The articles are shared by every server citebot is in, so while it is in several, they can "
    "be changed only from the servers its operator names in ARTICLE_GUILD_IDS."
)


def may_change_articles_here(bot: CiteBot, guild_id: int) -> bool:
    """The corpus is one for all servers: changed from the servers the operator names, or,
    when none are named, only while citebot is in this one server alone."""
    named = bot.config.article_guild_ids
    if named:
        return guild_id in named
    return [g.id for g in bot.guilds] == [guild_id]


async def allowed(interaction: discord.Interaction[CiteBot], changing: bool = False) -> bool:
    """In a server, by a manager or an editor (and, ``changing`` the articles, in a server that
    may change them); else the user is told why not."""
    bot = interaction.client
    if interaction.guild_id is None:
        await tell(interaction, GUILD_ONLY)
        return False
    if not may_edit(interaction, bot.guild_settings(interaction.guild_id).editor_role_id):
        await tell(interaction, NOT_ALLOWED)
        return False
    if changing and not may_change_articles_here(bot, interaction.guild_id):
        await tell(interaction, SHARED)
        return False
    return True
