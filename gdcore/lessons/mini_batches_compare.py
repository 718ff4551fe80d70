"""Mini-batches: batch vs stochastic vs mini-batch GD, and seed 000's full-tensor slip.

`comparison_configs` / `pitfall_configs` / `train_all` / `summarize` / `summary_table`: the three modes
from the same data and the same initial w, b, and the slip vs the loop as intended, as tables and frames.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ..config import Config
from ..data import Dataset
from ..downsample import MAX_POINTS, minmax_indices
from ..engine import Run
from ..i18n import Message

MODES = ("batch", "stochastic", "minibatch")
MODE_LABELS = {m: Message.of(f"mini_batches.mode.{m}") for m in MODES}  # chart series and table rows
PITFALL_LABELS = {False: Message.of("mini_batches.pitfall_label.intended"),
                  True: Message.of("mini_batches.pitfall_label.pitfall")}
COMPARE_STEP_BUDGET = 20_000  # at most this many stochastic steps for one "run all three" click


def max_compare_epochs(n: int, budget_steps: int = COMPARE_STEP_BUDGET) -> int:
    """Most epochs the comparison may run: stochastic GD makes n steps an epoch."""
    return max(1, budget_steps // max(1, n))


def comparison_configs(base: Config, epochs: int) -> dict[str, Config]:
    """Batch, stochastic and mini-batch versions of `base`: same data, seed (so same w, b at start), lr."""
    common = dict(epochs=int(epochs), steps=None, full_tensor_pitfall=False)
    return {mode: base.replace(mode=mode, **common) for mode in MODES}


def pitfall_configs(base: Config, epochs: int) -> dict[bool, Config]:
    """The loop as intended (batch data) and seed 000's slip (the full tensors), else identical."""
    mode = base.mode if base.mode != "batch" else "minibatch"
    common = dict(epochs=int(epochs), steps=None, mode=mode)
    return {False: base.replace(full_tensor_pitfall=False, **common),
            True: base.replace(full_tensor_pitfall=True, **common)}


def pitfall_note(config: Config, n: int) -> Message | None:
    """Why the pitfall is worse with d2l's loss: its sgd divides a sum over n samples by batch_size.

    None for the mean-squared loss, where the pitfall only turns each step into a full-batch step.
    """
    if not config.full_tensor_pitfall or config.loss != "half_squared":
        return None
    bs = config.batch_size_for(n)
    return Message.of("mini_batches.pitfall_note", n=n, bs=bs, factor=f"{n / bs:.3g}", lr=f"{config.lr * n / bs:.3g}")


def equivalent_batch_config(pitfall: Config, n: int) -> Config:
    """The batch-mode config whose run equals a pitfall run step for step (steps_per_epoch× the epochs)."""
    steps = pitfall.total_steps(n)
    return pitfall.replace(mode="batch", full_tensor_pitfall=False, steps=steps)


def train_all(configs: dict, data: Dataset, callback: Callable[[int, int], None] | None = None) -> dict:
    """A fresh Run for each config on the same data, each trained to its end (stops at divergence).

    callback(steps_done, steps_total) is called as the runs go (for a progress bar).
    """
    runs = {key: Run(cfg, data) for key, cfg in configs.items()}
    total = sum(r.total_steps for r in runs.values())
    done = 0
    for r in runs.values():
        base = done

        def report(run, base=base):
            if callback is not None:
                callback(base + run.step_count, total)

        r.run(callback=report)
        done += r.total_steps
    if callback is not None:
        callback(total, total)
    return runs


def rise_share(losses) -> float:
    """Share of steps whose recorded loss is higher than the step before (0 for smooth descent)."""
    y = np.asarray(losses, dtype=np.float64)
    if len(y) < 2:
        return 0.0
    return float(np.mean(np.diff(y) > 0))


def summarize(run: Run) -> dict:
    """One row for a comparison table: mode, batch size, steps, final w and b, loss, time."""
    p = run.params()
    epochs_done = run.step_count / run.steps_per_epoch if run.steps_per_epoch else 0.0
    secs = run.seconds()
    full = run.config.mode == "batch" or run.config.full_tensor_pitfall
    return {
        "mode": run.config.mode,
        "pitfall": run.config.full_tensor_pitfall,
        "batch_size": run.batch_size,
        "samples per step": run.n if full else run.batch_size,
        "steps per epoch": run.steps_per_epoch,
        "steps": run.step_count,
        "epochs": epochs_done,
        "w": p["w"],
        "b": p["b"][0],
        "loss (all data)": run.current_loss() if run.status == "ok" else float("nan"),
        "steps where loss rose": rise_share(run.losses()),
        "seconds": secs,
        "ms per epoch": 1000.0 * secs / epochs_done if epochs_done else float("nan"),
        "status": run.status,
        "message": run.message,
    }


TABLE_COLUMNS = ("run", "samples per step", "steps per epoch", "steps", "w", "b", "loss (all data)",
                 "steps where loss rose", "ms per epoch", "status")
# a column's header for the learner: mini_batches.table.<key> (w and b stay w and b)
COLUMN_KEYS = {"run": "run", "samples per step": "samples_per_step", "batch_size": "batch_size",
               "steps per epoch": "steps_per_epoch", "steps": "steps", "w": "w", "b": "b",
               "loss (all data)": "loss_all", "steps where loss rose": "rose", "ms per epoch": "ms_per_epoch",
               "status": "status"}


def column_header(column: str) -> Message:
    """The header a summary_table column shows."""
    return Message.of(f"mini_batches.table.{COLUMN_KEYS[column]}")


def summary_table(runs: dict, labels: dict, columns: Sequence[str] = TABLE_COLUMNS,
                  explain: Callable[[Run], str] | None = None) -> pd.DataFrame:
    """summarize() of each run as a display table (w as text when there are several features).

    `columns` are picked by their English names; the headers come out as Messages. A failed run's
    status is its own sentence, explain(run) (the page's language) or run.message (English).
    """
    rows = []
    for key, run in runs.items():
        s = summarize(run)
        w = s["w"]
        rows.append({
            "run": labels.get(key, str(key)),
            "samples per step": s["samples per step"],
            "batch_size": s["batch_size"],
            "steps per epoch": s["steps per epoch"],
            "steps": s["steps"],
            "w": ", ".join(_num(v) for v in w),
            "b": _num(s["b"]),
            "loss (all data)": s["loss (all data)"],
            "steps where loss rose": f"{s['steps where loss rose']:.0%}",
            "ms per epoch": round(s["ms per epoch"], 2),
            "status": (Message.of("mini_batches.table.ok") if s["status"] == "ok"
                       else explain(run) if explain else run.message),
        })
    table = pd.DataFrame(rows, columns=list(columns))
    return table.rename(columns={c: column_header(c) for c in columns})


def _num(v: float) -> str:
    """A parameter for a table: 4 decimals, or 3 significant digits when it has blown up."""
    if not math.isfinite(v):
        return "—"
    return f"{v:.4f}" if abs(v) < 1e5 else f"{v:.3g}"


def step_loss_frame(losses_by_series: dict[str, np.ndarray], steps_per_epoch: dict[str, int] | None = None,
                    max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Per-step losses of several runs as one long frame (step, epoch, loss, series), downsampled."""
    parts = []
    for name, losses in losses_by_series.items():
        y = np.asarray(losses, dtype=np.float64)
        steps = np.arange(1, len(y) + 1)
        ok = np.isfinite(y)
        y, steps = y[ok], steps[ok]
        idx = minmax_indices(y, max_points)
        spe = (steps_per_epoch or {}).get(name, 1)
        parts.append(pd.DataFrame({"step": steps[idx], "epoch": steps[idx] / spe, "loss": y[idx], "series": name}))
    if not parts:
        return pd.DataFrame(columns=["step", "epoch", "loss", "series"])
    return pd.concat(parts, ignore_index=True)


def epoch_loss_frame(epoch_losses_by_series: dict[str, Sequence[float]]) -> pd.DataFrame:
    """Loss on all data after each epoch, for several runs (epoch, loss, series)."""
    parts = []
    for name, losses in epoch_losses_by_series.items():
        y = np.asarray(list(losses), dtype=np.float64)
        ok = np.isfinite(y)
        parts.append(pd.DataFrame({"epoch": np.arange(1, len(y) + 1)[ok], "loss": y[ok], "series": name}))
    if not parts:
        return pd.DataFrame(columns=["epoch", "loss", "series"])
    return pd.concat(parts, ignore_index=True)


def epoch_end_frame(epoch_losses: Sequence[float], steps_per_epoch: int) -> pd.DataFrame:
    """The loss on all data after each epoch, placed at the step that ended it (step, epoch, loss)."""
    y = np.asarray(list(epoch_losses), dtype=np.float64)
    e = np.arange(1, len(y) + 1)
    ok = np.isfinite(y)
    return pd.DataFrame({"step": (e * steps_per_epoch)[ok], "epoch": e[ok], "loss": y[ok]})
