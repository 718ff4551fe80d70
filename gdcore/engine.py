"""A run: data + parameters + optimizer + history, advanced one step at a time.

    run = init(config)          # build data, model, optimizer, generators
    step(run)                   # exactly one update; returns that step's record
    run.run(n) / run.run_epoch() / run.reset()

Both loops share this contract and differ only in the update line, as in the tutorials:
- manual (`impl="manual"`, plain SGD): `loss.backward()`, then `w.data -= lr * w.grad`
- module (`impl="module"`, or any other optimizer): `optimizer.zero_grad(); loss.backward(); optimizer.step()`

Every run owns its generators (torch for init and shuffling, `random.Random` for d2l's
`data_iter`); torch's, numpy's and `random`'s global generators are never touched.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset

from . import reference, threads
from .config import Config
from .data import Dataset, check_for_task, make_dataset
from .devices import resolve_device
from .i18n import Translator, translator
from .errors import ConfigError
from .history import History
from .models import build_model, draw_init

# Which optimizer state tensors are recorded, in order (the step count is the step number itself).
_STATE_KEYS = {
    "sgd": (),
    "momentum": ("momentum_buffer",),
    "nesterov": ("momentum_buffer",),
    "adagrad": ("sum",),
    "rmsprop": ("square_avg",),
    "adam": ("exp_avg", "exp_avg_sq"),
}


def make_optimizer(config: Config, params) -> torch.optim.Optimizer:
    """The real torch.optim optimizer for a config, with its hyper-parameters."""
    c = config
    extra = {} if c.eps is None else {"eps": c.eps}
    if c.optimizer == "sgd":
        return torch.optim.SGD(params, lr=c.lr, weight_decay=c.weight_decay)
    if c.optimizer in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=c.lr, momentum=c.momentum, nesterov=c.optimizer == "nesterov",
                               weight_decay=c.weight_decay)
    if c.optimizer == "adagrad":
        return torch.optim.Adagrad(params, lr=c.lr, weight_decay=c.weight_decay, **extra)
    if c.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=c.lr, alpha=c.alpha, momentum=c.rms_momentum,
                                   weight_decay=c.weight_decay, **extra)
    if c.optimizer == "adam":
        return torch.optim.Adam(params, lr=c.lr, betas=(c.beta1, c.beta2), weight_decay=c.weight_decay, **extra)
    raise ConfigError(key="unknown_optimizer", optimizer=repr(c.optimizer))


def uses_manual_update(config: Config) -> bool:
    """True when the loop updates by hand (`w.data -= lr * w.grad`) rather than through torch.optim."""
    return config.impl == "manual" and config.optimizer == "sgd" and config.weight_decay == 0


def step_position(step: int, steps_per_epoch: int) -> tuple[int, int]:
    """(epoch, batch) of the 1-based `step`, numbered as tutorial 000 prints them: epochs from 1
    (`for epoch in range(1, 100)`), batches from 0 (`enumerate(dataloader)`)."""
    return (step - 1) // steps_per_epoch + 1, (step - 1) % steps_per_epoch


class _RecordingBatchSampler(BatchSampler):
    """A BatchSampler that remembers the indices of the batch it yielded last."""

    last: list[int] | None = None

    def __iter__(self):
        for batch in super().__iter__():
            self.last = batch
            yield batch


@dataclass(frozen=True)
class Divergence:
    step: int  # the 1-based step whose loss, gradient or update was not finite
    what: str  # "loss", "gradient of w", "parameter b", ...
    value: float  # the offending value (inf, -inf or nan)
    kind: str = "loss"  # loss, gradient, state or parameter (for the message in other languages)
    name: str = ""  # the parameter or state column it concerns


class Run:
    """One training run. Not thread-safe by itself; each user/thread owns their own runs."""

    def __init__(self, config: Config, data: Dataset | None = None):
        self.config = config.validated()
        self.device = resolve_device(self.config.device)
        if data is None:
            data = make_dataset(self.config)
        check_for_task(data, self.config.task)
        self.data = data
        self._start: tuple[torch.Tensor, torch.Tensor] | None = None  # set by start_from()
        self._build()

    # -- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        c, ds, dev = self.config, self.data, self.device
        g = torch.Generator()
        if ds.gen_state is not None and ds.seed == c.seed:
            g.set_state(ds.gen_state)  # the tutorial drew its data, then its weights, from one stream
        else:
            g.manual_seed(c.seed)
        self.w0, self.b0 = draw_init(c.init, c.task, ds.n_features, g)
        if self._start is not None:  # saved weights replace the drawn start
            self.w0, self.b0 = (t.clone() for t in self._start)
        self.model = build_model(c.task, c.impl, self.w0, self.b0, dev)
        self.X, self.y = ds.X.to(dev), ds.y.to(dev)
        self.X_val = None if ds.X_val is None else ds.X_val.to(dev)
        self.y_val = None if ds.y_val is None else ds.y_val.to(dev)
        self.n = ds.n
        if c.mode == "minibatch" and c.batch_size > self.n:
            raise ConfigError(key="batch_too_large", batch_size=c.batch_size, n=self.n)
        self.batch_size = c.batch_size_for(self.n)
        self.steps_per_epoch = c.steps_per_epoch(self.n)
        self.total_steps = c.total_steps(self.n)
        self.manual = uses_manual_update(c)
        self.optimizer = None if self.manual else make_optimizer(c, self.model.parameters())

        named = self.model.named()
        self.param_names = [name for name, _ in named]
        self.param_shapes = [tuple(p.shape) for _, p in named]
        cols = []
        for name, p in named:  # "w", "b" for one feature; "w1", "w2", ..., "b" for several
            cols += [name] if p.numel() == 1 else [f"{name}{i + 1}" for i in range(p.numel())]
        self.param_columns = cols
        P = len(cols)
        self._state_keys = () if self.manual else _STATE_KEYS[c.optimizer]
        if c.optimizer == "rmsprop" and c.rms_momentum > 0:
            self._state_keys = ("square_avg", "momentum_buffer")
        state_cols = [f"{key}[{col}]" for key in self._state_keys for col in cols]
        self.history = History(cols + [f"grad_{col}" for col in cols] + state_cols, dev)
        self._views = self.history.row_views(P, len(state_cols))
        self._state_flat: list[torch.Tensor] | None = None
        self._P = P

        # batching: each run owns its generators
        self._shuffle_gen = torch.Generator().manual_seed(c.seed + 1)
        self._py_random = random.Random(c.seed)
        self._loader = None
        self._sampler = None
        self._rows = None
        if c.mode != "batch" and c.loader == "dataloader":
            dataset = TensorDataset(self.X, self.y)
            base = RandomSampler(dataset, generator=self._shuffle_gen) if c.shuffle else SequentialSampler(dataset)
            self._sampler = _RecordingBatchSampler(base, self.batch_size, drop_last=False)
            # batch_size=None: the sampler hands whole index lists to TensorDataset, which gathers a
            # batch in one indexing op; the batches are exactly those of DataLoader(batch_size, shuffle)
            self._loader = DataLoader(dataset, sampler=self._sampler, batch_size=None,
                                      generator=self._shuffle_gen)
        self._one_sample = (c.task == "logreg" and c.impl == "manual" and self.batch_size == 1
                            and c.mode != "batch" and c.loader == "index" and self.n <= 200_000)
        if self._one_sample:  # seed 004 indexes one sample at a time: data_x[step], data_y[step]
            self._rows = (list(self.X.unbind(0)), list(self.y.reshape(-1).unbind(0)))

        self._loss_fn = self._make_loss()
        self._step_fn = self._make_step()
        self.step_count = 0
        self.epoch = 0  # epochs completed
        self.batch_in_epoch = 0
        self._it = None
        self.last_batch: list[int] | None = None  # indices of the last batch drawn (None: full data)
        self.epoch_batches: list[list[int] | None] = []  # the batches drawn so far this epoch
        # for putting the batches back on divergence: each staged step's batch, and the step count,
        # epoch list and last batch as they stood at the last flush
        self._staged_batches: list[list[int] | None] = []
        self._flushed_batches: tuple[int, list, list[int] | None] = (0, self.epoch_batches, None)
        self._pending_epoch: list[tuple[int, torch.Tensor, torch.Tensor | None]] = []
        self._final_eval: tuple[int, float] | None = None
        self.status = "ok"
        self.divergence: Divergence | None = None
        self.message = ""
        self._lambda_max: float | None = None

    def reset(self) -> None:
        """Start over: same config and data, fresh generators, initial parameters, empty history."""
        self._build()

    def start_from(self, w: torch.Tensor, b: torch.Tensor) -> None:
        """Start over from given parameters (saved weights) instead of the drawn ones; reset keeps them."""
        w = torch.as_tensor(w, dtype=torch.float32).reshape(self.w0.shape)
        b = torch.as_tensor(b, dtype=torch.float32).reshape(self.b0.shape)
        self._start = (w, b)
        self._build()

    @property
    def loaded_start(self) -> bool:
        """Whether the run starts from given (saved) weights rather than drawn ones."""
        return self._start is not None

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The model's parameters as CPU tensors: nn.Module's own state_dict, or {"w", "b"} by hand."""
        self.sync()
        if self.config.impl == "module":
            return {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}
        return {"w": self.model.w.detach().cpu().clone(), "b": self.model.b.detach().cpu().clone()}

    # -- loss -----------------------------------------------------------------------------------
    def _make_loss(self) -> Callable:
        """f(xb, yb) -> (tensor to call backward on, scalar loss to record)."""
        c, model = self.config, self.model
        if c.loss == "mse":
            if c.impl == "manual":
                def f(xb, yb):
                    loss = torch.mean((model(xb) - yb) ** 2)
                    return loss, loss
            else:
                criterion = nn.MSELoss()

                def f(xb, yb):
                    loss = criterion(model(xb), yb)
                    return loss, loss
        elif c.loss == "half_squared":
            def f(xb, yb):
                y_hat = model(xb)
                l = (y_hat - yb.reshape(y_hat.shape)) ** 2 / 2  # noqa: E741 (d2l's name)
                return l.sum(), l.mean()
        elif c.loss == "bce_manual":
            def f(xb, yb):
                y_hat = model(xb)
                loss = -(torch.log(y_hat) * yb + (1 - yb) * torch.log(1 - y_hat))
                if loss.numel() != 1:
                    loss = loss.mean()
                return loss, loss
        elif c.loss == "bce":
            criterion = nn.BCELoss()

            def f(xb, yb):
                y_hat = model(xb)
                loss = criterion(y_hat, yb.reshape(y_hat.shape))
                return loss, loss
        else:  # bce_logits: the numerically safe form, log-sum-exp inside
            criterion = nn.BCEWithLogitsLoss()

            def f(xb, yb):
                z = model.logits(xb)
                loss = criterion(z, yb.reshape(z.shape))
                return loss, loss
        return f

    @torch.no_grad()
    def _eval(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean loss over a whole data set (safe cross-entropy for logistic regression)."""
        if self.config.task == "logreg":
            z = self.model.logits(X)
            return F.binary_cross_entropy_with_logits(z, y.reshape(z.shape))
        return self._loss_fn(X, y)[1].detach()

    # -- the step -------------------------------------------------------------------------------
    def _make_step(self) -> Callable:
        c, model, opt = self.config, self.model, self.optimizer
        theta, grad = model.theta, model.grad
        hist = self.history
        lv, pv, gv, sv = self._views
        loss_fn = self._loss_fn
        lr, zero = c.lr, True
        manual, has_state = self.manual, bool(self._state_keys)
        half, B = c.loss == "half_squared", self.batch_size
        gather = self._gather_state

        def step(xb, yb):
            j = hist.j
            if zero:
                grad.zero_()  # what optimizer.zero_grad() does, on one flat buffer
            # forward
            loss, report = loss_fn(xb, yb)
            # backward
            loss.backward()
            # update
            if manual:
                if half:
                    theta.sub_(lr * grad / B)  # d2l's sgd: param -= lr * param.grad / batch_size
                else:
                    theta.sub_(lr * grad)  # w.data -= lr * w.grad.data (and b likewise)
            else:
                opt.step()
            # record
            lv[j].copy_(report.detach())
            pv[j].copy_(theta)
            gv[j].copy_(grad)
            if has_state:
                torch.cat(self._state_flat or gather(), out=sv[j])
            hist.j = j + 1

        return step

    def _gather_state(self) -> list[torch.Tensor]:
        params = [p for _, p in self.model.named()]
        flat = []
        for key in self._state_keys:
            for p in params:
                flat.append(self.optimizer.state[p][key].view(-1))
        self._state_flat = flat
        return flat

    def epoch_iter(self):
        """The batches of one epoch, in the run's own order: (xb, yb, indices or None)."""
        c = self.config
        if c.mode == "batch":
            yield self.X, self.y, None
            return
        if self._loader is not None:
            for xb, yb in self._loader:
                yield xb, yb, self._sampler.last
            return
        n, bs = self.n, self.batch_size
        if c.loader == "d2l":  # d2l's data_iter: random.shuffle of an index list, then slices
            indices = list(range(n))
            if c.shuffle:
                self._py_random.shuffle(indices)
            for i in range(0, n, bs):
                batch = indices[i:min(i + bs, n)]
                bi = torch.tensor(batch, device=self.device)
                yield self.X[bi], self.y[bi], batch
            return
        order = torch.randperm(n, generator=self._shuffle_gen).tolist() if c.shuffle else range(n)
        if self._rows is not None:
            xs, ys = self._rows
            for i in order:
                yield xs[i], ys[i], i
            return
        for i in range(0, n, bs):
            batch = list(order[i:i + bs])
            bi = torch.tensor(batch, device=self.device)
            yield self.X[bi], self.y[bi], batch

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

    # -- driving --------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.status != "ok" or self.step_count >= self.total_steps

    def run(self, n: int | None = None, callback: Callable[["Run"], bool | None] | None = None) -> int:
        """Advance up to n steps (default: to the end of the run); return the steps taken.

        `callback(run)` is called after every chunk of steps (a few ms of work); returning False
        stops the run there. A run stops by itself at the first non-finite value.
        """
        if self.status != "ok":
            return 0
        threads.pin()  # whichever thread trains, the same sums (gdcore/threads.py)
        remaining = self.total_steps - self.step_count
        n = remaining if n is None else max(0, min(int(n), remaining))
        start = self.step_count
        hist = self.history
        hist.start_clock()
        try:
            while self.step_count - start < n:
                k = min(n - (self.step_count - start), hist.chunk - hist.j)
                self._advance(k)
                if hist.j == hist.chunk:
                    self._flush()
                if self.status != "ok":
                    break
                if callback is not None and callback(self) is False:
                    break
            self._flush()
        finally:
            hist.stop_clock(self.step_count)
        return self.step_count - start

    def step(self) -> dict:
        """Exactly one update; returns its record (or the last one if the run cannot move)."""
        self.run(1)
        recs = self.records(last=1)
        return recs[-1] if recs else {}

    def run_epoch(self) -> int:
        """Advance to the end of the current epoch."""
        return self.run(self.steps_per_epoch - self.batch_in_epoch)

    # -- flushing and divergence -----------------------------------------------------------------
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
            return
        row, col = bad
        step = before + row + 1
        cols = ["loss"] + hist.columns
        name = cols[col]
        if name == "loss":
            kind, name = "loss", ""
        elif name.startswith("grad_"):
            kind, name = "gradient", name[5:]
        elif "[" in name:
            kind = "state"
        else:
            kind = "parameter"
        what = translator("en")(f"engine.what.{kind}", name=name)
        value = float(self.history.stage[row, col].item()) if staged > row else float("nan")
        self.divergence = Divergence(step, what, value, kind, name)
        self.status = "diverged"
        self.step_count = step - 1
        self._restore_last_finite()
        self.message = self._divergence_message()

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

    def stability_limit(self) -> float | None:
        """Full-batch lr limit for this data, loss and optimizer (None where none applies)."""
        c = self.config
        if c.task != "linreg" or c.optimizer not in ("sgd", "momentum", "nesterov"):
            return None
        return reference.stability_limit(self.data.X, c.loss, c.optimizer, c.momentum)

    def _divergence_message(self) -> str:
        return self.explain()

    def explain(self, T: Translator | None = None) -> str:
        """Why the run stopped, in one sentence (English by default; `message` holds that one)."""
        d, c = self.divergence, self.config
        if d is None:
            return ""
        T = T or translator("en")
        value = "nan" if math.isnan(d.value) else ("inf" if d.value > 0 else "-inf")
        msg = T("engine.head", step=d.step, what=T(f"engine.what.{d.kind}", name=d.name), value=value)
        limit = self.stability_limit()
        label = "2/λmax" if c.optimizer == "sgd" else "2(1+β)/λmax" if c.optimizer == "momentum" \
            else "2(1+β)/((1+2β)λmax)"
        lr = f"{c.lr:g}"
        if c.full_tensor_pitfall and c.loss == "half_squared":
            return msg + T("engine.pitfall", n=self.n, batch_size=self.batch_size, ratio=f"{self.n / self.batch_size:g}")
        if limit is not None and c.lr > limit:
            return msg + T("engine.above_limit", lr=lr, label=label, limit=f"{limit:.3g}")
        if limit is not None:
            return msg + T("engine.below_limit", lr=lr, label=label, limit=f"{limit:.3g}", batch_size=self.batch_size)
        if c.loss == "bce_manual":
            return msg + T("engine.log0")
        return msg + T("engine.too_large", lr=lr, optimizer=T(f"engine.optimizer.{c.optimizer}"))

    # -- records for display (all on the CPU) ----------------------------------------------------
    def sync(self) -> None:
        """Bring staged steps to the host (readers call this; cheap when nothing is staged)."""
        if self.history.j:
            self._flush()

    def params(self) -> dict[str, list[float]]:
        """Current parameters as flat lists: {"w": [...], "b": [...]}."""
        self.sync()
        w, b = self.model.linear_params()
        return {"w": [float(v) for v in w.cpu()], "b": [float(v) for v in b.cpu()]}

    def grads(self) -> dict[str, list[float]]:
        """Gradients left by the last step, as flat lists."""
        self.sync()
        out = {}
        for name, p in self.model.named():
            out[name] = [float(v) for v in p.grad.detach().reshape(-1).cpu()]
        return out

    def losses(self) -> np.ndarray:
        """Per-step training loss (float32, one per step, finite)."""
        self.sync()
        return self.history.losses()

    def epoch_losses(self) -> list[float]:
        """Training loss over the whole training set after each completed epoch."""
        self.sync()
        c = self.config
        if c.mode == "batch" and not c.full_tensor_pitfall:
            # in batch mode the loss a step computes is the loss after the previous epoch
            L = self.history.losses()
            if len(L) == 0:
                return []
            return [float(v) for v in L[1:]] + [self.current_loss()]
        return list(self.history.epoch_loss)

    def val_losses(self) -> list[float]:
        self.sync()
        return list(self.history.epoch_val)

    def current_loss(self) -> float:
        """Loss over the whole training set at the current parameters."""
        self.sync()
        if self._final_eval is None or self._final_eval[0] != self.step_count:
            self._final_eval = (self.step_count, float(self._eval(self.X, self.y)))
        return self._final_eval[1]

    def accuracy(self, X: torch.Tensor | None = None, y: torch.Tensor | None = None) -> float | None:
        """Share of samples classified right (logistic regression only)."""
        if self.config.task != "logreg":
            return None
        self.sync()
        X = self.X if X is None else X.to(self.device)
        y = self.y if y is None else y.to(self.device)
        with torch.no_grad():
            z = self.model.logits(X).reshape(-1)
            return float(((z > 0).float() == y.reshape(-1)).float().mean())

    @torch.no_grad()
    def predict(self, X) -> np.ndarray:
        """Model output for new inputs (probabilities for logistic regression), on the CPU."""
        X = torch.as_tensor(X, dtype=torch.float32).reshape(-1, self.data.n_features).to(self.device)
        if isinstance(self.model, nn.Module):
            self.model.eval()
        out = self.model(X)
        return out.reshape(-1).cpu().numpy()

    def records(self, last: int | None = None) -> list[dict]:
        """Per-step records (step, epoch, batch, loss, parameters, gradients, optimizer state)."""
        self.sync()
        steps, rows = self.history.detail(last=last)
        L = self.history.losses()
        cols = self.history.columns
        spe = self.steps_per_epoch
        out = []
        for s, row in zip(steps.tolist(), rows.tolist()):
            epoch, batch = step_position(s, spe)
            rec = {"step": s, "epoch": epoch, "batch": batch, "loss": float(L[s - 1])}
            rec.update(zip(cols, row))
            out.append(rec)
        return out

    def seconds(self) -> float:
        return self.history.seconds

    def lambda_max(self) -> float | None:
        if self.config.task != "linreg":
            return None
        if self._lambda_max is None:
            self._lambda_max = reference.lambda_max(self.data.X, self.config.loss)
        return self._lambda_max


# -- the step-function API ---------------------------------------------------------------------

def init(config: Config, data: Dataset | None = None) -> Run:
    """Build a run from a config (and optionally a data set already made)."""
    return Run(config, data)


def step(run: Run) -> dict:
    """Advance a run by exactly one update and return that step's record."""
    return run.step()
