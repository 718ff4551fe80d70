"""The batched program: R runs as tensors with a leading run dimension, one forward and backward for all."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ..engine import Run
from ..loops.updates import uses_manual_update
from .updates import update_fn

_ADAPTIVE_STATE = {"adagrad": "sum", "rmsprop": "square_avg", "adam": "exp_avg_sq"}
_DEFAULT_EPS = {"adagrad": 1e-10, "rmsprop": 1e-8, "adam": 1e-8}


def _loss_fn(loss: str) -> Callable:
    """f(Z, yT) -> (tensor to differentiate, per-run loss to record (R,)); Z is (R, batch)."""
    if loss == "mse":  # nn.MSELoss / torch.mean((y_hat - y) ** 2), per run
        def f(Z, yT):
            rep = F.mse_loss(Z, yT.expand_as(Z), reduction="none").mean(1)
            return rep.sum(), rep
    elif loss == "half_squared":  # d2l: l = (y_hat - y)**2 / 2; l.sum().backward(); report l.mean()
        def f(Z, yT):
            l = (Z - yT) ** 2 / 2  # noqa: E741 (d2l's name)
            return l.sum(), l.detach().mean(1)
    elif loss == "bce_manual":  # seed 004: -(log(y_hat) * y + (1 - y) * log(1 - y_hat))
        def f(Z, yT):
            y_hat = torch.sigmoid(Z)
            rep = (-(torch.log(y_hat) * yT + (1 - yT) * torch.log(1 - y_hat))).mean(1)
            return rep.sum(), rep
    elif loss == "bce":
        def f(Z, yT):
            rep = F.binary_cross_entropy(torch.sigmoid(Z), yT.expand_as(Z), reduction="none").mean(1)
            return rep.sum(), rep
    else:  # bce_logits
        def f(Z, yT):
            rep = F.binary_cross_entropy_with_logits(Z, yT.expand_as(Z), reduction="none").mean(1)
            return rep.sum(), rep
    return f


class Batched:
    """The R runs as tensors with a leading run dimension, and the one step that moves them all."""

    def __init__(self, run: Run, lrs: list[float], chunk: int):
        c, dev = run.config, run.device
        self.run, self.config, self.device = run, c, dev
        self.R = R = len(lrs)
        self.chunk = chunk
        self.lrs64 = np.asarray(lrs, dtype=np.float64)
        self.live = np.ones(R, dtype=bool)  # runs still training (not parked)
        X, y = run.X, run.y
        n, d = X.shape
        self.d, self.P = d, d + 1
        self.A = torch.cat([X, torch.ones(n, 1, device=dev)], 1)  # design matrix [X, 1]: y_hat = A @ [w; b]
        self.AT, self.yT = self.A.t().contiguous(), y.reshape(1, n)
        th0 = torch.cat([run.w0.reshape(-1), run.b0.reshape(-1)]).to(dev)
        self.theta = th0.repeat(R, 1).requires_grad_(True)  # one leaf: every run's [w..., b]
        self.theta_d = self.theta.detach()  # same storage, for updates outside autograd
        self.lr = torch.tensor(lrs, dtype=torch.float32, device=dev).reshape(R, 1)
        self.neg_lr = -self.lr
        self.opt = "manual" if uses_manual_update(c) else c.optimizer
        self.eps = c.eps if c.eps is not None else _DEFAULT_EPS.get(c.optimizer, 0.0)
        self.state = None
        if self.opt in _ADAPTIVE_STATE:
            self.state = torch.zeros(R, self.P, device=dev)  # the second moment: sum / square_avg / exp_avg_sq
        self.buf = None  # momentum buffer (momentum, nesterov, rmsprop with momentum)
        self.exp_avg = torch.zeros(R, self.P, device=dev) if self.opt == "adam" else None
        if self.opt == "rmsprop" and c.rms_momentum > 0:
            self.buf = torch.zeros(R, self.P, device=dev)
        # staging: one row per step, read back every `chunk` steps
        self.L = torch.zeros(chunk, R, device=dev)
        self.T = torch.zeros(chunk, R, self.P, device=dev)
        self.S = torch.zeros(chunk, R, self.P, device=dev) if self.state is not None else None
        self.Lv, self.Tv = self.L.unbind(0), self.T.unbind(0)
        self.Sv = self.S.unbind(0) if self.S is not None else None
        self.loss = _loss_fn(c.loss)
        self.batches = self._batches()
        self.B = run.batch_size
        self.k = 0  # steps taken

    # -- batches: the engine run's own iterator, so the order is the sequential run's -------------
    def _batches(self):
        c, run = self.config, self.run
        if c.mode == "batch" or c.full_tensor_pitfall:
            return None  # every step sees all of X, y (the pitfall's loop body uses the full tensors)
        ones = torch.ones(run.n, 1, device=self.device)
        A, yT = self.A, self.yT

        def gen():
            rows = None
            while True:
                for xb, yb, idx in run.epoch_iter():  # the engine's batch order
                    if isinstance(idx, int):  # seed 004: one sample a step, data_x[step]
                        if rows is None:  # (P, 1) columns of A.T and (1, 1) labels, one per sample
                            rows = (list(A.unsqueeze(2).unbind(0)), list(yT.reshape(-1, 1, 1).unbind(0)))
                        yield rows[0][idx], rows[1][idx]
                    else:
                        B = xb.shape[0]
                        yield torch.cat([xb, ones[:B]], 1).t(), yb.reshape(1, B)

        return gen()

    # -- the step ------------------------------------------------------------------------------
    def advance(self, j0: int, k: int) -> None:
        """k steps, written to staging rows j0 .. j0+k-1."""
        theta, th = self.theta, self.theta_d
        AT, yT, batches = self.AT, self.yT, self.batches
        loss_fn, grad = self.loss, torch.autograd.grad
        Lv, Tv, Sv = self.Lv, self.Tv, self.Sv
        update = update_fn(self, j0, k)
        for j in range(j0, j0 + k):
            if batches is not None:
                AT, yT = next(batches)
            # forward: every run's y_hat at once, and the sum of the runs' own losses
            back, rep = loss_fn(torch.mm(theta, AT), yT)
            # backward: autograd gives each run its own gradient (the runs do not mix)
            g, = grad(back, theta)
            # update
            update(g, j)
            # record
            Lv[j].copy_(rep.detach())
            Tv[j].copy_(th)
            if Sv is not None:
                Sv[j].copy_(self.state)
        self.k += k


    # -- divergence -------------------------------------------------------------------------------
    def check(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """(losses (j, R), first bad row per run or -1, what was bad) for the staged rows."""
        L = self.L[:j]
        bad_loss = ~torch.isfinite(L)
        bad_param = ~torch.isfinite(self.T[:j]).all(2)
        bad = torch.stack([bad_loss, bad_param] + ([~torch.isfinite(self.S[:j]).all(2)] if self.S is not None else []))
        return L.cpu().numpy(), bad.cpu().numpy()

    def park(self, runs: list[int]) -> None:
        """Take diverged runs out: zero parameters and state, lr 0 (they stay finite, and move no more)."""
        idx = torch.tensor(runs, device=self.device)
        self.live[runs] = False
        self.theta_d[idx] = 0.0
        self.lr[idx] = 0.0
        self.neg_lr[idx] = 0.0
        for t in (self.state, self.buf, self.exp_avg):
            if t is not None:
                t[idx] = 0.0

    @torch.no_grad()
    def final_losses(self) -> np.ndarray:
        """Loss over the whole training set at each run's current parameters (the engine's _eval)."""
        Z = torch.mm(self.theta_d, self.AT)
        if self.config.task == "logreg":
            out = F.binary_cross_entropy_with_logits(Z, self.yT.expand_as(Z), reduction="none").mean(1)
        else:
            out = self.loss(Z, self.yT)[1]
        return out.cpu().double().numpy()

