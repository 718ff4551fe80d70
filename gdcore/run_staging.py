"""How a run's staged steps reach the host, and how the first non-finite value stops it.

The engine records each step into a small staging buffer on the run's device and checks it only
every chunk of steps (gdcore/history.py), so a long run does not wait on the device at every
step. When a chunk holds a non-finite value, the run stops at that step and puts back the state
it had after the last finite one: parameters, epoch losses, the batch drawn and the epoch's
batches, exactly as stepping one at a time would have left them.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from . import reference, stall
from .divergence import Divergence, locate


class RunStaging:
    """Flushing and divergence for gdcore.engine.Run (which holds the state these methods read)."""

    def sync(self) -> None:
        """Bring staged steps to the host (readers call this; cheap when nothing is staged)."""
        if self.history.j:
            self._flush()

    def _flush(self) -> None:
        hist = self.history
        before = hist.loss.n
        staged = hist.j
        bad = hist.flush()
        if self._state_flat is not None and any(
                t.data_ptr() != self.optimizer.state[p][k].data_ptr() for t, (k, p) in
                zip(self._state_flat, [(k, p) for k in self._state_keys for _, p in self.model.named()])):
            self._state_flat = None  # the optimizer replaced a state tensor: gather again
        if self._pending_epoch:
            self._flush_epochs(limit=None if bad is None else before + bad[0])
        if bad is None:
            self._flushed_batches = (self.step_count, self.epoch_batches, self.last_batch)
            self._staged_batches.clear()
            self._watch_stall(hist.loss.n - before)
            return
        row, col = bad
        kind, name = locate((["loss"] + hist.columns)[col])
        value = float(hist.stage[row, col].item()) if staged > row else float("nan")
        self.divergence = Divergence(before + row + 1, kind, value, name)
        self.status = "diverged"
        self.step_count = self.divergence.step - 1
        self._restore_last_finite()

    def _flush_epochs(self, limit: int | None) -> None:
        pend = [p for p in self._pending_epoch if limit is None or p[0] <= limit]
        self._pending_epoch = []
        if not pend:
            return
        vals = torch.stack([torch.stack([t if t is not None else torch.zeros((), device=self.device),
                                         v if v is not None else torch.zeros((), device=self.device)])
                            for _, t, v in pend]).cpu().numpy()
        for (s, t, v), (tv, vv) in zip(pend, vals):
            if not (math.isfinite(tv) and math.isfinite(vv)):
                break
            self.history.epoch_end_step.append(s)
            if t is not None:
                self.history.epoch_loss.append(float(tv))
            if v is not None:
                self.history.epoch_val.append(float(vv))

    def _watch_stall(self, new: int) -> None:
        """Look at the `new` rows just flushed for a stall (gdcore/stall.py); record the first one found."""
        if new <= 0 or self.stall is not None:
            return
        P = self._P
        _, rows = self.history.detail(last=new + 1)
        params, grads = rows[:, :P], rows[:, P:2 * P]
        if len(rows) == new:  # the first rows of the run: the step before them is the start
            start = torch.cat([self.w0.reshape(-1), self.b0.reshape(-1)]).cpu().numpy()
            before = np.vstack([start[None, :], params[:-1]])
        else:
            before, params, grads = params[:-1], params[1:], grads[1:]
        first = self.history.loss.n - new + 1
        self._frozen_since = stall.streak_start(stall.frozen(before, params, grads), first, self._frozen_since)
        since = self._frozen_since
        last = self.history.loss.n
        frozen_long = since is not None and last - since + 1 >= stall.MIN_STEPS
        c = self.config
        optimum = self._optimum_params() if c.task == "linreg" else None
        if frozen_long and (optimum is None or stall.far_from_optimum(params[-1], optimum[0], c.dtype)):
            row = max(since - first, 0)  # the first frozen row (or this chunk's first, when it began earlier)
            self.stall = stall.make_stall(since, self.param_columns, params[row], grads[row], c.lr, c.dtype,
                                          None if optimum is None else optimum[0])
        elif optimum is not None and stall.loss_flat(
                self.history.losses(), optimum[1], c.dtype):
            self.stall = stall.make_stall(last - stall.MIN_STEPS + 1, self.param_columns, params[-1], grads[-1],
                                          c.lr, c.dtype, optimum[0])

    def _optimum_params(self) -> tuple[np.ndarray, float]:
        """(w..., b) of the least-squares optimum in the run's column order, and the loss there (float64)."""
        if self._optimum is None:
            opt = reference.least_squares(self.train_data.X, self.train_data.y)  # in the units the run trains in
            self._optimum = (np.array(list(opt.w) + [opt.b]), opt.loss(self.config.loss))
        return self._optimum

    def _restore_last_finite(self) -> None:
        """Put back the parameters of the last finite step (or the initial ones)."""
        steps, rows = self.history.detail(last=1)
        with torch.no_grad():
            if len(rows):
                self.model.theta.copy_(torch.from_numpy(rows[-1][: self._P].copy()))
            else:
                self.model.theta.copy_(torch.cat([self.w0.reshape(-1), self.b0.reshape(-1)]))
        self.model.grad.zero_()
        es = self.history.epoch_end_step
        while es and es[-1] > self.step_count:
            es.pop()
        self.epoch = self.step_count // self.steps_per_epoch
        self.batch_in_epoch = self.step_count % self.steps_per_epoch
        self._restore_batches()

    def _restore_batches(self) -> None:
        """Put back the batch of the last finite step and its epoch's batches so far.

        The loop may have drawn batches past the bad step before the staged rows were checked;
        what the run shows must be the batches of step `step_count`, as stepping one at a time
        would have left them.
        """
        flushed_at, flushed_list, flushed_last = self._flushed_batches
        staged = self._staged_batches
        s, spe = self.step_count, self.steps_per_epoch
        if not staged and s == flushed_at:
            return  # nothing was drawn past the last flush (full-batch path)
        if s == 0:
            self.last_batch, self.epoch_batches = None, []
            return
        start = (s - 1) // spe * spe + 1  # first step of the epoch step s belongs to
        mine = staged[max(0, start - flushed_at - 1): s - flushed_at]  # its staged steps
        before = list(flushed_list[: flushed_at - start + 1]) if start <= flushed_at else []
        self.last_batch = mine[-1] if mine else flushed_last
        if self.config.mode != "batch":
            self.epoch_batches = (before + mine)[:256]
        self._staged_batches = []
