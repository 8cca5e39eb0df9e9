"""The forum posts citebot answered, and which of them their posters or moderators marked
solved: for /stats' share solved and /gaps, which leaves solved posts out. Kept in the bot's
one SQLite file; ids and times only, no words and no people."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.stores.database import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS forum_posts (
    thread_id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    answered REAL NOT NULL,
    solved REAL
);
CREATE INDEX IF NOT EXISTS forum_posts_guild ON forum_posts (guild_id, answered);
"""


@dataclass(frozen=True)
class ForumUsage:
    """The forum posts answered in one server since a time, and how many are solved."""

    answered: int
    solved: int

    @property
    def share_solved(self) -> float:
        return self.solved / self.answered if self.answered else 0.0


class ForumPosts:
    """Forum posts answered and solved; one connection shared by the bot's threads, behind a lock."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = open_database(self.path, SCHEMA, "forum posts")

    def answered(self, thread_id: int, guild_id: int, at: float | None = None) -> None:
        """Record that the post (its thread) was answered; a second answer changes nothing."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO forum_posts (thread_id, guild_id, answered) VALUES (?, ?, ?)",
                (thread_id, guild_id, time.time() if at is None else at),
            )

    def solved(self, thread_id: int, guild_id: int, at: float | None = None) -> bool:
        """Record the post as solved (answered then too, if it was not recorded so); False when
        it already was solved."""
        now = time.time() if at is None else at
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO forum_posts (thread_id, guild_id, answered) VALUES (?, ?, ?)",
                (thread_id, guild_id, now),
            )
            changed = self._db.execute(
                "UPDATE forum_posts SET solved = ? WHERE thread_id = ? AND solved IS NULL",
                (now, thread_id),
            ).rowcount
        return changed == 1

    def is_answered(self, thread_id: int) -> bool:
        """Whether citebot answered the post."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM forum_posts WHERE thread_id = ?", (thread_id,)).fetchone()
        return row is not None

    def solved_posts(self, guild_id: int, since: float = 0.0) -> frozenset[int]:
        """The thread ids of a server's solved posts answered since ``since``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT thread_id FROM forum_posts WHERE guild_id = ? AND answered >= ?"
                " AND solved IS NOT NULL",
                (guild_id, since),
            ).fetchall()
        return frozenset(row[0] for row in rows)

    def usage(self, guild_id: int, since: float) -> ForumUsage:
        """A server's posts answered since ``since``, and how many of them are solved."""
        with self._lock:
            answered, solved = self._db.execute(
                "SELECT COUNT(*), COUNT(solved) FROM forum_posts WHERE guild_id = ? AND answered >= ?",
                (guild_id, since),
            ).fetchone()
        return ForumUsage(int(answered), int(solved))

    def prune(self, before: float) -> int:
        """Forget the posts answered before ``before``; how many were forgotten."""
        with self._lock:
            return self._db.execute("DELETE FROM forum_posts WHERE answered < ?", (before,)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()
