"""A run that stops moving because of rounding, not because it arrived: pure functions on its rows.

A step is *frozen* when no parameter changed although some gradient was not zero: every update
`lr * grad` was smaller than half the gap between the parameter and the next number its dtype can
hold (its ulp), so `p - lr * grad` rounded back to `p`. A full-batch run that freezes stays frozen
forever (the same parameters give the same gradient). It is a *stall* when the freeze lasts
`MIN_STEPS` steps and the parameters are still farther from the optimum than rounding explains;
or when the loss stops changing while it is still above the optimum by more than rounding.

`Stall` records where it began and the numbers that explain it: the update lr * grad against the
parameter's ulp (numpy.spacing of its value in the run's dtype).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .i18n import Message
from .precision import numpy_dtype, ulp

MIN_STEPS = 20  # consecutive frozen steps before a stall is declared
FAR_ULPS = 1024  # farther than this many ulps from the optimum: not "arrived, to rounding"
LOSS_ROUNDING = 64  # a loss above the optimum by more than this many of its own eps is not rounding


@dataclass(frozen=True)
class Stall:
    """Where the run stopped moving and why: the update lr * grad of one parameter against its ulp."""

    step: int  # first frozen step (1-based)
    name: str  # the parameter column ("b", "w", "w2", ...)
    value: float  # its value, where it stays
    grad: float  # its gradient at that step
    update: float  # lr * grad: the change the step asked for
    ulp: float  # the spacing of the run's dtype at `value`
    dtype: str
    optimum: float | None = None  # the parameter's least-squares value, where known

    def message(self) -> Message:
        """One sentence with the numbers, offering float64 or feature scaling (float64: scaling only)."""
        key = "engine.stall.float64" if self.dtype == "float64" else "engine.stall.float32"
        digits = _digits(self.value, self.optimum)
        star = "" if self.optimum is None else f"{self.optimum:.{digits}g}"
        return Message.of(key if self.optimum is not None else key + "_no_optimum", step=f"{self.step:,}",
                          name=self.name, value=f"{self.value:.{digits}g}", update=f"{abs(self.update):.2g}",
                          ulp=f"{self.ulp:.2g}", star=star)

    def to_dict(self) -> dict:
        """Plain values for JSON."""
        return {"step": self.step, "param": self.name, "value": self.value, "grad": self.grad, "update": self.update,
                "ulp": self.ulp, "dtype": self.dtype, "optimum": self.optimum}


def _digits(value: float, optimum: float | None) -> int:
    """Significant digits that tell the value from the optimum (at least 9: float32 needs that many)."""
    if optimum is None:
        return 9
    for digits in range(9, 18):
        if f"{value:.{digits}g}" != f"{optimum:.{digits}g}":
            return digits
    return 17


def frozen(before: np.ndarray, after: np.ndarray, grads: np.ndarray) -> np.ndarray:
    """Per step (rows): True when no parameter changed although some gradient was not zero."""
    before, after, grads = (np.atleast_2d(a) for a in (before, after, grads))
    return np.all(after == before, axis=1) & np.any(grads != 0, axis=1)


def streak_start(flags: np.ndarray, first_step: int, since: int | None) -> int | None:
    """The step where the frozen stretch that reaches the last of `flags` began, or None if the last step moved.

    `flags[i]` belongs to step `first_step + i`; `since` is where a stretch reaching `first_step - 1` began.
    """
    flags = np.asarray(flags, bool)
    if len(flags) == 0:
        return since
    if not flags[-1]:
        return None
    moved = np.flatnonzero(~flags)
    if len(moved):
        return first_step + int(moved[-1]) + 1
    return first_step if since is None else since


def lost_update(values: np.ndarray, grads: np.ndarray, lr: float, dtype: str) -> int | None:
    """The parameter whose update lr * grad was the largest one lost to rounding (relative to its ulp)."""
    best, best_ratio = None, -1.0
    for j, (v, g) in enumerate(zip(np.ravel(values), np.ravel(grads))):
        if g == 0:
            continue
        u = ulp(float(v), dtype)
        ratio = abs(lr * float(g)) / u if u > 0 else 0.0
        if ratio > best_ratio and ratio < 1.0:
            best, best_ratio = j, ratio
    return best


def far_from_optimum(values, optimum, dtype: str, ulps: float = FAR_ULPS) -> bool:
    """True when some parameter is more than `ulps` of its dtype's spacing away from its optimum."""
    for v, s in zip(np.ravel(values), np.ravel(optimum)):
        if abs(float(v) - float(s)) > ulps * ulp(float(s), dtype):
            return True
    return False


def loss_flat(losses: np.ndarray, loss_star: float, dtype: str, steps: int = MIN_STEPS,
              rounding: float = LOSS_ROUNDING) -> bool:
    """True when the last `steps` losses are all equal and still above loss* by more than rounding."""
    L = np.asarray(losses)
    if len(L) < steps:
        return False
    tail = L[-steps:]
    if not np.all(tail == tail[-1]):
        return False
    eps = float(np.finfo(numpy_dtype(dtype)).eps)
    return float(tail[-1]) - loss_star > rounding * eps * max(abs(loss_star), abs(float(tail[-1])), 1e-30)


def make_stall(step: int, names, values, grads, lr: float, dtype: str, optimum=None) -> Stall | None:
    """The Stall for a frozen row (None when no update was lost to rounding)."""
    j = lost_update(values, grads, lr, dtype)
    if j is None:
        return None
    v, g = float(np.ravel(values)[j]), float(np.ravel(grads)[j])
    star = None if optimum is None else float(np.ravel(optimum)[j])
    return Stall(step, names[j], v, g, lr * g, ulp(v, dtype), dtype, star)
