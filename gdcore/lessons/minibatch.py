"""Mini-batches (seeds 000 and 001): the numbers the lesson page shows.

- `describe_loader`: what `len(dataloader)` and each batch's size are for n samples and a batch_size,
  printed the way seed 000 prints them.
- `ShuffleReplay`: the batches of any epoch of a run, replayed from the run's own generators with the
  tutorials' own shuffling code (DataLoader / d2l's random.shuffle), without training.
- `epoch_view` / `point_roles` / `batch_table` / `batch_of_sample`: which samples the run has drawn
  this epoch, and which batch each sample lands in.
- `comparison_configs` / `pitfall_configs` / `train_all` / `summarize`: batch vs stochastic vs
  mini-batch GD from the same data and the same initial w, b; seed 000's full-tensor slip vs the loop
  as intended.
- `d2l_epoch_lines` / `estimation_errors`: what d2l prints after each epoch and at the end.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader, TensorDataset

from ..config import Config
from ..data import Dataset
from ..downsample import MAX_POINTS, minmax_indices
from ..engine import Run
from ..errors import ConfigError
from ..i18n import Message, Text
from ..links import Field
from ..numbers import fixed
from .. import printouts
from ..presets import get_preset

MODES = ("batch", "stochastic", "minibatch")
MODE_LABELS = {m: Message.of(f"minibatch.mode.{m}") for m in MODES}  # chart series and table rows
PITFALL_LABELS = {False: Message.of("minibatch.pitfall_label.intended"),
                  True: Message.of("minibatch.pitfall_label.pitfall")}
BASES = ("linreg-minibatch", "linreg-d2l")  # the two tutorials this lesson follows
COMPARE_STEP_BUDGET = 20_000  # at most this many stochastic steps for one "run all three" click
MAX_SAMPLES_SHOWN = 256  # batches listed in a table (the engine keeps at most 256 per epoch)

# -- share links: every widget of the page that changes a run ------------------------------------
# lo/hi are the widgets' min_value/max_value. batch_size's widget stops at the data set's size
# (150 or 1000); the page caps a larger link value to the data with one sentence (clamp_batch_size).
# cmp_epochs' widget stops at max_compare_epochs(n); the page caps a larger value the same way.
# The seed is the app sidebar's widget (w.seed), drawn before this page runs: a page cannot set it from
# a link, so it is not one of this page's fields.
LINK_FIELDS: list[Field] = [
    Field("data", "w.minibatch.base", "choice", choices=BASES),
    Field("batch_size", "w.minibatch.batch_size", "int", 1, max(get_preset(b).n for b in BASES)),
    Field("lr", "w.minibatch.lr", "float", 1e-6, 100.0, log=True),
    Field("epochs", "w.minibatch.epochs", "int", 1, 1000),
    Field("shuffle", "w.minibatch.shuffle", "bool"),
    Field("pitfall", "w.minibatch.pitfall", "bool"),
    Field("cmp_epochs", "w.minibatch.cmp_epochs", "int", 1,
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
        out = ["dataloader len =%d" % self.length]
        shown = self.sizes if len(self.sizes) <= limit else self.sizes[: limit - 2]
        out += ["index=%d num = %d" % (i, s) for i, s in enumerate(shown)]
        out = [Message.verbatim(line) for line in out]
        if len(shown) < len(self.sizes):
            out.append(Message.of("minibatch.loader_more", k=len(self.sizes) - len(shown) - 1))
            out.append(Message.verbatim("index=%d num = %d" % (len(self.sizes) - 1, self.sizes[-1])))
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
        return min(20, n), T("minibatch.clamp.not_whole", value=repr(batch_size), fallback=min(20, n))
    if bs > n:
        return n, T("minibatch.clamp.too_large", bs=bs, n=n)
    if bs < 1:
        return 1, T("minibatch.clamp.too_small")
    return bs, None


# -- which samples a run draws ------------------------------------------------------------------

class ShuffleReplay:
    """The batches of each epoch of a run, replayed from the run's own generators without training.

    Uses the tutorials' own shuffling: `DataLoader(TensorDataset(indices), shuffle=True, generator=g)`
    for the DataLoader loop (the permutation of an epoch does not depend on batch_size, so one
    batch of all n indices is drawn and cut into batch_size slices), `random.shuffle` for d2l's
    data_iter, `torch.randperm` for plain indexing. Tests check it against the run's own batches. Epochs are replayed forward and the last few
    are cached, so asking for the current epoch again and again is cheap.
    """

    KEEP = 4  # epochs kept in the cache

    def __init__(self, config: Config, n: int):
        self.config = config
        self.n = n
        self.batch_size = config.batch_size_for(n)
        self._restart()

    def _restart(self) -> None:
        c = self.config
        self._next = 1
        self._cache: dict[int, list[int]] = {}
        # the engine seeds its shuffling generators from the run's seed (see engine.Run._build)
        self._gen = torch.Generator().manual_seed(c.seed + 1)
        self._py = random.Random(c.seed)
        self._loader = None
        if c.loader == "dataloader":
            ds = TensorDataset(torch.arange(self.n))
            self._loader = DataLoader(ds, batch_size=self.n, shuffle=c.shuffle, generator=self._gen)

    def _draw(self) -> list[int]:
        c, n = self.config, self.n
        if c.mode == "batch":
            return list(range(n))
        if self._loader is not None:
            # One epoch of the engine's loader: a new iterator (it draws one seed from the generator),
            # then the sampler's permutation; like a `for` loop, the run lets the sampler run to its
            # end, where it draws one more (unused) permutation.
            it = iter(self._loader)
            (perm,) = next(it)
            for _ in it:
                pass
            return perm.tolist()
        if c.loader == "d2l":
            indices = list(range(n))
            if c.shuffle:
                self._py.shuffle(indices)
            return indices
        return torch.randperm(n, generator=self._gen).tolist() if c.shuffle else list(range(n))

    def order(self, epoch: int) -> list[int]:
        """The order in which epoch `epoch` (1-based) visits the samples."""
        if epoch < 1:
            raise ValueError(f"epochs count from 1, got {epoch}")
        if epoch in self._cache:
            return self._cache[epoch]
        if epoch < self._next:
            self._restart()
        while self._next <= epoch:
            self._cache[self._next] = self._draw()
            for old in [e for e in self._cache if e <= self._next - self.KEEP]:
                del self._cache[old]
            self._next += 1
        return self._cache[epoch]

    def batches(self, epoch: int) -> list[list[int]]:
        """The index lists of every batch of epoch `epoch`, in the order they are drawn."""
        order, bs = self.order(epoch), self.batch_size
        return [order[i:i + bs] for i in range(0, len(order), bs)]


@dataclass(frozen=True)
class EpochView:
    """Where a run stands inside an epoch."""

    epoch: int  # the epoch being drawn (1-based); after an epoch ends, that epoch until the next step
    drawn: int  # batches drawn so far in it
    total: int  # batches in one epoch (len(dataloader))
    complete: bool  # every batch of this epoch has been drawn

    @property
    def next_epoch(self) -> int:
        return self.epoch + 1


def epoch_view(run: Run) -> EpochView:
    """The epoch whose batches `run.epoch_batches` holds, and how far into it the run is."""
    spe = run.steps_per_epoch
    if run.step_count > 0 and run.batch_in_epoch == 0:
        return EpochView(run.epoch, spe, spe, True)
    return EpochView(run.epoch + 1, run.batch_in_epoch, spe, False)


def run_epochs(run: Run) -> int:
    """Epochs in the whole run (`num_epochs`; a last, partial epoch counts)."""
    return -(-run.total_steps // run.steps_per_epoch)


def reshuffle_epochs(view: EpochView, epochs: int) -> tuple[int, int, bool]:
    """The two epochs the reshuffle chart puts side by side, and whether the second lies past the run.

    The current epoch and the next one; in the run's last epoch, the one before and the current one
    (a 99-epoch run has no epoch 100); a one-epoch run can only show what a second epoch would draw.
    """
    if view.epoch < epochs:
        return view.epoch, view.epoch + 1, False
    if view.epoch >= 2:
        return view.epoch - 1, view.epoch, False
    return 1, 2, True


NOT_YET, EARLIER, CURRENT = 0, 1, 2
ROLE_NAMES = {NOT_YET: "not drawn yet", EARLIER: "drawn this epoch", CURRENT: "current batch"}


def point_roles(n: int, epoch_batches: Sequence[Sequence[int] | None], last_batch: Sequence[int] | None) -> np.ndarray:
    """For each sample: 2 in the current batch, 1 drawn earlier this epoch, 0 not drawn yet.

    A batch of None (batch mode: all data) marks every sample.
    """
    roles = np.zeros(n, dtype=np.int8)
    for b in epoch_batches:
        if b is None:
            roles[:] = EARLIER
        else:
            roles[np.asarray(b, dtype=np.int64)] = EARLIER
    if last_batch is not None:
        roles[np.asarray(last_batch, dtype=np.int64)] = CURRENT
    elif epoch_batches and epoch_batches[-1] is None:
        roles[:] = CURRENT
    return roles


def batch_of_sample(batches: Sequence[Sequence[int]], n: int) -> np.ndarray:
    """For each sample index, the number (0-based) of the batch it lands in; -1 if in none."""
    out = np.full(n, -1, dtype=np.int64)
    for k, b in enumerate(batches):
        out[np.asarray(b, dtype=np.int64)] = k
    return out


def batch_table(batches: Sequence[Sequence[int] | None], limit: int = MAX_SAMPLES_SHOWN) -> pd.DataFrame:
    """One row a batch: its number (as the tutorial's `index`), its size and its sample indices.

    `index` and `num` are the tutorial's own names; the third column's header is a Message.
    """
    T = Message.of
    indices = T("minibatch.table.sample_indices")
    rows = []
    for k, b in enumerate(batches[:limit]):
        idx = T("minibatch.table.all") if b is None else ", ".join(str(int(i)) for i in b)
        rows.append({"index": k, "num": None if b is None else len(b), indices: idx})
    return pd.DataFrame(rows, columns=["index", "num", indices])


def format_batch(batch: Sequence[int] | None, limit: int = 40) -> Text:
    """A batch's indices as a short Python list (`[12, 87, 3, ...]`)."""
    if batch is None:
        return Message.of("minibatch.batch_all")
    items = [str(int(i)) for i in batch]
    if len(items) <= limit:
        return Message.verbatim("[" + ", ".join(items) + "]")
    return [Message.verbatim("[" + "".join(f"{i}, " for i in items[:limit])),
            Message.of("minibatch.batch_more", k=len(batch) - limit), Message.verbatim("]")]


def reshuffle_frame(replay: ShuffleReplay, epoch: int, max_samples: int = 1000) -> pd.DataFrame:
    """Batch index of every sample in `epoch` and in `epoch + 1`, samples in the order `epoch` visits them.

    Long frame with columns position (0-based place in epoch's order), sample, epoch (label), batch.
    In `epoch`'s row the batches are contiguous blocks 0, 1, 2, ...; the next row shows where the same
    samples land after the reshuffle (the same blocks again when shuffle is off).
    """
    n = replay.n
    order = np.asarray(replay.order(epoch), dtype=np.int64)
    pos = np.arange(n) if n <= max_samples else np.linspace(0, n - 1, max_samples).astype(np.int64)
    samples = order[pos]
    parts = []
    for e in (epoch, epoch + 1):
        assign = batch_of_sample(replay.batches(e), n)
        parts.append(pd.DataFrame({"position": pos, "sample": samples, "epoch": f"epoch {e}",
                                   "batch": assign[samples]}))
    return pd.concat(parts, ignore_index=True)


def same_batches_share(a: Sequence[Sequence[int]], b: Sequence[Sequence[int]]) -> float:
    """Share of batch k in `a` that is the same set as batch k in `b` (1.0 without shuffling)."""
    if not a:
        return 1.0
    same = sum(1 for x, y in zip(a, b) if set(x) == set(y))
    return same / len(a)


# -- batch vs stochastic vs mini-batch, and the pitfall ------------------------------------------

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
    return Message.of("minibatch.pitfall_note", n=n, bs=bs, factor=f"{n / bs:.3g}", lr=f"{config.lr * n / bs:.3g}")


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
# a column's header for the learner: minibatch.table.<key> (w and b stay w and b)
COLUMN_KEYS = {"run": "run", "samples per step": "samples_per_step", "batch_size": "batch_size",
               "steps per epoch": "steps_per_epoch", "steps": "steps", "w": "w", "b": "b",
               "loss (all data)": "loss_all", "steps where loss rose": "rose", "ms per epoch": "ms_per_epoch",
               "status": "status"}


def column_header(column: str) -> Message:
    """The header a summary_table column shows."""
    return Message.of(f"minibatch.table.{COLUMN_KEYS[column]}")


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
            "status": (Message.of("minibatch.table.ok") if s["status"] == "ok"
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
    return [T("minibatch.d2l_error_w", w=w), T("minibatch.d2l_error_b", b=f"{errors['b']:.4e}")]


def start_params(run: Run) -> dict:
    """The w and b a run started from, as flat lists (same seed => same start in every mode)."""
    return {"w": [float(v) for v in run.w0.reshape(-1)], "b": [float(v) for v in run.b0.reshape(-1)]}


def feature_xy(data: Dataset, feature: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(feature column, labels) of a data set as flat float arrays, for a scatter of one feature."""
    k = feature if 0 <= feature < data.n_features else 0
    return data.X[:, k].detach().cpu().numpy().astype(np.float64), data.y.detach().cpu().numpy().reshape(-1).astype(np.float64)


def fmt_w(values: Sequence[float]) -> str:
    """w for display: one number, or a bracketed list for several features (-1.34e18 once blown up)."""
    vals = list(values)
    if len(vals) == 1:
        return fixed(vals[0])
    return "[" + ", ".join(fixed(v) for v in vals) + "]"
