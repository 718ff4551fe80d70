"""Linear regression on several features: the numbers the page shows when a table has more than one x.

The parameters are theta = (w_1, ..., w_d, b). The page compares them with the least-squares solution
(numpy lstsq on the raw data) and draws the loss over two of them that the learner picks, the others
held at their current values. Over any two parameters the mean squared loss is still a quadratic,
so six numbers describe that slice (reference.Bowl) and the landscape chart of one feature is reused.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import reference, scaling
from ..reference import Bowl, Optimum


def columns(d: int) -> list[str]:
    """The names a run's records give the parameters: w, b for one feature; w1, ..., wd, b for several."""
    return (["w"] if d == 1 else [f"w{i + 1}" for i in range(d)]) + ["b"]


def labels(feature_names: Sequence[str]) -> list[str]:
    """How the page names each parameter: the weight of each feature by its column, then b."""
    return [f"w{i + 1} ({name})" for i, name in enumerate(feature_names)] + ["b"]


def theta(params: dict) -> np.ndarray:
    """{"w": [...], "b": [...]} as one float64 vector (w_1, ..., w_d, b)."""
    return np.r_[np.asarray(params["w"], float).reshape(-1), float(np.asarray(params["b"]).reshape(-1)[0])]


# -- the parameters against least squares -------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    """The run's parameters (raw units) against the least-squares solution on the raw data."""

    now: np.ndarray  # (w_1, ..., w_d, b) as the run stands, mapped back to the raw features
    trained: np.ndarray  # the same parameters as trained (on z-scores when the run scales)
    optimum: Optimum  # lstsq on [X, 1] with the raw X
    loss: float  # mse of `now` on the raw data, float64

    @property
    def best(self) -> np.ndarray:
        return np.r_[self.optimum.w, self.optimum.b]

    @property
    def gap(self) -> np.ndarray:
        """|theta - theta*| per parameter."""
        return np.abs(self.now - self.best)

    @property
    def excess(self) -> float:
        """loss - loss*, never below 0."""
        return max(self.loss - self.optimum.mse, 0.0)


def compare(run, optimum: Optimum | None = None) -> Comparison:
    """Where the run's parameters stand against lstsq on the data as given (before any scaling);
    optimum: that solution when already known (a page solves it once per data set)."""
    X, y = run.data.X, run.data.y
    now = theta(scaling.raw_params(run))
    opt = reference.least_squares(X, y) if optimum is None else optimum
    return Comparison(now, theta(run.params()), opt, reference.mse(X, y, now[:-1], now[-1]))


def table(c: Comparison, names: Sequence[str], scaled: bool) -> pd.DataFrame:
    """One row a parameter: its name, the run's value, lstsq's, the gap (and the trained value when scaled).

    The column headers are keys the page translates: parameter, now, least_squares, gap, trained.
    """
    frame = {"parameter": list(names), "now": c.now, "least_squares": c.best, "gap": c.gap}
    if scaled:
        frame["trained"] = c.trained
    return pd.DataFrame(frame)


def bars(c: Comparison, names: Sequence[str], now: str, best: str) -> pd.DataFrame:
    """Long rows (parameter, which, value) for a grouped bar chart: the run's value beside lstsq's."""
    rows = [(n, now, float(v)) for n, v in zip(names, c.now)] + [(n, best, float(v)) for n, v in zip(names, c.best)]
    return pd.DataFrame(rows, columns=["parameter", "which", "value"])


# -- the landscape over two chosen parameters -----------------------------------------------------------

def slice_bowl(X, y, at, i: int, j: int, loss: str = "mse") -> Bowl:
    """The loss over parameters i and j of (w_1, ..., w_d, b), the others held at `at`, as six numbers.

    With A = [X, 1], u = A[:, i], v = A[:, j] and r = y - (the other columns times their values), the
    loss is mean((u a + v c - r)^2): a quadratic in (a, c) with curvatures mean(u^2), mean(u v), mean(v^2),
    lowest where lstsq on [u, v] puts it. Bowl's w, b are then the parameters i and j.
    """
    if i == j:
        raise ValueError("choose two different parameters")
    A = np.hstack([np.asarray(X, float).reshape(len(X), -1), np.ones((len(X), 1))])
    at = np.asarray(at, float).reshape(-1)
    yv = np.asarray(y, float).reshape(-1)
    others = [k for k in range(A.shape[1]) if k not in (i, j)]
    r = yv - A[:, others] @ at[others]
    UV = A[:, [i, j]]
    (a, c), *_ = np.linalg.lstsq(UV, r, rcond=None)
    rest = float(np.mean((UV @ np.array([a, c]) - r) ** 2))
    u, v = UV[:, 0], UV[:, 1]
    return Bowl(float(a), float(c), rest, float(np.mean(u * u)), float(np.mean(u * v)), loss == "half_squared",
                float(np.mean(v * v)))


def slice_path(records: Sequence[dict], start: np.ndarray, d: int, i: int, j: int):
    """(steps, values of parameter i, values of parameter j) along the run, from the start (step 0)."""
    cols = columns(d)
    steps = np.array([0] + [r["step"] for r in records], dtype=np.int64)
    a = np.array([start[i]] + [r[cols[i]] for r in records], dtype=np.float64)
    c = np.array([start[j]] + [r[cols[j]] for r in records], dtype=np.float64)
    return steps, a, c


def square(window: tuple[tuple[float, float], tuple[float, float]]) -> tuple[tuple[float, float], tuple[float, float]]:
    """The window widened along its shorter side to a square with the same centre: drawn in a square plot,
    one unit is as long on both axes, so the bowl of standardised features shows its true, round shape."""
    (wlo, whi), (blo, bhi) = window
    half = max(whi - wlo, bhi - blo) / 2
    wc, bc = (wlo + whi) / 2, (blo + bhi) / 2
    return (wc - half, wc + half), (bc - half, bc + half)


def slice_optimum(bowl: Bowl) -> Optimum:
    """The lowest point of a slice, in the shape the one-feature window helpers take."""
    return Optimum((bowl.w_star,), bowl.b_star, bowl.loss_star)
