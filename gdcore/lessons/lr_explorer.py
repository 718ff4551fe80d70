"""Lesson 'Learning-rate explorer': the page's settings and what it reads off a sweep (no streamlit).

The sweep itself is `gdcore.sweep` (R learning rates trained as one batched program). This module
holds the explorer's defaults per preset and its share-link fields. What the page reads off a
finished sweep lives beside it, re-exported here under the page's names:
gdcore.lessons.lr_explorer_results finds the "Goldilocks" band of learning rates (final loss within
a factor of the best) and turns a SweepResult into the plain frame, table and sentences the page
shows; gdcore.lessons.lr_explorer_curves picks the runs whose loss curves are worth overlaying and
says what they do.
The sentences it builds for the page are Messages (gdcore.i18n) the page translates, and the page's
share-link settings are declared here as LINK_FIELDS and HIDE_GROUPS.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import limits
from ..config import Config
from ..errors import ConfigError
from ..i18n import Message
from ..links import Field, Note
from ..presets import get_preset, preset_config
from .lr_explorer_curves import (
    CONVERGED,
    CurveFacts,
    converged_floor,
    curve_facts,
    curves,
    curves_caption,
    initial_loss,
    moving_average,
    picks,
    smoothing_window,
)
from .lr_explorer_results import (
    DEFAULT_FACTOR,
    TABLE_COLUMNS,
    ZONES,
    Goldilocks,
    Summary,
    frame,
    goldilocks,
    limit_label,
    limit_sentence,
    results_csv,
    summary,
    table,
    zone_label,
    zones,
    zones_caption,
)

MIN_UI_RUNS, MAX_UI_RUNS = limits.LRX_RUNS  # the page trains at most this many lrs at once (the CLI: SWEEP_RUNS)
FACTOR_CHOICES: tuple[float, ...] = (1.1, 1.5, 2.0, 3.0, 5.0, 10.0)  # the page's Goldilocks factor options
SEED_MAX = limits.MAX_SEED  # the seed boxes' largest value

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
    # the sentence shown under the steps input: preset_note(preset), from lr_explorer.preset_note.<preset>


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
        raise ConfigError(Message.of("lr_explorer.errors.unknown_preset", preset=repr(preset),
                                     choices=", ".join(PRESETS))) from None


def preset_note(preset: str) -> Message:
    """The sentence shown under the steps input for a preset."""
    defaults(preset)
    return Message.of(f"lr_explorer.preset_note.{preset}")


def preset_description(preset: str) -> Message:
    """What a preset trains, in one line (gdcore.presets.DESCRIPTIONS)."""
    defaults(preset)
    return Message.of(f"lr_explorer.preset_desc.{preset}")


def tutorial_steps(preset: str) -> int:
    """Steps the tutorial itself trains."""
    c = get_preset(preset)
    return c.total_steps(c.n)


def make_config(preset: str, steps: int, seed: int | None = None, device: str = "cpu") -> Config:
    """The shared config of a sweep: the preset with its steps, seed and device set."""
    cap = defaults(preset).max_steps
    if isinstance(steps, int) and steps > cap:
        raise ConfigError(Message.of("lr_explorer.errors.too_many_steps", cap=cap, preset=preset))
    return preset_config(preset, steps=steps, seed=seed, device=device)


# -- share links ------------------------------------------------------------------------------------

PREFIX = "w.lr_explorer."  # the page's widget keys
LINK_SEED_KEY = "_lr_explorer.link_seed"  # the seed a link carries (the page's seed box, else the sidebar's; no widget)


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

def link_conflicts(values: dict, query: dict) -> tuple[list[Note], dict]:
    """A link's values that the page's widgets cannot take together: lr_min above lr_max, or more steps
    than the preset allows. values: the decoded preset, lr_min, lr_max and steps; query: the link's raw
    values. Returns a note for each (like any unusable value) and the values to put back instead (the
    preset's defaults)."""
    d = defaults(values["preset"])
    notes, fixed = [], {}
    lo, hi = values["lr_min"], values["lr_max"]
    if lo > hi:
        for name, f in (("lr_min", Field("lr_min", PREFIX + "lr_min", "choice", LR_CHOICES[0], hi)),
                        ("lr_max", Field("lr_max", PREFIX + "lr_max", "choice", lo, LR_CHOICES[-1]))):
            if name in query:
                notes.append(Note(name, str(query[name]), "out_of_range", f))
        fixed.update(lr_min=d.lr_min, lr_max=d.lr_max)
    if values["steps"] > d.max_steps:
        if "num_steps" in query:
            notes.append(Note("num_steps", str(query["num_steps"]), "out_of_range",
                              Field("num_steps", PREFIX + "steps", "int", 1, d.max_steps)))
        fixed["steps"] = d.steps
    return notes, fixed


# presets: the preset choice and the tutorial-settings button; range: smallest lr, largest lr and
# runs; steps: steps per run; seed: the page's seed box (labels: lr_explorer.groups.*).
HIDE_GROUPS: tuple[str, ...] = ("presets", "range", "steps", "seed")


__all__ = [  # the lesson's names, its curves' and results' included
    "CONVERGED", "CurveFacts", "DEFAULT_FACTOR", "DEFAULTS", "FACTOR_CHOICES", "Goldilocks", "HIDE_GROUPS",
    "LINK_FIELDS", "LINK_SEED_KEY", "LR_CHOICES", "MAX_UI_RUNS", "MAX_UI_STEPS", "MIN_UI_RUNS", "PREFIX", "PRESETS",
    "SEED_MAX", "Summary", "SweepDefaults", "TABLE_COLUMNS", "ZONES", "converged_floor", "curve_facts", "curves",
    "curves_caption", "defaults", "frame", "goldilocks", "initial_loss", "limit_label", "limit_sentence",
    "link_conflicts", "make_config", "moving_average", "picks", "preset_description", "preset_note", "results_csv",
    "smoothing_window", "summary", "table", "tutorial_steps", "zone_label", "zones", "zones_caption",
]
