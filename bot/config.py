"""Settings of the Discord bot, read once from the environment (after ``.env``)."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from index import LEFT_SERVER_DAYS, LIBRARY_MEMORY_MB, PUBLIC_ONLY, ConfigError, WebConfig, web_config

DISCORD_API_BASE = "https://discord.com/api"
API_VERSION = "10"  # the version discord.py speaks; use_discord_at appends it
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"
MAX_RETENTION_DAYS = 3650
DAY = 86_400.0  # seconds
PRUNE_EVERY = DAY  # seconds from one retention prune to the next
MIN_SYNC_EVERY = 600.0  # seconds; a shorter SYNC_EVERY would ask sites again and again for nothing
MAX_SYNC_EVERY = 365 * DAY
SYNC_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": DAY}
# Discord's interaction token lasts 15 minutes: past this many seconds, the progress of
# /article add url: goes on in a channel message instead of the command's reply
INTERACTION_LIFETIME = 14 * 60.0
PROGRESS_EVERY = 1.0  # seconds, at least, between two edits of a progress message
SYNC_CLOCK = 60.0  # seconds between two looks at whether a SYNC_EVERY sync is due
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

    def within(self, other: RateLimit) -> bool:
        """No looser than ``other``: off only where ``other`` is off, else on and no faster."""
        if not other.enabled:
            return True
        return self.enabled and self.count / self.seconds <= other.count / other.seconds


@dataclass(frozen=True)
class BotConfig:
    """Everything the Discord bot needs beyond the engine's settings."""

    token: str
    api_base: str = DISCORD_API_BASE
    gateway_url: str = DISCORD_GATEWAY_URL
    answer_channel_ids: frozenset[int] = frozenset()
    forum_channel_ids: frozenset[int] = frozenset()  # forums whose every new post is a question
    answer_in_thread: bool = False
    answer_dms: bool = True
    rate_limit: RateLimit = RateLimit(5, 60.0)
    queue_limit: int = 64  # questions waiting for the model; past it an asker is told it is busy
    allowed_guild_ids: frozenset[int] = frozenset()
    allowed_channel_ids: frozenset[int] = frozenset()
    dev_guild_id: int | None = None
    article_guild_ids: frozenset[int] = frozenset()  # servers that may change the shared articles
    retention_days: int = 180  # questions and votes older than this are forgotten
    web: WebConfig = WebConfig(PUBLIC_ONLY)  # /article add url: and syncs (index.config's)
    sync_every: float | None = None  # seconds between syncs of the fetched articles; None: off
    owner_ids: frozenset[int] = frozenset()  # users who may change the shared library (and the app's owners)
    left_server_days: int = LEFT_SERVER_DAYS  # a server's library kept this long after citebot leaves it
    library_memory_mb: int = LIBRARY_MEMORY_MB  # servers' libraries held in memory, at most about

    def __repr__(self) -> str:  # never show the token, not even in a traceback
        return f"BotConfig(api_base={self.api_base!r}, gateway_url={self.gateway_url!r}, ...)"


def _ids(env: Mapping[str, str], key: str) -> frozenset[int]:
    raw = env.get(key, "").strip()
    if not raw:
        return frozenset()
    parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise ConfigError(
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
    raise ConfigError(f"{key}={raw!r} must be true or false")


def parse_rate_limit(raw: str, key: str = "USER_RATE_LIMIT") -> RateLimit:
    """``count/seconds`` (e.g. ``5/60``), or ``0`` for no limit.

    Raises:
        ConfigError: the value has another form; the message names ``key``.
    """
    raw = raw.strip()
    if raw == "0":
        return RateLimit(0, 0.0)
    match = re.fullmatch(r"(\d+)\s*/\s*(\d+(?:\.\d+)?)", raw)
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise ConfigError(f"{key}={raw!r} must look like count/seconds, e.g. 5/60, or 0 for off")
    return RateLimit(int(match.group(1)), float(match.group(2)))


def _count(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{key}={raw!r} must be a whole number of 1 or more, e.g. {default}")
    return int(raw)


def _retention_days(env: Mapping[str, str]) -> int:
    raw = env.get("RETENTION_DAYS", "").strip()
    if not raw:
        return 180
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_RETENTION_DAYS:
        raise ConfigError(
            f"RETENTION_DAYS={raw!r} must be the days questions are kept, 1-{MAX_RETENTION_DAYS}, e.g. 180"
        )
    return int(raw)


def parse_sync_every(raw: str, key: str = "SYNC_EVERY") -> float | None:
    """A duration such as ``30m``, ``24h`` or ``2d`` (``s`` seconds, ``m`` minutes, ``h`` hours,
    ``d`` days; a bare number is seconds), in seconds; ``""``, ``off`` or ``0``: None (off).

    Raises:
        ConfigError: another form, or under 10 minutes; the message names ``key``.
    """
    text = raw.strip().lower()
    if text in ("", "off", "false", "no", "0"):
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd]?)", text)
    if match is None:
        raise ConfigError(f"{key}={raw.strip()!r} must be a duration such as 30m, 24h or 2d, or off")
    seconds = float(match.group(1)) * SYNC_UNITS[match.group(2) or "s"]
    if not MIN_SYNC_EVERY <= seconds <= MAX_SYNC_EVERY:
        raise ConfigError(f"{key}={raw.strip()!r} must be between 10 minutes and 365 days (e.g. 24h), or off")
    return seconds


def _rate_limit(env: Mapping[str, str]) -> RateLimit:
    raw = env.get("USER_RATE_LIMIT", "").strip()
    return parse_rate_limit(raw) if raw else RateLimit(5, 60.0)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(env: Mapping[str, str], key: str, default: str, secure: str, plain: str) -> str:
    """A Discord address: ``secure`` (TLS) to any host, ``plain`` only to this machine, since
    the token travels in every request and in the gateway's IDENTIFY."""
    raw = env.get(key, "").strip() or default
    parts = urlsplit(raw)
    if parts.scheme not in (secure, plain) or not parts.hostname:
        raise ConfigError(f"{key}={raw!r} must be a {secure}:// address (or {plain}:// to this machine)")
    if parts.scheme == plain and not _loopback(parts.hostname):
        raise ConfigError(
            f"{key}={raw!r} would send the bot token unencrypted to another machine: use {secure}://, "
            f"or {plain}:// only to this machine (localhost, 127.0.0.1 or [::1])"
        )
    return raw


def _api_base(env: Mapping[str, str]) -> str:
    """The API's root; written with citebot's version (``.../api/v10``) it is taken without it."""
    base = _url(env, "DISCORD_API_BASE", DISCORD_API_BASE, "https", "http").rstrip("/")
    version = re.search(r"/v(\d+)$", base)
    if version is None:
        return base
    root = base[: version.start()]
    if version.group(1) != API_VERSION:
        raise ConfigError(
            f"DISCORD_API_BASE={base!r} names API version {version.group(1)}: write it without "
            f"the version, e.g. DISCORD_API_BASE={root}, and citebot adds /v{API_VERSION}"
        )
    return root


def bot_config(env: Mapping[str, str] | None = None) -> BotConfig:
    """Bot settings from ``env`` (default: the process environment).

    Raises:
        ConfigError: the token is missing or malformed, or another value is bad; the message
            names the key and never repeats the token.
    """
    env = os.environ if env is None else env
    token = env.get("DISCORD_TOKEN", "").strip().strip("\"'").strip()
    if token.lower().startswith("bot "):
        token = token[4:].strip()  # pasted with the Authorization header's prefix
    if not token:
        raise ConfigError(
            "DISCORD_TOKEN is not set: put the bot token from the Discord developer portal in .env"
        )
    if token.lower() in PLACEHOLDERS or not _TOKEN_CHARS.match(token):
        raise ConfigError(
            "DISCORD_TOKEN does not look like a bot token: copy it from Bot > Token in the developer portal"
        )
    dev_guild = _ids(env, "DEV_GUILD_ID")
    if len(dev_guild) > 1:
        raise ConfigError("DEV_GUILD_ID must be a single guild id")
    return BotConfig(
        token=token,
        api_base=_api_base(env),
        gateway_url=_url(env, "DISCORD_GATEWAY_URL", DISCORD_GATEWAY_URL, "wss", "ws"),
        answer_channel_ids=_ids(env, "ANSWER_CHANNEL_IDS"),
        forum_channel_ids=_ids(env, "FORUM_CHANNEL_IDS"),
        answer_in_thread=_bool(env, "ANSWER_IN_THREAD", False),
        answer_dms=_bool(env, "ANSWER_DMS", True),
        rate_limit=_rate_limit(env),
        queue_limit=_count(env, "QUEUE_LIMIT", 64),
        allowed_guild_ids=_ids(env, "ALLOWED_GUILD_IDS"),
        allowed_channel_ids=_ids(env, "ALLOWED_CHANNEL_IDS"),
        dev_guild_id=next(iter(dev_guild), None),
        article_guild_ids=_ids(env, "ARTICLE_GUILD_IDS"),
        retention_days=_retention_days(env),
        web=web_config(env),
        sync_every=parse_sync_every(env.get("SYNC_EVERY", "")),
        owner_ids=_ids(env, "OWNER_IDS"),
        left_server_days=_count(env, "LEFT_SERVER_DAYS", LEFT_SERVER_DAYS),
        library_memory_mb=_count(env, "LIBRARY_MEMORY_MB", LIBRARY_MEMORY_MB),
    )
