"""Linear regression by hand (seeds 003 and 000): the numbers the lesson page shows.

Everything here reads plain per-step records (`Run.records()`: step, epoch, batch, loss, w, b,
grad_w, grad_b) or the data, and returns numbers or text. A record's loss and gradients were
computed at the parameters *before* its update; its w and b are the values *after* it, exactly
what the tutorial prints after `w.data -= lr * w.grad.data`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import limits, printouts, reference
from ..config import Config
from ..i18n import Message, Text
from ..links import Field
from ..presets import PRESETS, preset_config
from ..reference import Optimum
from .linear_regression_step import StepExplained, explain_last_step  # noqa: F401 (the page's names)

TABLE_COLUMNS = ["step", "epoch", "batch", "loss", "Δw", "Δb", "w", "b"]  # tutorial 000's numbering
TABLE_COLUMNS_I = ["step", "i", "loss", "Δw", "Δb", "w", "b"]  # a loop over i (tutorial 003)

# -- the page's settings, as share-link fields ---------------------------------------------------

RECIPES = ("linreg-manual", "linreg-minibatch",
           "upload")  # the data recipe choices (labels: linear_regression.recipes.*)
_W = "w.linear_regression."

# Every setting that changes the run, with the widgets' own ranges (a link value outside them is refused).
# The steps widget is `num_epochs` in a link: `steps` there is the number of steps taken, replayed.
LINK_FIELDS: list[Field] = [
    Field("recipe", _W + "recipe", "choice", choices=RECIPES),
    Field("true_w", _W + "true_w", "float", *limits.PAGE_TRUE),
    Field("true_b", _W + "true_b", "float", *limits.PAGE_TRUE),
    Field("noise", _W + "noise", "float", *limits.PAGE_NOISE),
    Field("n", _W + "n", "int", *limits.PAGE_N),
    Field("x_range", _W + "x_range", "float", *limits.PAGE_X_RANGE),
    Field("seed", _W + "seed", "optional_int", 0, limits.MAX_SEED),
    Field("lr", _W + "lr", "float", *limits.PAGE_LR, log=True),
    Field("num_epochs", _W + "steps", "int", *limits.PAGE_STEPS),
    Field("log", _W + "log", "bool"),
    Field("show_ls", _W + "show_ls", "bool"),
    Field("scale", _W + "scale", "bool"),  # feature scaling: train on the z-scores of x
]

# Control groups an instructor's link can hide (labels: linear_regression.groups.*).
HIDE_GROUPS: tuple[str, ...] = ("presets", "data", "lr", "steps", "seed", "controls")


def run_config(recipe: str, steps: int, **settings) -> Config:
    """The run the page trains for a tutorial's data recipe: that tutorial's own loop, `steps` updates long.

    003: full-batch GD, one update per iteration i. 000: its DataLoader loop as written, whose body
    computes on the full tensors, so every update is a full-batch step too (the same numbers), counted
    as the tutorial counts them: epoch(e) batch(i), ceil(n / 20) batches to an epoch.
    """
    common = dict(impl="manual", optimizer="sgd", **settings)
    if recipe == printouts.EPOCH_BATCH:
        batch_size = min(PRESETS[recipe].batch_size, int(settings.get("n", PRESETS[recipe].n)))
        return preset_config(recipe, mode="minibatch", full_tensor_pitfall=True, batch_size=batch_size, steps=steps,
                             **common)
    return preset_config(recipe, mode="batch", epochs=steps, **common)


# -- facts about the data -------------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What the data alone decides: the optimum, the curvatures, the largest stable lr."""

    optimum: Optimum
    lambda_max: float  # curvature of the MSE bowl along its steepest direction
    lambda_min: float  # ... and along its flattest direction
    limit: float | None  # 2 / lambda_max: full-batch GD diverges for any larger lr

    @property
    def unique(self) -> bool:
        """False when the optimum is a whole line of (w, b) (fewer than two distinct x values)."""
        return self.lambda_min > 1e-9 * max(self.lambda_max, 1e-300)


def facts(X, y) -> Facts:
    """Least-squares optimum, Hessian eigenvalues and stability limit of the MSE on (X, y)."""
    eig = np.linalg.eigvalsh(reference.hessian(X, "mse"))
    lam_min, lam_max = max(float(eig[0]), 0.0), float(eig[-1])
    return Facts(reference.least_squares(X, y), lam_max, lam_min, reference.stability_limit(X, "mse"))


# -- what an lr does on this bowl -----------------------------------------------------------------

def overshoot_factor(lr: float, lam: float) -> float:
    """|1 - lr·λ|: how one full-batch step scales the distance to the optimum along a direction of curvature λ."""
    return abs(1.0 - lr * lam)


def lr_regime(lr: float, lam_max: float) -> str:
    """'smooth' (lr·λmax ≤ 1), 'zigzag' (1 < lr·λmax < 2), 'edge' (= 2) or 'diverges' (> 2)."""
    x = lr * lam_max
    if x <= 1.0:
        return "smooth"
    if x < 2.0 - 1e-12:
        return "zigzag"
    if x <= 2.0 + 1e-12:
        return "edge"
    return "diverges"


def steps_per_decade(lr: float, f: Facts) -> float | None:
    """Full-batch steps that shrink the distance to the optimum 10×, set by the slowest direction.

    None when the run does not converge (some |1 - lr·λ| ≥ 1) or the data has no unique optimum.
    """
    if not f.unique:
        return None
    rate = max(overshoot_factor(lr, f.lambda_min), overshoot_factor(lr, f.lambda_max))
    if rate >= 1.0:
        return None
    if rate == 0.0:
        return 1.0
    return math.log(10.0) / -math.log(rate)


def lr_sentence(lr: float, f: Facts, rounding: Message | None = None) -> Text:
    """One or two sentences on what this lr does on this data, with the numbers; `rounding` (from
    gdcore/lessons/precision.py) replaces the pace estimate once rounding, not lr, sets the pace."""
    T = Message.of
    if f.limit is None:
        return T("linear_regression.lr.sentence.flat")
    x = lr * f.lambda_max
    regime = lr_regime(lr, f.lambda_max)
    factor = f"{overshoot_factor(lr, f.lambda_max):.3g}"
    if regime == "diverges":
        return T("linear_regression.lr.sentence.diverges", x=f"{x:.3g}", factor=factor)
    head = T(f"linear_regression.lr.sentence.{regime}", x=f"{x:.3g}", factor=factor)
    k = steps_per_decade(lr, f)
    if k is None:
        return head
    if rounding is not None:
        return [head, rounding]
    return [head, T("linear_regression.lr.sentence.pace", k=f"{k:,.0f}")]


def divergence_explanation(lr: float, lam_max: float) -> Message:
    """Why full-batch GD blew up: the overshoot factor along the steepest direction, with numbers."""
    T = Message.of
    q = 1.0 - lr * lam_max
    a = abs(q)
    try:
        grow20 = a ** 20
    except OverflowError:  # a float power beyond the float range raises instead of giving inf
        grow20 = math.inf
    grow = f"{grow20:.2g}" if math.isfinite(grow20) else T("linear_regression.diverge.overflowing")
    limit = 2.0 / lam_max if lam_max > 0 else float("inf")
    return T("linear_regression.diverge.text", lam=f"{lam_max:.4g}", lr=f"{lr:g}", q=f"{q:.4g}", a=f"{a:.4g}",
             grow=grow, limit=f"{limit:.4g}")


# -- the per-step printout --------------------------------------------------------------------------

def step_columns(records: Sequence[dict], epochs: bool = True) -> dict[str, list]:
    """Records as the table the page shows (name -> values), newest last, numbered as the tutorial
    counts: step, epoch, batch, loss, Δw, Δb, w, b (000's loops), or step, i, loss, ... (epochs=False:
    003's `for i in range`); plain columns, for a table drawn on every Step without pandas."""
    if epochs:
        rows = [[r["step"], r["epoch"], r["batch"], r["loss"], r["grad_w"], r["grad_b"], r["w"], r["b"]]
                for r in records]
        names = TABLE_COLUMNS
    else:
        rows = [[r["step"], r["step"] - 1, r["loss"], r["grad_w"], r["grad_b"], r["w"], r["b"]] for r in records]
        names = TABLE_COLUMNS_I
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


# -- distance to the optimum ------------------------------------------------------------------------

@dataclass(frozen=True)
class Distance:
    dw: float  # |w - w*|
    db: float  # |b - b*|
    loss: float  # MSE at (w, b), float64
    dloss: float  # loss - loss*, never below 0 (loss* is the minimum)


def distance_to_optimum(X, y, w: float, b: float, optimum: Optimum) -> Distance:
    """How far (w, b) is from the least-squares optimum, in parameters and in loss (float64)."""
    loss = reference.mse(X, y, [w], b)
    return Distance(abs(w - optimum.w[0]), abs(b - optimum.b), loss, max(loss - optimum.mse, 0.0))


# -- the landscape ----------------------------------------------------------------------------------

def path_arrays(records: Sequence[dict], w0: float, b0: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(steps, w, b) of the path taken, starting with the initial point as step 0."""
    steps = np.array([0] + [r["step"] for r in records], dtype=np.int64)
    w = np.array([float(w0)] + [r["w"] for r in records], dtype=np.float64)
    b = np.array([float(b0)] + [r["b"] for r in records], dtype=np.float64)
    return steps, w, b


def run_path(run, w0: float, b0: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """path_arrays(run.records(), w0, b0), read from the run's history as arrays (no dict per step)."""
    steps, w, b = run.series("w", "b")
    return np.r_[0, steps].astype(np.int64), np.r_[float(w0), w], np.r_[float(b0), b]


def landscape_window(optimum: Optimum, start: tuple[float, float], path_w=(), path_b=(),
                     cap: float = 6.0, pad: float = 0.35) -> tuple[tuple[float, float], tuple[float, float]]:
    """A (w range, b range) holding the optimum, the start and the path, but not a diverging path's far end.

    Path points farther from the optimum than `cap` times the start's distance (per axis, at least 0.5)
    are left out, so a run that blows up still shows its first zigzags at a readable scale.
    """
    ws, bs = optimum.w[0], optimum.b
    rw = max(abs(start[0] - ws), 0.5) * cap
    rb = max(abs(start[1] - bs), 0.5) * cap
    pw = np.asarray(path_w, float).reshape(-1)
    pb = np.asarray(path_b, float).reshape(-1)
    keep = np.isfinite(pw) & np.isfinite(pb) & (np.abs(pw - ws) <= rw) & (np.abs(pb - bs) <= rb)
    return reference.default_window(optimum, np.r_[start[0], pw[keep]], np.r_[start[1], pb[keep]], pad=pad)


def in_window(window: tuple[tuple[float, float], tuple[float, float]], w: float, b: float) -> bool:
    """Whether (w, b) lies inside a (w range, b range) window."""
    (wlo, whi), (blo, bhi) = window
    return bool(wlo <= w <= whi and blo <= b <= bhi)


def grid_axes(window: tuple[tuple[float, float], tuple[float, float]], size: int = 44) -> tuple[np.ndarray, np.ndarray]:
    """Evenly spaced w and b values over a window (size × size cells; 44² < 2000 for the chart)."""
    (wlo, whi), (blo, bhi) = window
    return np.linspace(wlo, whi, size), np.linspace(blo, bhi, size)
