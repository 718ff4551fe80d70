"""The loaders: each draws a run's batches for the engine and writes the same loop for the script.

    loader = loader_for(config)
    epoch = loader.batches(config, X, y, batch_size)     -> the engine's batches: epoch() yields one epoch's
                                                            (xb, yb, indices or None), in the run's own order
    loader.setup(plan)                                   -> the script's lines before training
    loader.head(plan)                                    -> the script's loop head, and the batch's names
    loader.imports                                       -> what the script must import for it

Every run owns its generators: a torch.Generator seeded with seed + SHUFFLE_OFFSET for the
DataLoader's and the index loop's shuffles, random.Random(seed) for d2l's data_iter.
"""
from __future__ import annotations

import random

import torch
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset

from ..config import Config

SHUFFLE_OFFSET = 1  # the shuffle generator's seed is seed + 1: the data and the start use seed itself
MAX_ONE_SAMPLE_ROWS = 200_000  # above this, one-sample steps index the tensor instead of a list of rows


def one_sample(config: Config, n: int, batch_size: int) -> bool:
    """Tutorial 004's path: one sample x of shape (d,) and its label (a number) a step."""
    return (config.task == "logreg" and config.impl == "manual" and batch_size == 1 and config.mode != "batch"
            and config.loader == "index" and n <= MAX_ONE_SAMPLE_ROWS)


def shuffle_generator(config: Config) -> torch.Generator:
    return torch.Generator().manual_seed(config.seed + SHUFFLE_OFFSET)


class _RecordingBatchSampler(BatchSampler):
    """A BatchSampler that remembers the indices of the batch it yielded last."""

    last: list[int] | None = None

    def __iter__(self):
        for batch in super().__iter__():
            self.last = batch
            yield batch


class FullBatch:
    """Batch gradient descent: every step sees all samples (tutorials 002 and 003)."""

    imports: tuple[str, ...] = ()

    def batches(self, config: Config, X, y, batch_size: int):
        def epoch():
            yield X, y, None
        return epoch

    def setup(self, p) -> list[str]:
        return []

    def head(self, p) -> tuple[list[str], str, str]:
        return ["for step in range(1, total_steps + 1):"], "X", "y"


class TorchDataLoader:
    """Tutorial 000: `DataLoader(TensorDataset(X, y), batch_size, shuffle)` on the run's own generator."""

    imports = ("DataLoader",)  # from torch.utils.data import DataLoader, TensorDataset

    def batches(self, config: Config, X, y, batch_size: int):
        gen = shuffle_generator(config)
        dataset = TensorDataset(X, y)
        base = RandomSampler(dataset, generator=gen) if config.shuffle else SequentialSampler(dataset)
        sampler = _RecordingBatchSampler(base, batch_size, drop_last=False)
        # batch_size=None: the sampler hands whole index lists to TensorDataset, which gathers a
        # batch in one indexing op; the batches are exactly those of DataLoader(batch_size, shuffle)
        loader = DataLoader(dataset, sampler=sampler, batch_size=None, generator=gen)

        def epoch():
            for xb, yb in loader:
                yield xb, yb, sampler.last
        return epoch

    def setup(self, p) -> list[str]:
        lines = ["dataset = TensorDataset(X, y)"]
        if p.c.shuffle:
            lines += ["dataloader = DataLoader(dataset, batch_size=batch_size,",
                      "                        shuffle=True,  # a new random order every epoch",
                      f"                        generator=torch.Generator().manual_seed(seed + {SHUFFLE_OFFSET}))"
                      "  # its own seeded stream"]
        else:
            lines.append("dataloader = DataLoader(dataset, batch_size=batch_size, shuffle=False)  # always in order")
        return lines + ['print("dataloader len = %d" % len(dataloader))  # batches per epoch']

    def head(self, p) -> tuple[list[str], str, str]:
        return ["for batch_index, (X_batch, y_batch) in enumerate(dataloader):"], "X_batch", "y_batch"


class D2lDataIter:
    """Tutorial 001 (d2l): `random.shuffle` of an index list, then slices of batch_size."""

    imports = ("random",)

    def batches(self, config: Config, X, y, batch_size: int):
        rng, n = random.Random(config.seed), len(X)

        def epoch():
            indices = list(range(n))
            if config.shuffle:
                rng.shuffle(indices)
            for i in range(0, n, batch_size):
                batch = indices[i:min(i + batch_size, n)]
                bi = torch.tensor(batch, device=X.device)
                yield X[bi], y[bi], batch
        return epoch

    def setup(self, p) -> list[str]:
        lines = []
        if p.c.shuffle:
            lines += ["rng = random.Random(seed)  # d2l calls random.shuffle; this is an own, seeded generator",
                      "", ""]
        lines += ["def data_iter(batch_size, features, labels):",
                  f'    """d2l\'s data_iter: the samples {"in random order" if p.c.shuffle else "in order"},'
                  ' batch_size at a time."""',
                  "    num_examples = len(features)",
                  "    indices = list(range(num_examples))"]
        if p.c.shuffle:
            lines.append("    rng.shuffle(indices)  # the samples are read in random order")
        return lines + ["    for i in range(0, num_examples, batch_size):",
                        "        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])",
                        "        yield features[batch_indices], labels[batch_indices]"]

    def head(self, p) -> tuple[list[str], str, str]:
        return ["for X_batch, y_batch in data_iter(batch_size, X, y):"], "X_batch", "y_batch"


class IndexBatches:
    """Index the tensors directly: slices of a (shuffled) order, or tutorial 004's one sample at a time."""

    imports: tuple[str, ...] = ()

    def batches(self, config: Config, X, y, batch_size: int):
        gen, n = shuffle_generator(config), len(X)
        rows = None
        if one_sample(config, n, batch_size):  # tutorial 004 indexes one sample a step: data_x[step], data_y[step]
            rows = (list(X.unbind(0)), list(y.reshape(-1).unbind(0)))

        def epoch():
            order = torch.randperm(n, generator=gen).tolist() if config.shuffle else range(n)
            if rows is not None:
                xs, ys = rows
                for i in order:
                    yield xs[i], ys[i], i
                return
            for i in range(0, n, batch_size):
                batch = list(order[i:i + batch_size])
                bi = torch.tensor(batch, device=X.device)
                yield X[bi], y[bi], batch
        return epoch

    def setup(self, p) -> list[str]:
        if p.c.shuffle:
            return [f"g_shuffle = torch.Generator().manual_seed(seed + {SHUFFLE_OFFSET})"
                    "  # a new order every epoch, own stream"]
        return ["# the samples are visited in order, no shuffling"]

    def head(self, p) -> tuple[list[str], str, str]:
        if p.one_sample:
            take = "    x_i, y_i = X[i], y[i, 0]  # a feature vector of shape (d,) and its label, a number"
            if p.c.shuffle:
                return ["order = torch.randperm(n, generator=g_shuffle).tolist()",
                        "for i in order:  # one sample a step", take], "x_i", "y_i"
            return ["for i in range(n):  # one sample a step, as data_x[step] in tutorial 004", take], "x_i", "y_i"
        if p.c.shuffle:
            return ["order = torch.randperm(n, generator=g_shuffle)",
                    "for i in range(0, n, batch_size):",
                    "    idx = order[i:i + batch_size]",
                    "    X_batch, y_batch = X[idx], y[idx]"], "X_batch", "y_batch"
        return ["for i in range(0, n, batch_size):",
                "    X_batch, y_batch = X[i:i + batch_size], y[i:i + batch_size]"], "X_batch", "y_batch"


LOADERS = {"dataloader": TorchDataLoader(), "d2l": D2lDataIter(), "index": IndexBatches()}


def loader_for(config: Config) -> FullBatch | TorchDataLoader | D2lDataIter | IndexBatches:
    """How a config's loop draws its batches (batch mode: the full data every step)."""
    return FullBatch() if config.mode == "batch" else LOADERS[config.loader]
