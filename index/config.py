"""Settings of the answer engine, read once from the environment (and ``.env``)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from index.errors import CitebotError


class ConfigError(CitebotError, ValueError):
    """A setting with a value that cannot be used; the message names the key."""


@dataclass(frozen=True)
class EngineConfig:
    """Where the articles and the index live, and how answers are given."""

    corpus: Path | None  # None: the built-in article
    index_dir: Path
    data_dir: Path
    results: int = 3
    threshold: float | None = None  # None: the threshold calibrated when the index was built
    log_level: str = "INFO"
    torch_threads: int = 0  # 0: torch's own choice


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
        torch_threads=_int(env, "TORCH_THREADS", 0, 0, 64),
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
