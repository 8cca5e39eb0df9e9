"""The benchmark runs and reports every figure it promises (it times nothing for the tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def squad_like(path: Path) -> Path:
    """A SQuAD-shaped jsonl of two articles made from the built-in one."""
    text = next((ROOT / "index" / "data").glob("*.txt")).read_text(encoding="utf-8")
    body = [line for line in text.splitlines() if line.strip()]
    half = len(body) // 2
    rows = [
        {"title": name, "text": "\n".join(part), "questions": [{"q": "Who visited Russia on Tuesday?"}]}
        for name, part in (("First_half", body[:half]), ("Second_half", body[half:]))
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_bench_prints_a_table_and_one_json_line(tmp_path):
    squad = squad_like(tmp_path / "squad.jsonl")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--rounds", "1", "--cold-runs", "1", "--squad", str(squad)]
        + ["--synthetic", "60"],
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
        "citebot_qps_8",
        "build_squad_passages",
        "scale_build_s",
        "scale_p50_ms",
        "live_builtin_add_s",
        "live_squad_remove_s",
        "reader_p50_ms",
        "noreader_p50_ms",
        "reader_pairs_per_s",
    ):
        assert figures[key] > 0, key
    assert 0 < figures["reader_share"] < 1
    assert figures["citebot_peak_mb"] > 0 and figures["query_encoder"] == "OnnxEncoder"
    assert figures["scale_passages"] >= 60
    assert 0.98 <= figures["scale_recall10_passages"] <= 1.0  # exact search at this size
    assert figures["live_builtin_answered_from_added"] == figures["live_squad_answered_from_added"] == 1
    assert "plain" in done.stdout and "citebot" in done.stdout and "synthetic:" in done.stdout
