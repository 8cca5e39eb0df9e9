"""The bot's one SQLite file in the data folder, and the one way to open it: the feedback store
and the servers' settings keep their tables in it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from index import owner_only

DATABASE_FILE = "feedback.sqlite3"


def database_path(data_dir: Path) -> Path:
    """Where the bot keeps what people asked, their votes and the servers' settings."""
    return data_dir / DATABASE_FILE


def open_database(path: Path, schema: str, what: str) -> sqlite3.Connection:
    """The bot's SQLite file, shared by the bot's threads (each store locks its own use), in
    WAL mode so that readers never wait for a writer; ``schema`` made if missing.

    Raises:
        OSError: the file is not a database, or cannot be written; the message names it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    owner_only(path)
    try:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA secure_delete=ON")  # what is pruned is overwritten, not left in free pages
        db.executescript(schema)
        return db
    except sqlite3.DatabaseError as exc:
        raise OSError(f"the {what} database {path} cannot be used: {exc}") from exc
