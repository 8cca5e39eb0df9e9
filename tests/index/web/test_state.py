"""Sync state: kept in its own SQLite file beside the corpus, read back as written, forgotten on
removal, and surviving a restart."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.web.state import STATE_FILE, SourceState, SourceStates, content_hash

STATE = SourceState(
    slug="harbour",
    url="https://example.com/harbour",
    fetched=100.0,
    checked=100.0,
    changed=100.0,
    etag='"v1"',
    last_modified="Tue, 03 Mar 2026 10:00:00 GMT",
    sha256=content_hash(b"<html>v1</html>"),
)


def test_the_sources_database_is_readable_by_its_owner_only(tmp_path):
    SourceStates.in_folder(tmp_path)
    assert (tmp_path / STATE_FILE).stat().st_mode & 0o777 == 0o600
    older = tmp_path / "older"
    older.mkdir()
    (older / STATE_FILE).touch(mode=0o644)
    (older / STATE_FILE).chmod(0o644)  # as an earlier citebot left it
    SourceStates.in_folder(older)
    assert (older / STATE_FILE).stat().st_mode & 0o777 == 0o600


def test_a_state_is_read_back_as_written_after_a_restart(tmp_path):
    states = SourceStates.in_folder(tmp_path)
    states.put(STATE)
    states.close()
    again = SourceStates(tmp_path / STATE_FILE)
    assert again.get("harbour") == STATE and again.all() == [STATE]
    assert again.get("nowhere") is None


def test_a_check_that_finds_nothing_new_changes_only_when_it_was_checked(tmp_path):
    states = SourceStates.in_folder(tmp_path)
    states.put(STATE)
    states.put(STATE.checked_at(200.0))
    stored = states.get("harbour")
    assert stored is not None and stored.checked == 200.0
    assert (stored.fetched, stored.changed, stored.etag, stored.sha256) == (
        100.0,
        100.0,
        '"v1"',
        STATE.sha256,
    )


def test_a_gone_page_and_a_failed_check_are_kept_with_their_reason(tmp_path):
    states = SourceStates.in_folder(tmp_path)
    states.put(replace(STATE, gone=True, problem="not found (404)"))
    stored = states.get("harbour")
    assert stored is not None and stored.gone and stored.problem == "not found (404)"


def test_a_removed_article_is_forgotten(tmp_path):
    states = SourceStates.in_folder(tmp_path)
    states.put(STATE)
    states.forget("harbour")
    assert states.all() == []


def test_a_damaged_file_is_a_clear_error(tmp_path):
    (tmp_path / STATE_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(OSError, match="sources database"):
        SourceStates.in_folder(tmp_path)


def test_the_hash_tells_bodies_apart():
    assert content_hash(b"a") == content_hash(b"a") != content_hash(b"b")
