"""How a run walks through its data, for gdcore.engine.Run: which batch each step takes, where an
epoch ends, and the losses recorded at an epoch's end.

A full-batch run steps on the whole tensors, each step one epoch; a mini-batch or stochastic run
draws its batches from the run's own loader (gdcore/loops/loaders.py) and, at an epoch's end,
finishes the loader's iterator as a `for` loop would, so the next epoch's order equals the plain
loop's. The epoch's train and validation losses wait in `_pending_epoch` until the next flush
(gdcore/run_staging.py).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


class RunEpochs:
    """Batches and epochs of gdcore.engine.Run (which holds the state these methods read)."""

    @torch.no_grad()
    def _eval(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean loss over a whole data set (safe cross-entropy for logistic regression)."""
        if self.config.task == "logreg":
            z = self.model.logits(X)
            return F.binary_cross_entropy_with_logits(z, y.reshape(z.shape))
        return self._loss_fn(X, y)[1].detach()

    def epoch_iter(self):
        """The batches of one epoch, in the run's own order: (xb, yb, indices or None)."""
        return self._epoch()

    def _advance(self, k: int) -> None:
        """k steps with no checks in between (the caller keeps k within the staging chunk)."""
        step_fn, spe = self._step_fn, self.steps_per_epoch
        pitfall = self.config.full_tensor_pitfall
        X, y = self.X, self.y
        record_batches = self.config.mode != "batch"
        if not record_batches and not pitfall:
            # full batch: every step is one whole epoch on (X, y); no batch iterator needed
            has_val = self.X_val is not None
            for _ in range(k):
                step_fn(X, y)
                self.step_count += 1
                self.epoch += 1
                if has_val:
                    self._pending_epoch.append((self.step_count, None, self._eval(self.X_val, self.y_val)))
            self._it, self.batch_in_epoch, self.last_batch, self.epoch_batches = None, 0, None, []
            return
        staged = self._staged_batches
        for _ in range(k):
            if self._it is None:
                self._it = self.epoch_iter()
                self.epoch_batches = []
            xb, yb, idx = next(self._it)
            if pitfall:  # seed 000's loop body: h = tensorX * w + b, on the full tensors
                xb, yb = X, y
            step_fn(xb, yb)
            self.step_count += 1
            self.batch_in_epoch += 1
            self.last_batch = idx if not isinstance(idx, int) else [idx]
            if record_batches and len(self.epoch_batches) < 256:
                self.epoch_batches.append(self.last_batch)
            staged.append(self.last_batch)
            if self.batch_in_epoch == spe:
                self._end_epoch()

    def _end_epoch(self) -> None:
        if self._it is not None:
            # finish the epoch's iterator as a `for` loop would: the DataLoader's RandomSampler
            # draws from the shuffle generator once more when it runs out, so the next epoch's
            # order equals the plain loop's
            next(self._it, None)
        self.epoch += 1
        self.batch_in_epoch = 0
        self._it = None
        batch_mode = self.config.mode == "batch" and not self.config.full_tensor_pitfall
        if not batch_mode or self.X_val is not None:
            train = None if batch_mode else self._eval(self.X, self.y)
            val = None if self.X_val is None else self._eval(self.X_val, self.y_val)
            self._pending_epoch.append((self.step_count, train, val))
