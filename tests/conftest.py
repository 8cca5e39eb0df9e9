"""Shared fixtures: the real packaged model, loaded once, and hermetic paths and settings."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from index.answering.engine import Engine
from index.build import open_index
from index.corpus.articles import BUILTIN_CORPUS
from index.library import Library, corpus_folder
from index.store.encoder import Encoder, shared_encoder
from index.words.background import background_words

# One table of common-word vectors for the whole run (made once, about 15 s), instead of one
# per test's data folder.
os.environ["CITEBOT_CACHE"] = tempfile.mkdtemp(prefix="citebot-words-")

ENV_KEYS = (
    "CORPUS_PATH",
    "INDEX_DIR",
    "DATA_DIR",
    "ANSWER_THRESHOLD",
    "RESULTS",
    "LOG_LEVEL",
    "TORCH_THREADS",
    "DISCORD_TOKEN",
    "DISCORD_API_BASE",
    "DISCORD_GATEWAY_URL",
    "ANSWER_CHANNEL_IDS",
    "ANSWER_IN_THREAD",
    "ANSWER_DMS",
    "USER_RATE_LIMIT",
    "ALLOWED_GUILD_IDS",
    "ALLOWED_CHANNEL_IDS",
    "DEV_GUILD_ID",
    "ARTICLE_GUILD_IDS",
    "RETENTION_DAYS",
    "QUEUE_LIMIT",
    "FORUM_CHANNEL_IDS",
    "FETCH_TIMEOUT",
    "ALLOW_PRIVATE_URLS",
    "MAX_PAGES",
    "SYNC_EVERY",
)


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs in its own folder with no citebot setting inherited from outside."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """The real all-MiniLM-L6-v2 from its package, loaded once for the whole run."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return shared_encoder()


@pytest.fixture(scope="session")
def builtin_index_dir(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> Path:
    folder = tmp_path_factory.mktemp("builtin") / "index"
    open_index(BUILTIN_CORPUS, folder, encoder)
    return folder


@pytest.fixture(scope="session")
def engine(builtin_index_dir: Path, encoder: Encoder) -> Engine:
    """The engine on the built-in article, as `make run` opens it."""
    index, status = open_index(BUILTIN_CORPUS, builtin_index_dir, encoder)
    assert not status.rebuilt
    return Engine(index, encoder, background=background_words(index.manifest.model, encoder))


@pytest.fixture()
def library(tmp_path: Path, encoder: Encoder, builtin_index_dir: Path) -> Library:
    """A library as the bot opens it: the data folder's articles (a copy of the built-in one),
    indexed in the test's own folder: a copy of the session's index of the same article, which
    opens as current (the index is keyed by the articles' content), not a rebuild per test."""
    folder = corpus_folder(None, tmp_path / "data")
    index_dir = tmp_path / "data" / "index"
    shutil.copytree(builtin_index_dir, index_dir)
    index, status = open_index(folder, index_dir, encoder)
    assert not status.rebuilt, status
    return Library(Engine(index, encoder), folder, index_dir)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Async tests (marked ``anyio``) and their async fixtures run on asyncio."""
    return "asyncio"
