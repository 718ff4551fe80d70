"""Plain reference loops' parts for the engine tests: torch's own DataLoader and optimizers, the run's seeds."""
from __future__ import annotations

import torch
from torch.utils.data import DataLoader, TensorDataset

from gdcore.config import Config

# The run's batches come from its own generators: a torch.Generator seeded with seed + 1 for
# DataLoader / index shuffles, random.Random(seed) for d2l's data_iter; w and b come from a
# torch.Generator seeded with seed (continuing after the data where the data came from torch).


def dataloader(X, y, bs, seed, shuffle=True):
    """A real DataLoader(TensorDataset, batch_size, shuffle) on the run's shuffle generator."""
    return DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=shuffle,
                      generator=torch.Generator().manual_seed(seed + 1))


def init_generator(ds, seed):
    g = torch.Generator()
    if ds.gen_state is not None:
        g.set_state(ds.gen_state)
    else:
        g.manual_seed(seed)
    return g


def take_batches(loader, steps):
    """Yield `steps` batches, epoch after epoch, as the tutorial's nested loop does."""
    k = 0
    while True:
        for xb, yb in loader:
            yield xb, yb
            k += 1
            if k == steps:
                return


def torch_optimizer(name, params, c: Config):
    if name == "sgd":
        return torch.optim.SGD(params, lr=c.lr, weight_decay=c.weight_decay)
    if name == "momentum":
        return torch.optim.SGD(params, lr=c.lr, momentum=c.momentum, weight_decay=c.weight_decay)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=c.lr, momentum=c.momentum, nesterov=True, weight_decay=c.weight_decay)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=c.lr, weight_decay=c.weight_decay,
                                   **({} if c.eps is None else {"eps": c.eps}))
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=c.lr, alpha=c.alpha, momentum=c.rms_momentum,
                                   weight_decay=c.weight_decay, **({} if c.eps is None else {"eps": c.eps}))
    if name == "adam":
        return torch.optim.Adam(params, lr=c.lr, betas=(c.beta1, c.beta2), weight_decay=c.weight_decay,
                                **({} if c.eps is None else {"eps": c.eps}))
    raise AssertionError(name)
