"""The gdcore engine against the tutorials' plain loops, side by side, in one run on one machine.

    python benchmarks/bench_engine.py              # full: 30000 steps / 100 epochs, 3 repeats
    python benchmarks/bench_engine.py --quick      # 1000 steps / 3 epochs: under a minute
    python benchmarks/bench_engine.py --repeats 5 --only process

Two measurements, for `linreg-module` (seed 002) and `logreg-manual` (seed 004):

1. whole process: `python -m gdcore train PRESET --json` against
   `python benchmarks/tutorial_loops.py PRESET`, timed with perf_counter around subprocess.run
   (interpreter start, imports, training and output included);
2. in process: `gdcore.run_preset(PRESET)` against the plain loop function, after one short warm-up
   call of each.

Within each repeat the plain loop runs first, then the engine (ABAB...), so slow drift of the machine
affects both alike. Reported: the median seconds of each, the ratio engine/plain of the medians
(target <= 1.05) and, as cross-checks, the median of the per-repeat ratios (robust to drift) and
the ratio of median CPU seconds (user + sys; far less sensitive than wall time to other processes
competing for the cores, though heavy contention inflates it too). Both sides
run single-threaded (OMP_NUM_THREADS=1 / MKL_NUM_THREADS=1 in the children's environment,
torch.set_num_threads(1) here). The final w and b of the engine are compared with the plain loop's
for exact equality ("same numbers").

Results go to stdout (a markdown table at the end) and to benchmarks/results/engine.json
(engine_quick.json with --quick; the folder is git-ignored).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
TARGET = 1.05

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


# -- thread settings ----------------------------------------------------------------------------------

def thread_report(log) -> dict:
    """Does the engine CLI set torch.set_num_threads(1) itself, and what do the children get?"""
    src = "".join((ROOT / "gdcore" / f).read_text() for f in ("__main__.py", "cli.py"))
    cli_sets = re.search(r"^\s*torch\.set_num_threads\(\s*1\s*\)", src, re.M) is not None
    probe = ("import torch, gdcore.cli; print(torch.get_num_threads(), torch.get_num_interop_threads())")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=child_env(),
                         capture_output=True, text=True).stdout.split()
    rep = {"cli_calls_set_num_threads": cli_sets,
           "engine_child_threads_with_OMP1": int(out[0]) if out else None,
           "plain_script_calls_set_num_threads":
               "torch.set_num_threads(1)" in (BENCH / "tutorial_loops.py").read_text()}
    log(f"threads: gdcore CLI calls torch.set_num_threads: {'yes' if cli_sets else 'NO'}; "
        f"with OMP_NUM_THREADS=1 a gdcore child gets {rep['engine_child_threads_with_OMP1']} thread(s) "
        f"; tutorial_loops.py sets 1 itself: "
        f"{'yes' if rep['plain_script_calls_set_num_threads'] else 'NO'}")
    return rep


# -- report -----------------------------------------------------------------------------------------

def markdown(results: dict) -> str:
    meta = results["meta"]
    lines = [
        f"gdcore engine vs plain tutorial loops ({'quick' if meta['quick'] else 'full'} mode, "
        f"{meta['repeats']} repeats, medians; {meta['machine']}; torch {meta['torch']}, "
        f"Python {meta['python']}; 1 thread)",
        "",
        "| measurement | preset | steps | plain (s) | engine (s) | engine/plain | paired | CPU ratio | "
        "plain µs/step | engine µs/step | ≤ 1.05 | same w, b |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | :---: |",
    ]
    for kind, label in (("process", "whole process"), ("inprocess", "in process")):
        for r in results.get(kind, []):
            us_p = r["plain_median_s"] / r["steps"] * 1e6
            us_e = r["engine_median_s"] / r["steps"] * 1e6
            lines.append(
                f"| {label} | `{r['preset']}` | {r['steps']:,} | {r['plain_median_s']:.3f} | "
                f"{r['engine_median_s']:.3f} | **{r['ratio']:.3f}** | {r['paired_ratio_median']:.3f} | "
                f"{r['cpu_ratio']:.3f} | "
                f"{us_p:.1f} | {us_e:.1f} | {'yes' if r['ratio'] <= TARGET else 'NO'} | "
                f"{'yes' if r['same_numbers'] else 'no'} |")
    lines.append("")
    lines.append("Whole process = interpreter start + imports + training + output; its µs/step therefore "
                 "includes start-up. \"paired\" is the median of the per-repeat ratios; \"CPU ratio\" the "
                 "ratio of median CPU seconds (user + sys).")
    if meta.get("load_before") is not None:
        lines.append(f"Load average (1 min) before / after: {meta['load_before']:.2f} / "
                     f"{meta.get('load_after', float('nan')):.2f}.")
    for r in results.get("process", []):
        lines.append(f"- `{r['preset']}`: A = `{r['plain_cmd']}`, B = `{r['engine_cmd']}`; "
                     f"loop-only medians (as each reports): plain {r['plain_loop_median_s']:.3f} s, "
                     f"engine {r['engine_loop_median_s']:.3f} s")
    if results.get("process"):
        lines.append("  (each side's own timer: the plain one starts before `optim.SGD(...)`, whose first call "
                     "in a process lazily imports ~1.5 s of torch internals; the engine builds its optimizer "
                     "before its clock starts, so compare whole-process times, not these)")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="repeats per measurement (default 3)")
    ap.add_argument("--quick", action="store_true", help="1000 steps / 3 epochs instead of 30000 / 100")
    ap.add_argument("--only", choices=("process", "inprocess"), help="run one of the two measurements")
    ap.add_argument("--presets", nargs="+", choices=list(SIZES), default=list(SIZES))
    ap.add_argument("--json", dest="json_path", help="where to write the JSON results "
                    "(default benchmarks/results/engine.json, engine_quick.json with --quick)")
    ap.add_argument("--no-json", action="store_true", help="do not write JSON")
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")

    os.environ["OMP_NUM_THREADS"] = "1"  # before torch is imported here (in-process part)
    os.environ["MKL_NUM_THREADS"] = "1"
    import torch
    torch.set_num_threads(1)

    def log(msg=""):
        print(msg, flush=True)

    t0 = time.perf_counter()
    load = os.getloadavg()[0]
    if load > 0.5:
        log(f"warning: load average {load:.2f} before starting: other processes are using the CPUs; "
            f"wall times will be noisy (compare the CPU ratio too)")
    results: dict = {"meta": {
        "load_before": load,
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "quick": args.quick, "repeats": args.repeats,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "python": platform.python_version(), "torch": torch.__version__,
        "executable": sys.executable,
    }}
    results["threads"] = thread_report(log)
    if args.only in (None, "process"):
        results["process"] = [bench_process(p, args.quick, args.repeats, log) for p in args.presets]
    if args.only in (None, "inprocess"):
        results["inprocess"] = [bench_inprocess(p, args.quick, args.repeats, log) for p in args.presets]
    results["meta"]["bench_seconds"] = time.perf_counter() - t0
    results["meta"]["load_after"] = os.getloadavg()[0]

    log("\n" + markdown(results))
    all_same = all(r["same_numbers"] for k in ("process", "inprocess") for r in results.get(k, []))
    log(f"\nsame numbers: {'yes' if all_same else 'no'}")
    log(f"benchmark took {results['meta']['bench_seconds']:.0f} s")
    if not args.no_json:
        path = Path(args.json_path) if args.json_path else \
            ROOT / "benchmarks" / "results" / ("engine_quick.json" if args.quick else "engine.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        results["markdown"] = markdown(results)
        path.write_text(json.dumps(results, indent=1) + "\n")
        log(f"wrote {os.path.relpath(path, ROOT) if path.is_absolute() else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
