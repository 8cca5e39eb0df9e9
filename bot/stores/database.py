"""The bot's one SQLite file in the data folder, and the one way to open it: the feedback store
and the servers' settings keep their tables in it."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

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
    _owner_only(path)
    try:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA secure_delete=ON")  # what is pruned is overwritten, not left in free pages
        db.executescript(schema)
        return db
    except sqlite3.DatabaseError as exc:
        raise OSError(f"the {what} database {path} cannot be used: {exc}") from exc


def _owner_only(path: Path) -> None:
    """The database readable and writable by its owner only: made so when new, and tightened
    when an older citebot left it (or its ``-wal`` and ``-shm`` files) open to everyone. SQLite
    gives the ``-wal`` and ``-shm`` files it creates the database file's mode."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)
        except FileNotFoundError:
            pass
        except PermissionError as exc:  # another user's file: theirs to tighten; still usable
            log.warning("could not make %s readable by its owner only: %s", part, exc)
