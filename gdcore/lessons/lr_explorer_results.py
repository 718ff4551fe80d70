"""Lesson 'Learning-rate explorer': what the page reads off a finished sweep (no streamlit).

The Goldilocks band of learning rates (final loss within a factor of the best), each run's zone,
the frame and table the charts and the page draw, the summary and the sentence about the stability
limit, and the results as CSV. The sentences are Messages (gdcore.i18n) the page translates.
"""
from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..errors import ConfigError
from ..i18n import Message, Text, joined
from ..sweep import SweepResult
from .lr_explorer_curves import finite_number

DEFAULT_FACTOR = 2.0  # Goldilocks: final loss at most this many times the best one


def limit_label(optimizer: str) -> Message:
    """The formula of the full-batch stability limit for an optimizer."""
    formulas = {"sgd": "2/λmax", "momentum": "2(1+β)/λmax", "nesterov": "2(1+β)/((1+2β)λmax)"}
    if optimizer in formulas:
        return Message.verbatim(formulas[optimizer])
    return Message.of("lr_explorer.limit.label")


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


def goldilocks(lrs: Sequence[float], final_loss: Sequence[float | None],
               factor: float = DEFAULT_FACTOR, floor: float = 0.0) -> Goldilocks | None:
    """The band of lrs around the best run whose final loss is at most factor x the best (None: all diverged).

    A loss at or below `floor` counts as converged, so the threshold is factor x max(best, floor).
    """
    if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor >= 1):
        raise ConfigError(Message.of("lr_explorer.errors.bad_factor", factor=repr(factor)))
    floor = float(floor) if floor is not None and math.isfinite(floor) and floor > 0 else 0.0
    order = sorted(range(len(lrs)), key=lambda i: lrs[i])
    ok = [i for i in order if finite_number(final_loss[i])]
    if not ok:
        return None
    best = min(ok, key=lambda i: (final_loss[i], lrs[i]))
    threshold = max(final_loss[best], floor) * factor
    pos = order.index(best)
    lo_pos = hi_pos = pos
    while lo_pos > 0 and finite_number(final_loss[order[lo_pos - 1]]) and final_loss[order[lo_pos - 1]] <= threshold:
        lo_pos -= 1
    while (hi_pos < len(order) - 1 and finite_number(final_loss[order[hi_pos + 1]])
           and final_loss[order[hi_pos + 1]] <= threshold):
        hi_pos += 1
    members = tuple(order[lo_pos:hi_pos + 1])
    lo, hi = lrs[members[0]], lrs[members[-1]]
    lo_edge = math.sqrt(lo * lrs[order[lo_pos - 1]]) if lo_pos > 0 else lo
    hi_edge = math.sqrt(hi * lrs[order[hi_pos + 1]]) if hi_pos < len(order) - 1 else hi
    return Goldilocks(members, best, lrs[best], float(final_loss[best]), float(threshold), float(factor), floor,
                      lo, hi, lo_edge, hi_edge)


# -- plain values for the charts and the page ---------------------------------------------------------------

ZONES = ("too small", "just right", "too large", "diverged")  # values the charts colour by (labels: zone_label)
_ZONE_KEYS = dict(zip(ZONES, ("too_small", "just_right", "too_large", "diverged")))
_WHAT_KEYS = {"loss": "loss", "parameters": "parameters", "optimizer state": "optimizer_state"}


def zone_label(zone: str) -> Message:
    """A zone's name for the learner (the zone values themselves stay as in ZONES)."""
    return Message.of(f"lr_explorer.zones.{_ZONE_KEYS[zone]}")


def _note(result: SweepResult, i: int) -> Message:
    T = Message.of
    fl, d = result.final_loss[i], result.diverged_at[i]
    if d is not None:
        what = result.diverged_what[i] or "loss"
        what = T(f"lr_explorer.what.{_WHAT_KEYS[what]}") if what in _WHAT_KEYS else Message.verbatim(what)
        return T("lr_explorer.note.diverged", step=d, what=what)
    return T("lr_explorer.note.final", loss=fl) if fl is not None else T("lr_explorer.note.not_finite")


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
    """One row per run: run, lr, final_loss (NaN if diverged), status, diverged_at (0 if not), zone, note.

    zone is one of ZONES (the charts colour by it); note is a sentence (a Message).
    """
    zs = zones(result, band)
    rows = []
    for i, lr in enumerate(result.lrs):
        fl, d = result.final_loss[i], result.diverged_at[i]
        rows.append({"run": i, "lr": float(lr), "final_loss": float("nan") if fl is None else float(fl),
                     "status": result.status[i], "diverged_at": 0 if d is None else int(d), "zone": zs[i],
                     "note": _note(result, i)})
    return pd.DataFrame(rows, columns=["run", "lr", "final_loss", "status", "diverged_at", "zone", "note"])


TABLE_COLUMNS = ("lr", "final_loss", "status", "diverged_at", "zone", "note")  # labels: lr_explorer.table.*


def table(result: SweepResult, band: Goldilocks | None = None) -> pd.DataFrame:
    """Every run as the learner's table: the frame without its run index; headers, status and zone as Messages."""
    T = Message.of
    f = frame(result, band)
    f["status"] = [T(f"lr_explorer.status.{s}") for s in f["status"]]
    f["zone"] = [zone_label(z) for z in f["zone"]]
    f["diverged_at"] = pd.array([None if d == 0 else int(d) for d in f["diverged_at"]], dtype="Int64")  # blank if not
    return f[list(TABLE_COLUMNS)].rename(columns={c: T(f"lr_explorer.table.{c}") for c in TABLE_COLUMNS})


def zones_caption(zones_shown: Sequence[str], factor: float) -> Text:
    """The chart's colour key, naming only the zones that have runs (the page capitalizes its first letter)."""
    return joined(" · ", [Message.of(f"lr_explorer.results.key.{_ZONE_KEYS[z]}", factor=factor)
                          for z in ZONES if z in set(zones_shown)])


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


def limit_sentence(result: SweepResult) -> Text | None:
    """Where divergence set in, compared with the data's stability limit (linear regression, full batch)."""
    T = Message.of
    s = summary(result)
    c = result.config
    if s.limit is None:
        return None
    label = limit_label(c.optimizer)
    full_batch = c.mode == "batch" or c.full_tensor_pitfall
    if s.first_diverged_lr is None:
        if max(result.lrs) < s.limit:
            return T("lr_explorer.limit.none_below", label=label, limit=s.limit)
        return T("lr_explorer.limit.none_above_full" if full_batch else "lr_explorer.limit.none_above_mini",
                 label=label, limit=s.limit)
    stable = (Message.verbatim(f"{s.largest_stable_lr:.3g}") if s.largest_stable_lr is not None
              else T("lr_explorer.limit.stable_none"))
    text = T("lr_explorer.limit.diverged", first=s.first_diverged_lr, stable=stable)
    if (s.largest_stable_lr is not None and s.largest_stable_lr <= s.limit * 1.0001
            and s.first_diverged_lr >= s.limit * 0.9999):
        return [text, T("lr_explorer.limit.theory_between", label=label, limit=s.limit)]
    if s.first_diverged_lr < s.limit:
        return [text, T("lr_explorer.limit.theory_above" if full_batch else "lr_explorer.limit.theory_above_mini",
                        label=label, limit=s.limit)]
    return [text, T("lr_explorer.limit.theory_below", label=label, limit=s.limit)]


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
