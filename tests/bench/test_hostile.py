"""``python -m bench --hostile`` times every parser of outside text on every hostile input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.hostile import INPUTS, PDF_PAGES, parsers

ROOT = Path(__file__).resolve().parents[2]


def test_bench_hostile_prints_a_figure_for_every_parser_and_input(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--hostile"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    pdf = f"pdf / {PDF_PAGES:,} pages"
    assert set(figures) == {f"{p} / {i}" for p in parsers(Path()) for i in INPUTS} | {pdf}
    assert "PDFs of 2,000 pages at most" in done.stdout
    assert all(seconds >= 0 for seconds in figures.values())
    assert "slowest:" in done.stdout
