"""Lesson 'Learning-rate explorer': the page's settings and what it reads off a sweep (no streamlit).

The sweep itself is `gdcore.sweep` (R learning rates trained as one batched program). This module
holds the explorer's defaults per preset, finds the "Goldilocks" band of learning rates (final
loss within a factor of the best) and turns a SweepResult into the plain frame the charts draw;
gdcore.lessons.lr_explorer_curves picks the runs whose loss curves are worth overlaying and says what
they do (re-exported here).
The sentences it builds for the page are Messages (gdcore.i18n) the page translates, and the page's
share-link settings are declared here as LINK_FIELDS and HIDE_GROUPS.
"""
from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..config import Config
from ..errors import ConfigError
from ..i18n import Message, Text, joined
from ..links import Field
from ..presets import get_preset, preset_config
from ..sweep import SweepResult
from .lr_explorer_curves import (
    CONVERGED,
    CurveFacts,
    converged_floor,
    curve_facts,
    curves,
    curves_caption,
    finite_number,
    initial_loss,
    moving_average,
    picks,
    smoothing_window,
)

MIN_UI_RUNS = 2  # the page's runs slider starts here
MAX_UI_RUNS = 64  # the page trains at most this many lrs at once (the CLI allows 256)
DEFAULT_FACTOR = 2.0  # Goldilocks: final loss at most this many times the best one
FACTOR_CHOICES: tuple[float, ...] = (1.1, 1.5, 2.0, 3.0, 5.0, 10.0)  # the page's Goldilocks factor options
SEED_MAX = 2**31 - 1  # the seed boxes' largest value

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
    # the sentence shown under the steps input: preset_note(preset), from sweep.preset_note.<preset>


DEFAULTS: dict[str, SweepDefaults] = {
    # seed 003: lr 0.01, 3000 full-batch steps; the data's limit 2/λmax is 0.82
    "linreg-manual": SweepDefaults(1e-3, 2.0, 32, 3000, 10_000),
    # seed 002: lr 1e-3, 30000 steps on the same kind of data (the explorer caps them; the CLI runs all)
    "linreg-module": SweepDefaults(1e-4, 2.0, 32, 5_000, 10_000),
    # seed 000: lr 0.01, 99 epochs x 8 batches of 20; x spans [0, 5), so the limit is about 0.11
    "linreg-minibatch": SweepDefaults(1e-4, 0.5, 32, 792, 2_400),
    # d2l: lr 0.03, 3 epochs x 100 batches of 10, half squared loss; the limit is about 1.8
    "linreg-d2l": SweepDefaults(1e-3, 5.0, 32, 300, 3_000),
    # seed 004: lr 0.001, per-sample SGD, 100 epochs x 1000 samples (the explorer runs 5 epochs, at most 20)
    "logreg-manual": SweepDefaults(1e-4, 1.0, 32, 5_000, 20_000),
}
PRESETS = tuple(DEFAULTS)
MAX_UI_STEPS = max(d.max_steps for d in DEFAULTS.values())  # the largest steps any preset allows


def defaults(preset: str) -> SweepDefaults:
    try:
        return DEFAULTS[preset]
    except KeyError:
        raise ConfigError(Message.of("sweep.errors.unknown_preset", preset=repr(preset),
                                     choices=", ".join(PRESETS))) from None


def preset_note(preset: str) -> Message:
    """The sentence shown under the steps input for a preset."""
    defaults(preset)
    return Message.of(f"sweep.preset_note.{preset}")


def preset_description(preset: str) -> Message:
    """What a preset trains, in one line (gdcore.presets.DESCRIPTIONS)."""
    defaults(preset)
    return Message.of(f"sweep.preset_desc.{preset}")


def tutorial_steps(preset: str) -> int:
    """Steps the tutorial itself trains."""
    c = get_preset(preset)
    return c.total_steps(c.n)


def make_config(preset: str, steps: int, seed: int | None = None, device: str = "cpu") -> Config:
    """The shared config of a sweep: the preset with its steps, seed and device set."""
    cap = defaults(preset).max_steps
    if isinstance(steps, int) and steps > cap:
        raise ConfigError(Message.of("sweep.errors.too_many_steps", cap=cap, preset=preset))
    return preset_config(preset, steps=steps, seed=seed, device=device)


def limit_label(optimizer: str) -> Message:
    """The formula of the full-batch stability limit for an optimizer."""
    formulas = {"sgd": "2/λmax", "momentum": "2(1+β)/λmax", "nesterov": "2(1+β)/((1+2β)λmax)"}
    if optimizer in formulas:
        return Message.verbatim(formulas[optimizer])
    return Message.of("sweep.limit.label")


# -- share links ------------------------------------------------------------------------------------

PREFIX = "w.lrx."  # the page's widget keys
LINK_SEED_KEY = "_lrx.link_seed"  # the seed a link carries (the page's seed box, else the sidebar's; no widget)


# Every setting that changes the sweep (and what the page shows of it), with the widgets' own option
# values and ranges. `num_steps` is the steps per run: `steps` in a link is the number of steps taken
# by the best lr's single run (replayed). lr_max's widget offers only the options at or above lr_min,
# and the steps box allows at most the preset's max_steps: the page checks both after decoding a link.
LINK_FIELDS: list[Field] = [
    Field("preset_name", PREFIX + "preset", "choice", choices=tuple(DEFAULTS)),
    Field("lr_min", PREFIX + "lr_min", "number_choice", choices=LR_CHOICES, log=True),
    Field("lr_max", PREFIX + "lr_max", "number_choice", choices=LR_CHOICES, log=True),
    Field("runs", PREFIX + "runs", "int", MIN_UI_RUNS, MAX_UI_RUNS),
    Field("num_steps", PREFIX + "steps", "int", 1, MAX_UI_STEPS),
    Field("seed", LINK_SEED_KEY, "optional_int", 0, SEED_MAX),
    Field("factor", PREFIX + "factor", "number_choice", choices=FACTOR_CHOICES),
    Field("log", PREFIX + "log", "bool"),
    Field("replay", PREFIX + "replay", "bool"),
]

# presets: the preset choice and the tutorial-settings button; range: smallest lr, largest lr and
# runs; steps: steps per run; seed: the page's seed box (labels: sweep.groups.*).
HIDE_GROUPS: tuple[str, ...] = ("presets", "range", "steps", "seed")


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
        raise ConfigError(Message.of("sweep.errors.bad_factor", factor=repr(factor)))
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
    return Message.of(f"sweep.zones.{_ZONE_KEYS[zone]}")


def _note(result: SweepResult, i: int) -> Message:
    T = Message.of
    fl, d = result.final_loss[i], result.diverged_at[i]
    if d is not None:
        what = result.diverged_what[i] or "loss"
        what = T(f"sweep.what.{_WHAT_KEYS[what]}") if what in _WHAT_KEYS else Message.verbatim(what)
        return T("sweep.note.diverged", step=d, what=what)
    return T("sweep.note.final", loss=fl) if fl is not None else T("sweep.note.not_finite")


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


TABLE_COLUMNS = ("lr", "final_loss", "status", "diverged_at", "zone", "note")  # labels: sweep.table.*


def table(result: SweepResult, band: Goldilocks | None = None) -> pd.DataFrame:
    """Every run as the learner's table: the frame without its run index; headers, status and zone as Messages."""
    T = Message.of
    f = frame(result, band)
    f["status"] = [T(f"sweep.status.{s}") for s in f["status"]]
    f["zone"] = [zone_label(z) for z in f["zone"]]
    f["diverged_at"] = pd.array([None if d == 0 else int(d) for d in f["diverged_at"]], dtype="Int64")  # blank if not
    return f[list(TABLE_COLUMNS)].rename(columns={c: T(f"sweep.table.{c}") for c in TABLE_COLUMNS})


def zones_caption(zones_shown: Sequence[str], factor: float) -> Text:
    """The chart's colour key, naming only the zones that have runs (the page capitalizes its first letter)."""
    return joined(" · ", [Message.of(f"sweep.results.key.{_ZONE_KEYS[z]}", factor=factor)
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
            return T("sweep.limit.none_below", label=label, limit=s.limit)
        return T("sweep.limit.none_above_full" if full_batch else "sweep.limit.none_above_mini",
                 label=label, limit=s.limit)
    stable = (Message.verbatim(f"{s.largest_stable_lr:.3g}") if s.largest_stable_lr is not None
              else T("sweep.limit.stable_none"))
    text = T("sweep.limit.diverged", first=s.first_diverged_lr, stable=stable)
    if (s.largest_stable_lr is not None and s.largest_stable_lr <= s.limit * 1.0001
            and s.first_diverged_lr >= s.limit * 0.9999):
        return [text, T("sweep.limit.theory_between", label=label, limit=s.limit)]
    if s.first_diverged_lr < s.limit:
        return [text, T("sweep.limit.theory_above" if full_batch else "sweep.limit.theory_above_mini",
                        label=label, limit=s.limit)]
    return [text, T("sweep.limit.theory_below", label=label, limit=s.limit)]


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


__all__ = [  # the lesson's names, sweep_curves' included
    "CONVERGED", "CurveFacts", "DEFAULT_FACTOR", "DEFAULTS", "FACTOR_CHOICES", "Goldilocks", "HIDE_GROUPS",
    "LINK_FIELDS", "LINK_SEED_KEY", "LR_CHOICES", "MAX_UI_RUNS", "MAX_UI_STEPS", "MIN_UI_RUNS", "PREFIX", "PRESETS",
    "SEED_MAX", "Summary", "SweepDefaults", "TABLE_COLUMNS", "ZONES", "converged_floor", "curve_facts", "curves",
    "curves_caption", "defaults", "frame", "goldilocks", "initial_loss", "limit_label", "limit_sentence",
    "make_config", "moving_average", "picks", "preset_description", "preset_note", "results_csv", "smoothing_window",
    "summary", "table", "tutorial_steps", "zone_label", "zones", "zones_caption",
]
