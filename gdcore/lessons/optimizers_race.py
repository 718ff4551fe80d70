"""Lesson 'nn.Module and optimizers': the optimizer race, every runner from the same start and data.

`race_settings` / `race_configs` / `run_race` make and train the runners; `race_loss_frame`,
`race_path_frame`, `race_summary` and `landscape_data` read them back as plain frames (headers and
words as Messages) for the charts and the table.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .. import limits, reference
from ..config import Config
from ..data import Dataset
from ..downsample import MAX_POINTS, minmax_indices
from ..engine import Run
from ..errors import ConfigError
from ..i18n import Message

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
MAX_RACE_STEPS = limits.RACE_STEPS  # per runner: six runners x 5000 steps stays within a few seconds



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
             data: Dataset | None = None, start: tuple[float, float] | None = None) -> dict[str, Run]:
    """Train every optimizer from the same start on the same data for `steps` full steps each.

    `start`: (w, b) a learner clicked on the landscape; every runner starts there instead of at the
    drawn start (ValueError for a point that is not finite or out of bounds, before anyone runs).
    A runner that diverges stops where it blew up (its message says why); the others go on.
    """
    configs = race_configs(base, settings, steps)
    if data is None:
        first = next(iter(configs.values()))
        data = Run(first).data  # make the data once; every runner shares it
    runs = {}
    for name, cfg in configs.items():
        run = Run(cfg, data)
        if start is not None:
            run.move_to([start[0]], [start[1]])
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
    return [T("optimizers.summary.optimizer"), T("optimizers.summary.settings"), Message.verbatim("w"),
            Message.verbatim("b"),
            T("optimizers.summary.final_loss"), T("optimizers.summary.first_step", target=f"{target:g}"),
            T("optimizers.summary.status")]


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
                      Message.verbatim(f"{v}") if v is not None else Message.of("optimizers.summary.default")]
        rows.append(dict(zip(cols, [
            LABELS.get(name, name), knobs, p["w"][0], p["b"][0],
            float(L[-1]) if len(L) else float("nan"),
            int(hit[0]) + 1 if len(hit) else None,
            Message.of("optimizers.summary.ok") if r.status == "ok" else explain(r) if explain else r.message])))
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
