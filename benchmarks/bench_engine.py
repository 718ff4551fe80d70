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

The measurements themselves are benchmarks/engine_timing.py; this file is the command and its report.

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
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_timing import BENCH, ROOT, SIZES, bench_inprocess, bench_process, child_env  # noqa: E402

TARGET = 1.05


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
