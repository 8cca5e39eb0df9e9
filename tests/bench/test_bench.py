"""The benchmark runs and reports every figure it promises (it times nothing for the tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_a_table_and_one_json_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--rounds", "1", "--cold-runs", "1"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    for key in (
        "plain_p50_ms",
        "citebot_p50_ms",
        "ratio_p50",
        "plain_cold_s",
        "citebot_cold_s",
        "ratio_cold",
    ):
        assert figures[key] > 0, key
    assert figures["citebot_peak_mb"] > 0 and figures["query_encoder"] == "OnnxEncoder"
    assert "plain" in done.stdout and "citebot" in done.stdout
