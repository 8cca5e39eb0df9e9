"""What citebot knows of each article fetched from a URL: when it was fetched and checked, when
it last changed, and what the server said (ETag, Last-Modified) for the next conditional request.

Kept in its own SQLite file in the data folder, outside the corpus and its checksum: a check
that finds nothing new writes no article file and starts no reindex.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from index.store.private_files import owner_only

STATE_FILE = "sources.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    slug TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    fetched REAL NOT NULL,
    checked REAL NOT NULL,
    changed REAL NOT NULL,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0,
    problem TEXT NOT NULL DEFAULT ''
);
"""


def content_hash(data: bytes) -> str:
    """The fingerprint a fetched body is compared by (a server without ETags still costs no
    rebuild when its page is the same)."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SourceState:
    """One fetched article's sync state; times are seconds since the epoch."""

    slug: str
    url: str  # the URL fetched last (after redirects)
    fetched: float  # when its text was last taken from the server
    checked: float  # when the server was last asked
    changed: float  # when its text last changed (the first fetch counts)
    etag: str | None
    last_modified: str | None
    sha256: str
    gone: bool = False  # the server answered 404 or 410: the last good version is kept
    problem: str = ""  # the last check's failure, in one line ("" when it went well)

    def checked_at(self, when: float, problem: str = "") -> SourceState:
        """The same source, asked again at ``when`` and found unchanged (or failing)."""
        return replace(self, checked=when, problem=problem)


class SourceStates:
    """The sync states of a data folder, safe to share between the bot's threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        owner_only(path)  # the URLs of an intranet's pages are nobody else's to read
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise OSError(f"the sources database {path.name} cannot be used: {exc}") from exc

    @classmethod
    def in_folder(cls, data_dir: Path) -> SourceStates:
        return cls(data_dir / STATE_FILE)

    def get(self, slug: str) -> SourceState | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM sources WHERE slug = ?", (slug,)).fetchone()
        return _state(row) if row else None

    def all(self) -> list[SourceState]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM sources ORDER BY slug").fetchall()
        return [_state(row) for row in rows]

    def put(self, state: SourceState) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    state.slug,
                    state.url,
                    state.fetched,
                    state.checked,
                    state.changed,
                    state.etag,
                    state.last_modified,
                    state.sha256,
                    int(state.gone),
                    state.problem,
                ),
            )

    def forget(self, slug: str) -> None:
        """A removed article is synced no more."""
        with self._lock:
            self._db.execute("DELETE FROM sources WHERE slug = ?", (slug,))

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _state(row: tuple) -> SourceState:
    slug, url, fetched, checked, changed, etag, last_modified, sha256, gone, problem = row
    return SourceState(slug, url, fetched, checked, changed, etag, last_modified, sha256, bool(gone), problem)
