"""Mini-batches (seeds 000 and 001): the numbers the lesson page shows.

- `describe_loader`: what `len(dataloader)` and each batch's size are for n samples and a batch_size,
  printed the way seed 000 prints them.
- gdcore.lessons.mini_batches_replay: which samples a run draws, epoch by epoch (re-exported here).
- gdcore.lessons.mini_batches_compare: batch vs stochastic vs mini-batch GD, and the full-tensor slip
  (re-exported here).
- `d2l_epoch_lines` / `estimation_errors`: what d2l prints after each epoch and at the end.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import limits, printouts
from ..data import Dataset
from ..engine import Run
from ..errors import ConfigError
from ..i18n import Message
from ..links import Field
from ..numbers import fixed
from ..presets import get_preset
from .mini_batches_compare import (
    COLUMN_KEYS,
    COMPARE_STEP_BUDGET,
    MODE_LABELS,
    MODES,
    PITFALL_LABELS,
    TABLE_COLUMNS,
    column_header,
    comparison_configs,
    epoch_end_frame,
    epoch_loss_frame,
    equivalent_batch_config,
    max_compare_epochs,
    pitfall_configs,
    pitfall_note,
    rise_share,
    step_loss_frame,
    summarize,
    summary_table,
    train_all,
)
from .mini_batches_replay import (
    CURRENT,
    EARLIER,
    MAX_SAMPLES_SHOWN,
    NOT_YET,
    EpochView,
    ShuffleReplay,
    batch_of_sample,
    batch_table,
    epoch_view,
    format_batch,
    point_roles,
    reshuffle_epochs,
    reshuffle_frame,
    run_epochs,
    same_batches_share,
)

BASES = ("linreg-minibatch", "linreg-d2l")  # the two tutorials this lesson follows

# -- share links: every widget of the page that changes a run ------------------------------------
# lo/hi are the widgets' min_value/max_value. batch_size's widget stops at the data set's size
# (150 or 1000); the page caps a larger link value to the data with one sentence (clamp_batch_size).
# cmp_epochs' widget stops at max_compare_epochs(n); the page caps a larger value the same way.
# The seed is the app sidebar's widget (w.seed), drawn before this page runs: a page cannot set it from
# a link, so it is not one of this page's fields.
LINK_FIELDS: list[Field] = [
    Field("data", "w.mini_batches.base", "choice", choices=BASES),
    Field("batch_size", "w.mini_batches.batch_size", "int", 1, max(get_preset(b).n for b in BASES)),
    Field("lr", "w.mini_batches.lr", "float", *limits.MINIBATCH_LR, log=True),
    Field("epochs", "w.mini_batches.epochs", "int", *limits.MINIBATCH_EPOCHS),
    Field("shuffle", "w.mini_batches.shuffle", "bool"),
    Field("pitfall", "w.mini_batches.pitfall", "bool"),
    Field("cmp_epochs", "w.mini_batches.cmp_epochs", "int", 1,
          max(1, COMPARE_STEP_BUDGET // min(get_preset(b).n for b in BASES))),  # max_compare_epochs(150)
]
# presets: the two tutorial buttons; data: the data and loop choice; batch_size: batch_size and shuffle
# (the DataLoader's two arguments); steps: num_epochs; controls: Step / Epoch / Run row.
HIDE_GROUPS: tuple[str, ...] = ("presets", "data", "batch_size", "lr", "steps", "pitfall", "controls")


# -- the DataLoader, made visible ---------------------------------------------------------------

@dataclass(frozen=True)
class LoaderSummary:
    """len(dataloader) and the size of each batch for n samples in batches of batch_size."""

    n: int
    batch_size: int
    sizes: tuple[int, ...]

    @property
    def length(self) -> int:
        """`len(dataloader)`: the number of batches (steps) in one epoch."""
        return len(self.sizes)

    def lines(self, limit: int = 12) -> list[Message]:
        """Seed 000's printout: `dataloader len =8`, then `index=0 num = 20` for each batch."""
        out = [f"dataloader len ={self.length}"]
        shown = self.sizes if len(self.sizes) <= limit else self.sizes[: limit - 2]
        out += [f"index={i} num = {s}" for i, s in enumerate(shown)]
        out = [Message.verbatim(line) for line in out]
        if len(shown) < len(self.sizes):
            out.append(Message.of("mini_batches.loader_more", k=len(self.sizes) - len(shown) - 1))
            out.append(Message.verbatim(f"index={len(self.sizes) - 1} num = {self.sizes[-1]}"))
        return out


def describe_loader(n: int, batch_size: int) -> LoaderSummary:
    """Batches of `DataLoader(dataset, batch_size, shuffle=True)` over n samples (drop_last=False)."""
    if not isinstance(n, int) or n < 1:
        raise ConfigError(key="lesson_no_samples", n=repr(n))
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(key="lesson_batch_size", value=repr(batch_size))
    if batch_size > n:
        raise ConfigError(key="lesson_batch_too_large", batch_size=batch_size, n=n)
    full, rest = divmod(n, batch_size)
    return LoaderSummary(n, batch_size, (batch_size,) * full + ((rest,) if rest else ()))


def data_size(base: str) -> int:
    """Number of samples in a base preset's data set (150 for seed 000, 1000 for d2l)."""
    return get_preset(base).n


def clamp_batch_size(batch_size, n: int) -> tuple[int, Message | None]:
    """A batch_size that fits n samples, and one sentence when it had to be changed."""
    T = Message.of
    try:
        bs = int(batch_size)
    except (TypeError, ValueError):
        return min(20, n), T("mini_batches.clamp.not_whole", value=repr(batch_size), fallback=min(20, n))
    if bs > n:
        return n, T("mini_batches.clamp.too_large", bs=bs, n=n)
    if bs < 1:
        return 1, T("mini_batches.clamp.too_small")
    return bs, None


# -- seed 000's printout and d2l's -------------------------------------------------------------

def tutorial_lines(records: Sequence[dict]) -> list[str]:
    """Seed 000's per-step print: `epoch(1) batch(0) lossΔw,Δb,w,b, = 3.456,...` (one-feature runs)."""
    return printouts.lines_000(records)


def d2l_epoch_lines(epoch_losses: Sequence[float]) -> list[str]:
    """What d2l prints after each epoch: `epoch 1, loss 0.039163` (mean half squared loss on all data)."""
    return [f"epoch {i + 1}, loss {float(v):f}" for i, v in enumerate(epoch_losses)]


def estimation_errors(true_w: Sequence[float], true_b: float, params: dict) -> dict:
    """d2l's `true_w - w` and `true_b - b`: how far the learned parameters are from the generating ones."""
    w = list(params["w"])
    if len(w) != len(true_w):
        raise ValueError(f"{len(true_w)} true weights but {len(w)} learned ones")
    return {"w": [float(t) - float(v) for t, v in zip(true_w, w)], "b": float(true_b) - float(params["b"][0])}


def error_lines(errors: dict) -> list[Message]:
    """d2l's two closing prints: the estimation error of w and of b (the English book's wording, or
    the Chinese book's `w的估计误差:`)."""
    T = Message.of
    w = ", ".join(f"{v:.4e}" for v in errors["w"])
    return [T("mini_batches.d2l_error_w", w=w), T("mini_batches.d2l_error_b", b=f"{errors['b']:.4e}")]


def start_params(run: Run) -> dict:
    """The w and b a run started from, as flat lists (same seed => same start in every mode)."""
    return {"w": [float(v) for v in run.w0.reshape(-1)], "b": [float(v) for v in run.b0.reshape(-1)]}


def feature_xy(data: Dataset, feature: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(feature column, labels) of a data set as flat float arrays, for a scatter of one feature."""
    k = feature if 0 <= feature < data.n_features else 0
    return (data.X[:, k].detach().cpu().numpy().astype(np.float64),
            data.y.detach().cpu().numpy().reshape(-1).astype(np.float64))


def fmt_w(values: Sequence[float]) -> str:
    """w for display: one number, or a bracketed list for several features (-1.34e18 once blown up)."""
    vals = list(values)
    if len(vals) == 1:
        return fixed(vals[0])
    return "[" + ", ".join(fixed(v) for v in vals) + "]"



__all__ = [  # the lesson's names, its two parts' included
    "BASES", "batch_of_sample", "batch_table", "clamp_batch_size", "column_header", "COLUMN_KEYS",
    "COMPARE_STEP_BUDGET", "comparison_configs", "CURRENT", "d2l_epoch_lines", "data_size", "describe_loader",
    "EARLIER", "epoch_end_frame", "epoch_loss_frame", "epoch_view", "EpochView", "equivalent_batch_config",
    "error_lines", "estimation_errors", "feature_xy", "fmt_w", "format_batch", "LoaderSummary",
    "max_compare_epochs", "MAX_SAMPLES_SHOWN", "MODE_LABELS", "MODES", "NOT_YET", "pitfall_configs",
    "PITFALL_LABELS", "pitfall_note", "point_roles", "reshuffle_epochs", "reshuffle_frame", "rise_share",
    "run_epochs", "same_batches_share", "ShuffleReplay", "start_params", "step_loss_frame", "summarize",
    "summary_table", "TABLE_COLUMNS", "train_all", "tutorial_lines",
]
