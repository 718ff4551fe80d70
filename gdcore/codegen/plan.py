"""What an exported script has to do (sizes, styles, the names it uses), and exact number literals."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..config import Config
from ..data import Dataset, check_for_task, make_dataset
from ..errors import ConfigError, DataError
from ..loops import loaders
from ..loops.updates import uses_manual_update

# An uploaded data set is written into the script as a literal table; beyond this it stops being a
# readable script (and a download of several MB).
MAX_EMBEDDED_VALUES = 20_000
MAX_PROGRESS_LINES = 100  # at most about this many progress lines printed while training


@dataclass
class Plan:
    """One export's decisions, made once from the config and the data; the sections read them."""

    c: Config
    ds: Dataset
    n: int  # training samples
    d: int  # features
    B: int  # samples per step
    spe: int  # steps per epoch
    total: int  # steps in all
    num_epochs: int  # epochs started (the last one may stop early)
    manual_update: bool  # w.data -= lr * w.grad (no torch.optim)
    one_sample: bool  # seed 004's path: X[i] (1-D), y[i, 0] (a number), one sample a step
    literal_data: bool  # the data set is written out as a table (CSV upload)
    init_from: str  # "data generator" | "own generator" | "literal"
    style: str  # how progress is printed: "000", "d2l", "004", "batch", "epoch"
    moves: tuple = ()  # gdcore.manual.Move: (w, b) set by hand at the start or after a step

    @classmethod
    def make(cls, config: Config, data: Dataset | None) -> Plan:
        c = config.validated()
        if data is None:
            if c.data == "custom":
                raise DataError(key="custom_needs_csv")
            ds, literal = make_dataset(c), False
        else:
            check_for_task(data, c.task)
            ds, literal = data, c.data == "custom" or not same_as_recipe(c, data)
        n, d = ds.n, ds.n_features
        if literal and n * (d + 1) > MAX_EMBEDDED_VALUES:
            raise ConfigError(key="script_too_much_data", count=n * (d + 1), max=MAX_EMBEDDED_VALUES)
        continues = ds.gen_state is not None and ds.seed == c.seed  # as Run._build decides
        if not continues:
            init_from = "own generator"
        elif literal:
            init_from = "literal"  # drawn from a generator state the script cannot recreate simply
        else:
            init_from = "data generator"
        B = c.batch_size_for(n)
        spe = c.steps_per_epoch(n)
        total = c.total_steps(n)
        manual = uses_manual_update(c)
        one_sample = loaders.one_sample(c, n, B)
        if c.mode == "batch":
            style = "batch"
        elif c.loader == "d2l":
            style = "d2l"
        elif one_sample:
            style = "004"
        elif (c.loader == "dataloader" and c.impl == "manual" and c.task == "linreg" and d == 1
              and c.loss == "mse"):
            style = "000"
        else:
            style = "epoch"
        return cls(c, ds, n, d, B, spe, total, math.ceil(total / spe), manual, one_sample, literal,
                   init_from, style)

    # names the generated code uses
    @property
    def module(self) -> bool:
        return self.c.impl == "module"

    @property
    def logreg(self) -> bool:
        return self.c.task == "logreg"

    @property
    def w_shape(self) -> tuple[int, ...]:
        return (1,) if (self.c.task == "linreg" and self.d == 1) else (self.d, 1)

    @property
    def b_shape(self) -> tuple[int, ...]:
        return (1, 1) if self.logreg else (1,)

    @property
    def params_text(self) -> str:
        """The parameters as the script names them."""
        return "model.linear.weight, model.linear.bias" if self.module else "w, b"

    @property
    def stop_mid_epoch(self) -> bool:
        return self.c.mode != "batch" and self.total % self.spe != 0

    @property
    def single(self) -> bool:
        """The loop body sees one sample x of shape (d,) (tutorial 004), not a batch."""
        return self.one_sample and not self.c.full_tensor_pitfall

    def prediction(self, x: str, full: bool = False) -> str:
        """The script's expression for the model's output y_hat on `x` (a whole data set when full)."""
        if self.module:
            return f"model({x})"
        if not self.logreg:
            return f"linreg({x}, w, b)"
        return f"forward_one({x}, w, b)" if self.single and not full else f"forward({x}, w, b)"

    def score(self, x: str, full: bool = False) -> str:
        """The script's expression for the score z (before the sigmoid) on `x`."""
        if self.module:
            return f"model.linear({x})"
        return f"logit_one({x}, w, b)" if self.single and not full else f"logit({x}, w, b)"


def same_as_recipe(c: Config, ds: Dataset) -> bool:
    """True when `ds` is exactly what the config's own recipe makes (so the script may regenerate it)."""
    if c.data == "custom" or ds.kind != c.data or ds.seed != c.seed:
        return False  # cheap checks first: the dashboard asks on every page rerun
    ref = make_dataset(c)
    if not (ref.X.shape == ds.X.shape and torch.equal(ref.X, ds.X) and torch.equal(ref.y, ds.y)):
        return False
    ours = ds.gen_state is not None and ds.seed == c.seed
    theirs = ref.gen_state is not None and ref.seed == c.seed
    if ours != theirs:
        return False
    return not ours or torch.equal(ds.gen_state, ref.gen_state)


# -- number formatting: every literal must read back as exactly the same value -------------------

def float_literal(v) -> str:
    """A Python float literal that reads back as exactly v."""
    return repr(float(v))


def float32_literal(v: float) -> str:
    """The shortest literal that reads back (through float64, as torch.tensor does) as float32 v."""
    v32 = np.float32(v)
    if not np.isfinite(v32):  # cannot happen with checked data, but never emit nan / inf
        raise DataError(key="data_not_finite")
    short = str(v32)
    if np.float32(float(short)).tobytes() == v32.tobytes():
        return short
    return repr(float(v32))


def shape_text(shape: tuple[int, ...]) -> str:
    return ", ".join(str(s) for s in shape)


def nice_ceil(x: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is >= x."""
    k = 1
    while True:
        for m in (1, 2, 5):
            if k * m >= x:
                return k * m
        k *= 10


def indent(lines: list[str], level: int) -> list[str]:
    pad = "    " * level
    return [pad + ln if ln else ln for ln in lines]
