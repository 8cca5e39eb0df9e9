"""A sync forgets what was removed (no request for it) and says what it found in one line."""

from __future__ import annotations

import pytest

from index.web.fetch import Fetcher
from index.web.state import SourceState, SourceStates
from index.web.syncing import SyncReport, sync_sources

pytestmark = pytest.mark.anyio


async def test_a_removed_article_is_forgotten_without_a_request(library, tmp_path):
    states = SourceStates.in_folder(tmp_path)
    states.put(SourceState("removed-long-ago", "http://127.0.0.1:9/none", 1.0, 1.0, 1.0, None, None, "x"))
    async with Fetcher() as fetcher:  # public addresses only: a request to it would fail
        report = await sync_sources(library, states, fetcher)
    assert report == SyncReport(forgotten=("removed-long-ago",)) and states.all() == []
    assert report.summary() == "0 checked, 0 unchanged"


def test_the_summary_names_what_changed():
    report = SyncReport(("a",), ("b",), ("c",), (("d", "timed out"),))
    assert report.summary() == "4 checked, 1 unchanged, updated: b, gone upstream: c, failed: d (timed out)"
