"""Every garbage collection's pause in a server process, for the capacity measurements.

Put this folder on PYTHONPATH when starting the servers; each `streamlit` process then writes
`gc-<pid>.log` in $GDCORE_GC_LOG_DIR (default: the system's temp dir): one line per full collection
(generation 2), with its pause, and every 10 s the running count and total pause of each generation.

    PYTHONPATH=benchmarks/gc_pauses python deploy/local.py 2 --port 8080
    python benchmarks/bench_workshop.py --url http://127.0.0.1:8080 --pid P1,P2 --learners 100
    tail -n 3 /tmp/gc-*.log

A collection holds the interpreter: every session of that process waits for it to end.
"""
import gc
import os
import sys
import tempfile
import threading
import time

if "streamlit" in " ".join(sys.argv):  # the app's server processes, not their launcher
    _started = [0.0]
    _count, _total, _last = [0, 0, 0], [0.0, 0.0, 0.0], [time.time()]
    _dir = os.environ.get("GDCORE_GC_LOG_DIR", tempfile.gettempdir())
    _log = open(os.path.join(_dir, f"gc-{os.getpid()}.log"), "a", buffering=1)  # noqa: SIM115

    def _on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            _started[0] = time.perf_counter()
            return
        gen, pause = info["generation"], time.perf_counter() - _started[0]
        _count[gen] += 1
        _total[gen] += pause
        now = time.time()
        if gen == 2:
            _log.write(f"{now:.3f} full collection {pause * 1000:.1f} ms, {info['collected']} found, "
                       f"on {threading.current_thread().name}\n")
        if now - _last[0] >= 10:
            _last[0] = now
            _log.write(f"{now:.3f} totals " + " ".join(
                f"gen{g}: {_count[g]} in {_total[g] * 1000:.0f} ms" for g in range(3)) + "\n")

    gc.callbacks.append(_on_gc)
