"""A run: data + parameters + optimizer + history, advanced one step at a time.

    run = init(config)          # build data, model, optimizer, generators
    step(run)                   # exactly one update; returns that step's record
    run.run(n) / run.run_epoch() / run.reset()

A step is `forward -> loss -> backward -> update`; the loss, the update rule and the batches come
from the loop's pieces in gdcore/loops, which also write the exported script's lines. Both loops
share this contract and differ only in the update, as in the tutorials:
- manual (`impl="manual"`, plain SGD): `loss.backward()`, then `w.data -= lr * w.grad`
- module (`impl="module"`, or any other optimizer): `optimizer.zero_grad(); loss.backward(); optimizer.step()`

Every run owns its generators (torch for init and shuffling, `random.Random` for d2l's
`data_iter`); torch's, numpy's and `random`'s global generators are never touched. What a run
shows is read through gdcore/run_records.py; how its steps walk through the batches and epochs is
gdcore/run_epochs.py; how its staged steps are checked and a divergence stops it is
gdcore/run_staging.py.
"""
from __future__ import annotations

from collections.abc import Callable

import torch

from . import scaling, threads
from .config import Config
from .data import Dataset, check_for_task, make_dataset
from .devices import resolve_device
from .divergence import Divergence
from .errors import ConfigError
from .history import History
from .limits import MAX_STEPS
from .loops.direct import backward_for
from .loops.loaders import loader_for
from .loops.losses import LOSSES, LossFn
from .loops.updates import update_rule, uses_manual_update
from .models import build_model, draw_init
from .precision import torch_dtype
from .run_epochs import RunEpochs
from .run_moves import RunMoves
from .run_records import RunRecords, step_position
from .run_staging import RunStaging
from .stall import Stall

__all__ = ["Run", "init", "step", "step_position"]


class Run(RunEpochs, RunStaging, RunRecords, RunMoves):
    """One training run. Not thread-safe by itself; each user/thread owns their own runs."""

    def __init__(self, config: Config, data: Dataset | None = None):
        self.config = config.validated()
        self.device = resolve_device(self.config.device)
        if data is None:
            data = make_dataset(self.config)
        check_for_task(data, self.config.task)
        self.data = data  # as given (raw units): what a share, an export or another run starts from
        # what the loop trains on: the same data, or its z-scores with the scaler that maps w, b back
        self.train_data, self.scaler = scaling.apply(self.config.scaling, data)
        self._start: tuple[torch.Tensor, torch.Tensor] | None = None  # set by start_from()
        self._init_moves()  # (w, b) set by hand: gdcore/run_moves.py
        self._build()

    # -- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        c, ds, dev = self.config, self.train_data, self.device
        dt = self.dtype = torch_dtype(c.dtype)
        g = torch.Generator()
        if ds.gen_state is not None and ds.seed == c.seed:
            g.set_state(ds.gen_state)  # the tutorial drew its data, then its weights, from one stream
        else:
            g.manual_seed(c.seed)
        # drawn in float32 as the tutorials draw them, then held in the run's precision (as the data)
        self.w0, self.b0 = (t.to(dt) for t in draw_init(c.init, c.task, ds.n_features, g))
        if self._start is not None:  # saved weights replace the drawn start
            self.w0, self.b0 = (t.clone().to(dt) for t in self._start)
        self.w0, self.b0 = self._start_params(self.w0, self.b0)  # a start set by hand wins
        self.model = build_model(c.task, c.impl, self.w0, self.b0, dev, dt)
        self.X, self.y = ds.X.to(dev, dt), ds.y.to(dev, dt)
        self.X_val = None if ds.X_val is None else ds.X_val.to(dev, dt)
        self.y_val = None if ds.y_val is None else ds.y_val.to(dev, dt)
        self.n = ds.n
        if c.mode == "minibatch" and c.batch_size > self.n:
            raise ConfigError(key="batch_too_large", batch_size=c.batch_size, n=self.n)
        self.batch_size = c.batch_size_for(self.n)
        self.steps_per_epoch = c.steps_per_epoch(self.n)
        self.total_steps = c.total_steps(self.n)
        if self.total_steps > MAX_STEPS:  # epochs x steps per epoch: the config alone cannot know n
            raise ConfigError(key="too_many_steps", epochs=c.epochs, per_epoch=self.steps_per_epoch,
                              total=self.total_steps, max=MAX_STEPS, most=MAX_STEPS // self.steps_per_epoch)
        self.manual = uses_manual_update(c)
        self._rule = update_rule(c)
        self.optimizer = None if self.manual else self._rule.make(c, self.model.parameters())

        named = self.model.named()
        self.param_names = [name for name, _ in named]
        self.param_shapes = [tuple(p.shape) for _, p in named]
        cols = []
        for name, p in named:  # "w", "b" for one feature; "w1", "w2", ..., "b" for several
            cols += [name] if p.numel() == 1 else [f"{name}{i + 1}" for i in range(p.numel())]
        self.param_columns = cols
        P = len(cols)
        self._state_keys = () if self.manual else self._rule.state(c)
        state_cols = [f"{key}[{col}]" for key in self._state_keys for col in cols]
        self.history = History(cols + [f"grad_{col}" for col in cols] + state_cols, dev, dtype=dt)
        self._views = self.history.row_views(P, len(state_cols))
        self._state_flat: list[torch.Tensor] | None = None
        self._P = P

        # batching: each run owns its generators (made afresh on reset)
        self._epoch = loader_for(c).batches(c, self.X, self.y, self.batch_size)

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
        self.stall: Stall | None = None  # rounding stopped the run (gdcore/stall.py), found at a flush
        self._frozen_since: int | None = None
        self._optimum = getattr(self, "_optimum", None) if getattr(self, "_optimum_data", None) is ds else None
        self._optimum_data = ds
        self._lambda_max: float | None = None

    def reset(self) -> None:
        """Start over: same config and data, fresh generators, initial parameters, empty history."""
        self._keep_start_only()
        self._build()

    def start_from(self, w: torch.Tensor, b: torch.Tensor) -> None:
        """Start over from given parameters (saved weights) instead of the drawn ones; reset keeps them."""
        w = torch.as_tensor(w, dtype=self.dtype).reshape(self.w0.shape)
        b = torch.as_tensor(b, dtype=self.dtype).reshape(self.b0.shape)
        self._start = (w, b)
        self.moves.clear()
        self._build()

    @property
    def loaded_start(self) -> bool:
        """Whether the run starts from given (saved) weights rather than drawn ones."""
        return self._start is not None

    # -- loss ----------------------------------------------------------------------------------
    def _make_loss(self) -> LossFn:
        """f(xb, yb) -> (tensor to call backward on, scalar loss to record)."""
        return LOSSES[self.config.loss].compute(self.model, self.config.impl)

    # -- the step -------------------------------------------------------------------------------
    def _make_step(self) -> Callable:
        model = self.model
        theta, grad = model.theta, model.grad
        hist = self.history
        lv, pv, gv, sv = self._views
        loss_fn = self._loss_fn
        update = self._rule.prepare(self.config, model, self.optimizer, self.batch_size)
        has_state = bool(self._state_keys)
        gather = self._gather_state
        backward = backward_for(self.device)  # loss.backward(), straight to autograd on the CPU

        def step(xb, yb):
            j = hist.j
            grad.zero_()  # what optimizer.zero_grad() does, on one flat buffer
            # forward
            loss, report = loss_fn(xb, yb)
            # backward
            backward(loss)
            # update
            update()
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

    # -- driving --------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.status != "ok" or self.step_count >= self.total_steps

    def run(self, n: int | None = None, callback: Callable[[Run], bool | None] | None = None) -> int:
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
                due = self._next_move_step()
                if due is not None:  # stop at a hand move's step and apply it
                    k = min(k, due - self.step_count)
                self._advance(k)
                if due is not None and self.step_count == due:
                    self._apply_due()
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

# -- the step-function API ---------------------------------------------------------------------

def init(config: Config, data: Dataset | None = None) -> Run:
    """Build a run from a config (and optionally a data set already made)."""
    return Run(config, data)


def step(run: Run) -> dict:
    """Advance a run by exactly one update and return that step's record."""
    return run.step()
