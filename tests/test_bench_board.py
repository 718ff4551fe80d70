"""Smoke test of the class-board load benchmark (benchmarks/bench_board.py): three protocol-level
learners join a room and send results for a few seconds while the board refreshes, on SQLite in one
process and on PostgreSQL shared by two processes behind nginx.

It keeps the benchmark working and checks what must hold at any load: every learner joined, every
result sent is stored exactly once, no database error in the servers' logs. No timing is asserted.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from postgres_server import REQUIRED as PG_REQUIRED
from postgres_server import _bin

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("store", ["sqlite", "postgres2"])
def test_every_result_reaches_the_board_once(tmp_path, store):
    if store == "postgres2" and not (_bin("initdb") and Path("/usr/sbin/nginx").exists()):
        if PG_REQUIRED:
            pytest.fail("PostgreSQL and nginx are required here")
        pytest.skip("needs Debian's postgresql and nginx")
    out = tmp_path / "smoke.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_board.py"), "--learners", "3", "--duration", "6",
           "--ramp", "0.5", "--stores", store, "--timeout", "40", "--json", str(out)]
    proc = subprocess.run(cmd, check=False, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert out.exists(), proc.stdout[-2000:] + proc.stderr[-4000:]
    (result,) = json.loads(out.read_text())
    assert result["joined"] == 3, result["errors"]
    assert result["results_sent"] >= 3 and result["results_answered"] == result["results_sent"], result
    assert result["rows_stored"] == result["results_sent"] and result["exactly_once"], result
    assert result["db_errors_in_logs"] == [], result["db_errors_in_logs"]
    assert result["board_refreshes"] >= 1, result
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
