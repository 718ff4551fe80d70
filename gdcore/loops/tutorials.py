"""The five tutorials' training loops, as the tutorials write them: one copy, used everywhere.

    w, b = linreg_module(steps=30000)      # seed 002, the plain loop the benchmarks time
    shown(linreg_manual)                   # the lines the lesson page shows, exactly as written below

The lesson pages show them (`shown`: the lines between the `# >>> shown` and `# <<< shown` markers,
or `# >>> shown <part>` and `# <<< shown <part>` for one named part, less those marked
`# (not shown)`; a comment line `#| text` is shown as `text` but never runs, for what the tutorial
prints or fixes as a literal that the function takes as an argument), the tests use them as the
trusted answer the engine must equal bit for bit, and the benchmarks time them as the baseline.
They seed torch's (numpy's, random's) global generators as the tutorials do, so every function here
puts those generators back when it returns; the engine never calls them. This module imports nothing
from gdcore: the benchmarks load it alone, so a plain loop's process start pays no gdcore import.
"""
from __future__ import annotations

import functools
import inspect
import random
import re
import textwrap

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 (tutorial 004's own name for it)
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

SHOWN_START, SHOWN_END, NOT_SHOWN, SHOWN_ONLY = "# >>> shown", "# <<< shown", "# (not shown)", "#| "


def _restores_global_generators(loop):
    """Run `loop`, then put torch's, numpy's and random's global generators back as they were."""
    @functools.wraps(loop)
    def wrapper(*args, **kwargs):
        states = torch.random.get_rng_state(), np.random.get_state(), random.getstate()
        try:
            return loop(*args, **kwargs)
        finally:
            torch.random.set_rng_state(states[0])
            np.random.set_state(states[1])
            random.setstate(states[2])
    return wrapper


def shown(loop, part: str = "") -> str:
    """The lines of `loop` a lesson page shows (all of them, or one named part), dedented, as the
    learner reads them."""
    lines = inspect.getsource(inspect.unwrap(loop)).splitlines()
    start_mark, end_mark = (f"{SHOWN_START} {part}", f"{SHOWN_END} {part}") if part else (SHOWN_START, SHOWN_END)
    start = next(i for i, ln in enumerate(lines) if ln.strip() == start_mark)
    end = next(i for i, ln in enumerate(lines) if ln.strip() == end_mark)
    kept = []
    for ln in lines[start + 1:end]:
        if ln.endswith(NOT_SHOWN) or ln.strip().startswith((SHOWN_START, SHOWN_END)):
            continue
        indent = ln[:len(ln) - len(ln.lstrip())]
        if ln.strip().startswith(SHOWN_ONLY):
            ln = indent + ln.strip()[len(SHOWN_ONLY):]
        kept.append(re.sub(r"\s+# noqa\b.*$", "", ln))
    return textwrap.dedent("\n".join(kept))


@_restores_global_generators
def linreg_minibatch(seed: int = 100, epochs: int = 99):
    """Seed 000: numpy data, DataLoader(batch_size=20, shuffle=True), the hand update; returns w, b, losses.

    The loop uses the batch, as the tutorial intends (its body reads the full tensorX, tensorY: the
    pitfall the dashboard shows apart). The tutorial leaves w, b and the shuffle unseeded; here they
    come from generators seeded with seed and seed + 1, as the preset's run draws them.
    """
    np.random.seed(100)
    x = 5 * np.random.rand(150, 1)
    y = 2 * x + 6 + np.random.randn(150, 1) * 0.3
    tensorX = torch.from_numpy(x).float()  # noqa: N806 (the tutorial's names)
    tensorY = torch.from_numpy(y).float()  # noqa: N806
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(1, generator=g, requires_grad=True)
    b = torch.randn(1, generator=g, requires_grad=True)
    dataloader = DataLoader(TensorDataset(tensorX, tensorY), batch_size=20, shuffle=True,
                            generator=torch.Generator().manual_seed(seed + 1))
    losses = []
    for epoch in range(1, epochs + 1):  # noqa: B007
        for batch_index, (data, label) in enumerate(dataloader):  # noqa: B007
            h = data * w + b
            loss = torch.mean((h - label) ** 2)
            loss.backward()
            w.data -= 0.01 * w.grad.data
            b.data -= 0.01 * b.grad.data
            losses.append(loss.item())
            w.grad.zero_()
            b.grad.zero_()
    return [w.item()], [b.item()], losses


@_restores_global_generators
def linreg_d2l(seed: int = 0, num_epochs: int = 3):
    """Seed 001, d2l's chapter as written, with torch's and random's global generators seeded with `seed`.

    Returns features, labels, w, b, the per-step mean losses, the per-epoch losses, true_w, true_b.
    """
    def synthetic_data(w, b, num_examples):
        X = torch.normal(0, 1, (num_examples, len(w)))  # noqa: N806 (d2l's names)
        y = torch.matmul(X, w) + b
        y += torch.normal(0, 0.01, y.shape)
        return X, y.reshape((-1, 1))

    def linreg(X, w, b):  # noqa: N803
        return torch.matmul(X, w) + b

    # >>> shown functions
    def data_iter(batch_size, features, labels):
        num_examples = len(features)
        indices = list(range(num_examples))
        random.shuffle(indices)  # the samples are read in random order
        for i in range(0, num_examples, batch_size):
            batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
            yield features[batch_indices], labels[batch_indices]

    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def sgd(params, lr, batch_size):
        with torch.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()
    # <<< shown functions

    torch.manual_seed(seed)
    random.seed(seed)
    step_losses, epoch_losses = [], []
    # >>> shown loop
    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)
    batch_size = 10
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr = 0.03  # the learning rate
    #| num_epochs = 3  # three passes over the data
    net = linreg
    loss = squared_loss
    for epoch in range(num_epochs):  # noqa: B007 (used by the printed line)
        for X, y in data_iter(batch_size, features, labels):  # noqa: N806
            l = loss(net(X, w, b), y)  # noqa: E741
            l.sum().backward()  # sum, then backward
            sgd([w, b], lr, batch_size)
            step_losses.append(l.mean().item())  # (not shown)
        with torch.no_grad():
            train_l = loss(net(features, w, b), labels)
            epoch_losses.append(float(train_l.mean()))  # (not shown)
            #| print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')
    #| print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
    #| print(f'error in estimating b: {true_b - b}')
    # <<< shown loop
    return features, labels, w.detach().reshape(-1), b.detach(), step_losses, epoch_losses, true_w, true_b


@_restores_global_generators
def linreg_module(steps: int = 30000, seed: int = 0):
    """Seed 002, as written: x = torch.rand([50, 1]); y = 3x + 0.8; nn.Linear; MSELoss; SGD(1e-3)."""
    torch.manual_seed(seed)
    x = torch.rand([50, 1])
    y = x * 3 + 0.8

    # >>> shown model
    class Lr(nn.Module):
        def __init__(self):
            super(Lr, self).__init__()  # noqa: UP008 (the tutorial's spelling)
            self.linear = nn.Linear(1, 1)   # holds w (weight) and b (bias)

        def forward(self, x):
            out = self.linear(x)            # y_hat = x w + b
            return out

    model = Lr()
    #| y_hat = model(x)   # nn.Module.__call__ runs forward(x)
    # <<< shown model
    # >>> shown loop
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=1e-3)
    #| for i in range(30000):
    for i in range(steps):  # noqa: B007  # (not shown)
        out = model(x)                 # forward
        loss = criterion(y, out)       # mean((y_hat - y)**2)
        optimizer.zero_grad()          # Δw, Δb := 0
        loss.backward()                # Δw, Δb := ∂loss/∂w, ∂loss/∂b
        optimizer.step()               # w -= lr * Δw  (for SGD)
    # <<< shown loop
    return model.linear.weight.detach().reshape(-1).tolist(), model.linear.bias.detach().reshape(-1).tolist()


@_restores_global_generators
def linreg_manual(seed: int = 0):
    """Seed 003's loop (loss_fn and optimize written inline); returns x, w, b and the per-step losses."""
    torch.manual_seed(seed)
    losses = []
    # >>> shown
    x = torch.rand([50]); y = 3*x + 0.8  # noqa: E702 (the page's compact form)
    w = torch.rand(1, requires_grad=True); b = torch.rand(1, requires_grad=True)  # noqa: E702
    for i in range(3000):  # noqa: B007 (the tutorial's loop)
        y_predict = x*w + b                          # forward
        loss = (y_predict - y).pow(2).mean()
        losses.append(loss.item())  # (not shown)
        for p in [w, b]:                             # zero old gradients, they accumulate
            if p.grad is not None: p.grad.data.zero_()  # noqa: E701
        loss.backward()                              # backward
        w.data -= 0.01 * w.grad.data                 # update
        b.data -= 0.01 * b.grad.data
    # <<< shown
    return x, w.item(), b.item(), losses


@_restores_global_generators
def logreg_manual(epochs: int = 100):
    """Seed 004, as written (its class unrolled, printing once per epoch dropped); returns w, b, epoch losses."""
    n_items, learning_rate = 1000, 0.001
    # >>> shown
    torch.manual_seed(123)
    data_x = torch.randn(size=(1000, 2))
    data_y = torch.where(data_x[:, 0]*0.5 - data_x[:, 1]*1.5 > 0, 1., 0.)

    w = torch.randn(size=(2, 1), requires_grad=True)
    b = torch.zeros(size=(1, 1), requires_grad=True)

    def forward(x):            # x: ONE sample, shape (2,)
        return F.sigmoid(torch.matmul(w.transpose(0, 1), x) + b)

    def loss_func(y_hat, y):
        return -(torch.log(y_hat)*y + (1-y)*torch.log(1-y_hat))
    # <<< shown
    epoch_losses = []
    # >>> shown loop
    #| for epoch in range(epochs):
    for epoch in range(epochs):  # noqa: B007  # (not shown)
        for step in range(n_items):
            y_hat = forward(data_x[step])
            y = data_y[step]
            loss = loss_func(y_hat, y)
            loss.backward()
            with torch.no_grad():
                w.data -= learning_rate * w.grad
                b.data -= learning_rate * b.grad
            w.grad.data.zero_()
            b.grad.data.zero_()
        epoch_losses.append(loss.item())  # (not shown)
        #| print("Epoch: %03d, Loss: %.3f" % (epoch, loss.item()))
    # <<< shown loop
    return w.detach().reshape(-1).tolist(), b.detach().reshape(-1).tolist(), epoch_losses


LOOPS = {"linreg-minibatch": linreg_minibatch, "linreg-d2l": linreg_d2l, "linreg-module": linreg_module,
         "linreg-manual": linreg_manual, "logreg-manual": logreg_manual}
