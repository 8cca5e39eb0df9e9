"""``python -m bench --live --passages N``: an article added to and removed from an N-passage
corpus made from the built-in article alone, built once into a cache folder and reused."""

from __future__ import annotations

import json

from bench.__main__ import main
from bench.live import live_corpus
from index.store.disk import read_manifest


def test_bench_live_prints_the_add_and_removal_and_reuses_its_corpus(capsys, encoder, tmp_path):
    argv = ["--live", "--passages", "40", "--cache", str(tmp_path)]
    assert main(argv) == 0  # in this process: the session's model
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["live_passages"] >= 40 and figures["live_added_passages"] >= 30
    assert figures["live_answered_from_added"] == 1 and figures["live_gone_after_removal"] == 1
    assert figures["live_add_s"] > 0 and figures["live_remove_s"] > 0
    built = read_manifest(tmp_path / "live-40" / "index").built_at
    assert not (tmp_path / "live-40" / "work").exists()  # the copy it changed is cleaned away
    again = live_corpus(40, tmp_path)  # what the next run opens
    assert read_manifest(tmp_path / "live-40" / "index").built_at == built  # reused, not rebuilt
    assert again.engine.manifest.passages == figures["live_passages"]
