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
"""
from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from . import reference, threads
from .config import MAX_LR, Config
from .data import Dataset
from .engine import Run, uses_manual_update
from .errors import ConfigError

MAX_RUNS = 256
MAX_LOSS_VALUES = 40_000_000  # steps x runs of recorded losses (160 MB of float32 on the host)
MAX_BATCH_VALUES = 16_000_000  # runs x samples per step (one (R, batch) float32 block is 64 MB)
_ADAPTIVE_STATE = {"adagrad": "sum", "rmsprop": "square_avg", "adam": "exp_avg_sq"}
_DEFAULT_EPS = {"adagrad": 1e-10, "rmsprop": 1e-8, "adam": 1e-8}


# -- the lr grid ---------------------------------------------------------------------------------

def lr_grid(lr_min: float, lr_max: float, runs: int) -> list[float]:
    """`runs` learning rates spaced evenly on a log scale from lr_min to lr_max (both included)."""
    for name, v in (("lr_min", lr_min), ("lr_max", lr_max)):
        if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v):
            raise ConfigError(key="finite", name=name, value=repr(v))
        if v <= 0:
            raise ConfigError(key="positive", name=name, value=repr(v))
        if v > MAX_LR:
            raise ConfigError(key="at_most", name=name, upper=MAX_LR, value=repr(v))
    if lr_min > lr_max:
        raise ConfigError(key="lr_order", lr_min=lr_min, lr_max=lr_max)
    if not isinstance(runs, numbers.Integral) or isinstance(runs, bool) or not 1 <= runs <= MAX_RUNS:
        raise ConfigError(key="runs", max=MAX_RUNS, value=repr(runs))
    runs = int(runs)
    if runs == 1:
        return [float(lr_min)]
    grid = [float(v) for v in np.geomspace(float(lr_min), float(lr_max), runs)]
    grid[0], grid[-1] = float(lr_min), float(lr_max)
    return grid


def _check_lrs(config: Config, lrs) -> list[float]:
    try:
        lrs = [float(v) for v in lrs]
    except (TypeError, ValueError):
        raise ConfigError(key="lrs_not_numbers") from None
    if not lrs:
        raise ConfigError(key="lrs_empty")
    if len(lrs) > MAX_RUNS:
        raise ConfigError(key="lrs_too_many", max=MAX_RUNS, count=len(lrs))
    for lr in lrs:
        config.replace(lr=lr)  # the same one-sentence error a single run would give
    return lrs


# -- the result ----------------------------------------------------------------------------------

@dataclass
class SweepResult:
    """R finished runs as plain host values (nothing here holds a tensor)."""

    config: Config  # the shared configuration (its own lr is not used)
    lrs: list[float]
    steps: int  # steps trained (rows of `losses`); total_steps unless every run diverged or a stop
    total_steps: int  # steps each run was set to take
    seconds: float
    device: str
    losses: np.ndarray  # (steps, R) float32, finite: run i's per-step loss in rows < lengths[i], 0 after
    lengths: np.ndarray  # (R,) steps each run recorded (diverged_at - 1 for a diverged run)
    diverged_at: list[int | None]  # 1-based step of the first non-finite value, as run.divergence.step
    diverged_what: list[str | None]  # "loss", "parameters" or "optimizer state"
    final_loss: list[float | None]  # loss over the whole training set at the final parameters
    w: np.ndarray  # (R, d) final (last finite) weights
    b: np.ndarray  # (R,) final (last finite) biases
    param_columns: list[str] = field(default_factory=lambda: ["w", "b"])
    steps_per_epoch: int = 1  # batches in one pass over the data
    stability_limit: float | None = None  # full-batch lr limit of this data (linreg, sgd/momentum)
    lambda_max: float | None = None  # largest curvature of the loss (linreg)
    lambda_min: float | None = None  # smallest curvature of the loss (linreg)
    stopped: bool = False  # the callback stopped the sweep early

    @property
    def n_runs(self) -> int:
        return len(self.lrs)

    @property
    def status(self) -> list[str]:
        return ["ok" if d is None else "diverged" for d in self.diverged_at]

    @property
    def best(self) -> int | None:
        """Index of the run with the lowest final loss (None when every run diverged)."""
        ok = [(v, i) for i, v in enumerate(self.final_loss) if v is not None]
        return min(ok)[1] if ok else None

    def loss_history(self, i: int) -> np.ndarray:
        """Run i's per-step loss, only the steps it took before any divergence (all finite)."""
        return self.losses[: int(self.lengths[i]), i]

    def valid(self) -> np.ndarray:
        """(steps, R) mask of the recorded (finite, real) entries of `losses`."""
        return np.arange(self.steps)[:, None] < self.lengths[None, :]

    def params(self, i: int) -> dict[str, list[float]]:
        """Run i's final parameters, shaped like `Run.params()`."""
        return {"w": [float(v) for v in self.w[i]], "b": [float(self.b[i])]}

    def records(self) -> list[dict]:
        """One plain dict per run: lr, final_loss, status, diverged_at, w (list), b."""
        return [{"lr": lr, "final_loss": fl, "status": st, "diverged_at": d,
                 "w": [float(v) for v in self.w[i]], "b": float(self.b[i])}
                for i, (lr, fl, st, d) in enumerate(zip(self.lrs, self.final_loss, self.status, self.diverged_at))]

    def to_dict(self) -> dict:
        """Exactly the JSON object `python -m gdcore sweep ... --json` prints."""
        return {
            "preset": self.config.preset,
            "lrs": list(self.lrs),
            "final_loss": list(self.final_loss),
            "status": self.status,
            "diverged_at": list(self.diverged_at),
            "params": [self.params(i) for i in range(self.n_runs)],
            "steps": self.steps,
            "seconds": round(self.seconds, 6),
            "device": self.device,
            "stability_limit": self.stability_limit,
        }


# -- the batched program ---------------------------------------------------------------------------

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


class _Batched:
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
        update = self._update_fn(j0, k)
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

    def _update_fn(self, j0: int, k: int) -> Callable:
        c, th, lr, opt = self.config, self.theta_d, self.lr, self.opt
        wd = c.weight_decay
        if opt == "manual":
            if c.loss == "half_squared":
                B = self.B

                def upd(g, j):  # d2l's sgd: param -= lr * param.grad / batch_size
                    th.sub_(lr * g / B)
            else:
                def upd(g, j):  # w.data -= lr * w.grad.data (b likewise)
                    th.sub_(lr * g)
            return upd
        neg_lr = self.neg_lr
        if opt == "sgd":
            def upd(g, j):  # torch.optim.SGD: param.add_(grad, alpha=-lr)
                if wd:
                    g = g.add(th, alpha=wd)
                th.addcmul_(g, neg_lr)  # = param.add_(grad, alpha=-lr), one fused multiply-add
            return upd
        if opt in ("momentum", "nesterov"):
            m, nesterov = c.momentum, opt == "nesterov"

            def upd(g, j):  # buf = grad (first step), then buf = m * buf + grad
                if wd:
                    g = g.add(th, alpha=wd)
                if self.buf is None:
                    self.buf = g.detach().clone()
                else:
                    self.buf.mul_(m).add_(g)
                step = g.add(self.buf, alpha=m) if nesterov else self.buf
                th.addcmul_(step, neg_lr)
            return upd
        s, eps = self.state, self.eps
        if opt == "adagrad":
            def upd(g, j):  # sum += grad^2; param -= lr * grad / (sqrt(sum) + eps)
                if wd:
                    g = g.add(th, alpha=wd)
                s.addcmul_(g, g, value=1)
                th.addcdiv_(neg_lr * g, s.sqrt().add_(eps))
            return upd
        if opt == "rmsprop":
            a, m, buf = c.alpha, c.rms_momentum, self.buf

            def upd(g, j):  # square_avg = a * square_avg + (1 - a) * grad^2
                if wd:
                    g = g.add(th, alpha=wd)
                s.mul_(a).addcmul_(g, g, value=1 - a)
                avg = s.sqrt().add_(eps)
                if m > 0:
                    buf.mul_(m).addcdiv_(g, avg)
                    th.addcmul_(buf, neg_lr)
                else:
                    th.addcdiv_(neg_lr * g, avg)
            return upd
        if opt == "adam":
            b1, b2, ea = c.beta1, c.beta2, self.exp_avg
            # bias corrections in Python floats, exactly as torch.optim.Adam computes them per step
            steps = [float(self.k + i + 1) for i in range(k)]
            bc1 = np.array([1 - b1 ** t for t in steps])
            bc2_sqrt = [(1 - b2 ** t) ** 0.5 for t in steps]
            nss = torch.from_numpy(-(self.lrs64 * self.live)[None, :] / bc1[:, None]).float()
            nss = nss.to(self.device).unsqueeze(2).unbind(0)  # -lr / bc1 for each step and run

            def upd(g, j):
                i = j - j0
                if wd:
                    g = g.add(th, alpha=wd)
                ea.lerp_(g, 1 - b1)
                s.mul_(b2).addcmul_(g, g, value=1 - b2)
                th.addcdiv_(nss[i] * ea, (s.sqrt() / bc2_sqrt[i]).add_(eps))
            return upd
        raise ConfigError(key="sweep_optimizer", optimizer=repr(opt))

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


def sweep(config: Config, lrs, callback: Callable[[int, int], bool | None] | None = None,
          data: Dataset | None = None, chunk: int | None = None) -> SweepResult:
    """Train one run per lr, all at once; each equals `Run(config.replace(lr=lr)).run()`.

    `callback(steps_done, total_steps)` is called after every chunk of steps; returning False
    stops the sweep there (the result then holds the steps done).
    """
    t0 = time.perf_counter()
    threads.pin()  # whichever thread trains, the same sums (gdcore/threads.py)
    lrs = _check_lrs(config, lrs)
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
    prog = _Batched(run, lrs, max(1, min(int(chunk), total)))
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
