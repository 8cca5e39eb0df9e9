"""Settings of the Discord bot, read once from the environment (after ``.env``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from index.settings import SettingsError

DISCORD_API_BASE = "https://discord.com/api"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"
PLACEHOLDERS = ("your-token-here", "changeme", "token", "xxx")
_TOKEN_CHARS = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces: Discord checks the rest


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` questions per ``seconds`` per user; ``count == 0`` turns it off."""

    count: int
    seconds: float

    @property
    def enabled(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class BotSettings:
    """Everything the Discord bot needs beyond the engine's settings."""

    token: str
    api_base: str = DISCORD_API_BASE
    gateway_url: str = DISCORD_GATEWAY_URL
    answer_channel_ids: frozenset[int] = frozenset()
    answer_in_thread: bool = False
    answer_dms: bool = True
    rate_limit: RateLimit = RateLimit(5, 60.0)
    allowed_guild_ids: frozenset[int] = frozenset()
    allowed_channel_ids: frozenset[int] = frozenset()
    dev_guild_id: int | None = None
    article_guild_ids: frozenset[int] = frozenset()  # servers that may change the shared articles

    def __repr__(self) -> str:  # never show the token, not even in a traceback
        return f"BotSettings(api_base={self.api_base!r}, gateway_url={self.gateway_url!r}, ...)"


def _ids(env: Mapping[str, str], key: str) -> frozenset[int]:
    raw = env.get(key, "").strip()
    if not raw:
        return frozenset()
    parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise SettingsError(
            f"{key} must be Discord ids separated by commas, e.g. 123456789012345678,234567890123456789"
        )
    return frozenset(int(p) for p in parts)


def _bool(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = env.get(key, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{key}={raw!r} must be true or false")


def parse_rate_limit(raw: str, key: str = "USER_RATE_LIMIT") -> RateLimit:
    """``count/seconds`` (e.g. ``5/60``), or ``0`` for no limit.

    Raises:
        SettingsError: the value has another form; the message names ``key``.
    """
    raw = raw.strip()
    if raw == "0":
        return RateLimit(0, 0.0)
    match = re.fullmatch(r"(\d+)\s*/\s*(\d+(?:\.\d+)?)", raw)
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise SettingsError(f"{key}={raw!r} must look like count/seconds, e.g. 5/60, or 0 for off")
    return RateLimit(int(match.group(1)), float(match.group(2)))


def _rate_limit(env: Mapping[str, str]) -> RateLimit:
    raw = env.get("USER_RATE_LIMIT", "").strip()
    return parse_rate_limit(raw) if raw else RateLimit(5, 60.0)


def _url(env: Mapping[str, str], key: str, default: str, schemes: tuple[str, ...]) -> str:
    raw = env.get(key, "").strip() or default
    if not raw.startswith(schemes):
        raise SettingsError(f"{key} must start with {' or '.join(schemes)}")
    return raw.rstrip("/") if key == "DISCORD_API_BASE" else raw


def bot_settings(env: Mapping[str, str] | None = None) -> BotSettings:
    """Bot settings from ``env`` (default: the process environment).

    Raises:
        SettingsError: the token is missing or malformed, or another value is bad; the message
            names the key and never repeats the token.
    """
    env = os.environ if env is None else env
    token = env.get("DISCORD_TOKEN", "").strip().strip("\"'").strip()
    if token.lower().startswith("bot "):
        token = token[4:].strip()  # pasted with the Authorization header's prefix
    if not token:
        raise SettingsError(
            "DISCORD_TOKEN is not set: put the bot token from the Discord developer portal in .env"
        )
    if token.lower() in PLACEHOLDERS or not _TOKEN_CHARS.match(token):
        raise SettingsError(
            "DISCORD_TOKEN does not look like a bot token: copy it from Bot > Token in the developer portal"
        )
    dev_guild = _ids(env, "DEV_GUILD_ID")
    if len(dev_guild) > 1:
        raise SettingsError("DEV_GUILD_ID must be a single guild id")
    return BotSettings(
        token=token,
        api_base=_url(env, "DISCORD_API_BASE", DISCORD_API_BASE, ("http://", "https://")),
        gateway_url=_url(env, "DISCORD_GATEWAY_URL", DISCORD_GATEWAY_URL, ("ws://", "wss://")),
        answer_channel_ids=_ids(env, "ANSWER_CHANNEL_IDS"),
        answer_in_thread=_bool(env, "ANSWER_IN_THREAD", False),
        answer_dms=_bool(env, "ANSWER_DMS", True),
        rate_limit=_rate_limit(env),
        allowed_guild_ids=_ids(env, "ALLOWED_GUILD_IDS"),
        allowed_channel_ids=_ids(env, "ALLOWED_CHANNEL_IDS"),
        dev_guild_id=next(iter(dev_guild), None),
        article_guild_ids=_ids(env, "ARTICLE_GUILD_IDS"),
    )
