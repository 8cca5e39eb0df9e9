"""One error base: a one-line message for whoever is shown it, with no path; the whole for the log."""

from __future__ import annotations

import pytest

from index import CitebotError, ConfigError, CorpusError, IndexUnusable, engine_config, without_paths
from index.corpus.articles import load_corpus, read_article
from index.store.disk import read_manifest


def test_a_missing_corpus_names_no_path_to_the_user(tmp_path):
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path / "nowhere")
    assert str(tmp_path) in str(caught.value) and str(tmp_path) in caught.value.detail
    assert str(tmp_path) not in caught.value.user_message
    assert caught.value.user_message == "corpus not found: nowhere"


def test_a_missing_index_names_no_path_to_the_user(tmp_path):
    with pytest.raises(IndexUnusable) as caught:
        read_manifest(tmp_path / "index")
    assert str(tmp_path) in str(caught.value)
    assert str(tmp_path) not in caught.value.user_message


def test_an_unreadable_article_names_no_path_to_the_user(tmp_path):
    path = tmp_path / "story.txt"
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(CorpusError) as caught:
        read_article(path)
    assert str(tmp_path) not in caught.value.user_message and "story.txt" in caught.value.user_message


def test_a_missing_corpus_setting_names_the_key_not_the_path(tmp_path):
    with pytest.raises(ConfigError) as caught:
        engine_config({"CORPUS_PATH": str(tmp_path / "gone")})
    assert str(tmp_path) in str(caught.value)
    message = caught.value.user_message
    assert "CORPUS_PATH" in message and "gone" in message and str(tmp_path) not in message


def test_an_os_error_said_through_the_base_loses_its_path(tmp_path):
    try:
        (tmp_path / "missing" / "file").read_text()
    except OSError as exc:
        error = CitebotError(str(exc))
    assert str(tmp_path) in error.detail
    assert str(tmp_path) not in error.user_message and "No such file or directory" in error.user_message


def test_a_message_without_a_path_is_shown_as_it_is():
    assert ConfigError("RESULTS='lots' is not a whole number (1-5)").user_message == (
        "RESULTS='lots' is not a whole number (1-5)"
    )


def test_the_user_message_is_one_line():
    assert "\n" not in CitebotError("bad front matter: x\n  in '/a/b', line 3\nmore").user_message


def test_without_paths_keeps_links():
    text = "cannot reach Discord at https://discord.com/api/v10: refused"
    assert without_paths(text) == text
