"""``/settings``: a server's own answer channels, forums, threads, cooldown, passages per
answer, private answers and editor role, kept in SQLite over the operator's ``.env`` defaults."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import GUILD_ONLY, manages_server
from bot.config import parse_rate_limit
from bot.delivery import tell
from bot.render.embed import NO_PINGS, card_embed
from bot.render.settings import render_settings
from index import ConfigError

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)

ONLY_MANAGERS = "Only members with Manage Server can change citebot's settings."
SETTINGS = {
    "answer_channels": "answer channels",
    "forum_channels": "forums",
    "forum_followups": "follow-ups in forum posts",
    "shared_library": "the shared library",
    "threads": "answers in threads",
    "cooldown": "cooldown",
    "results": "passages per answer",
    "private": "private answers",
    "editor_role": "editor role",
}


EVERYONE_REFUSED = (
    "The editor role cannot be @everyone: every member would get /gaps (the wording of private "
    "questions) and could change the articles. Make a role for the editors and name that one."
)


def channels_here(interaction: discord.Interaction[CiteBot]) -> frozenset[int]:
    """The ids of this server's channels and threads, as citebot knows them (none when the
    server is not in its cache): the operator's answer channels are kept to these."""
    guild = interaction.guild
    if guild is None:
        return frozenset()
    return frozenset(c.id for c in guild.channels) | frozenset(t.id for t in guild.threads)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ServerSettings(
    commands.GroupCog, group_name="settings", group_description="citebot's settings in this server"
):
    """Per-server settings (Manage Server)."""

    def __init__(self, bot: CiteBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[CiteBot]) -> bool:
        if interaction.guild_id is None:
            await tell(interaction, GUILD_ONLY)
            return False
        if not manages_server(interaction):
            await tell(interaction, ONLY_MANAGERS)
            return False
        return True

    async def show_to(self, interaction: discord.Interaction[CiteBot], note: str = "") -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        card = render_settings(
            self.bot.guild_settings(guild_id).in_server(channels_here(interaction)),
            self.bot.guild_store.get(guild_id),
            self.bot.intents.message_content,
        )
        await interaction.response.send_message(
            note or None, embed=card_embed(card), ephemeral=True, allowed_mentions=NO_PINGS
        )

    async def save(
        self, interaction: discord.Interaction[CiteBot], note: str = "", **changes: object
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        await self.bot.database(lambda: self.bot.guild_store.update(guild_id, **changes))
        log.info(
            "settings of guild %s changed by user %s: %s", guild_id, interaction.user.id, sorted(changes)
        )
        await self.show_to(interaction, note or "Saved.")

    @app_commands.command(name="show")
    async def show(self, interaction: discord.Interaction[CiteBot]) -> None:
        """citebot's settings in this server, and which are this server's own."""
        await self.show_to(interaction)

    @app_commands.command(name="set")
    @app_commands.describe(
        threads="Answer questions in a thread of their own",
        cooldown="Questions per person: count/seconds, e.g. 2/60; only stricter than the operator's",
        results="Passages cited per answer (1-5)",
        private="Show /ask answers only to the asker unless they choose otherwise",
        editor_role="Members with this role may use /article and /gaps too",
        forum_followups="In forum posts citebot answered, answer every message, not only mentions",
        shared_library="Answer from the operator's shared articles too (False: this server's own alone)",
    )
    async def set(
        self,
        interaction: discord.Interaction[CiteBot],
        threads: bool | None = None,
        cooldown: app_commands.Range[str, 1, 20] | None = None,
        results: app_commands.Range[int, 1, 5] | None = None,
        private: bool | None = None,
        editor_role: discord.Role | None = None,
        forum_followups: bool | None = None,
        shared_library: bool | None = None,
    ) -> None:
        """Change some of citebot's settings here; those left out stay as they are."""
        changes: dict[str, object] = {}
        if cooldown is not None:
            try:
                asked = parse_rate_limit(cooldown, "cooldown")
            except ConfigError:
                await tell(
                    interaction, "The cooldown must look like 5/60 (5 questions per 60 s), or 0 for none."
                )
                return
            operators = self.bot.config.rate_limit
            if not asked.within(operators):
                await tell(
                    interaction,
                    f"The cooldown here can only be stricter than the operator's "
                    f"{operators.count}/{operators.seconds:g} ({operators.count} questions per "
                    f"{operators.seconds:g} s per person).",
                )
                return
            changes["cooldown"] = cooldown.strip()
        given = {
            "threads": threads,
            "results": results,
            "private": private,
            "forum_followups": forum_followups,
            "shared_library": shared_library,
        }
        changes.update({k: v for k, v in given.items() if v is not None})
        if editor_role is not None:
            if editor_role.is_default():
                await tell(interaction, EVERYONE_REFUSED)
                return
            changes["editor_role"] = editor_role.id
        if not changes:
            await self.show_to(interaction, "Nothing to change: give at least one setting.")
            return
        await self.save(interaction, **changes)

    @app_commands.command(name="channel")
    @app_commands.describe(channel="A text channel", answer="Answer every message there (False: stop)")
    async def channel(
        self, interaction: discord.Interaction[CiteBot], channel: discord.TextChannel, answer: bool = True
    ) -> None:
        """Make a channel one where every message is a question for citebot, or stop."""
        await self.set_channel(
            interaction,
            channel,
            answer,
            setting="answer_channels",
            default=self.bot.config.answer_channel_ids,
        )

    @app_commands.command(name="forum")
    @app_commands.describe(
        channel="A forum channel", answer="Answer every new post there in the post (False: stop)"
    )
    async def forum(
        self, interaction: discord.Interaction[CiteBot], channel: discord.ForumChannel, answer: bool = True
    ) -> None:
        """Make a forum one where every new post is a question citebot answers, or stop."""
        me = channel.guild.me
        also = ""
        if answer and me is not None and not channel.permissions_for(me).manage_threads:
            also = f" citebot cannot set {channel.mention}'s Solved tag without Manage Threads there."
        await self.set_channel(
            interaction,
            channel,
            answer,
            setting="forum_channels",
            default=self.bot.config.forum_channel_ids,
            also=also,
        )

    async def set_channel(
        self,
        interaction: discord.Interaction[CiteBot],
        channel: discord.TextChannel | discord.ForumChannel,
        answer: bool,
        *,
        setting: str,
        default: frozenset[int],
        also: str = "",
    ) -> None:
        """Add or take out an answer channel or a forum (``setting``; the operator's are
        ``default``), and show the settings, ``also`` added to their note."""
        guild_id = interaction.guild_id
        assert guild_id is not None
        note = "Saved."
        if answer and not self.bot.intents.message_content:
            note = (
                f"Saved. To read every message in {channel.mention}, citebot needs the Message Content "
                "intent: turn it on in the developer portal (Bot > Privileged Gateway Intents) and "
                "restart citebot. Until then, mention citebot there."
            )
        note += also
        store = self.bot.guild_store
        here = channels_here(interaction) | {channel.id}
        await self.bot.database(store.set_channel, guild_id, channel.id, answer, default, here, setting)
        log.info(
            "%s %s %s in guild %s", SETTINGS[setting], channel.id, "added" if answer else "removed", guild_id
        )
        await self.show_to(interaction, note)

    @app_commands.command(name="reset")
    @app_commands.describe(setting="Only this one (default: all of them)")
    @app_commands.choices(setting=[app_commands.Choice(name=v, value=k) for k, v in SETTINGS.items()])
    async def reset(
        self, interaction: discord.Interaction[CiteBot], setting: app_commands.Choice[str] | None = None
    ) -> None:
        """Go back to the operator's defaults, for one setting or all."""
        guild_id = interaction.guild_id
        assert guild_id is not None
        if setting is None:
            await self.bot.database(self.bot.guild_store.reset, guild_id)
            await self.show_to(interaction, "Back to the defaults.")
            return
        await self.save(interaction, f"“{setting.name}” is back to the default.", **{setting.value: None})


async def setup(bot: CiteBot) -> None:
    await bot.add_cog(ServerSettings(bot))
