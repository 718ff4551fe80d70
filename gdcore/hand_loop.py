"""Seed 003's training loop written out by hand, with one switch per classic slip.

The workshop's "fix the broken loop" exercises run it: no zero_grad, an in-place update on a leaf
outside no_grad, sum instead of mean, seed 000's full tensors inside the batch loop. A fix is
right when the repaired loop gives the reference run's parameters (a gdcore Run of the same
config) to float rounding. The data, the start and the batch order come from that Run.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from . import threads
from .config import Config
from .engine import Run


@dataclass
class LoopResult:
    w: list[float]
    b: list[float]
    losses: list[float]
    error: str | None = None  # the exception torch raised, as the learner would see it

    @property
    def finite(self) -> bool:
        return self.error is None and all(math.isfinite(v) for v in self.w + self.b + self.losses[-1:])


def hand_loop(config: Config, steps: int, *, zero_grad: bool = True, update: str = "data",
              reduction: str = "mean", lr_scale: float = 1.0, full_tensors: bool = False) -> LoopResult:
    """Seed 003's loop on the config's data and start, with one switch per classic slip.

    update: "data" (`w.data -= lr * w.grad`), "no_grad" (`with torch.no_grad(): w -= lr * w.grad`),
    "inplace" (`w -= lr * w.grad` with no no_grad: torch refuses), "rebind" (`w = w - lr * w.grad`:
    w stops being a leaf, so the next backward leaves w.grad None).
    full_tensors: seed 000's slip, the mini-batch loop computes on the full tensors (config's mode
    must be minibatch); otherwise one step uses the batch of the config's mode.
    """
    threads.pin()  # whichever thread trains, the same sums (gdcore/threads.py)
    run = Run(config)  # the data, start and batch order come from gdcore, as in the reference run
    w = run.w0.clone().requires_grad_(True)
    b = run.b0.clone().requires_grad_(True)
    lr = config.lr * lr_scale
    losses: list[float] = []
    batches = _batches(run, steps, full_tensors)
    try:
        for xb, yb in batches:
            if zero_grad:
                for p in (w, b):
                    if p.grad is not None:
                        p.grad.data.zero_()
            err = (xb * w + b - yb) ** 2
            loss = err.mean() if reduction == "mean" else err.sum()
            loss.backward()
            losses.append(loss.item())
            if update == "data":
                w.data -= lr * w.grad.data
                b.data -= lr * b.grad.data
            elif update == "no_grad":
                with torch.no_grad():
                    w -= lr * w.grad
                    b -= lr * b.grad
            elif update == "inplace":
                w -= lr * w.grad
                b -= lr * b.grad
            elif update == "rebind":
                w = w - lr * w.grad
                b = b - lr * b.grad
            else:
                raise ValueError(f"unknown update {update!r}")
    except (RuntimeError, TypeError) as exc:
        return LoopResult(_floats(w), _floats(b), losses, f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    return LoopResult(_floats(w), _floats(b), losses)


def _floats(t: torch.Tensor) -> list[float]:
    return [float(v) for v in t.detach().reshape(-1)]


def _batches(run: Run, steps: int, full_tensors: bool):
    """(xb, yb) for each step: the run's own batch order (its DataLoader and generator)."""
    if run.config.mode == "batch":
        for _ in range(steps):
            yield run.X, run.y
        return
    taken = 0
    while taken < steps:
        for xb, yb, _ in run.epoch_iter():
            yield (run.X, run.y) if full_tensors else (xb, yb)
            taken += 1
            if taken >= steps:
                return


def reference_params(config: Config, steps: int) -> dict[str, list[float]]:
    run = Run(config.replace(steps=steps))
    run.run(steps)
    return run.params()


def same_params(result: LoopResult, ref: dict[str, list[float]], rtol: float = 1e-5) -> bool:
    if not result.finite:
        return False
    got, want = result.w + result.b, ref["w"] + ref["b"]
    return all(abs(g - r) <= rtol * max(1.0, abs(r)) for g, r in zip(got, want))
