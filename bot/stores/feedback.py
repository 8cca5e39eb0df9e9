"""What people asked and how they rated the answers, kept in SQLite in the data folder."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from bot.config import DAY
from bot.stores.database import open_database
from index import MAX_HISTORY

log = logging.getLogger(__name__)

SALT_BYTES = 32
HISTORY_SECONDS = 3600.0  # a conversation's earlier questions older than this are not read with it


def days_ago(days: float) -> float:
    """The time ``days`` days before now: where /gaps, /stats and retention start counting."""
    return time.time() - days * DAY


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '1');
CREATE TABLE IF NOT EXISTS asks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    focus TEXT NOT NULL,
    answered INTEGER NOT NULL,
    results INTEGER NOT NULL,
    asker TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    ask_id INTEGER NOT NULL REFERENCES asks(id),
    user TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (ask_id, user)
);
"""


@dataclass(frozen=True)
class Pruned:
    """What one pass of the retention removed."""

    asks: int
    votes: int


@dataclass(frozen=True)
class StoredAsk:
    """One answered question, as the buttons under its answer need it."""

    id: int
    question: str
    passage_ids: tuple[str, ...]
    focus: str  # the passage holding the answer sentence (or the nearest one)
    answered: bool
    results: int
    asker: str  # hashed user id
    created: float
    guild_id: int | None = None  # the server it was asked in; None: a direct message
    conversation: int | None = None  # its thread or reply chain (see ``record_ask``)


NOT_ANSWERED = "not answered"
LOW_CONFIDENCE = "low confidence"
DOWNVOTED = "👎"


@dataclass(frozen=True)
class Gap:
    """A question not answered well: refused, answered with low confidence, or given 👎."""

    question: str
    reason: str  # NOT_ANSWERED, LOW_CONFIDENCE or DOWNVOTED
    created: float
    conversation: int | None = None


@dataclass(frozen=True)
class Day:
    """Questions asked on one day (UTC), and how many of them were answered."""

    day: str
    asked: int
    answered: int


@dataclass(frozen=True)
class Usage:
    """What people asked since a time: per day, in all, and what they thought of the answers."""

    since: float
    days: tuple[Day, ...]  # most recent first, days with questions only
    asked: int
    answered: int
    people: int
    up: int
    down: int


class FeedbackStore:
    """The asks and votes database; one connection shared by the bot's threads, behind a lock."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.secret_path = self.path.with_name(self.path.stem + ".key")
        self._lock = threading.Lock()
        self._db = open_database(self.path, SCHEMA, "feedback")
        try:
            self._migrate()
            self._salt = self._load_salt()
        except sqlite3.DatabaseError as exc:
            raise OSError(f"the feedback database {self.path} cannot be used: {exc}") from exc

    def _migrate(self) -> None:
        """Schema 2: each ask also keeps how sure its answer was and the server it came from.
        Schema 3: the conversation it belongs to, the answer message it got, and whether it was
        private (never read as a follow-up's history)."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(asks)")}
        for name, kind in (
            ("confidence", "TEXT NOT NULL DEFAULT ''"),
            ("guild_id", "INTEGER"),
            ("conversation", "INTEGER"),
            ("message_id", "INTEGER"),
            ("private", "INTEGER NOT NULL DEFAULT 0"),
        ):
            if name not in columns:
                self._db.execute(f"ALTER TABLE asks ADD COLUMN {name} {kind}")
        self._db.execute("CREATE INDEX IF NOT EXISTS asks_created ON asks (created)")
        self._db.execute("CREATE INDEX IF NOT EXISTS asks_conversation ON asks (conversation, created)")
        self._db.execute("CREATE INDEX IF NOT EXISTS asks_message ON asks (message_id)")
        self._db.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")

    def _load_salt(self) -> bytes:
        """The secret user ids are hashed with, kept in its own file (owner-only) beside the
        database: the database alone does not let anyone test which user ids voted."""
        try:
            raw = self.secret_path.read_bytes()
        except FileNotFoundError:
            if self._db.execute("SELECT 1 FROM asks LIMIT 1").fetchone():
                # a database from before keys, or moved without its key: go on, and say what breaks
                log.warning(
                    "the feedback key %s is missing: made a new one; votes and 'only the asker' checks on "
                    "questions recorded before it no longer match their people",
                    self.secret_path,
                )
            return self._new_salt(replace=False)
        except OSError as exc:
            raise OSError(f"the feedback key {self.secret_path} cannot be read: {exc}") from exc
        salt = _salt_from(raw)
        if salt is not None:
            return salt
        asks = self._db.execute("SELECT COUNT(*) FROM asks").fetchone()[0]
        if asks:
            # a new key would hash everyone anew: their votes and the asker check would break
            raise OSError(
                f"the feedback key {self.secret_path} is damaged ({len(raw)} bytes, not 32 bytes in hex) "
                f"and {asks} recorded question(s) were hashed with it: put the key back from a backup, "
                f"or move {self.path.name} and the key aside to start afresh"
            )
        log.warning(
            "the feedback key %s was damaged and nothing was hashed with it: made a new one", self.secret_path
        )
        return self._new_salt(replace=True)

    def _new_salt(self, replace: bool) -> bytes:
        """A new key, written whole under a temporary name and then put in place, so that a crash
        never leaves an empty or partial key under the real name."""
        salt = secrets.token_bytes(SALT_BYTES)
        temporary = self.secret_path.with_name(f".{self.secret_path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(salt.hex())
                f.flush()
                os.fsync(f.fileno())
            if replace:
                os.replace(temporary, self.secret_path)
            else:
                os.link(temporary, self.secret_path)  # fails if another process made one meanwhile
        except FileExistsError:
            return self._load_salt()
        finally:
            temporary.unlink(missing_ok=True)
        folder = os.open(self.secret_path.parent, os.O_RDONLY)  # the new name survives a power cut
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        return salt

    def user_key(self, user_id: int) -> str:
        """The user's id, hashed with this database's own secret: votes are counted, never traced."""
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def record_ask(
        self,
        question: str,
        *,
        passage_ids: list[str],
        focus: str,
        answered: bool,
        results: int,
        user_id: int,
        confidence: str = "",
        guild_id: int | None = None,
        conversation: int | None = None,
        private: bool = False,
    ) -> int:
        """Keep an asked question (``confidence``: the answer's label, e.g. "low confidence");
        returns the id the buttons under the answer carry.

        ``conversation``: the thread or reply chain it was asked in (a thread's id, a chain's
        first question's message id); ``private``: seen by the asker only, so never history.
        """
        row = (
            question,
            json.dumps(passage_ids),
            focus,
            int(answered),
            results,
            self.user_key(user_id),
            time.time(),
            confidence,
            guild_id,
            conversation,
            int(private),
        )
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO asks (question, passage_ids, focus, answered, results, asker, created,"
                " confidence, guild_id, conversation, private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid)

    def set_answer_message(self, ask_id: int, message_id: int, conversation: int | None = None) -> None:
        """Note the message that answered an ask (a reply to it continues its conversation), and
        move the ask to ``conversation`` when given (the thread opened for its answer)."""
        with self._lock:
            self._db.execute(
                "UPDATE asks SET message_id = ?, conversation = COALESCE(?, conversation) WHERE id = ?",
                (message_id, conversation, ask_id),
            )

    def conversation_of(self, message_id: int) -> int | None:
        """The conversation of the ask a message answered; None when it answered none."""
        with self._lock:
            row = self._db.execute(
                "SELECT conversation FROM asks WHERE message_id = ? AND conversation IS NOT NULL"
                " ORDER BY id DESC LIMIT 1",
                (message_id,),
            ).fetchone()
        return None if row is None else int(row[0])

    def history(
        self,
        conversation: int,
        since: float | None = None,
        limit: int = MAX_HISTORY,
        before: int | None = None,
    ) -> list[str]:
        """The latest ``limit`` public questions of a conversation asked since ``since`` (by
        default ``HISTORY_SECONDS`` ago), oldest first; with ``before``, only those recorded
        before that ask."""
        if since is None:
            since = time.time() - HISTORY_SECONDS
        with self._lock:
            rows = self._db.execute(
                "SELECT question FROM asks WHERE conversation = ? AND private = 0 AND created >= ?"
                " AND id < ? ORDER BY created DESC, id DESC LIMIT ?",
                (conversation, since, before if before is not None else 2**62, limit),
            ).fetchall()
        return [question for (question,) in reversed(rows)]

    def history_of(self, ask: StoredAsk) -> list[str]:
        """The questions ``ask`` was read with when it was answered: its conversation's, asked
        before it within ``HISTORY_SECONDS`` (none outside a conversation)."""
        if ask.conversation is None:
            return []
        return self.history(ask.conversation, ask.created - HISTORY_SECONDS, before=ask.id)

    def ask(self, ask_id: int) -> StoredAsk | None:
        """The question behind a button, or None when it is not (or no longer) known."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, question, passage_ids, focus, answered, results, asker, created, guild_id,"
                " conversation FROM asks WHERE id = ?",
                (ask_id,),
            ).fetchone()
        if row is None:
            return None
        return StoredAsk(
            row[0], row[1], tuple(json.loads(row[2])), row[3], bool(row[4]), *row[5:8], row[8], row[9]
        )

    def vote(self, ask: StoredAsk, user_id: int, vote: int) -> bool:
        """Record 👍 (1) or 👎 (-1); one vote per person per answer, which they may change.

        Returns:
            False when this person had already given this very vote.
        """
        if vote not in (-1, 1):
            raise ValueError("vote must be 1 or -1")
        user = self.user_key(user_id)
        with self._lock:
            row = self._db.execute(
                "SELECT vote FROM feedback WHERE ask_id = ? AND user = ?", (ask.id, user)
            ).fetchone()
            if row and row[0] == vote:
                return False
            self._db.execute(
                "INSERT OR REPLACE INTO feedback (ask_id, user, vote, question, passage_ids, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (ask.id, user, vote, ask.question, json.dumps(list(ask.passage_ids)), time.time()),
            )
            return True

    def votes(self, ask_id: int) -> tuple[int, int]:
        """(👍 count, 👎 count) for one answer."""
        with self._lock:
            up, down = self._db.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0)"
                " FROM feedback WHERE ask_id = ?",
                (ask_id,),
            ).fetchone()
        return int(up), int(down)

    def gaps(
        self,
        since: float,
        guild_id: int | None = None,
        limit: int = 1000,
        *,
        excluding: Collection[int] = (),
    ) -> list[Gap]:
        """The latest questions since ``since`` that were not answered well, newest first; in one
        server, or everywhere when ``guild_id`` is None; none of the conversations ``excluding``
        names (e.g. forum posts marked solved)."""
        where, args = _scope(since, guild_id)
        with self._lock:
            # the votes of the window's asks only, each looked up by its key: older asks and
            # their votes are never read, however many there are
            rows = self._db.execute(
                "SELECT a.question, a.answered, a.confidence, EXISTS (SELECT 1 FROM feedback f"
                " WHERE f.ask_id = a.id AND f.vote = -1) AS down, a.created, a.conversation FROM asks a"
                f" WHERE {where} AND (a.answered = 0 OR a.confidence = ? OR down)"
                " AND (a.conversation IS NULL OR a.conversation NOT IN (SELECT value FROM json_each(?)))"
                " ORDER BY a.created DESC LIMIT ?",
                (*args, LOW_CONFIDENCE, json.dumps(list(excluding)), limit),
            ).fetchall()
        return [
            Gap(
                question,
                DOWNVOTED if down else NOT_ANSWERED if not answered else LOW_CONFIDENCE,
                created,
                conversation,
            )
            for question, answered, confidence, down, created, conversation in rows
        ]

    def usage(self, since: float, guild_id: int | None = None) -> Usage:
        """Questions per day, the share answered, and the votes, since ``since``."""
        where, args = _scope(since, guild_id)
        with self._lock:
            days = self._db.execute(
                "SELECT date(a.created, 'unixepoch') AS day, COUNT(*), SUM(a.answered) FROM asks a"
                f" WHERE {where} GROUP BY day ORDER BY day DESC",
                args,
            ).fetchall()
            people = self._db.execute(
                f"SELECT COUNT(DISTINCT a.asker) FROM asks a WHERE {where}", args
            ).fetchone()
            up, down = self._db.execute(
                "SELECT COALESCE(SUM(f.vote = 1), 0), COALESCE(SUM(f.vote = -1), 0)"
                f" FROM feedback f JOIN asks a ON a.id = f.ask_id WHERE {where}",
                args,
            ).fetchone()
        per_day = tuple(Day(day, asked, int(answered or 0)) for day, asked, answered in days)
        return Usage(
            since,
            per_day,
            sum(d.asked for d in per_day),
            sum(d.answered for d in per_day),
            int(people[0]),
            int(up),
            int(down),
        )

    def prune(self, before: float) -> Pruned:
        """Forget the asks made before ``before`` (seconds since the epoch) and every vote on
        them, and write the files anew so that what was forgotten is not left in the WAL."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                votes = self._db.execute(
                    "DELETE FROM feedback WHERE ask_id IN (SELECT id FROM asks WHERE created < ?)",
                    (before,),
                ).rowcount
                asks = self._db.execute("DELETE FROM asks WHERE created < ?", (before,)).rowcount
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            if asks or votes:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return Pruned(asks, votes)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _salt_from(raw: bytes) -> bytes | None:
    """The key a key file holds, or None when it is not 32 bytes in hex (empty, cut, garbled)."""
    try:
        salt = bytes.fromhex(raw.decode("ascii").strip())
    except ValueError:  # UnicodeDecodeError is one
        return None
    return salt if len(salt) == SALT_BYTES else None


def _scope(since: float, guild_id: int | None) -> tuple[str, tuple]:
    if guild_id is None:
        return "a.created >= ?", (since,)
    return "a.created >= ? AND a.guild_id = ?", (since, guild_id)
