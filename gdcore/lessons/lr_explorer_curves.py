"""Lesson 'Learning-rate explorer': which runs of a sweep to overlay, and what their loss curves do.

`picks` chooses the runs (too small, best, just below divergence, nearest the tutorial's lr);
`curves` smooths their per-step losses; `curve_facts` / `curves_caption` say what each curve does,
computed from its losses (never written in advance). `converged_floor`: below it a run counts as done.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..i18n import Message, Text, joined
from ..sweep import SweepResult

# Losses below this share of the starting loss count as fully converged: on noise-free data the
# best runs end at float32 rounding noise (1e-12 and below), where "2x the best" means nothing.
CONVERGED = 1e-9


def finite_number(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


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
          diverged_at: Sequence[int | None], tutorial_lr: float | None = None,
          ) -> list[tuple[Text, int]]:
    """(label, run index) of the runs worth overlaying: too small, best, just below divergence.

    'too small' is the smallest lr that did not diverge, 'best' the lowest final loss, 'just below
    divergence' the largest lr below the smallest diverging one ('largest lr' when none diverged),
    and, when tutorial_lr is given, the finite run nearest to it on a log scale ('≈ tutorial lr').
    A run that fills two roles gets both labels (joined by " = "); the result is in increasing lr.
    """
    T = Message.of
    order = sorted(range(len(lrs)), key=lambda i: lrs[i])
    ok = [i for i in order if diverged_at[i] is None and finite_number(final_loss[i])]
    if not ok:
        return []
    best = min(ok, key=lambda i: (final_loss[i], lrs[i]))
    diverged = [lrs[i] for i in order if diverged_at[i] is not None]
    if diverged:
        below = [i for i in ok if lrs[i] < min(diverged)]
        edge, edge_label = (below[-1] if below else None), T("lr_explorer.picks.below_divergence")
    else:
        edge, edge_label = ok[-1], T("lr_explorer.picks.largest")
    roles = [(T("lr_explorer.picks.too_small"), ok[0]), (T("lr_explorer.picks.best"), best), (edge_label, edge)]
    if tutorial_lr is not None and tutorial_lr > 0:
        roles.append((T("lr_explorer.picks.tutorial"), min(ok, key=lambda i: abs(math.log(lrs[i] / tutorial_lr)))))
    out: dict[int, list[Message]] = {}
    for label, i in roles:
        if i is not None:
            out.setdefault(i, []).append(label)
    return [(joined(" = ", out[i]), i) for i in sorted(out, key=lambda i: lrs[i])]


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


def curves(result: SweepResult, chosen: Sequence[tuple[Text, int]],
           window: int = 1) -> list[tuple[Message, np.ndarray]]:
    """(label with its lr, per-step losses, moving-averaged over `window` steps) of the chosen runs."""
    T = Message.of
    return [(T("lr_explorer.picks.curve", label=label, lr=result.lrs[i]), moving_average(result.loss_history(i),
                                                                                         window))
            for label, i in chosen]


# -- what each overlaid curve does (its caption is computed from it, never written in advance) ----------

@dataclass(frozen=True)
class CurveFacts:
    """What one run's per-step loss did, as a caption can state it."""

    steps: int
    start: float  # first loss (noisy losses: mean over the first `head` steps)
    end: float  # last loss (noisy losses: mean over the last `tail` steps)
    rises: int | None  # steps whose loss rose above the step before (exact losses only)
    trend: str  # "floor" (reached float32 rounding), "still_falling", "levels", "flat" or "growing"
    settled_at: int | None  # 1-based step from which it stays near its end (exact losses)
    head: int = 1  # steps averaged into start
    tail: int = 1  # steps averaged into end


def _se(a: np.ndarray, b: np.ndarray) -> float:
    """Standard error of the difference of two means."""
    return math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)) if len(a) > 1 and len(b) > 1 else 0.0


def curve_facts(losses, noisy: bool, floor: float = 0.0, window: int = 1) -> CurveFacts:
    """Facts about one loss curve. Exact (full-batch) losses are judged step by step; noisy (mini-batch,
    one-sample) losses by means: the first `window` steps against the last tenth, and the last tenth
    against the tenth before it, a change counting only when it exceeds twice its standard error."""
    x = np.asarray(losses, dtype=np.float64)
    n = len(x)
    if n == 0:
        return CurveFacts(0, math.nan, math.nan, None, "flat", None)
    tenth = max(1, n // 10)
    if noisy and n >= 20:
        head = max(2, min(window, tenth))
        first, prev, last = x[:head], x[n - 2 * tenth: n - tenth], x[n - tenth:]
        start, end = float(first.mean()), float(last.mean())
        change = end - start
        small = abs(change) <= 0.05 * abs(start)  # hardly moved, or moved less than its noise (and not by half)
        if small or (abs(change) <= 2 * _se(first, last) and abs(change) <= 0.5 * abs(start)):
            trend = "flat"
        elif change > 0:
            trend = "growing"
        elif prev.mean() - end > max(2 * _se(prev, last), 0.01 * abs(end)):
            trend = "still_falling"
        else:
            trend = "levels"
        return CurveFacts(n, start, end, None, trend, None, head, tenth)
    start, end = float(x[0]), float(x[-1])
    rises = int(((x[1:] > x[:-1] * (1 + 1e-6)) & (x[1:] > floor)).sum())
    if floor > 0 and end <= floor:
        above = np.nonzero(x > floor)[0]
        return CurveFacts(n, start, end, rises, "floor", int(above[-1]) + 2 if len(above) else 1)
    if end > start:
        return CurveFacts(n, start, end, rises, "growing", None)
    if n > 1 and x[n - tenth - 1] > end * 1.01:
        return CurveFacts(n, start, end, rises, "still_falling", None)
    high = np.nonzero(x > end * 1.05)[0]
    return CurveFacts(n, start, end, rises, "levels", int(high[-1]) + 2 if len(high) else 1)


def curves_caption(result: SweepResult, chosen: Sequence[tuple[Text, int]], window: int = 1) -> Text:
    """One sentence per overlaid run, saying what its loss curve does (computed from its losses)."""
    T = Message.of
    noisy = window > 1
    floor = converged_floor(result)
    out = []
    for label, i in chosen:
        f = curve_facts(result.loss_history(i), noisy, floor, window)
        v = {"start": f"{f.start:.3g}", "end": f"{f.end:.3g}", "steps": f.steps, "rises": f.rises or 0,
             "head": f.head, "tail": f.tail}
        if f.trend == "growing":
            fact = T("lr_explorer.curves.fact.growing", **v)
        elif f.trend == "flat":
            fact = T("lr_explorer.curves.fact.flat", **v)
        else:
            shape = "noisy" if f.rises is None else ("smooth" if f.rises == 0 else "rises")
            fact = [T(f"lr_explorer.curves.fact.{shape}", **v)]
            if f.trend == "floor":
                fact.append(T("lr_explorer.curves.fact.floor", step=f.settled_at))
            elif f.trend == "still_falling":
                fact.append(T("lr_explorer.curves.fact.still"))
            elif f.rises is None:
                fact.append(T("lr_explorer.curves.fact.levels_noisy"))
            else:
                fact.append(T("lr_explorer.curves.fact.levels", step=f.settled_at))
        out.append(T("lr_explorer.curves.fact.run", label=label, lr=f"{result.lrs[i]:.3g}", fact=fact))
    if any(T("lr_explorer.picks.tutorial") in label for label, _ in chosen):
        out.append(T("lr_explorer.curves.tutorial_note"))
    return joined(" ", out)
