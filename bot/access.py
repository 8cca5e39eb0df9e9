"""Who may change what citebot answers from and read its reports: server managers, and
members of the role a server names in /settings."""

from __future__ import annotations

import discord

NOT_ALLOWED = "Only members with Manage Server (or the role named in /settings) can do that."
GUILD_ONLY = "That works in a server, not in direct messages."


def manages_server(interaction: discord.Interaction) -> bool:
    """Manage Server (or Administrator) in the channel the command was used in."""
    perms = interaction.permissions
    return interaction.guild_id is not None and (perms.manage_guild or perms.administrator)


def may_edit(interaction: discord.Interaction, editor_role_id: int | None) -> bool:
    """A server manager, or a member holding the server's editor role."""
    if manages_server(interaction):
        return True
    user = interaction.user
    return (
        editor_role_id is not None
        and isinstance(user, discord.Member)
        and any(role.id == editor_role_id for role in user.roles)
    )
