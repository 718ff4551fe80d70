"""The landscape a learner can put (w, b) on, for any one-feature linear-regression run.

`landscape_view(run)` gathers what the page draws: the least-squares optimum, the loss as a Bowl (the
browser computes its cells), the path taken with the hand moves in it, a window that holds the path,
the drawn start and the optimum, the grid's axes, and the gradient of the full-data loss at the
current point (the arrow). Plain numbers from the run's records; nothing is drawn here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import manual, reference
from ..reference import Bowl, Optimum
from .linear_regression import grid_axes, landscape_window, run_path


@dataclass(frozen=True)
class LandscapeView:
    optimum: Optimum
    bowl: Bowl
    steps: np.ndarray  # the path: step 0 (the start) first, a hand move as a second point at its step
    w: np.ndarray
    b: np.ndarray
    axes: tuple[np.ndarray, np.ndarray]  # the grid's w values and b values
    current: tuple[float, float]
    grad: tuple[float, float]  # dL/dw, dL/db of the full-data loss at the current point


def one_feature(run) -> bool:
    """Whether the run's landscape is a (w, b) plane (linear regression on one feature)."""
    return run.config.task == "linreg" and run.data.n_features == 1


def landscape_view(run, optimum: Optimum | None = None, bowl: Bowl | None = None) -> LandscapeView:
    """What a page draws on the landscape of a one-feature linear-regression run (optimum and bowl may be
    passed in when the page keeps them for its data)."""
    half = run.config.loss == "half_squared"
    X, y = run.train_data.X, run.train_data.y  # what the loop trains on (z-scores with scaling on)
    optimum = optimum or reference.least_squares(X, y)
    bowl = bowl or reference.bowl(X, y, "half_squared" if half else "mse")
    w0, b0 = float(run.w0.reshape(-1)[0]), float(run.b0.reshape(-1)[0])
    steps, pw, pb = manual.path_with_moves(*run_path(run, w0, b0), run.moves)
    d0 = [float(t.reshape(-1)[0]) for t in run.drawn_start]
    window = landscape_window(optimum, (w0, b0), np.r_[pw, d0[0]], np.r_[pb, d0[1]])
    p = run.params()
    w, b = p["w"][0], p["b"][0]
    return LandscapeView(optimum, bowl, steps, pw, pb, grid_axes(window), (w, b),
                         manual.mse_gradient(X, y, w, b, half=half))
