"""The run configuration: one frozen dataclass, every field a knob a learner can turn."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from .errors import ConfigError

TASKS = ("linreg", "logreg")
# linear: seed 000's numpy recipe (x = x_range * rand, y = w x + b + noise * randn), 1 feature
# uniform: seeds 002/003 (x = torch.rand, y = w x + b), 1 feature
# synthetic: d2l's synthetic_data, any number of features
# logistic_rule: seed 004 (X ~ N(0, 1), y = 1 where X @ w + b > 0)
# custom: a data set handed in (a CSV upload)
DATA_KINDS = ("linear", "uniform", "synthetic", "logistic_rule", "custom")
IMPLS = ("manual", "module")
MODES = ("batch", "stochastic", "minibatch")
# dataloader: TensorDataset + DataLoader(shuffle, generator); d2l: data_iter with random.shuffle;
# index: plain indexing in order (or a torch permutation when shuffle is on), as seed 004 does
LOADERS = ("dataloader", "d2l", "index")
LOSSES = ("mse", "half_squared", "bce_manual", "bce", "bce_logits")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
# randn: seed 000; rand: seed 003; normal: d2l (w ~ N(0, 0.01), b = 0); randn_zero: seed 004
# (w ~ randn, b = 0); linear_default: nn.Linear's own kaiming-uniform init (seed 002)
INITS = ("randn", "rand", "normal", "randn_zero", "linear_default")
UPDATES = ("data", "no_grad")
# none: train on the features as they are; standard: on their z-scores (gdcore/scaling.py)
SCALINGS = ("none", "standard")

# Caps keep one learner from exhausting a shared server (documented in the README).
MAX_N = 1_000_000
MAX_FEATURES = 64
MAX_STEPS = 5_000_000
MAX_LR = 1e6


@dataclass(frozen=True)
class Config:
    """Everything that determines a run; same Config and data => same numbers."""

    preset: str | None = None  # name of the preset this came from, for display and export
    task: str = "linreg"  # linreg (squared loss) or logreg (binary cross-entropy)
    # -- data ------------------------------------------------------------------------------
    data: str = "linear"  # which generator makes the data, see DATA_KINDS
    n: int = 150  # number of samples
    true_w: tuple[float, ...] = (2.0,)  # the weights the data is generated from (len = features)
    true_b: float = 6.0  # the bias the data is generated from
    noise: float = 0.3  # std of the Gaussian label noise (linear data only)
    x_range: float = 5.0  # x is drawn uniformly from [0, x_range) for 1-feature data
    val_fraction: float = 0.0  # share of samples held out for a validation loss
    scaling: str = "none"  # "standard": train on z-scored features, report w, b mapped back (SCALINGS)
    # -- model and loop -----------------------------------------------------------------------
    impl: str = "manual"  # manual: raw tensors + hand update; module: nn.Module + torch.optim
    loss: str = "mse"  # see LOSSES
    mode: str = "minibatch"  # batch (full data), stochastic (batch 1) or minibatch
    batch_size: int = 20  # samples per step in minibatch mode
    loader: str = "dataloader"  # how batches are drawn, see LOADERS
    shuffle: bool = True  # reshuffle every epoch
    init: str = "randn"  # how w and b start, see INITS
    update: str = "data"  # manual update style: `w.data -= lr * w.grad` or under torch.no_grad()
    full_tensor_pitfall: bool = False  # seed 000's slip: the batch loop uses the full tensors
    # -- optimizer -----------------------------------------------------------------------------
    optimizer: str = "sgd"
    lr: float = 0.01
    momentum: float = 0.9  # momentum / nesterov / rmsprop(momentum) coefficient
    rms_momentum: float = 0.0  # RMSprop's own momentum (0 = off, as torch's default)
    beta1: float = 0.9  # Adam's first-moment decay
    beta2: float = 0.999  # Adam's second-moment decay
    alpha: float = 0.99  # RMSprop's smoothing constant
    eps: float | None = None  # None = torch's default for the optimizer
    weight_decay: float = 0.0  # L2 penalty added by torch.optim
    # -- length, randomness, device ----------------------------------------------------------
    epochs: int | None = 99  # full passes over the data (ignored when steps is set)
    steps: int | None = None  # total parameter updates; overrides epochs
    seed: int = 100  # seeds this run's own generators, never the global ones
    device: str = "cpu"  # cpu, cuda, mps or auto

    # ------------------------------------------------------------------------------------------
    @property
    def n_features(self) -> int:
        return len(self.true_w)

    def replace(self, **changes) -> Config:
        """A copy with some fields changed, validated."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ConfigError(key="unknown_settings", names=", ".join(sorted(unknown)))
        return dataclasses.replace(self, **changes).validated()

    def batch_size_for(self, n: int) -> int:
        """Samples per step given the data size n."""
        if self.mode == "batch":
            return n
        if self.mode == "stochastic":
            return 1
        return min(self.batch_size, n)

    def steps_per_epoch(self, n: int) -> int:
        return math.ceil(n / self.batch_size_for(n))

    def total_steps(self, n: int) -> int:
        """How many updates a full run makes on n training samples."""
        if self.steps is not None:
            return self.steps
        return (self.epochs or 0) * self.steps_per_epoch(n)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["true_w"] = list(self.true_w)
        return d

    def validated(self) -> Config:
        """Check every field; raise ConfigError with one sentence on the first bad one."""
        _choice("task", self.task, TASKS)
        _choice("data", self.data, DATA_KINDS)
        _choice("impl", self.impl, IMPLS)
        _choice("loss", self.loss, LOSSES)
        _choice("mode", self.mode, MODES)
        _choice("loader", self.loader, LOADERS)
        _choice("init", self.init, INITS)
        _choice("update", self.update, UPDATES)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("scaling", self.scaling, SCALINGS)
        _int_range("n", self.n, 1, MAX_N)
        _int_range("batch_size", self.batch_size, 1, MAX_N)
        if self.steps is not None:
            _int_range("steps", self.steps, 1, MAX_STEPS)
        elif self.epochs is None:
            raise ConfigError(key="epochs_or_steps")
        else:
            _int_range("epochs", self.epochs, 1, MAX_STEPS)
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or not 0 <= self.seed < 2**63:
            raise ConfigError(key="seed", value=repr(self.seed))
        _positive("lr", self.lr, upper=MAX_LR)
        _finite_range("noise", self.noise, 0.0, 1e6)
        _finite_range("x_range", self.x_range, 1e-9, 1e6)
        _finite_range("true_b", self.true_b, -1e6, 1e6)
        _finite_range("val_fraction", self.val_fraction, 0.0, 0.9)
        if not self.true_w or len(self.true_w) > MAX_FEATURES:
            raise ConfigError(key="true_w_count", max=MAX_FEATURES, count=len(self.true_w))
        for v in self.true_w:
            _finite_range("true_w", v, -1e6, 1e6)
        _finite_range("momentum", self.momentum, 0.0, 0.999999)
        _finite_range("rms_momentum", self.rms_momentum, 0.0, 0.999999)
        _finite_range("beta1", self.beta1, 0.0, 0.999999)
        _finite_range("beta2", self.beta2, 0.0, 0.999999)
        _finite_range("alpha", self.alpha, 0.0, 0.999999)
        _finite_range("weight_decay", self.weight_decay, 0.0, 1e3)
        if self.eps is not None:
            _positive("eps", self.eps, upper=1.0)
        if self.data in ("linear", "uniform") and self.n_features != 1:
            raise ConfigError(key="one_feature_data", data=repr(self.data))
        if self.task == "linreg" and self.loss not in ("mse", "half_squared"):
            raise ConfigError(key="linreg_loss", loss=repr(self.loss))
        if self.task == "logreg" and self.loss not in ("bce_manual", "bce", "bce_logits"):
            raise ConfigError(key="logreg_loss", loss=repr(self.loss))
        if self.task == "logreg" and self.data not in ("logistic_rule", "custom"):
            raise ConfigError(key="logreg_data")
        if self.loss == "half_squared" and not (self.impl == "manual" and self.optimizer == "sgd"):
            raise ConfigError(key="half_squared")
        if self.loss == "bce_manual" and self.impl == "module":
            raise ConfigError(key="bce_manual")
        if self.full_tensor_pitfall and self.mode == "batch":
            raise ConfigError(key="pitfall_batch")
        return self


def _choice(name: str, value, options) -> None:
    if value not in options:
        raise ConfigError(key="choice", name=name, value=repr(value), options=", ".join(options))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _int_range(name: str, value, lo: int, hi: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(key="whole_number", name=name, value=repr(value))
    if not lo <= value <= hi:
        raise ConfigError(key="range", name=name, lo=lo, hi=hi, value=value)


def _positive(name: str, value, upper: float) -> None:
    if not _is_number(value) or not math.isfinite(value):
        raise ConfigError(key="finite", name=name, value=repr(value))
    if value <= 0:
        raise ConfigError(key="positive", name=name, value=repr(value))
    if value > upper:
        raise ConfigError(key="at_most", name=name, upper=upper, value=repr(value))


def _finite_range(name: str, value, lo: float, hi: float) -> None:
    if not _is_number(value) or not math.isfinite(value):
        raise ConfigError(key="finite", name=name, value=repr(value))
    if not lo <= value <= hi:
        raise ConfigError(key="finite_range", name=name, lo=lo, hi=hi, value=repr(value))
