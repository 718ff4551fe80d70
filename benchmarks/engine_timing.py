"""The two measurements of benchmarks/bench_engine.py, the engine against the tutorial's plain loop:
as whole processes (`python -m gdcore train PRESET --json` against `python benchmarks/tutorial_loops.py
PRESET`) and in process (`gdcore.run_preset` against the loop function), alternating within each
repeat; each side's wall and CPU seconds, and whether the final w and b are the same numbers.
"""
from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"

# preset -> (override flag/keyword, full value, quick value, steps per unit)
SIZES = {
    "linreg-module": ("steps", 30000, 1000, 1),
    "logreg-manual": ("epochs", 100, 3, 1000),
}


def child_env() -> dict:
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = "1"
    env["MKL_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def commands(preset: str, quick: bool) -> tuple[list[str], list[str]]:
    key, full, small, _ = SIZES[preset]
    extra = [f"--{key}", str(small)] if quick else []
    plain = [sys.executable, str(BENCH / "tutorial_loops.py"), preset] + extra
    engine = [sys.executable, "-m", "gdcore", "train", preset, "--json"] + extra
    return plain, engine


def n_steps(preset: str, quick: bool) -> int:
    key, full, small, per = SIZES[preset]
    return (small if quick else full) * per


def fmt_cmd(cmd: list[str]) -> str:
    parts = ["python" if c == sys.executable else c for c in cmd]
    return " ".join(os.path.relpath(p, ROOT) if os.path.isabs(p) else p for p in parts)


# -- parsing the children's output -----------------------------------------------------------------

_LIST = re.compile(r"^(w|b|seconds) = (.*)$", re.M)


def parse_plain(stdout: str) -> tuple[list[float], list[float], float]:
    found = {k: v for k, v in _LIST.findall(stdout)}
    return json.loads(found["w"]), json.loads(found["b"]), float(found["seconds"])


def parse_engine(stdout: str) -> tuple[list[float], list[float], float, int]:
    d = json.loads(stdout)
    return d["params"]["w"], d["params"]["b"], float(d["seconds"]), int(d["steps"])


def same(a: tuple[list[float], list[float]], b: tuple[list[float], list[float]]) -> tuple[bool, float]:
    """Exact equality of (w, b) and the largest absolute difference."""
    fa, fb = list(a[0]) + list(a[1]), list(b[0]) + list(b[1])
    if len(fa) != len(fb):
        return False, float("inf")
    diff = max(abs(x - y) for x, y in zip(fa, fb))
    return fa == fb, diff


# -- timing -----------------------------------------------------------------------------------------

def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_child(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, stdout)."""
    c = _children_cpu()
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    cpu = _children_cpu() - c
    if p.returncode != 0:
        raise SystemExit(f"command failed ({p.returncode}): {fmt_cmd(cmd)}\n{p.stderr[-2000:]}")
    return dt, cpu, p.stdout


def summarize(plain: list[float], engine: list[float], plain_cpu: list[float], engine_cpu: list[float]) -> dict:
    mp, me = statistics.median(plain), statistics.median(engine)
    paired = [e / p for p, e in zip(plain, engine)]
    cp, ce = statistics.median(plain_cpu), statistics.median(engine_cpu)
    return {
        "plain_s": plain, "engine_s": engine,
        "plain_median_s": mp, "engine_median_s": me,
        "ratio": me / mp, "paired_ratio_median": statistics.median(paired),
        "plain_spread": (max(plain) - min(plain)) / mp, "engine_spread": (max(engine) - min(engine)) / me,
        "plain_cpu_s": plain_cpu, "engine_cpu_s": engine_cpu,
        "plain_cpu_median_s": cp, "engine_cpu_median_s": ce, "cpu_ratio": ce / cp,
    }


def bench_process(preset: str, quick: bool, repeats: int, log) -> dict:
    env = child_env()
    plain_cmd, engine_cmd = commands(preset, quick)
    log(f"\n[process] {preset}: {n_steps(preset, quick):,} steps, {repeats} repeats")
    log(f"  A (plain):  {fmt_cmd(plain_cmd)}")
    log(f"  B (engine): {fmt_cmd(engine_cmd)}")
    tp, te, inner_p, inner_e, cp, ce = [], [], [], [], [], []
    params_p = params_e = None
    for r in range(repeats):
        dt, cpu, out = run_child(plain_cmd, env)
        w, b, sec = parse_plain(out)
        tp.append(dt)
        cp.append(cpu)
        inner_p.append(sec)
        params_p = (w, b)
        dt, cpu, out = run_child(engine_cmd, env)
        w, b, sec, steps = parse_engine(out)
        if steps != n_steps(preset, quick):
            raise SystemExit(f"engine ran {steps} steps, expected {n_steps(preset, quick)}")
        te.append(dt)
        ce.append(cpu)
        inner_e.append(sec)
        params_e = (w, b)
        log(f"  repeat {r + 1}: plain {tp[-1]:7.3f} s (loop {inner_p[-1]:.3f})   "
            f"engine {te[-1]:7.3f} s (loop {inner_e[-1]:.3f})   ratio {te[-1] / tp[-1]:.3f}   "
            f"CPU s {cp[-1]:.2f} / {ce[-1]:.2f}")
    ok, diff = same(params_p, params_e)
    res = summarize(tp, te, cp, ce)
    res.update({
        "preset": preset, "steps": n_steps(preset, quick),
        "plain_cmd": fmt_cmd(plain_cmd), "engine_cmd": fmt_cmd(engine_cmd),
        "plain_loop_s": inner_p, "engine_loop_s": inner_e,
        "plain_loop_median_s": statistics.median(inner_p), "engine_loop_median_s": statistics.median(inner_e),
        "same_numbers": ok, "max_abs_diff": diff, "plain_params": params_p, "engine_params": params_e,
    })
    log(f"  median: plain {res['plain_median_s']:.3f} s, engine {res['engine_median_s']:.3f} s, "
        f"engine/plain {res['ratio']:.3f} (paired {res['paired_ratio_median']:.3f}, "
        f"CPU {res['cpu_ratio']:.3f})")
    log(f"  same numbers: {'yes' if ok else 'no'}  (engine w={params_e[0]} b={params_e[1]}; "
        f"plain w={params_p[0]} b={params_p[1]}; max |diff| {diff:.3g})")
    return res


def bench_inprocess(preset: str, quick: bool, repeats: int, log) -> dict:
    import torch

    for path in (str(ROOT), str(BENCH)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import tutorial_loops

    import gdcore

    key, full, small, _ = SIZES[preset]
    size = small if quick else full
    loop = tutorial_loops.LOOPS[preset]
    steps = n_steps(preset, quick)
    log(f"\n[in-process] {preset}: {steps:,} steps, {repeats} repeats "
        f"(torch threads: {torch.get_num_threads()})")
    # warm-up: one-off first-call costs out of the timings (the first torch.optim.SGD(...) in a
    # process lazily imports ~1.5 s of torch internals; both sides would otherwise pay it once)
    warm = {"steps": 50} if key == "steps" else {"epochs": 1}
    loop(**warm)
    gdcore.run_preset(preset, **warm)
    tp, te, cp, ce = [], [], [], []
    params_p = params_e = None
    for r in range(repeats):
        c, t = time.process_time(), time.perf_counter()
        out = loop(**{key: size})
        tp.append(time.perf_counter() - t)
        cp.append(time.process_time() - c)
        params_p = (out[0], out[1])
        c, t = time.process_time(), time.perf_counter()
        result = gdcore.run_preset(preset, **{key: size})
        te.append(time.perf_counter() - t)
        ce.append(time.process_time() - c)
        p = result.params
        params_e = (p["w"], p["b"])
        if result.run.step_count != steps:
            raise SystemExit(f"engine ran {result.run.step_count} steps, expected {steps}")
        log(f"  repeat {r + 1}: plain {tp[-1]:7.3f} s   engine {te[-1]:7.3f} s   ratio {te[-1] / tp[-1]:.3f}")
    ok, diff = same(params_p, params_e)
    res = summarize(tp, te, cp, ce)
    res.update({
        "preset": preset, "steps": steps,
        "plain_call": f"tutorial_loops.{loop.__name__}({key}={size})",
        "engine_call": f'gdcore.run_preset("{preset}", {key}={size})',
        "plain_us_per_step": res["plain_median_s"] / steps * 1e6,
        "engine_us_per_step": res["engine_median_s"] / steps * 1e6,
        "same_numbers": ok, "max_abs_diff": diff,
    })
    log(f"  median: plain {res['plain_median_s']:.3f} s ({res['plain_us_per_step']:.1f} µs/step), "
        f"engine {res['engine_median_s']:.3f} s ({res['engine_us_per_step']:.1f} µs/step), "
        f"engine/plain {res['ratio']:.3f} (paired {res['paired_ratio_median']:.3f}, "
        f"CPU {res['cpu_ratio']:.3f}); "
        f"same numbers: {'yes' if ok else 'no'}")
    return res
