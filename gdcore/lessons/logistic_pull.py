"""The gradient's pull on the decision boundary: where the run's next step will take the boundary.

    pull = next_pull(run, box)     # None where the next step cannot be known (shuffled order, run over)
    pull.segment                   # the boundary after that step, clipped to box (None: outside it)
    pull.foot, pull.shift          # a point on today's boundary and how far that step moves it there

The next step is worked out by gdcore.slowmo_logistic from the parameters now and the samples the
step will use, as the loop would take it; tests check it equals the engine's actual next step. The
shift is measured at the foot of the perpendicular from the pulling sample to the boundary (one
sample a step), or at the middle of the boundary (a batch): the next boundary's nearest point to it,
minus it. Pure: no streamlit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .. import slowmo_logistic
from .logistic_regression import boundary_segment


@dataclass(frozen=True)
class Pull:
    step: int  # the step it shows (the run's next)
    batch: tuple[int, ...] | None  # the samples it uses (None: all)
    w: tuple[float, ...]  # the parameters after it
    b: float
    grad_w: tuple[float, ...]
    grad_b: float
    loss: float  # that step's loss (its batch's)
    segment: tuple | None  # the boundary after it, inside the box
    foot: tuple[float, float] | None  # where the shift is measured, on the boundary now
    shift: tuple[float, float] | None  # how far the step moves the boundary there (data units)
    sample: tuple[float, float] | None  # the pulling sample (one sample a step)
    w_old: tuple[float, ...] = ()  # the parameters before it
    b_old: float = 0.0

    @property
    def distance(self) -> float:
        return math.hypot(*self.shift) if self.shift is not None else 0.0

    @property
    def apart(self) -> float:
        """How far the boundary after the step gets from today's inside the box (its farther end's
        distance to today's line; 0 when either misses the box)."""
        n = math.hypot(*self.w_old) if self.w_old else 0.0
        if self.segment is None or not n:
            return 0.0
        return max(abs(self.w_old[0] * p[0] + self.w_old[1] * p[1] + self.b_old) / n for p in self.segment)

    @property
    def toward_sample(self) -> bool | None:
        """Whether the boundary moves toward the sample (it lies on the wrong side, or close to it)."""
        if self.shift is None or self.sample is None:
            return None
        to_sample = (self.sample[0] - self.foot[0], self.sample[1] - self.foot[1])
        return self.shift[0] * to_sample[0] + self.shift[1] * to_sample[1] > 0


def _foot(w, b: float, p) -> tuple[float, float] | None:
    """The point of the line w·x + b = 0 nearest to p (None when w is zero)."""
    n2 = w[0] ** 2 + w[1] ** 2
    if not n2 or not math.isfinite(n2):
        return None
    z = w[0] * p[0] + w[1] * p[1] + b
    return p[0] - z * w[0] / n2, p[1] - z * w[1] / n2


def _inside(p, box) -> bool:
    return box[0] <= p[0] <= box[1] and box[2] <= p[1] <= box[3]


def next_pull(run, box) -> Pull | None:
    """Where the run's next step takes the boundary (see the module's docstring)."""
    if run.done or run.scaler is not None or run.data.n_features != 2 or not slowmo_logistic.supported(run.config):
        return None
    batch = slowmo_logistic.next_batch(run)
    if batch is False:
        return None
    p = run.params()
    data = run.train_data
    slow = slowmo_logistic.slow_step(run.config, data.X, data.y, p["w"], p["b"][0], batch, run.step_count + 1)
    return pull_of(slow, data.X, batch, box)


def pull_of(slow, X, batch, box) -> Pull | None:
    """The pull of a step played slowly (gdcore.slowmo_logistic.SlowStep) on the samples `batch` of X."""
    up, bw = slow.phase("update").values, slow.phase("backward").values
    w, b = up["w_old"], up["b_old"]
    w_new, b_new = tuple(up["w"]), up["b"]
    if not all(math.isfinite(v) for v in (*w_new, b_new)):
        return None
    sample = None
    if batch is not None and len(batch) == 1:
        sample = tuple(float(v) for v in X[batch[0]].tolist()[:2])
    seg = boundary_segment(w, b, box)
    foot = _foot(w, b, sample) if sample is not None else None
    if (foot is None or not _inside(foot, box)) and seg is not None:
        foot = ((seg[0][0] + seg[1][0]) / 2, (seg[0][1] + seg[1][1]) / 2)
    elif foot is not None and not _inside(foot, box):
        foot = None
    shift = None
    if foot is not None:
        to = _foot(w_new, b_new, foot)
        shift = None if to is None else (to[0] - foot[0], to[1] - foot[1])
    return Pull(step=slow.step, batch=None if batch is None else tuple(int(i) for i in batch), w=w_new, b=b_new,
                grad_w=tuple(bw["w.grad"]), grad_b=bw["b.grad"], loss=slow.phase("loss").values["loss"],
                segment=boundary_segment(w_new, b_new, box), foot=foot, shift=shift, sample=sample,
                w_old=tuple(w), b_old=b)
