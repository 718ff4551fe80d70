"""Lesson 'nn.Module and optimizers': the optimizer race, the manual/module lockstep, step timing.

The race itself is gdcore.lessons.optimizers_race (re-exported here).

Pure gdcore (no streamlit): the page builds a base Config (preset linreg-module), and this module
turns it into race configs and runs, lockstep runs and their differences, and timings. Everything
is read back from runs as plain records (frames), never from their tensors.
"""
from __future__ import annotations

import math

import pandas as pd

from .. import limits
from ..config import OPTIMIZERS, Config
from ..data import Dataset
from ..engine import Run
from ..i18n import Message
from ..links import Field
from .optimizers_race import (
    EXTRA_OPTIMIZERS,
    HYPER,
    LABELS,
    MAX_RACE_STEPS,
    RACE_DEFAULTS,
    RACE_OPTIMIZERS,
    RACE_STEPS,
    landscape_data,
    landscape_window,
    race_configs,
    race_loss_frame,
    race_path_frame,
    race_settings,
    race_summary,
    run_race,
    start_params,
    summary_columns,
)

# The optimizer state tensors torch.optim keeps in optimizer.state[p]; what each holds is the
# locale string optimizers.state_meaning.<name>.
STATE_NAMES = ("momentum_buffer", "sum", "square_avg", "exp_avg", "exp_avg_sq")


def state_meaning(key: str) -> Message:
    """One line on what an optimizer.state key holds (e.g. 'exp_avg': Adam's first moment)."""
    return Message.of(f"optimizers.state_meaning.{key}")


STATE_MEANING = {k: state_meaning(k) for k in STATE_NAMES}

# -- the page's widgets: ranges, share-link fields and the control groups an instructor can hide ---

LR_MIN, LR_MAX = limits.OPTIM_LR  # the main run's lr
MAX_STEPS = limits.PAGE_STEPS[1]  # the main run's full-batch steps
MAX_SEED = limits.MAX_SEED  # the page's own seed input (empty: the sidebar's seed, else the tutorial's)
HP_MIN = {"lr": 1e-12, "eps": 1e-12, "momentum": 0.0, "beta1": 0.0, "beta2": 0.0, "alpha": 0.0}  # race inputs
HP_MAX = {"lr": 1e6, "momentum": 0.999, "beta1": 0.999, "beta2": 0.9999, "alpha": 0.9999, "eps": 1.0}
MAIN_HYPER = ("momentum", "beta1", "beta2", "alpha")  # the main run's inputs besides lr (eps stays torch's default)

LINK_FIELDS: list[Field] = [
    Field("optimizer", "w.optimizers.optimizer", "choice", choices=OPTIMIZERS),
    Field("lr", "w.optimizers.lr", "float", LR_MIN, LR_MAX, log=True),
    Field("epochs", "w.optimizers.steps", "int", 1, MAX_STEPS),  # full batch: one step is one epoch
    *[Field(h, f"w.optimizers.{h}", "float", 0.0, HP_MAX[h]) for h in MAIN_HYPER],
    Field("seed", "w.optimizers.seed", "optional_int", 0, MAX_SEED),
    Field("race_steps", "w.optimizers.race_steps", "int", 1, MAX_RACE_STEPS),
    Field("race_nesterov", "w.optimizers.race_nesterov", "bool"),
    *[Field(f"race_{name}_{h}", f"w.optimizers.race.{name}.{h}", "float", HP_MIN[h], HP_MAX[h], log=h in ("lr", "eps"))
      for name in RACE_OPTIMIZERS + EXTRA_OPTIMIZERS for h in HYPER[name]],
]
HIDE_GROUPS: tuple[str, ...] = ("presets", "optimizer", "lr", "steps", "seed", "race", "controls")


# -- optimizer state ------------------------------------------------------------------------------

def state_columns(run: Run) -> list[str]:
    """The history columns that hold torch.optim state, e.g. 'exp_avg[w]' (empty for plain SGD)."""
    return [c for c in run.history.columns if "[" in c]


def state_keys(run: Run) -> list[str]:
    """The optimizer.state keys recorded for this run, in order ('momentum_buffer', 'exp_avg', ...)."""
    keys = []
    for c in state_columns(run):
        k = c.split("[", 1)[0]
        if k not in keys:
            keys.append(k)
    return keys


def state_frame(run: Run, last: int = 5) -> pd.DataFrame:
    """The last `last` steps: step, loss, w, b, their gradients and the optimizer state."""
    recs = run.records(last=last)
    cols = ["step", "loss"] + [c for c in run.history.columns]
    return pd.DataFrame(recs, columns=cols)


def state_history(run: Run) -> pd.DataFrame:
    """Every kept step's optimizer state (thinned for long runs), for a traces chart."""
    recs = run.records()
    return pd.DataFrame(recs, columns=["step"] + state_columns(run))


def torch_state(run: Run) -> dict[str, float]:
    """The optimizer's state read straight from `optimizer.state[p]`, named like the history columns."""
    out = {}
    if run.optimizer is None:
        return out
    named = run.model.named()
    for key in state_keys(run):
        for pname, p in named:
            out[f"{key}[{pname}]"] = float(run.optimizer.state[p][key].reshape(-1)[0])
    return out


# -- manual loop vs nn.Module in lockstep ---------------------------------------------------------

def lockstep_configs(base: Config) -> tuple[Config, Config]:
    """(manual, module): plain SGD, same data, seed, init and batches; only the update line differs."""
    common = dict(optimizer="sgd", weight_decay=0.0, init="linear_default")
    return base.replace(impl="manual", **common), base.replace(impl="module", **common)


def lockstep_pair(base: Config, data: Dataset | None = None) -> tuple[Run, Run]:
    manual_cfg, module_cfg = lockstep_configs(base)
    manual = Run(manual_cfg, data)
    module = Run(module_cfg, manual.data)
    return manual, module


def ensure_lockstep(store: dict, base: Config, data: Dataset | None = None) -> tuple[Run, Run]:
    """The lockstep pair kept in `store['lockstep']`, rebuilt only when its configs change."""
    want = lockstep_configs(base)
    pair = store.get("lockstep")
    if pair is None or (pair[0].config, pair[1].config) != want:
        pair = lockstep_pair(base, data)
        store["lockstep"] = pair
    return pair


def step_both(manual: Run, module: Run, n: int = 1) -> int:
    """Advance both runs by n steps; return the steps the manual run took."""
    taken = manual.run(n)
    module.run(n)
    return taken


def lockstep_diff(manual: Run, module: Run, last: int | None = 10) -> pd.DataFrame:
    """Per step: w, b and loss of both loops and their absolute differences.

    Columns: step, then per quantity q (w, b, loss): 'q manual', 'q module' (Messages) and '|Δq|'.
    """
    T = Message.of
    a = {r["step"]: r for r in manual.records(last=last)}
    b = {r["step"]: r for r in module.records(last=last)}
    quantities = list(manual.param_columns) + ["loss"]
    heads = {q: (T("optimizers.lockstep.col_manual", q=q), T("optimizers.lockstep.col_module", q=q), f"|Δ{q}|")
             for q in quantities}
    rows = []
    for s in sorted(set(a) & set(b)):
        ra, rb = a[s], b[s]
        row = {"step": s}
        for q in quantities:
            ha, hb, hd = heads[q]
            row[ha], row[hb], row[hd] = ra[q], rb[q], abs(ra[q] - rb[q])
        rows.append(row)
    cols = ["step"] + [h for q in quantities for h in heads[q]]
    return pd.DataFrame(rows, columns=cols)


def max_abs_diff(manual: Run, module: Run) -> float:
    """Largest |difference| of any parameter or loss over every step both runs recorded."""
    frame = lockstep_diff(manual, module, last=None)
    diff_cols = [c for c in frame.columns if isinstance(c, str) and c.startswith("|Δ")]
    if frame.empty:
        return 0.0
    return float(frame[diff_cols].to_numpy().max())


# -- timing ---------------------------------------------------------------------------------------

def us_per_step(run: Run) -> float | None:
    """Measured training time per step so far, in microseconds (None before the first step)."""
    if run.step_count == 0 or run.seconds() <= 0:
        return None
    return run.seconds() / run.step_count * 1e6


def measure_step_time(base: Config, device: str, n: int | None = None, steps: int = 200,
                      warmup: int = 20) -> float:
    """Microseconds per full-batch training step for base's settings on `device` with n samples.

    A fresh run is made (its own data when n differs); the first `warmup` steps are not timed.
    """
    changes = {"device": device, "steps": warmup + steps}
    if n is not None:
        changes["n"] = int(n)
    run = Run(base.replace(**changes))
    run.run(warmup)
    t0 = run.seconds()
    taken = run.run(steps)
    if taken == 0:
        return float("nan")
    return (run.seconds() - t0) / taken * 1e6


def timing_headers() -> dict[str, Message]:
    """Display headers for timing_table's columns (the frame keeps its own names for the chart)."""
    return {c: Message.of(f"optimizers.timing.col.{k}") for c, k in (("n (samples)", "n"), ("device", "device"),
                                                      ("µs per step", "us"), ("steps per second", "per_second"))}


def timing_table(base: Config, devices: list[str], sizes=(50, 200_000), steps: int = 100) -> pd.DataFrame:
    """µs per step for every (device, n): where a GPU starts to pay off."""
    rows = []
    for n in sizes:
        k = steps if n <= 10_000 else max(5, steps // 10)
        for dev in devices:
            us = measure_step_time(base, dev, n=n, steps=k, warmup=min(10, k))
            rows.append({"n (samples)": n, "device": dev, "µs per step": us,
                         "steps per second": 1e6 / us if us and math.isfinite(us) and us > 0 else None})
    return pd.DataFrame(rows)


__all__ = [  # the lesson's names, optim_race's included
    "EXTRA_OPTIMIZERS", "HIDE_GROUPS", "HP_MAX", "HP_MIN", "HYPER", "LABELS", "LINK_FIELDS", "LR_MAX", "LR_MIN",
    "MAIN_HYPER", "MAX_RACE_STEPS", "MAX_SEED", "MAX_STEPS", "RACE_DEFAULTS", "RACE_OPTIMIZERS", "RACE_STEPS",
    "STATE_MEANING", "STATE_NAMES", "ensure_lockstep", "landscape_data", "landscape_window", "lockstep_configs",
    "lockstep_diff", "lockstep_pair", "max_abs_diff", "measure_step_time", "race_configs", "race_loss_frame",
    "race_path_frame", "race_settings", "race_summary", "run_race", "start_params", "state_columns", "state_frame",
    "state_history", "state_keys", "state_meaning", "step_both", "summary_columns", "timing_headers", "timing_table",
    "torch_state", "us_per_step",
]
