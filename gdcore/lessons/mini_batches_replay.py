"""Mini-batches: which samples a run draws (seeds 000 and 001), without training.

- `ShuffleReplay`: the batches of any epoch of a run, replayed from the run's own generators with the
  tutorials' own shuffling code (DataLoader / d2l's random.shuffle).
- `epoch_view` / `point_roles` / `batch_table` / `batch_of_sample`: which samples the run has drawn
  this epoch, and which batch each sample lands in; `reshuffle_frame`: two epochs' orders side by side.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader, TensorDataset

from ..config import Config
from ..engine import Run
from ..i18n import Message, Text

MAX_SAMPLES_SHOWN = 256  # batches listed in a table (the engine keeps at most 256 per epoch)


class ShuffleReplay:
    """The batches of each epoch of a run, replayed from the run's own generators without training.

    Uses the tutorials' own shuffling: `DataLoader(TensorDataset(indices), shuffle=True, generator=g)`
    for the DataLoader loop (the permutation of an epoch does not depend on batch_size, so one
    batch of all n indices is drawn and cut into batch_size slices), `random.shuffle` for d2l's
    data_iter, `torch.randperm` for plain indexing. Tests check it against the run's own batches. Epochs are
    replayed forward and the last few are cached, so asking for the current epoch again and again is cheap.
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
    indices = T("mini_batches.table.sample_indices")
    rows = []
    for k, b in enumerate(batches[:limit]):
        idx = T("mini_batches.table.all") if b is None else ", ".join(str(int(i)) for i in b)
        rows.append({"index": k, "num": None if b is None else len(b), indices: idx})
    return pd.DataFrame(rows, columns=["index", "num", indices])


def format_batch(batch: Sequence[int] | None, limit: int = 40) -> Text:
    """A batch's indices as a short Python list (`[12, 87, 3, ...]`)."""
    if batch is None:
        return Message.of("mini_batches.batch_all")
    items = [str(int(i)) for i in batch]
    if len(items) <= limit:
        return Message.verbatim("[" + ", ".join(items) + "]")
    return [Message.verbatim("[" + "".join(f"{i}, " for i in items[:limit])),
            Message.of("mini_batches.batch_more", k=len(batch) - limit), Message.verbatim("]")]


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
