"""``python -m bench.web`` prints its figures, and an unchanged sync costs nothing but requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_web_prints_the_figures_of_an_add_and_a_sync(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bench.web", "--site-pages", "4", "--sync-pages", "6"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["site_pages"] == 4 and figures["site_to_answered_s"] > 0
    assert figures["sync_pages"] == figures["sync_unchanged"] == figures["sync_requests"] == 6
    assert figures["sync_texts_embedded"] == 0 and figures["sync_rebuilt"] == 0
