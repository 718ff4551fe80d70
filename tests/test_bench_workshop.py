"""Smoke test of the workshop load benchmark (benchmarks/bench_workshop.py): two protocol-level
learners for five seconds against a server the benchmark starts; one of them presses Run to end.

It keeps the client working (handshake, finding buttons by key, clicks inside the fragment,
run_every ticks, reading the step counter), not the server's speed: no timing is asserted.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_two_learners_are_answered_once_per_click(tmp_path):
    out = tmp_path / "smoke.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_workshop.py"), "--learners", "2", "--duration", "5",
           "--ramp", "0", "--run-to-end-share", "0.5", "--run-timeout", "40", "--click-timeout", "20",
           "--json", str(out)]
    proc = subprocess.run(cmd, check=False, cwd=ROOT, capture_output=True, text=True, timeout=170)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    result = json.loads(out.read_text())["scenarios"][0]

    errors = result["errors"]
    assert errors["learners_failed"] == 0, errors["learner_errors"]
    assert errors["exception_elements"] == 0, errors["exception_samples"]
    assert errors["dropped_by_server"] == 0 and errors["cache_misses"] == 0

    clicks = result["clicks"]
    assert clicks["sent"] >= 1 and clicks["answered"] == clicks["sent"], clicks
    assert result["counter"] == {"moved_by_one": clicks["answered"], "violations": 0, "not_shown": 0}
    assert result["bytes_per_click"]["linear_regression"]["mean"] > 0
    assert result["click_latency_s"]["n"] == clicks["answered"]

    (run,) = result["run_to_end"]
    assert run["seconds"] is not None and run["steps"] == run["total"] > 0, run
    assert result["open_s"]["n"] == 2
