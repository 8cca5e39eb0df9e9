"""Settings of the answer engine, read once from the environment (and ``.env``)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import ConfigError

if TYPE_CHECKING:
    from index.web.addresses import AddressPolicy


FETCH_TIMEOUT = 10.0  # seconds, for each request: connecting, waiting and reading the body
MAX_PAGES = 200  # pages one URL may add (a sitemap's, or a crawl's)
MOST_PAGES = 5_000  # the most MAX_PAGES may be
MAX_ADD_BYTES = 50_000_000  # bytes of pages one command may bring in
# bytes of articles in the corpus folder: several times the largest corpus measured (51,502
# passages, about 40 MB of text), more than one process answers from in a few GB
MAX_CORPUS_BYTES = 250_000_000
MOST_BYTES = 10_000_000_000
LIBRARY_MEMORY_MB = 2_048  # servers' libraries kept in memory, about (the least recently used go)
LEFT_SERVER_DAYS = 30  # a server's library kept this long after citebot is removed from it


@dataclass(frozen=True)
class EngineConfig:
    """Where the articles and the index live, and how answers are given."""

    corpus: Path | None  # None: the built-in article
    index_dir: Path
    data_dir: Path
    results: int = 3
    threshold: float | None = None  # None: the threshold calibrated when the index was built
    log_level: str = "INFO"
    max_corpus_bytes: int = MAX_CORPUS_BYTES  # an add past it is refused


@dataclass(frozen=True)
class WebConfig:
    """How knowledge is taken from the web (``/article add url:``, ``python -m index add``)."""

    allow_private: AddressPolicy  # the private addresses an editor may type (ALLOW_PRIVATE_URLS)
    fetch_timeout: float = FETCH_TIMEOUT  # seconds for each request
    max_pages: int = MAX_PAGES  # pages one URL (a sitemap or a crawl) may add
    max_add_bytes: int = MAX_ADD_BYTES  # bytes of pages one command may bring in


def load_env(path: str | os.PathLike | None = None) -> None:
    """Read ``.env`` (if present) into the environment; real environment variables win.

    Raises:
        ConfigError: the file exists but cannot be read as UTF-8 text.
    """
    from dotenv import load_dotenv

    target = Path(path) if path else Path(".env")
    if not target.is_file():
        return
    try:
        target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {target}: {exc}") from exc
    load_dotenv(target, override=False)


def _int(env: Mapping[str, str], key: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a whole number ({lo}-{hi})") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{key}={value} is out of range ({lo}-{hi})")
    return value


def _seconds(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise ConfigError(f"{key}={raw!r} must be a positive number of seconds")
    return value


def torch_threads(env: Mapping[str, str] | None = None) -> int:
    """``TORCH_THREADS``: torch's threads for embedding (1-64), or 0 for every core.

    Raises:
        ConfigError: the value is not a whole number from 0 to 64.
    """
    return _int(os.environ if env is None else env, "TORCH_THREADS", 0, 0, 64)


def web_config(env: Mapping[str, str] | None = None) -> WebConfig:
    """Web settings from ``env`` (default: the process environment): ``ALLOW_PRIVATE_URLS``,
    ``FETCH_TIMEOUT``, ``MAX_PAGES`` (1-5,000) and ``MAX_ADD_BYTES``.

    Raises:
        ConfigError: a value is malformed or out of range; the message names the key.
    """
    from index.web.addresses import parse_allow_private  # the web package imports this module

    env = os.environ if env is None else env
    return WebConfig(
        allow_private=parse_allow_private(env.get("ALLOW_PRIVATE_URLS", "")),
        fetch_timeout=_seconds(env, "FETCH_TIMEOUT", FETCH_TIMEOUT),
        max_pages=_int(env, "MAX_PAGES", MAX_PAGES, 1, MOST_PAGES),
        max_add_bytes=_int(env, "MAX_ADD_BYTES", MAX_ADD_BYTES, 1, MOST_BYTES),
    )


def _threshold(env: Mapping[str, str]) -> float | None:
    raw = env.get("ANSWER_THRESHOLD", "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            f"ANSWER_THRESHOLD={raw!r} is not a number (0-1, or empty for calibrated)"
        ) from None
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"ANSWER_THRESHOLD={value} is out of range (0-1)")
    return value


def engine_config(env: Mapping[str, str] | None = None) -> EngineConfig:
    """Engine settings from ``env`` (default: the process environment).

    Raises:
        ConfigError: a value is malformed or out of range; the message names the key.
    """
    env = os.environ if env is None else env
    data_dir = Path(env.get("DATA_DIR", "").strip() or "data")
    corpus_raw = env.get("CORPUS_PATH", "").strip()
    corpus = Path(corpus_raw).expanduser() if corpus_raw else None
    if corpus is not None and not corpus.exists():
        raise ConfigError(
            f"CORPUS_PATH={corpus_raw!r} does not exist",
            user_message=f"CORPUS_PATH names {corpus.name!r}, which does not exist",
        )
    torch_threads(env)  # refused at start, read where the model is loaded
    log_level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL={log_level!r} is not one of DEBUG, INFO, WARNING, ERROR")
    return EngineConfig(
        corpus=corpus,
        index_dir=Path(env.get("INDEX_DIR", "").strip() or data_dir / "index").expanduser(),
        data_dir=data_dir.expanduser(),
        results=_int(env, "RESULTS", 3, 1, 5),
        threshold=_threshold(env),
        log_level=log_level,
        max_corpus_bytes=_int(env, "MAX_CORPUS_BYTES", MAX_CORPUS_BYTES, 1, MOST_BYTES),
    )


def startup_config() -> EngineConfig:
    """What every program does first: read ``.env``, parse the settings, set up logging.

    Raises:
        ConfigError: ``.env`` cannot be read or a value is bad; the message names the key.
    """
    load_env()
    settings = engine_config()
    setup_logging(settings.log_level)
    return settings


def setup_logging(level: str) -> None:
    """Log lines to stderr at ``level``, for every program; importing a module never does this."""
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
