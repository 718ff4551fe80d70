"""What each tutorial prints while it trains: its own line, at its own cadence, in its own numbering.

- 000 (`linreg-minibatch`) prints after every update, inside `for epoch in range(1, 100)` and
  `for batch_index, (data, label) in enumerate(dataloader)` (epochs count from 1, batches from 0):
  `print("epoch(%d) batch(%d) lossΔw,Δb,w,b, = %.3lf,%.3lf,%.3lf,%.3lf,%.3lf," % (...))`
- 002 (`linreg-module`) prints every 20 iterations of `for i in range(30000)` (i counts from 0):
  `if (i+1) % 20 == 0: print('Epoch[{}/{}], loss: {:.6f}'.format(i, 30000, loss.data))`
- 003 (`linreg-manual`) prints every 500 iterations of `for i in range(3000)`:
  `if i % 500 == 0: print(i, loss)`, where loss is the tensor `loss_fn` returns: `0 tensor(1.2345)`.

Steps here count from 1: step s is the tutorial's iteration i = s - 1, and the loss a tutorial prints
at iteration i is the loss step s computed before its update (a record's loss, `Run.losses()[s - 1]`).
"""
from __future__ import annotations

from collections.abc import Sequence

import torch

# how often each tutorial prints (in updates); presets without a per-step printout are not listed
EVERY = {"linreg-minibatch": 1, "linreg-module": 20, "linreg-manual": 500}
EPOCH_BATCH = "linreg-minibatch"  # the one tutorial that numbers its updates epoch(e) batch(i)


def line_000(epoch: int, batch: int, loss: float, grad_w: float, grad_b: float, w: float, b: float) -> str:
    """One line of tutorial 000's print, character for character (its `lossΔw,Δb,w,b,` and trailing comma)."""
    return (f"epoch({epoch}) batch({batch}) lossΔw,Δb,w,b, = "
            f"{loss:.3f},{grad_w:.3f},{grad_b:.3f},{w:.3f},{b:.3f},")


def line_002(i: int, total: int, loss: float) -> str:
    """One line of tutorial 002's print: `Epoch[19/30000], loss: 0.123456` (i counts from 0)."""
    return f"Epoch[{i}/{total}], loss: {loss:.6f}"


def line_003(i: int, loss: float) -> str:
    """One line of tutorial 003's `print(i, loss)`: the float32 loss tensor as torch prints it."""
    return f"{i} {torch.tensor(loss, dtype=torch.float32)!r}"


def printed_steps(preset: str, upto: int, last: int | None = None) -> list[int]:
    """The steps up to `upto` at which the tutorial printed, oldest first (only the last `last` of them)."""
    every = EVERY.get(preset)
    if every is None or upto < 1:
        return []
    first = 1 if preset == "linreg-manual" else every
    steps = range(first, upto + 1, every)
    if last is not None:
        steps = steps[max(0, len(steps) - last):]
    return list(steps)


def where(preset: str, record: dict) -> str:
    """A step in the tutorial's own words: `epoch(1) batch(4)` for 000, `i = 41` for the loops over i."""
    if preset == EPOCH_BATCH:
        return f"epoch({record['epoch']}) batch({record['batch']})"
    return f"i = {record['step'] - 1}"


def lines_000(records: Sequence[dict]) -> list[str]:
    """Tutorial 000's print of several records (step, epoch, batch, loss, grad_w, grad_b, w, b), oldest first."""
    return [line_000(r["epoch"], r["batch"], r["loss"], r["grad_w"], r["grad_b"], r["w"], r["b"]) for r in records]


def lines(preset: str, losses: Sequence[float], records: Sequence[dict], total: int, last: int = 15) -> list[str]:
    """What the tutorial had printed by now: its last `last` lines, oldest first.

    losses: every step's loss so far (`Run.losses()`); records: the newest detailed records (000 prints
    the gradients and parameters of every step); total: the loop's length, which 002 prints.
    """
    if preset == EPOCH_BATCH:
        return lines_000(list(records)[-last:])
    out = []
    for s in printed_steps(preset, len(losses), last):
        loss = float(losses[s - 1])
        out.append(line_002(s - 1, total, loss) if preset == "linreg-module" else line_003(s - 1, loss))
    return out
