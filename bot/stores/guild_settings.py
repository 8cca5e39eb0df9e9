"""Per-server settings, set with /settings and kept in SQLite; what a server has not set
comes from the operator's ``.env``."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

from bot.config import BotConfig, RateLimit, parse_rate_limit
from bot.stores.database import open_database

log = logging.getLogger(__name__)

EVERYONE_EDITS = "the editor role cannot be @everyone (a server's @everyone role has the server's id)"
SCHEMA = """
CREATE TABLE IF NOT EXISTS guild_settings (
    guild_id INTEGER PRIMARY KEY,
    answer_channels TEXT,
    threads INTEGER,
    cooldown TEXT,
    results INTEGER,
    private INTEGER,
    editor_role INTEGER,
    updated REAL NOT NULL
);
"""
# columns a later citebot added; a database made before them gains them when opened
ADDED_COLUMNS = (("forum_channels", "TEXT"), ("forum_followups", "INTEGER"), ("shared_library", "INTEGER"))
COLUMNS = (
    "guild_id, answer_channels, threads, cooldown, results, private, editor_role, forum_channels,"
    " forum_followups, shared_library"
)


@dataclass(frozen=True)
class Overrides:
    """What one server has set; None: the operator's default."""

    answer_channels: frozenset[int] | None = None
    threads: bool | None = None
    cooldown: str | None = None  # "count/seconds" or "0", as USER_RATE_LIMIT
    results: int | None = None
    private: bool | None = None
    editor_role: int | None = None
    forum_channels: frozenset[int] | None = None
    forum_followups: bool | None = None  # answer every message in a forum post, not only mentions
    shared_library: bool | None = None  # answer from the shared library too (else: its own alone)

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True)
class GuildSettings:
    """The settings in force in one server (or in direct messages)."""

    answer_channel_ids: frozenset[int]
    answer_in_thread: bool
    rate_limit: RateLimit
    results: int
    private: bool
    editor_role_id: int | None
    forum_channel_ids: frozenset[int] = frozenset()
    forum_followups: bool = False
    shared_library: bool = True  # its questions answered from the shared articles too

    def in_server(self, channel_ids: frozenset[int]) -> GuildSettings:
        """These settings with only the answer channels and forums among ``channel_ids`` (one
        server's): the operator's lists name channels of every server, and none of the others'
        is shown or copied here."""
        return replace(
            self,
            answer_channel_ids=self.answer_channel_ids & channel_ids,
            forum_channel_ids=self.forum_channel_ids & channel_ids,
        )


def _stricter(operators: RateLimit, cooldown: str | None) -> RateLimit:
    """A server's cooldown where it is no looser than the operator's limit, else the operator's
    (a server's managers may slow their members down, never speed the shared model up)."""
    if cooldown is None:
        return operators
    own = parse_rate_limit(cooldown, "cooldown")
    return own if own.within(operators) else operators


def in_force(defaults: BotConfig, results: int, overrides: Overrides) -> GuildSettings:
    """A server's settings: its own where set, the operator's otherwise."""
    o = overrides
    return GuildSettings(
        answer_channel_ids=defaults.answer_channel_ids if o.answer_channels is None else o.answer_channels,
        answer_in_thread=defaults.answer_in_thread if o.threads is None else o.threads,
        rate_limit=_stricter(defaults.rate_limit, o.cooldown),
        results=results if o.results is None else o.results,
        private=False if o.private is None else o.private,
        editor_role_id=o.editor_role,
        forum_channel_ids=defaults.forum_channel_ids if o.forum_channels is None else o.forum_channels,
        forum_followups=bool(o.forum_followups),
        shared_library=o.shared_library is not False,
    )


class GuildSettingsStore:
    """The servers' settings, in the bot's SQLite database; read once, kept in memory."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._change = threading.RLock()  # a read-modify-write of a server's settings
        self._db = open_database(self.path, SCHEMA, "settings")
        try:
            self._migrate()
            rows = self._db.execute(f"SELECT {COLUMNS} FROM guild_settings").fetchall()
        except sqlite3.DatabaseError as exc:
            raise OSError(f"the settings database {self.path} cannot be used: {exc}") from exc
        self._cache = {row[0]: _overrides(row) for row in rows}
        for guild_id, o in self._cache.items():
            if o.editor_role == guild_id:  # saved by an older citebot: never in force
                log.warning("guild %s had @everyone as its editor role; ignored", guild_id)
                self._cache[guild_id] = replace(o, editor_role=None)

    def _migrate(self) -> None:
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(guild_settings)")}
        for name, kind in ADDED_COLUMNS:
            if name not in columns:
                self._db.execute(f"ALTER TABLE guild_settings ADD COLUMN {name} {kind}")

    def get(self, guild_id: int) -> Overrides:
        """What this server has set (nothing, for a server that never used /settings)."""
        return self._cache.get(guild_id, Overrides())

    def any_answer_channels(self) -> bool:
        """Whether some server has answer channels (the bot then needs message content)."""
        return any(o.answer_channels for o in self._cache.values())

    def any_forums(self) -> bool:
        """Whether some server has forums whose posts are questions (message content, too)."""
        return any(o.forum_channels for o in self._cache.values())

    def update(self, guild_id: int, **changes: object) -> Overrides:
        """Set some of a server's settings; the others stay as they were.

        Raises:
            ValueError: the editor role is the server's @everyone (its id is the server's).
        """
        if changes.get("editor_role") == guild_id:
            raise ValueError(EVERYONE_EDITS)
        with self._change:
            merged = replace(self.get(guild_id), **changes)
            self._write(guild_id, merged)
            return merged

    def set_channel(
        self,
        guild_id: int,
        channel_id: int,
        answer: bool,
        default: frozenset[int],
        here: frozenset[int],
        setting: str = "answer_channels",
    ) -> Overrides:
        """Add or take out one answer channel (or, with ``setting="forum_channels"``, one
        forum), in one step (two managers at once lose nothing); a server's first change starts
        from the operator's channels that are among ``here`` (the server's own channels), and no
        other server's channel is kept."""
        with self._change:
            own = getattr(self.get(guild_id), setting)
            channels = set(default if own is None else own) & here
            channels = channels | {channel_id} if answer else channels - {channel_id}
            return self.update(guild_id, **{setting: frozenset(channels)})

    def reset(self, guild_id: int) -> None:
        """Forget a server's settings: the operator's defaults apply again."""
        with self._lock:
            self._db.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))
            self._cache.pop(guild_id, None)

    def _write(self, guild_id: int, o: Overrides) -> None:
        row = (
            guild_id,
            _ids(o.answer_channels),
            _int(o.threads),
            o.cooldown,
            o.results,
            _int(o.private),
            o.editor_role,
            _ids(o.forum_channels),
            _int(o.forum_followups),
            _int(o.shared_library),
            time.time(),
        )
        with self._lock:
            self._db.execute(
                f"INSERT OR REPLACE INTO guild_settings ({COLUMNS}, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            self._cache[guild_id] = o

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _int(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _ids(channels: frozenset[int] | None) -> str | None:
    return None if channels is None else json.dumps(sorted(channels))


def _from_ids(text: str | None) -> frozenset[int] | None:
    return None if text is None else frozenset(json.loads(text))


def _bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _overrides(row: tuple) -> Overrides:
    _, channels, threads, cooldown, results, private, editor_role, forums, followups, shared = row
    return Overrides(
        answer_channels=_from_ids(channels),
        threads=_bool(threads),
        cooldown=cooldown,
        results=results,
        private=_bool(private),
        editor_role=editor_role,
        forum_channels=_from_ids(forums),
        forum_followups=_bool(followups),
        shared_library=_bool(shared),
    )
