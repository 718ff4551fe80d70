"""Plain copies of the tutorials' training loops, the baselines every benchmark compares against.

Run as a script: `python benchmarks/tutorial_loops.py linreg-module` (or logreg-manual) trains the
tutorial's loop as written (printing switched off) and prints the final w and b. An optional
`--steps N` (linreg-module) or `--epochs N` (logreg-manual) shortens the run, as the gdcore CLI's
flags of the same names do (benchmarks/bench_engine.py --quick uses them).
"""
from __future__ import annotations

import sys
import time

import torch
import torch.nn.functional as F
from torch import nn, optim


def linreg_module(steps: int = 30000, seed: int = 0):
    """Seed 002, as written: x = torch.rand([50, 1]); y = 3x + 0.8; nn.Linear; MSELoss; SGD(1e-3)."""
    torch.manual_seed(seed)
    x = torch.rand([50, 1])
    y = x * 3 + 0.8

    class Lr(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, x):
            return self.linear(x)

    model = Lr()
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=1e-3)
    for i in range(steps):
        out = model(x)
        loss = criterion(y, out)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.linear.weight.detach().reshape(-1).tolist(), model.linear.bias.detach().reshape(-1).tolist()


def logreg_manual(epochs: int = 100, seed: int = 123):
    """Seed 004, as written (printing once per epoch dropped)."""
    n_items, n_features, learning_rate = 1000, 2, 0.001
    torch.manual_seed(seed)
    data_x = torch.randn(size=(n_items, n_features)).float()
    data_y = torch.where(torch.subtract(data_x[:, 0] * 0.5, data_x[:, 1] * 1.5) > 0, 1., 0.).float()
    w = torch.randn(size=(n_features, 1), requires_grad=True)
    b = torch.zeros(size=(1, 1), requires_grad=True)
    epoch_losses = []
    for epoch in range(epochs):
        for step in range(n_items):
            y_hat = F.sigmoid(torch.matmul(w.transpose(0, 1), data_x[step]) + b)
            y = data_y[step]
            loss = -(torch.log(y_hat) * y + (1 - y) * torch.log(1 - y_hat))
            loss.backward()
            with torch.no_grad():
                w.data -= learning_rate * w.grad
                b.data -= learning_rate * b.grad
            w.grad.data.zero_()
            b.grad.data.zero_()
        epoch_losses.append(loss.item())
    return w.detach().reshape(-1).tolist(), b.detach().reshape(-1).tolist(), epoch_losses


LOOPS = {"linreg-module": linreg_module, "logreg-manual": logreg_manual}

if __name__ == "__main__":
    torch.set_num_threads(1)
    name = sys.argv[1]
    kwargs = {}
    args = sys.argv[2:]
    if args:  # `--steps N` (linreg-module) or `--epochs N` (logreg-manual)
        flag, value = args
        kwargs[{"--steps": "steps", "--epochs": "epochs"}[flag]] = int(value)
    t = time.perf_counter()
    result = LOOPS[name](**kwargs)
    print(f"w = {result[0]}\nb = {result[1]}\nseconds = {time.perf_counter() - t:.3f}")
