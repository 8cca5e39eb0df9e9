"""``python -m bench.web`` prints its figures, and an unchanged sync costs nothing but requests."""

from __future__ import annotations

import json

from bench.web import main


def test_bench_web_prints_the_figures_of_an_add_and_a_sync(capsys, encoder):
    # in this process: the model loaded once; the sitemap index (a fresh process, a first build) is left out
    assert main(["--site-pages", "4", "--sync-pages", "6", "--index-children", "0"]) == 0
    out = capsys.readouterr().out
    figures = json.loads(out.strip().splitlines()[-1])
    assert "texts embedded" in out and figures["site_pages"] == 4 and figures["site_to_answered_s"] > 0
    assert figures["site_answered"] == 1
    assert figures["sync_pages"] == figures["sync_unchanged"] == figures["sync_requests"] == 6
    assert figures["sync_texts_embedded"] == 0 and figures["sync_rebuilt"] == 0
