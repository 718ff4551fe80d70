"""UI latency and bytes per rerun, measured server-side with Streamlit's AppTest.

    python benchmarks/bench_ui.py [--repeats 5] [--skip-long]

Per lesson page: first render, a Step click (the whole page, as AppTest reruns it, and the page's
fragment alone, which is what a click reruns in the browser), a 1000-step "Run N" click (medians), and
the serialized size of everything a rerun sends (the sum of the element protos' byte sizes).
Then: a 30000-step run driven the way the page drives it (Lesson.tick with the page's time
budget) against the engine alone, and the bytes a rerun sends once a 100,000-step history exists.
Not a test: numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from gdcore import Run, preset_config  # noqa: E402
from gdcore.session import Lesson  # noqa: E402
from pages import ui  # noqa: E402

# In the browser, Step/Epoch/Run N live inside the page's st.fragment, so a click reruns only the
# fragment (controls, status, charts), not the page above it. AppTest does not emulate fragments
# and reruns the whole page; timing `ui.live` (which runs the fragment's body inline under
# AppTest) gives what a click costs the server in the browser.
FRAGMENT_S: list[float] = []
_live = ui.live


def _timed_live(*args, **kwargs):
    t = time.perf_counter()
    _live(*args, **kwargs)
    FRAGMENT_S.append(time.perf_counter() - t)


ui.live = _timed_live

PAGES = ["autograd_basics", "linear_regression", "mini_batches", "why_squared_loss", "optimizers",
         "logistic_regression", "lr_explorer"]


def tree_bytes(at: AppTest) -> int:
    """Bytes of every element the last rerun produced (what the browser receives as deltas)."""
    total = 0

    def walk(node):
        nonlocal total
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else []:
            walk(child)

    walk(at._tree)
    return total


def _button(at: AppTest, suffix: str):
    for b in at.button:
        if b.key and b.key.endswith(suffix):
            return b
    return None


def _number(at: AppTest, suffix: str):
    for n in at.number_input:
        if n.key and n.key.endswith(suffix):
            return n
    return None


def page_latency(page: str, repeats: int) -> dict:
    first, step, frag, run1000, size = [], [], [], [], []
    for _ in range(repeats):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
        at.run()
        t = time.perf_counter()
        at.switch_page(f"pages/views/{page}.py").run()
        first.append(time.perf_counter() - t)
        size.append(tree_bytes(at))
        b = _button(at, ".step")
        if b is not None:
            FRAGMENT_S.clear()
            t = time.perf_counter()
            b.click().run()
            step.append(time.perf_counter() - t)
            if FRAGMENT_S:
                frag.append(FRAGMENT_S[-1])
        n, b = _number(at, ".run_n"), _button(at, ".run_n_btn")
        if n is not None and b is not None:
            n.set_value(1000).run()
            t = time.perf_counter()
            _button(at, ".run_n_btn").click().run()
            run1000.append(time.perf_counter() - t)
    med = lambda xs: statistics.median(xs) * 1000 if xs else float("nan")  # noqa: E731
    return {"page": page, "first_ms": med(first), "step_ms": med(step), "fragment_ms": med(frag),
            "run1000_ms": med(run1000),
            "rerun_kb": statistics.median(size) / 1024}


def long_run_vs_engine(repeats: int) -> dict:
    """30000 steps of linreg-module through Lesson.tick (what the page's fragment does) vs run()."""
    ui, eng = [], []
    for _ in range(repeats):
        r = Run(preset_config("linreg-module"))
        t = time.perf_counter()
        r.run()
        eng.append(time.perf_counter() - t)
        lesson = Lesson()
        lesson.ensure(preset_config("linreg-module"))
        lesson.start()
        t = time.perf_counter()
        while lesson.busy:
            lesson.tick(0.2)
            lesson.run.losses()  # the page reads the history and draws after every tick
            lesson.run.records(last=15)
        ui.append(time.perf_counter() - t)
    return {"engine_s": statistics.median(eng), "ui_s": statistics.median(ui),
            "ratio": statistics.median(ui) / statistics.median(eng)}


def bytes_with_long_history() -> dict:
    """Rerun size of the logistic page once its run holds a 100,000-step history."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
    at.run()
    at.switch_page("pages/views/logistic_regression.py").run()
    lesson = at.session_state["_lesson.logistic_regression"]
    lesson.run.run()
    t = time.perf_counter()
    at.run()
    return {"steps": lesson.run.step_count, "rerun_kb": tree_bytes(at) / 1024,
            "rerun_ms": (time.perf_counter() - t) * 1000}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-long", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print("| page | first render ms | Step: whole page ms | Step: fragment ms | Run N=1000 ms | rerun KB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for page in PAGES:
        r = page_latency(page, args.repeats)
        print(f"| {page} | {r['first_ms']:.0f} | {r['step_ms']:.0f} | {r['fragment_ms']:.0f} | {r['run1000_ms']:.0f} "
              f"| {r['rerun_kb']:.1f} |")
    if not args.skip_long:
        r = long_run_vs_engine(max(1, args.repeats // 2))
        print(f"\n30000-step run from the UI (ticks + redraw reads): {r['ui_s']:.2f} s; engine alone "
              f"{r['engine_s']:.2f} s; ratio {r['ratio']:.3f}")
        r = bytes_with_long_history()
        print(f"logistic page with a {r['steps']:,}-step history: a rerun sends {r['rerun_kb']:.1f} KB "
              f"({r['rerun_ms']:.0f} ms)")


if __name__ == "__main__":
    main()
