"""Every numeric limit in one place: the engine, share links, the CLI, the upload parser and the pages
read them from here, and README.md's limits table is checked against `TABLE` (tests/test_limits.py).

Caps keep one learner from exhausting a shared server; a page's ranges are what its widgets (and its
share links) accept.
"""
from __future__ import annotations

# -- the engine (gdcore.config.Config.validated) -------------------------------------------------
MAX_N = 1_000_000  # samples in a data set: memory of a shared server
MAX_FEATURES = 64  # features of a data set (and weights of a model)
MAX_STEPS = 5_000_000  # updates (or epochs) in one run: its loss history is kept whole, 4 bytes a step
MAX_LR = 1e6  # larger learning rates only overflow

# -- uploads (gdcore.data.load_csv, the pages' upload box, the CLI's --data) ----------------------
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # 5 MB: plenty for 100k rows of a few numbers
MAX_CSV_ROWS = 100_000
MAX_CSV_COLUMNS = MAX_FEATURES + 1  # the features and the label

# -- share links (gdcore.links) -------------------------------------------------------------------
MAX_LINK_STEPS = MAX_STEPS  # steps a link may replay (a long replay trains on the worker, with Stop)
MAX_SEED = 2**31 - 1  # the seed inputs (sidebar and pages)

# -- the lesson pages' inputs (their widgets and their link fields read these) --------------------
RUN_N = (1, 1_000_000)  # the "Run N" box under every lesson
PAGE_STEPS = (1, 1_000_000)  # full-batch steps on the linear-regression and optimizer pages
PAGE_N = (1, 100_000)  # generated samples on the linear-regression page
PAGE_LR = (1e-6, 1000.0)  # the linear-regression page's lr
PAGE_TRUE = (-1000.0, 1000.0)  # the true w and b of the linear-regression page's generated data
PAGE_NOISE = (0.0, 100.0)  # its noise (standard deviation)
PAGE_X_RANGE = (0.01, 1000.0)  # its x range
OPTIM_LR = (1e-6, MAX_LR)  # the optimizer page's main lr
LOGREG_LR = (1e-6, MAX_LR)  # the logistic-regression page's lr
MINIBATCH_LR = (1e-6, 100.0)  # the mini-batch page's lr
MINIBATCH_EPOCHS = (1, 1000)  # the mini-batch page's num_epochs (every batch a step: up to 150,000 updates)
RACE_STEPS = 5000  # per runner of the optimizer race: six runners x 5000 steps stays within a few seconds
SWEEP_RUNS = 256  # learning rates in one sweep (`python -m gdcore sweep --runs`)
LRX_RUNS = (2, 64)  # learning rates the explorer page trains at once
SQUARED_N = (10, 100_000)  # samples on the why-squared-loss page
EXERCISE_LR = 100.0  # the largest lr an exercise answer may name
EXERCISE_STEPS = 5000  # updates one accuracy-exercise check may train (a second or two on a shared server)
EXERCISE_EPOCHS = (1, 100_000)  # the accuracy exercise's num_epochs input (its check stops at EXERCISE_STEPS)
LOGREG_EPOCHS = (1, MAX_STEPS)  # num_epochs on the logistic page: full batch runs to the engine's cap;
#                                 other modes stop at MAX_STEPS updates in all (checked with the config)

def _g(v: float) -> str:
    """A short number for the table: 1e6, 1e-6, 1000, 0.01."""
    return f"{v:g}".replace("e+0", "e").replace("e-0", "e-")


# One row per limit a user meets: (what, the limit as README.md writes it). README.md holds this table
# word for word; tests/test_limits.py fails when they disagree.
TABLE: list[tuple[str, str]] = [
    ("samples `n` in a run", f"{MAX_N:,}"),
    ("features", f"{MAX_FEATURES}"),
    ("steps (or epochs) in a run", f"{MAX_STEPS:,}"),
    ("`lr`", f"(0, {_g(MAX_LR)}], finite"),
    ("CSV upload (app and `--data`)", f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB, {MAX_CSV_ROWS:,} rows, "
                                      f"{MAX_CSV_COLUMNS} columns"),
    ("steps a share link replays", f"{MAX_LINK_STEPS:,}"),
    ("seed (sidebar and pages)", f"0 to {MAX_SEED:,}"),
    ("Run N under a lesson", f"{RUN_N[0]} to {RUN_N[1]:,}"),
    ("steps on the linear-regression and optimizer pages", f"{PAGE_STEPS[0]} to {PAGE_STEPS[1]:,}"),
    ("`n` on the linear-regression page", f"{PAGE_N[0]} to {PAGE_N[1]:,}"),
    ("`lr` on the linear-regression page", f"{_g(PAGE_LR[0])} to {_g(PAGE_LR[1])}"),
    ("true `w`, `b`; noise; x range of the linear-regression page's data",
     f"{_g(PAGE_TRUE[0])} to {_g(PAGE_TRUE[1])}; {_g(PAGE_NOISE[0])} to {_g(PAGE_NOISE[1])}; "
     f"{_g(PAGE_X_RANGE[0])} to {_g(PAGE_X_RANGE[1])}"),
    ("`lr` on the optimizer and logistic pages", f"{_g(OPTIM_LR[0])} to {_g(OPTIM_LR[1])}"),
    ("`lr` and `num_epochs` on the mini-batch page", f"{_g(MINIBATCH_LR[0])} to {_g(MINIBATCH_LR[1])}; "
                                                      f"{MINIBATCH_EPOCHS[0]} to {MINIBATCH_EPOCHS[1]:,}"),
    ("steps per runner in the optimizer race", f"{RACE_STEPS:,}"),
    ("learning rates in a sweep (CLI; the explorer page)", f"{SWEEP_RUNS} ({LRX_RUNS[0]} to {LRX_RUNS[1]})"),
    ("samples on the why-squared-loss page", f"{SQUARED_N[0]} to {SQUARED_N[1]:,}"),
    ("an exercise's `lr`; updates one accuracy check trains", f"at most {_g(EXERCISE_LR)}; {EXERCISE_STEPS:,}"),
    ("`num_epochs` on the logistic page", f"{LOGREG_EPOCHS[0]} to {LOGREG_EPOCHS[1]:,} "
                                           f"(at most {MAX_STEPS:,} updates in all)"),
]


def markdown_table() -> str:
    """The README's limits table, as markdown."""
    lines = ["| what | limit |", "| --- | --- |"]
    lines += [f"| {what} | {limit} |" for what, limit in TABLE]
    return "\n".join(lines)


def bounds(pair: tuple) -> dict:
    """A (lo, hi) range as a number input's keyword arguments: min_value=lo, max_value=hi."""
    return {"min_value": pair[0], "max_value": pair[1]}
