"""The batched lr sweep against one plain tutorial loop and against sequential engine runs.

    python benchmarks/bench_sweep.py                 # 64 lrs x 30000 steps of linreg-module, 3 repeats
    python benchmarks/bench_sweep.py --quick         # 3000 steps, for a smoke run

Side by side in one process, on one torch thread, repeats interleaved, medians reported:
  - the batched sweep: gdcore.sweep.sweep(config, 64 lrs), every run all steps, one program;
  - ONE plain tutorial loop (benchmarks/tutorial_loops.py, seed 002 as written), same steps;
  - 64 sequential engine runs `Run(config.replace(lr=lr)).run()`, extrapolated from 2 of them.
Target: the sweep of 64 lrs takes at most 1.5x the time of ONE plain tutorial run.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gdcore.engine import Run  # noqa: E402
from gdcore.presets import preset_config  # noqa: E402
from gdcore.sweep import lr_grid, sweep  # noqa: E402


def _tutorial_loops():
    spec = importlib.util.spec_from_file_location("tutorial_loops", ROOT / "benchmarks" / "tutorial_loops.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=30000)
    p.add_argument("--runs", type=int, default=64)
    p.add_argument("--lr-min", type=float, default=1e-4)
    p.add_argument("--lr-max", type=float, default=2.0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="3000 steps (a smoke run)")
    args = p.parse_args(argv)
    if args.quick:
        args.steps = 3000
    torch.set_num_threads(1)
    loops = _tutorial_loops()
    config = preset_config("linreg-module", steps=args.steps)
    lrs = lr_grid(args.lr_min, args.lr_max, args.runs)
    pair = [lrs[len(lrs) // 4], lrs[len(lrs) // 2]]  # two ordinary lrs (neither diverges early)

    sweep(preset_config("linreg-module", steps=200), lrs)  # warm-up: imports, allocator, first kernels
    loops.linreg_module(200)

    t_sweep, t_tut, t_pair = [], [], []
    result = None
    for _ in range(args.repeats):
        t = time.perf_counter()
        result = sweep(config, lrs)
        t_sweep.append(time.perf_counter() - t)
        t_tut.append(_timed(lambda: loops.linreg_module(args.steps)))
        t_pair.append(sum(_timed(lambda lr=lr: Run(config.replace(lr=lr)).run()) for lr in pair))
    s, tut, two = (statistics.median(v) for v in (t_sweep, t_tut, t_pair))
    seq = two / 2 * args.runs
    diverged = sum(d is not None for d in result.diverged_at)
    print(f"linreg-module, {args.steps:,} steps per run, {args.runs} lrs from {args.lr_min:g} to {args.lr_max:g} "
          f"({diverged} diverge), 1 torch thread, medians of {args.repeats}")
    print(f"  batched sweep, {args.runs} runs            {s:9.2f} s   "
          f"({s / args.steps * 1e6:.0f} µs a step for all runs)")
    print(f"  plain tutorial loop, 1 run          {tut:9.2f} s   ({tut / args.steps * 1e6:.0f} µs a step)")
    print(f"  engine, {args.runs} runs one by one (est.) {seq:9.2f} s   (2 runs took {two:.2f} s)")
    print(f"  sweep / one tutorial run            {s / tut:9.2f} x   (target <= 1.5 x)")
    print(f"  sequential engine runs / sweep      {seq / s:9.1f} x")
    print(f"  all times (s): sweep {[round(v, 2) for v in t_sweep]}, tutorial {[round(v, 2) for v in t_tut]}, "
          f"2 engine runs {[round(v, 2) for v in t_pair]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
