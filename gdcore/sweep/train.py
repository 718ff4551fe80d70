"""Training a sweep: chunks of steps on the batched program, each run's divergence, the SweepResult."""
from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import torch

from .. import reference, threads
from ..config import Config
from ..data import Dataset
from ..engine import Run
from ..errors import ConfigError
from .batched import Batched
from .grid import check_lrs
from .result import SweepResult

MAX_LOSS_VALUES = 40_000_000  # steps x runs of recorded losses (160 MB of float32 on the host)
MAX_BATCH_VALUES = 16_000_000  # runs x samples per step (one (R, batch) float32 block is 64 MB)


def sweep(config: Config, lrs, callback: Callable[[int, int], bool | None] | None = None,
          data: Dataset | None = None, chunk: int | None = None) -> SweepResult:
    """Train one run per lr, all at once; each equals `Run(config.replace(lr=lr)).run()`.

    `callback(steps_done, total_steps)` is called after every chunk of steps; returning False
    stops the sweep there (the result then holds the steps done).
    """
    t0 = time.perf_counter()
    threads.pin()  # whichever thread trains, the same sums (gdcore/threads.py)
    lrs = check_lrs(config, lrs)
    run = Run(config, data)  # data, initial parameters, generators: exactly the sequential run's
    c = run.config
    if c.optimizer not in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"):
        raise ConfigError(key="sweep_optimizer", optimizer=repr(c.optimizer))
    R, total = len(lrs), run.total_steps
    if R * total > MAX_LOSS_VALUES:
        raise ConfigError(key="sweep_too_long", runs=R, steps=total, max=MAX_LOSS_VALUES)
    if R * run.batch_size > MAX_BATCH_VALUES:
        raise ConfigError(key="sweep_too_wide", runs=R, batch_size=run.batch_size)
    if chunk is None:
        chunk = 256 if run.device.type == "cpu" else 2048
    prog = Batched(run, lrs, max(1, min(int(chunk), total)))
    P, d = prog.P, prog.d

    losses = np.zeros((total, R), dtype=np.float32)
    lengths = np.full(R, 0, dtype=np.int64)
    diverged_at: list[int | None] = [None] * R
    what: list[str | None] = [None] * R
    final_theta = np.zeros((R, P), dtype=np.float32)
    done, stopped = 0, False
    with torch.enable_grad():
        while done < total:
            k = min(prog.chunk, total - done)
            snapshot = prog.theta_d.clone()  # parameters before this chunk (for a divergence at its first row)
            prog.advance(0, k)
            L, bad = prog.check(k)
            L[:, ~prog.live] = 0.0
            any_bad = bad.any(0)  # (k, R)
            newly = [r for r in np.flatnonzero(any_bad.any(0)) if prog.live[r]]
            if newly:
                T = prog.T[:k].cpu().numpy()
                snap = snapshot.cpu().numpy()
                for r in newly:
                    row = int(np.argmax(any_bad[:, r]))
                    diverged_at[r] = done + row + 1
                    what[r] = ("loss", "parameters", "optimizer state")[int(np.argmax(bad[:, row, r]))]
                    lengths[r] = done + row
                    final_theta[r] = T[row - 1, r] if row > 0 else snap[r]
                    L[row:, r] = 0.0
                prog.park(newly)
            losses[done:done + k] = L
            done += k
            lengths[prog.live] = done
            if not prog.live.any():
                break
            if callback is not None and callback(done, total) is False:
                stopped = done < total
                break
    fl = prog.final_losses()
    th = prog.theta_d.cpu().numpy()
    final_loss: list[float | None] = []
    for r in range(R):
        if diverged_at[r] is None:
            final_theta[r] = th[r]
            final_loss.append(float(fl[r]) if math.isfinite(fl[r]) else None)
        else:
            final_loss.append(None)
    limit = lam = lam_min = None
    if c.task == "linreg":
        eig = np.linalg.eigvalsh(reference.hessian(run.data.X, c.loss))
        lam, lam_min = float(eig[-1]), max(float(eig[0]), 0.0)
        limit = run.stability_limit()
    return SweepResult(
        config=c, lrs=lrs, steps=done, total_steps=total, seconds=time.perf_counter() - t0,
        device=str(run.device), losses=losses[:done], lengths=lengths, diverged_at=diverged_at,
        diverged_what=what, final_loss=final_loss, w=final_theta[:, :d].copy(), b=final_theta[:, d].copy(),
        param_columns=list(run.param_columns), steps_per_epoch=run.steps_per_epoch, stability_limit=limit,
        lambda_max=lam, lambda_min=lam_min, stopped=stopped)
