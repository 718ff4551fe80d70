"""The tutorials' plain training loops (gdcore/loops/tutorials.py), the baselines every benchmark times.

Run as a script: `python benchmarks/tutorial_loops.py linreg-module` (or logreg-manual) trains the
tutorial's loop as written (printing switched off) and prints the final w and b. An optional
`--steps N` (linreg-module) or `--epochs N` (logreg-manual) shortens the run, as the gdcore CLI's
flags of the same names do (benchmarks/bench_engine.py --quick uses them).

The loops are loaded from their file alone, not through the gdcore package, so a plain loop's
process pays for torch only, as the tutorial's own script would.
"""
from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

_PATH = Path(__file__).resolve().parents[1] / "gdcore" / "loops" / "tutorials.py"
_spec = importlib.util.spec_from_file_location("tutorial_loops_source", _PATH)
_tutorials = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tutorials)

linreg_minibatch = _tutorials.linreg_minibatch
linreg_d2l = _tutorials.linreg_d2l
linreg_module = _tutorials.linreg_module
linreg_manual = _tutorials.linreg_manual
logreg_manual = _tutorials.logreg_manual
LOOPS = {"linreg-module": linreg_module, "logreg-manual": logreg_manual}  # the two the benchmarks time

if __name__ == "__main__":
    import torch

    torch.set_num_threads(1)
    name = sys.argv[1]
    kwargs = {}
    args = sys.argv[2:]
    if args:  # `--steps N` (linreg-module) or `--epochs N` (logreg-manual)
        flag, value = args
        kwargs[{"--steps": "steps", "--epochs": "epochs"}[flag]] = int(value)
    t = time.perf_counter()
    result = LOOPS[name](**kwargs)
    print(f"w = {result[0]}\nb = {result[1]}\nseconds = {time.perf_counter() - t:.3f}")
