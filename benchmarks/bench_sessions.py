"""Server memory per session: N sessions that each trained the default presets, in one process.

    python benchmarks/bench_sessions.py [--sessions 5] [--apptest]

A Streamlit server keeps every session's state in one process. Each simulated session here holds
what the lesson pages keep (a Lesson per page with its run trained to the end of its preset), so
the resident-set growth per session is what a host must provision. With --apptest each session
is a real AppTest that visits every lesson page first (slower; includes Streamlit's own
per-session objects, the charts each page keeps for its SVG download). The figure for 100
sessions is the first session plus 99 times the marginal cost of the later ones.
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from gdcore import PRESETS, preset_config  # noqa: E402
from gdcore.session import Lesson  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def trained_session() -> dict:
    """What one learner's session holds after running every preset to its end."""
    state = {}
    for name in PRESETS:
        lesson = Lesson()
        lesson.ensure(preset_config(name)).run()
        state[f"_lesson.{name}"] = lesson
    return state


def apptest_session():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.run()
    for page in ("linear_regression", "mini_batches", "optimizers",
                 "logistic_regression"):  # visit, train to the end, and draw again with the whole history
        at.switch_page(f"pages/views/{page}.py").run()
        lesson = at.session_state[f"_lesson.{page}"]
        if lesson.run is not None:
            lesson.run.run()
        at.run()
    return at


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=5)
    ap.add_argument("--apptest", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    # warm up imports and allocator pools so they are not charged to the first session
    Lesson().ensure(preset_config("linreg-module", steps=100)).run()
    gc.collect()
    base = rss_mb()
    sessions, t0, after = [], time.perf_counter(), []
    for i in range(args.sessions):
        sessions.append(apptest_session() if args.apptest else trained_session())
        gc.collect()
        after.append(rss_mb())
        print(f"session {i + 1}: RSS {after[-1]:.0f} MB (+{after[-1] - base:.1f} MB since start)", flush=True)
    # The first session also pays one-time costs (Streamlit's runtime, the page modules, Altair's
    # schema); each later one adds only its own state: the host needs first + 99 x marginal.
    marginal = (after[-1] - after[0]) / (len(after) - 1) if len(after) > 1 else after[0] - base
    print(f"\nbaseline {base:.0f} MB; first session {after[0] - base:.1f} MB (with one-time costs); "
          f"{marginal:.1f} MB per further session "
          f"({'AppTest sessions' if args.apptest else 'lesson state only'}); "
          f"100 sessions ≈ {after[0] + 99 * marginal:.0f} MB RSS; {time.perf_counter() - t0:.0f} s")

if __name__ == "__main__":
    main()
