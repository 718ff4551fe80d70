"""The learning rates of a sweep: the log-spaced grid, and the checks on any list of them."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import limits
from ..config import MAX_LR, Config
from ..errors import ConfigError

MAX_RUNS = limits.SWEEP_RUNS


def lr_grid(lr_min: float, lr_max: float, runs: int) -> list[float]:
    """`runs` learning rates spaced evenly on a log scale from lr_min to lr_max (both included)."""
    for name, v in (("lr_min", lr_min), ("lr_max", lr_max)):
        if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v):
            raise ConfigError(key="finite", name=name, value=repr(v))
        if v <= 0:
            raise ConfigError(key="positive", name=name, value=repr(v))
        if v > MAX_LR:
            raise ConfigError(key="at_most", name=name, upper=MAX_LR, value=repr(v))
    if lr_min > lr_max:
        raise ConfigError(key="lr_order", lr_min=lr_min, lr_max=lr_max)
    if not isinstance(runs, numbers.Integral) or isinstance(runs, bool) or not 1 <= runs <= MAX_RUNS:
        raise ConfigError(key="runs", max=MAX_RUNS, value=repr(runs))
    runs = int(runs)
    if runs == 1:
        return [float(lr_min)]
    grid = [float(v) for v in np.geomspace(float(lr_min), float(lr_max), runs)]
    grid[0], grid[-1] = float(lr_min), float(lr_max)
    return grid


def check_lrs(config: Config, lrs) -> list[float]:
    """The lrs as floats, each one a valid lr for `config` (the same error a single run would give)."""
    try:
        lrs = [float(v) for v in lrs]
    except (TypeError, ValueError):
        raise ConfigError(key="lrs_not_numbers") from None
    if not lrs:
        raise ConfigError(key="lrs_empty")
    if len(lrs) > MAX_RUNS:
        raise ConfigError(key="lrs_too_many", max=MAX_RUNS, count=len(lrs))
    for lr in lrs:
        config.replace(lr=lr)  # the same one-sentence error a single run would give
    return lrs
