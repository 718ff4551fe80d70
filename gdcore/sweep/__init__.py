"""Many learning rates, one batched program: R runs that differ only in lr, trained at once.

    result = sweep(config, lr_grid(1e-3, 2.0, 32))
    result.final_loss, result.diverged_at, result.loss_history(i), result.records()

The parameters carry a leading run dimension: `theta` (R, P) holds every run's `[w..., b]`, and
the data is shared. Each step is ONE forward and ONE backward for all runs: with the design
matrix A = [X, 1], `Z = theta @ A.T` is every run's `y_hat` (R, batch); the batched loss is the
sum over runs of each run's own mean loss, so autograd hands each run exactly its own gradient.
The update is the tutorial's `w -= lr * grad` with a column of lrs, or torch.optim's single-tensor
algorithm (torch/optim/sgd.py, adagrad.py, rmsprop.py, adam.py) written out with one lr per run.

The data, the initial parameters and the batch order come from one `engine.Run(config)` (its
iterator draws the batches from the run's own seeded generators), so each run of a sweep equals
the sequential `Run(config.replace(lr=lr)).run()` to float rounding.

Divergence, per run, as the engine does it: the first step whose loss, parameters (hence
gradient) or optimizer state is not finite is that run's `diverged_at` (1-based); its last finite
parameters are kept, and from then on it is parked (parameters and state zeroed, lr 0) so no NaN
reaches the results. Losses stay on the device in a staging block and come to the host every
`chunk` steps, with the divergence check, in one transfer.

The parts: grid.py (the lrs and their checks), batched.py (the runs as tensors, one step for all),
updates.py (the optimizer updates with one lr per run), train.py (the chunked loop, divergence,
the result), result.py (SweepResult and its readers).
"""
from __future__ import annotations

from ..config import MAX_LR
from .grid import MAX_RUNS, lr_grid
from .result import SweepResult
from .train import MAX_BATCH_VALUES, MAX_LOSS_VALUES, sweep

__all__ = ["MAX_BATCH_VALUES", "MAX_LOSS_VALUES", "MAX_LR", "MAX_RUNS", "SweepResult", "lr_grid", "sweep"]
