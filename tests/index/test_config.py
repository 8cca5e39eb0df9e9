"""The engine's configuration: defaults, every bad value one line naming its key, ``.env`` read
without overriding the environment, and logging set up only when a program asks for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from index.config import ConfigError, EngineConfig, engine_config, load_env

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_with_an_empty_environment():
    config = engine_config({})
    assert config == EngineConfig(corpus=None, index_dir=Path("data/index"), data_dir=Path("data"))


def test_values_are_parsed(tmp_path):
    article = tmp_path / "a.md"
    article.write_text("# A\n\nText.\n", encoding="utf-8")
    config = engine_config(
        {
            "CORPUS_PATH": str(article),
            "DATA_DIR": str(tmp_path / "d"),
            "RESULTS": "5",
            "ANSWER_THRESHOLD": "0.4",
            "LOG_LEVEL": "debug",
            "TORCH_THREADS": "2",
            "MAX_CORPUS_BYTES": "1000000",
        }
    )
    assert config.corpus == article and config.data_dir == tmp_path / "d"
    assert config.index_dir == tmp_path / "d" / "index"  # follows DATA_DIR unless INDEX_DIR is set
    assert (config.results, config.threshold, config.log_level, config.max_corpus_bytes) == (
        5,
        0.4,
        "DEBUG",
        1_000_000,
    )


def test_torch_threads_is_read_where_the_model_is_loaded(monkeypatch):
    """TORCH_THREADS was parsed into the settings and never read (issue 22, item 12): the
    encoder's thread count now comes from the one parser, and a bad value is refused."""
    from index.config import torch_threads
    from index.store.encoder import build_threads

    monkeypatch.setenv("TORCH_THREADS", "3")
    assert torch_threads() == 3 and build_threads() == 3
    monkeypatch.setenv("TORCH_THREADS", "many")
    with pytest.raises(ConfigError, match="TORCH_THREADS"):
        build_threads()


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"RESULTS": "many"}, "RESULTS"),
        ({"RESULTS": "9"}, "RESULTS"),
        ({"ANSWER_THRESHOLD": "high"}, "ANSWER_THRESHOLD"),
        ({"ANSWER_THRESHOLD": "1.5"}, "ANSWER_THRESHOLD"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"TORCH_THREADS": "-1"}, "TORCH_THREADS"),
        ({"MAX_CORPUS_BYTES": "0"}, "MAX_CORPUS_BYTES"),
        ({"CORPUS_PATH": "/no/such/folder/articles"}, "CORPUS_PATH"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_key(env, key):
    with pytest.raises(ConfigError) as caught:
        engine_config(env)
    assert key in caught.value.user_message and "\n" not in caught.value.user_message


def test_a_missing_corpus_is_named_without_the_machines_path():
    with pytest.raises(ConfigError) as caught:
        engine_config({"CORPUS_PATH": "/no/such/folder/articles"})
    assert "/no/such/folder" not in caught.value.user_message and "articles" in caught.value.user_message
    assert "/no/such/folder" in str(caught.value)  # the detail is kept for the log


def test_env_file_fills_in_but_never_overrides_the_environment(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("RESULTS=4\nLOG_LEVEL=ERROR\n", encoding="utf-8")
    monkeypatch.delenv("RESULTS", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    load_env(env_file)
    config = engine_config()
    assert config.results == 4 and config.log_level == "WARNING"


def test_an_unreadable_env_file_is_a_config_error(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"RESULTS=\xff\xfe\n")
    with pytest.raises(ConfigError):
        load_env(env_file)


def test_importing_never_sets_up_logging_and_setup_logging_does():
    code = (
        "import logging, index, index.config, index.answering.engine, index.library\n"
        "assert not logging.getLogger().handlers, 'an import set up logging'\n"
        "index.config.setup_logging('WARNING')\n"
        "assert logging.getLogger().handlers and logging.getLogger().level == logging.WARNING\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
