"""Lesson 'Learning-rate explorer': the page's settings and what it reads off a sweep (no streamlit).

The sweep itself is `gdcore.sweep` (R learning rates trained as one batched program). This module
holds the explorer's defaults per preset, finds the "Goldilocks" band of learning rates (final
loss within a factor of the best), picks the runs whose loss curves are worth overlaying (too
small, best, just below divergence), and turns a SweepResult into the plain frame the charts draw.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import ConfigError
from ..presets import get_preset, preset_config
from ..sweep import SweepResult

MAX_UI_RUNS = 64  # the page trains at most this many lrs at once (the CLI allows 256)
DEFAULT_FACTOR = 2.0  # Goldilocks: final loss at most this many times the best one
# Losses below this share of the starting loss count as fully converged: on noise-free data the
# best runs end at float32 rounding noise (1e-12 and below), where "2x the best" means nothing.
CONVERGED = 1e-9

# lr choices for the range slider: 1, 2, 5 per decade from 1e-5 to 100
LR_CHOICES: tuple[float, ...] = tuple(float(f"{m}e{e}") for e in range(-5, 2) for m in (1, 2, 5)) + (100.0,)


@dataclass(frozen=True)
class SweepDefaults:
    """What the explorer starts with for one preset."""

    lr_min: float
    lr_max: float
    runs: int
    steps: int  # default steps per run
    max_steps: int  # cap that keeps a 64-run sweep to a few seconds on one CPU core
    note: str  # one sentence shown under the steps input


DEFAULTS: dict[str, SweepDefaults] = {
    # seed 003: lr 0.01, 3000 full-batch steps; the data's limit 2/λmax is 0.82
    "linreg-manual": SweepDefaults(1e-3, 2.0, 32, 3000, 10_000,
                                   "3,000 full-batch steps, as the tutorial."),
    # seed 002: lr 1e-3, 30000 steps on the same kind of data
    "linreg-module": SweepDefaults(1e-4, 2.0, 32, 5_000, 10_000,
                                   "The tutorial runs 30,000 steps; the explorer runs 5,000 by default and at most "
                                   "10,000, so a sweep takes seconds (the CLI runs all 30,000)."),
    # seed 000: lr 0.01, 99 epochs x 8 batches of 20; x spans [0, 5), so the limit is about 0.11
    "linreg-minibatch": SweepDefaults(1e-4, 0.5, 32, 792, 2_400,
                                      "792 steps = the tutorial's 99 epochs of 8 mini-batches."),
    # d2l: lr 0.03, 3 epochs x 100 batches of 10, half squared loss; the limit is about 1.8
    "linreg-d2l": SweepDefaults(1e-3, 5.0, 32, 300, 3_000,
                                "300 steps = d2l's 3 epochs of 100 mini-batches of 10."),
    # seed 004: lr 0.001, per-sample SGD, 100 epochs x 1000 samples
    "logreg-manual": SweepDefaults(1e-4, 1.0, 32, 5_000, 20_000,
                                   "The tutorial runs 100 epochs of 1,000 one-sample steps (100,000 steps); "
                                   "the explorer runs 5 epochs by default and at most 20."),
}
PRESETS = tuple(DEFAULTS)


def defaults(preset: str) -> SweepDefaults:
    try:
        return DEFAULTS[preset]
    except KeyError:
        raise ConfigError(f"the learning-rate explorer has no preset {preset!r}; choose one of: "
                          f"{', '.join(PRESETS)}") from None


def tutorial_steps(preset: str) -> int:
    """Steps the tutorial itself trains."""
    c = get_preset(preset)
    return c.total_steps(c.n)


def make_config(preset: str, steps: int, seed: int | None = None, device: str = "cpu") -> Config:
    """The shared config of a sweep: the preset with its steps, seed and device set."""
    cap = defaults(preset).max_steps
    if isinstance(steps, int) and steps > cap:
        raise ConfigError(f"the explorer runs at most {cap:,} steps for {preset}; use the CLI for longer sweeps")
    return preset_config(preset, steps=steps, seed=seed, device=device)


def limit_label(optimizer: str) -> str:
    """The formula of the full-batch stability limit for an optimizer."""
    return {"sgd": "2/λmax", "momentum": "2(1+β)/λmax", "nesterov": "2(1+β)/((1+2β)λmax)"}.get(optimizer, "limit")


# -- the Goldilocks band ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Goldilocks:
    """The lrs whose final loss is within `factor` of the best: a contiguous block around the best run."""

    members: tuple[int, ...]  # run indices in the band, in increasing lr
    best: int  # run index with the lowest final loss
    best_lr: float
    best_loss: float
    threshold: float  # factor * max(best_loss, floor)
    factor: float
    floor: float  # losses at or below this count as converged
    lo: float  # smallest lr in the band
    hi: float  # largest lr in the band
    lo_edge: float  # band edges for shading: halfway (on a log scale) to the neighbouring lrs
    hi_edge: float


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def goldilocks(lrs: Sequence[float], final_loss: Sequence[float | None],
               factor: float = DEFAULT_FACTOR, floor: float = 0.0) -> Goldilocks | None:
    """The band of lrs around the best run whose final loss is at most factor x the best (None: all diverged).

    A loss at or below `floor` counts as converged, so the threshold is factor x max(best, floor).
    """
    if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor >= 1):
        raise ConfigError(f"the Goldilocks factor must be a number of at least 1, got {factor!r}")
    floor = float(floor) if floor is not None and math.isfinite(floor) and floor > 0 else 0.0
    order = sorted(range(len(lrs)), key=lambda i: lrs[i])
    ok = [i for i in order if _finite(final_loss[i])]
    if not ok:
        return None
    best = min(ok, key=lambda i: (final_loss[i], lrs[i]))
    threshold = max(final_loss[best], floor) * factor
    pos = order.index(best)
    lo_pos = hi_pos = pos
    while lo_pos > 0 and _finite(final_loss[order[lo_pos - 1]]) and final_loss[order[lo_pos - 1]] <= threshold:
        lo_pos -= 1
    while (hi_pos < len(order) - 1 and _finite(final_loss[order[hi_pos + 1]])
           and final_loss[order[hi_pos + 1]] <= threshold):
        hi_pos += 1
    members = tuple(order[lo_pos:hi_pos + 1])
    lo, hi = lrs[members[0]], lrs[members[-1]]
    lo_edge = math.sqrt(lo * lrs[order[lo_pos - 1]]) if lo_pos > 0 else lo
    hi_edge = math.sqrt(hi * lrs[order[hi_pos + 1]]) if hi_pos < len(order) - 1 else hi
    return Goldilocks(members, best, lrs[best], float(final_loss[best]), float(threshold), float(factor), floor,
                      lo, hi, lo_edge, hi_edge)


def initial_loss(result: SweepResult) -> float | None:
    """The loss of the first step (at the shared initial w and b; every run starts there)."""
    for i in range(result.n_runs):
        if result.lengths[i] > 0:
            return float(result.losses[0, i])
    return None


def converged_floor(result: SweepResult) -> float:
    """CONVERGED x the starting loss: below it a run counts as done (0 when unknown)."""
    start = initial_loss(result)
    return 0.0 if start is None or not math.isfinite(start) else CONVERGED * abs(start)


# -- which runs to overlay -------------------------------------------------------------------------------

def picks(lrs: Sequence[float], final_loss: Sequence[float | None],
          diverged_at: Sequence[int | None], tutorial_lr: float | None = None) -> list[tuple[str, int]]:
    """(label, run index) of the runs worth overlaying: too small, best, just below divergence.

    'too small' is the smallest lr that did not diverge, 'best' the lowest final loss, 'just below
    divergence' the largest lr below the smallest diverging one ('largest lr' when none diverged),
    and, when tutorial_lr is given, the finite run nearest to it on a log scale ('≈ tutorial lr').
    A run that fills two roles gets both labels; the result is in increasing lr.
    """
    order = sorted(range(len(lrs)), key=lambda i: lrs[i])
    ok = [i for i in order if diverged_at[i] is None and _finite(final_loss[i])]
    if not ok:
        return []
    best = min(ok, key=lambda i: (final_loss[i], lrs[i]))
    diverged = [lrs[i] for i in order if diverged_at[i] is not None]
    if diverged:
        below = [i for i in ok if lrs[i] < min(diverged)]
        edge, edge_label = (below[-1] if below else None), "just below divergence"
    else:
        edge, edge_label = ok[-1], "largest lr"
    roles = [("too small", ok[0]), ("best", best), (edge_label, edge)]
    if tutorial_lr is not None and tutorial_lr > 0:
        roles.append(("≈ tutorial lr", min(ok, key=lambda i: abs(math.log(lrs[i] / tutorial_lr)))))
    out: dict[int, list[str]] = {}
    for label, i in roles:
        if i is not None:
            out.setdefault(i, []).append(label)
    return [(" = ".join(out[i]), i) for i in sorted(out, key=lambda i: lrs[i])]


# -- plain values for the charts and the page ---------------------------------------------------------------

ZONES = ("too small", "just right", "too large", "diverged")


def zones(result: SweepResult, band: Goldilocks | None) -> list[str]:
    """Each run's zone: diverged, just right (in the band), too small or too large (either side of it)."""
    out = []
    for i, lr in enumerate(result.lrs):
        if result.diverged_at[i] is not None or result.final_loss[i] is None:
            out.append("diverged")
        elif band is not None and i in band.members:
            out.append("just right")
        elif band is not None and lr < band.lo:
            out.append("too small")
        else:
            out.append("too large")
    return out


def frame(result: SweepResult, band: Goldilocks | None = None) -> pd.DataFrame:
    """One row per run: run, lr, final_loss (NaN if diverged), status, diverged_at (0 if not), zone, note."""
    zs = zones(result, band)
    rows = []
    for i, lr in enumerate(result.lrs):
        fl, d = result.final_loss[i], result.diverged_at[i]
        if d is not None:
            note = f"diverged at step {d:,} ({result.diverged_what[i] or 'loss'} became inf/nan)"
        else:
            note = f"final loss {fl:.4g}" if fl is not None else "final loss not finite"
        rows.append({"run": i, "lr": float(lr), "final_loss": float("nan") if fl is None else float(fl),
                     "status": result.status[i], "diverged_at": 0 if d is None else int(d), "zone": zs[i],
                     "note": note})
    return pd.DataFrame(rows, columns=["run", "lr", "final_loss", "status", "diverged_at", "zone", "note"])


def smoothing_window(result: SweepResult) -> int:
    """Steps to average per-step losses over: 1 for full-batch runs (their loss is exact), else up to an
    epoch (mini-batch and one-sample losses are noisy), at most a twentieth of the run."""
    c = result.config
    if c.mode == "batch" or c.full_tensor_pitfall:
        return 1
    return max(1, min(result.steps_per_epoch, result.steps // 20))


def moving_average(x, k: int) -> np.ndarray:
    """Mean of the last k values at every step (of fewer at the start), in float64."""
    x = np.asarray(x, dtype=np.float64)
    if k <= 1 or len(x) == 0:
        return x
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(1, len(x) + 1)
    lo = np.maximum(i - k, 0)
    return (c[i] - c[lo]) / (i - lo)


def curves(result: SweepResult, chosen: Sequence[tuple[str, int]], window: int = 1) -> list[tuple[str, np.ndarray]]:
    """(label with its lr, per-step losses, moving-averaged over `window` steps) of the chosen runs."""
    return [(f"{label} · lr {result.lrs[i]:.3g}", moving_average(result.loss_history(i), window)) for label, i in chosen]


@dataclass(frozen=True)
class Summary:
    runs: int
    steps: int
    seconds: float
    diverged: int
    best_lr: float | None
    best_loss: float | None
    first_diverged_lr: float | None  # smallest lr that diverged
    largest_stable_lr: float | None  # largest lr below it that did not
    limit: float | None  # the data's full-batch stability limit (linear regression)


def summary(result: SweepResult) -> Summary:
    lrs, fl, da = result.lrs, result.final_loss, result.diverged_at
    best = result.best
    div = [lrs[i] for i in range(len(lrs)) if da[i] is not None]
    first = min(div) if div else None
    stable = [lrs[i] for i in range(len(lrs)) if da[i] is None and (first is None or lrs[i] < first)]
    return Summary(len(lrs), result.steps, result.seconds, len(div), None if best is None else lrs[best],
                   None if best is None else fl[best], first, max(stable) if stable else None,
                   result.stability_limit)


def limit_sentence(result: SweepResult) -> str | None:
    """Where divergence set in, compared with the data's stability limit (linear regression, full batch)."""
    s = summary(result)
    c = result.config
    if s.limit is None:
        return None
    label = limit_label(c.optimizer)
    full_batch = c.mode == "batch" or c.full_tensor_pitfall
    if s.first_diverged_lr is None:
        if max(result.lrs) < s.limit:
            return (f"No lr in this range diverged: all are below {label} = {s.limit:.3g}. "
                    f"Widen the range past it to see divergence.")
        return (f"No run diverged, although lrs above {label} = {s.limit:.3g} were tried: "
                f"{'they oscillate ever wider but have not overflowed yet; more steps would.' if full_batch else 'mini-batch noise and few steps can hide it.'}")
    stable = f"{s.largest_stable_lr:.3g}" if s.largest_stable_lr is not None else "none"
    text = (f"The smallest diverging lr is {s.first_diverged_lr:.3g}; the largest stable one below it is {stable}. "
            f"The theory line {label} = {s.limit:.3g} sits ")
    if s.largest_stable_lr is not None and s.largest_stable_lr <= s.limit * 1.0001 and s.first_diverged_lr >= s.limit * 0.9999:
        return text + "between them, exactly where the theory says it should."
    if s.first_diverged_lr < s.limit:
        return text + ("above it: mini-batches are noisier than the full batch, so they can blow up below "
                       "the full-batch limit." if not full_batch else "above it.")
    return text + ("below the stable lrs: just above the limit the growth is slow, so a run can stay finite "
                   "for all its steps.")


def results_csv(result: SweepResult) -> str:
    """Every run's lr, final loss, status, divergence step and final parameters, as CSV."""
    cols = ["lr", "final_loss", "status", "diverged_at"] + list(result.param_columns)
    rows = []
    for i, rec in enumerate(result.records()):
        rows.append([rec["lr"], rec["final_loss"], rec["status"], rec["diverged_at"]]
                    + [float(v) for v in result.w[i]] + [float(result.b[i])])
    out = io.StringIO()
    pd.DataFrame(rows, columns=cols).to_csv(out, index=False, float_format="%.9g")
    return out.getvalue()
