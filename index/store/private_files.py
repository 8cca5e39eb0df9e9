"""Files only their owner may read: the SQLite databases that hold what people asked and where
citebot's sources are."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def owner_only(path: Path) -> None:
    """The database at ``path`` readable and writable by its owner only: made so when new, and
    tightened when an older citebot left it (or its ``-wal`` and ``-shm`` files) open to
    everyone. SQLite gives the ``-wal`` and ``-shm`` files it creates the database file's mode."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)
        except FileNotFoundError:
            pass
        except PermissionError as exc:  # another user's file: theirs to tighten; still usable
            log.warning("could not make %s readable by its owner only: %s", part, exc)
