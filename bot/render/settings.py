"""The card /settings shows: each setting in force in a server, and where it comes from."""

from __future__ import annotations

from bot.render.card import Card, Field, fit
from bot.stores.guild_settings import GuildSettings, Overrides


def render_settings(current: GuildSettings, own: Overrides, content_intent: bool) -> Card:
    """What citebot does in this server; "(this server)" marks what /settings changed."""

    def origin(value: object) -> str:
        return " (this server)" if value is not None else " (default)"

    channels = (
        " ".join(f"<#{c}>" for c in sorted(current.answer_channel_ids)) or "none: mention citebot or use /ask"
    )
    forums = " ".join(f"<#{c}>" for c in sorted(current.forum_channel_ids)) or "none"
    needs_intent = "\n⚠️ Needs the Message Content intent (developer portal) and a restart."
    if current.answer_channel_ids and not content_intent:
        channels += needs_intent
    if current.forum_channel_ids and not content_intent:
        forums += needs_intent
    followups = (
        "every message in a post citebot answered"
        if current.forum_followups
        else "only messages that mention citebot"
    )
    limit = current.rate_limit
    cooldown = f"{limit.count} questions per {limit.seconds:g} s each" if limit.enabled else "off"
    role = (
        f"<@&{current.editor_role_id}> may use /article and /gaps too"
        if current.editor_role_id
        else "none: /article and /gaps are for Manage Server only"
    )
    fields = (
        Field("Answer channels" + origin(own.answer_channels), channels),
        Field("Forums: every new post a question" + origin(own.forum_channels), forums),
        Field("Follow-ups in forum posts" + origin(own.forum_followups), followups),
        Field("Answers in threads" + origin(own.threads), "on" if current.answer_in_thread else "off"),
        Field("Cooldown" + origin(own.cooldown), cooldown),
        Field("Passages per answer" + origin(own.results), str(current.results)),
        Field("/ask answers private by default" + origin(own.private), "yes" if current.private else "no"),
        Field("Editor role" + origin(own.editor_role), role),
        Field(
            "Shared library" + origin(own.shared_library),
            "on: the operator's articles are answered from too"
            if current.shared_library
            else "off: this server's own articles alone",
        ),
    )
    description = (
        "Change with `/settings set`, `/settings channel` and `/settings forum`; `/settings reset` goes "
        "back to the defaults."
    )
    return fit(Card("Settings", description, fields, "Defaults come from the operator's .env.", True, "⚙️"))
