"""Lesson 'nn.Module and optimizers': the optimizer race, the manual/module lockstep, step timing.

Pure gdcore (no streamlit): the page builds a base Config (preset linreg-module), and this module
turns it into race configs and runs, lockstep runs and their differences, and timings. Everything
is read back from runs as plain records (frames), never from their tensors.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from .. import reference
from ..config import OPTIMIZERS, Config
from ..data import Dataset
from ..downsample import MAX_POINTS, minmax_indices
from ..engine import Run
from ..errors import ConfigError
from ..i18n import Message
from ..links import Field

# -- the race --------------------------------------------------------------------------------------

RACE_OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")  # the tutorial's list
EXTRA_OPTIMIZERS = ("nesterov",)  # optional sixth runner
LABELS = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
          "rmsprop": "RMSProp", "adam": "Adam"}

# Which hyper-parameters each optimizer has (Config field names).
HYPER = {
    "sgd": ("lr",),
    "momentum": ("lr", "momentum"),
    "nesterov": ("lr", "momentum"),
    "adagrad": ("lr", "eps"),
    "rmsprop": ("lr", "alpha", "eps"),
    "adam": ("lr", "beta1", "beta2", "eps"),
}

# Defaults that make the race worth watching on seed 002's data (x ~ U(0, 1), y = 3x + 0.8; the
# loss Hessian has eigenvalues 0.13 and 2.44, so plain GD is stable below lr 0.82 but slow along
# the flat direction). After 200 steps: SGD ~2e-3, RMSProp ~3e-2, Adam ~1e-5, Momentum and
# AdaGrad below 1e-8, each with a different path shape.
RACE_DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {"lr": 0.1},
    "momentum": {"lr": 0.05, "momentum": 0.9},
    "nesterov": {"lr": 0.05, "momentum": 0.9},
    "adagrad": {"lr": 0.5, "eps": 1e-10},
    "rmsprop": {"lr": 0.01, "alpha": 0.99, "eps": 1e-8},
    "adam": {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
RACE_STEPS = 200  # default race length
MAX_RACE_STEPS = 5000  # per runner: six runners x 5000 steps stays within a few seconds

# The optimizer state tensors torch.optim keeps in optimizer.state[p]; what each holds is the
# locale string optim.state_meaning.<name>.
STATE_NAMES = ("momentum_buffer", "sum", "square_avg", "exp_avg", "exp_avg_sq")


def state_meaning(key: str) -> Message:
    """One line on what an optimizer.state key holds (e.g. 'exp_avg': Adam's first moment)."""
    return Message.of(f"optim.state_meaning.{key}")


STATE_MEANING = {k: state_meaning(k) for k in STATE_NAMES}

# -- the page's widgets: ranges, share-link fields and the control groups an instructor can hide ---

LR_MIN, LR_MAX = 1e-6, 1e6  # the main run's lr
MAX_STEPS = 1_000_000  # the main run's full-batch steps
MAX_SEED = 2**31 - 1  # the page's own seed input (empty: the sidebar's seed, else the tutorial's)
HP_MIN = {"lr": 1e-12, "eps": 1e-12, "momentum": 0.0, "beta1": 0.0, "beta2": 0.0, "alpha": 0.0}  # race inputs
HP_MAX = {"lr": 1e6, "momentum": 0.999, "beta1": 0.999, "beta2": 0.9999, "alpha": 0.9999, "eps": 1.0}
MAIN_HYPER = ("momentum", "beta1", "beta2", "alpha")  # the main run's inputs besides lr (eps stays torch's default)

LINK_FIELDS: list[Field] = [
    Field("optimizer", "w.optim.optimizer", "choice", choices=OPTIMIZERS),
    Field("lr", "w.optim.lr", "float", LR_MIN, LR_MAX, log=True),
    Field("epochs", "w.optim.steps", "int", 1, MAX_STEPS),  # full batch: one step is one epoch
    *[Field(h, f"w.optim.{h}", "float", 0.0, HP_MAX[h]) for h in MAIN_HYPER],
    Field("seed", "w.optim.seed", "optional_int", 0, MAX_SEED),
    Field("race_steps", "w.optim.race_steps", "int", 1, MAX_RACE_STEPS),
    Field("race_nesterov", "w.optim.race_nesterov", "bool"),
    *[Field(f"race_{name}_{h}", f"w.optim.race.{name}.{h}", "float", HP_MIN[h], HP_MAX[h], log=h in ("lr", "eps"))
      for name in RACE_OPTIMIZERS + EXTRA_OPTIMIZERS for h in HYPER[name]],
]
HIDE_GROUPS: tuple[str, ...] = ("presets", "optimizer", "lr", "steps", "seed", "race", "controls")


def race_settings(overrides: dict[str, dict] | None = None,
                  optimizers=RACE_OPTIMIZERS) -> dict[str, dict[str, float]]:
    """Hyper-parameters per optimizer: the defaults with any overrides applied (unknown keys dropped)."""
    out = {}
    for name in optimizers:
        s = dict(RACE_DEFAULTS[name])
        for k, v in (overrides or {}).get(name, {}).items():
            if k in HYPER[name] and v is not None:
                s[k] = v
        out[name] = s
    return out


def race_configs(base: Config, settings: dict[str, dict], steps: int = RACE_STEPS) -> dict[str, Config]:
    """One config per optimizer: same data, init, seed and device as base; nn.Module + torch.optim.

    Raises ConfigError (one sentence) for a bad hyper-parameter or step count.
    """
    steps = int(steps)
    if not 1 <= steps <= MAX_RACE_STEPS:
        raise ConfigError(key="race_steps", max=MAX_RACE_STEPS, steps=steps)
    out = {}
    for name, s in settings.items():
        changes = {k: float(v) for k, v in s.items() if k in HYPER[name]}
        out[name] = base.replace(impl="module", optimizer=name, steps=steps, **changes)
    return out


def run_race(base: Config, settings: dict[str, dict], steps: int = RACE_STEPS,
             data: Dataset | None = None) -> dict[str, Run]:
    """Train every optimizer from the same start on the same data for `steps` full steps each.

    A runner that diverges stops where it blew up (its message says why); the others go on.
    """
    configs = race_configs(base, settings, steps)
    if data is None:
        first = next(iter(configs.values()))
        data = Run(first).data  # make the data once; every runner shares it
    runs = {}
    for name, cfg in configs.items():
        run = Run(cfg, data)
        run.run()
        runs[name] = run
    return runs


def start_params(runs: dict[str, Run]) -> dict[str, tuple[list[float], list[float]]]:
    """Each runner's initial (w, b), to show (and test) that all start from one point."""
    return {name: ([float(v) for v in r.w0.reshape(-1)], [float(v) for v in r.b0.reshape(-1)])
            for name, r in runs.items()}


def race_loss_frame(runs: dict[str, Run], max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Per-step loss of every runner as one long frame (step, loss, series), downsampled."""
    parts = []
    for name, r in runs.items():
        y = np.asarray(r.losses(), dtype=np.float64)
        steps = np.arange(1, len(y) + 1)
        ok = np.isfinite(y)
        y, steps = y[ok], steps[ok]
        idx = minmax_indices(y, max_points)
        parts.append(pd.DataFrame({"step": steps[idx], "loss": y[idx], "series": LABELS.get(name, name)}))
    if not parts:
        return pd.DataFrame(columns=["step", "loss", "series"])
    return pd.concat(parts, ignore_index=True)


def race_path_frame(runs: dict[str, Run], max_points: int = 600) -> pd.DataFrame:
    """Every runner's (w, b) path, starting at step 0 (the shared start), thinned evenly."""
    parts = []
    for name, r in runs.items():
        recs = r.records()
        steps = np.array([0] + [rec["step"] for rec in recs], dtype=float)
        w = np.array([float(r.w0.reshape(-1)[0])] + [rec["w"] for rec in recs], dtype=float)
        b = np.array([float(r.b0.reshape(-1)[0])] + [rec["b"] for rec in recs], dtype=float)
        if len(steps) > max_points:
            keep = np.unique(np.r_[np.linspace(0, len(steps) - 1, max_points).astype(int), len(steps) - 1])
            steps, w, b = steps[keep], w[keep], b[keep]
        ok = np.isfinite(w) & np.isfinite(b)
        parts.append(pd.DataFrame({"step": steps[ok], "w": w[ok], "b": b[ok], "series": LABELS.get(name, name)}))
    if not parts:
        return pd.DataFrame(columns=["step", "w", "b", "series"])
    return pd.concat(parts, ignore_index=True)


def summary_columns(target: float = 1e-4) -> list[Message]:
    """The race summary's column headers, in order (optimizer, settings, w, b, final loss, first step, status)."""
    T = Message.of
    return [T("optim.summary.optimizer"), T("optim.summary.settings"), Message.verbatim("w"), Message.verbatim("b"),
            T("optim.summary.final_loss"), T("optim.summary.first_step", target=f"{target:g}"),
            T("optim.summary.status")]


def race_summary(runs: dict[str, Run], target: float = 1e-4,
                 explain: Callable[[Run], str] | None = None) -> pd.DataFrame:
    """One row per runner: its settings, final w, b and loss, and the first step with loss < target.

    Headers and words are Messages; a failed runner's status is the run's own sentence, explain(run)
    (the page's language) or run.message (English).
    """
    cols = summary_columns(target)
    rows = []
    for name, r in runs.items():
        L = r.losses()
        hit = np.nonzero(L < target)[0]
        p = r.params()
        c = r.config
        knobs = []
        for k in HYPER[name]:
            v = getattr(c, k)
            knobs += [Message.verbatim(f"{', ' if knobs else ''}{k}="),
                      Message.verbatim(f"{v}") if v is not None else Message.of("optim.summary.default")]
        rows.append(dict(zip(cols, [
            LABELS.get(name, name), knobs, p["w"][0], p["b"][0],
            float(L[-1]) if len(L) else float("nan"),
            int(hit[0]) + 1 if len(hit) else None,
            Message.of("optim.summary.ok") if r.status == "ok" else explain(r) if explain else r.message])))
    frame = pd.DataFrame(rows, columns=cols)
    if len(frame):
        frame[cols[5]] = frame[cols[5]].astype("Int64")  # a missing value stays missing, not a float
    return frame


def landscape_window(data: Dataset, paths: pd.DataFrame | None = None, pad: float = 0.15,
                     max_span: float = 10.0) -> tuple[tuple[float, float], tuple[float, float]]:
    """A (w range, b range) around the least-squares optimum that holds the paths.

    Paths that fly off (a diverging runner) are clipped to `max_span` times the start-to-optimum
    distance so the picture stays readable.
    """
    opt = reference.least_squares(data.X, data.y)
    w_opt, b_opt = opt.w[0], opt.b
    if paths is None or not len(paths):
        return reference.default_window(opt, pad=pad)
    w, b = paths["w"].to_numpy(float), paths["b"].to_numpy(float)
    scale = max(1.0, float(np.max(np.abs(w - w_opt))) if len(w) else 1.0,
                float(np.max(np.abs(b - b_opt))) if len(b) else 1.0)
    scale = min(scale, max_span * max(1.0, abs(w[0] - w_opt), abs(b[0] - b_opt)))
    w = np.clip(w, w_opt - scale, w_opt + scale)
    b = np.clip(b, b_opt - scale, b_opt + scale)
    return reference.default_window(opt, w, b, pad=pad)


def landscape_data(data: Dataset, paths: pd.DataFrame | None = None, resolution: int = 60):
    """(grid, w_values, b_values, (w*, b*)): the MSE over a window that holds the paths."""
    (wlo, whi), (blo, bhi) = landscape_window(data, paths)
    ws = np.linspace(wlo, whi, resolution)
    bs = np.linspace(blo, bhi, resolution)
    grid = reference.loss_grid(data.X, data.y, ws, bs, "mse")
    opt = reference.least_squares(data.X, data.y)
    return grid, ws, bs, (opt.w[0], opt.b)


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
    heads = {q: (T("optim.lockstep.col_manual", q=q), T("optim.lockstep.col_module", q=q), f"|Δ{q}|")
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
    return {c: Message.of(f"optim.timing.col.{k}") for c, k in (("n (samples)", "n"), ("device", "device"),
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
