"""Export a run as a standalone, readable PyTorch script in the tutorials' own style.

    text = export_script(config)          # export_script(config, data) for an uploaded CSV
    open(script_filename(config), "w").write(text)

Run alone (only torch and numpy installed, on the CPU), the script performs the same run as
`Run(config, data).run()` and ends by printing `w = [...]` and `b = [...]`: the run's final
parameters, bit for bit. Each feature (data recipe, loader, model, loss, update) writes its own few
lines of plain code, so the script reads like the tutorial it came from, not like a framework.

The script repeats the engine's arithmetic operation by operation (same expressions, same
generators, drawn in the same order), which is why the numbers match exactly; change an
expression here only together with the engine.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import torch

from .config import Config
from .data import Dataset, check_for_task, make_dataset
from .errors import ConfigError, DataError
from .loops import loaders
from .loops.losses import LOSSES
from .loops.updates import update_rule, uses_manual_update
from .models import draw_init
from .presets import PRESETS, SOURCES

__all__ = ["MAX_EMBEDDED_VALUES", "export_script", "script_filename"]

# An uploaded data set is written into the script as a literal table; beyond this it stops being a
# readable script (and a download of several MB).
MAX_EMBEDDED_VALUES = 20_000
MAX_PROGRESS_LINES = 100  # at most about this many progress lines printed while training

_TUTORIAL = {  # preset -> the tutorial (seed file number) it follows
    "linreg-minibatch": "000", "linreg-d2l": "001", "linreg-module": "002",
    "linreg-manual": "003", "logreg-manual": "004",
}

def script_filename(config: Config) -> str:
    """A file name for the exported script, e.g. `linreg_minibatch.py`."""
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", config.preset or "")[:60].strip("_")
    return (stem or f"{config.task}_{config.impl}") + ".py"


def export_script(config: Config, data: Dataset | None = None) -> str:
    """A standalone Python script that repeats `Run(config, data).run()` exactly, on the CPU.

    `data` is needed for custom (CSV) data; for generated data it may be left out (the script
    regenerates it from the config's recipe). Raises ConfigError / DataError with one sentence
    when the run cannot be exported.
    """
    plan = _Plan.make(config, data)
    parts = [
        _header(plan),
        _imports(plan),
        _helpers(plan),
        _settings(plan),
        _data(plan),
        _init(plan),
        _model(plan),
        _loss_and_optimizer(plan),
        _batches(plan),
        _training(plan),
        _result(plan),
    ]
    text = "\n\n\n".join("\n".join(p).strip("\n") for p in parts if p) + "\n"
    compile(text, script_filename(plan.c), "exec")  # never hand out a script that does not parse
    return text


# -- what the script has to do ------------------------------------------------------------------

@dataclass
class _Plan:
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

    @classmethod
    def make(cls, config: Config, data: Dataset | None) -> "_Plan":
        c = config.validated()
        if data is None:
            if c.data == "custom":
                raise DataError(key="custom_needs_csv")
            ds, literal = make_dataset(c), False
        else:
            check_for_task(data, c.task)
            ds, literal = data, c.data == "custom" or not _same_as_recipe(c, data)
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


def _same_as_recipe(c: Config, ds: Dataset) -> bool:
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

def _f(v) -> str:
    """A Python float literal that reads back as exactly v."""
    return repr(float(v))


def _f32(v: float) -> str:
    """The shortest literal that reads back (through float64, as torch.tensor does) as float32 v."""
    v32 = np.float32(v)
    if not np.isfinite(v32):  # cannot happen with checked data, but never emit nan / inf
        raise DataError(key="data_not_finite")
    short = str(v32)
    if np.float32(float(short)).tobytes() == v32.tobytes():
        return short
    return repr(float(v32))


def _shape(shape: tuple[int, ...]) -> str:
    return ", ".join(str(s) for s in shape)


def _nice_ceil(x: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is >= x."""
    k = 1
    while True:
        for m in (1, 2, 5):
            if k * m >= x:
                return k * m
        k *= 10


def _indent(lines: list[str], level: int) -> list[str]:
    pad = "    " * level
    return [pad + ln if ln else ln for ln in lines]


# -- sections -----------------------------------------------------------------------------------

def _header(p: _Plan) -> list[str]:
    c = p.c
    if c.preset in SOURCES:
        title = SOURCES[c.preset]
        origin = f"preset '{c.preset}' (tutorial {_TUTORIAL[c.preset]})"
    else:
        title = "Logistic regression by gradient descent" if p.logreg else "Linear regression by gradient descent"
        origin = "custom settings"
    lines = ['"""' + title, "",
             f"Exported from the gradient-descent dashboard: {origin}.",
             "Run alone (python with torch and numpy, on the CPU) it repeats the dashboard's run step",
             "for step: the last two lines it prints, w = [...] and b = [...], are the dashboard's final",
             "parameters, bit for bit.", ""]
    if c.preset in PRESETS:
        base = PRESETS[c.preset]
        changed = [f"{k} = {v!r} (preset: {getattr(base, k)!r})" for k, v in _fields(c).items()
                   if getattr(base, k) != v and k != "preset"]
        if changed:
            lines += ["Changed from the preset:"] + [f"    {s}" for s in changed] + [""]
    lines += ["Settings:"]
    for k, v in _shown_settings(p):
        lines.append(f"    {k:<14}{v}")
    if c.device != "cpu":
        lines += ["", f"The dashboard ran on device {c.device!r}; this script runs on the CPU, where the",
                  "numbers are reproduced exactly."]
    lines.append('"""')
    return lines


def _fields(c: Config) -> dict:
    d = c.to_dict()
    d["true_w"] = tuple(c.true_w)
    return d


def _shown_settings(p: _Plan) -> list[tuple[str, str]]:
    c = p.c
    out = [("task", {"linreg": "linreg (linear regression)", "logreg": "logreg (logistic regression)"}[c.task])]
    if p.literal_data:
        out.append(("data", f"{'uploaded' if c.data == 'custom' else 'given'} table, {p.n} samples x "
                            f"{p.d} feature(s), written out below"))
    else:
        out.append(("data", c.data))
        out.append(("n", str(c.n)))
        out.append(("true_w", str(list(c.true_w))))
        out.append(("true_b", repr(c.true_b)))
        if c.data in ("linear", "uniform", "synthetic"):
            out.append(("noise", repr(c.noise)))
        if c.data in ("linear", "uniform"):
            out.append(("x_range", repr(c.x_range)))
        if c.val_fraction > 0:
            out.append(("val_fraction", repr(c.val_fraction)))
    out += [("impl", c.impl), ("loss", c.loss), ("mode", c.mode)]
    if c.mode != "batch":
        out += [("batch_size", str(p.B)), ("loader", c.loader), ("shuffle", str(c.shuffle))]
    out.append(("init", c.init))
    if p.manual_update:
        out.append(("update", c.update))
    if c.full_tensor_pitfall:
        out.append(("pitfall", "full_tensor_pitfall (the loop computes on the full X, y)"))
    out += [("optimizer", c.optimizer), ("lr", repr(c.lr))]
    if c.optimizer in ("momentum", "nesterov"):
        out.append(("momentum", repr(c.momentum)))
    if c.optimizer == "rmsprop":
        out.append(("alpha", repr(c.alpha)))
        if c.rms_momentum > 0:
            out.append(("rms_momentum", repr(c.rms_momentum)))
    if c.optimizer == "adam":
        out.append(("betas", f"({c.beta1!r}, {c.beta2!r})"))
    if c.eps is not None and c.optimizer in ("adagrad", "rmsprop", "adam"):
        out.append(("eps", repr(c.eps)))
    if c.weight_decay:
        out.append(("weight_decay", repr(c.weight_decay)))
    length = f"{c.steps} steps" if c.steps is not None else f"{c.epochs} epoch{'s' if c.epochs != 1 else ''}"
    out.append(("length", f"{length} ({p.total} updates, {p.spe} per epoch)"))
    out.append(("seed", str(c.seed)))
    return out


def _imports(p: _Plan) -> list[str]:
    c = p.c
    lines = []
    if c.mode != "batch" and c.loader == "d2l":
        lines.append("import random")
    if c.init == "linear_default":
        lines.append("import math")
    lines.append("")
    if not p.literal_data and c.data == "linear":
        lines.append("import numpy as np")
    lines.append("import torch")
    needs_nn = p.module or c.loss in ("bce", "bce_logits") or (c.init == "linear_default" and p.init_from != "literal")
    if needs_nn or not p.manual_update:
        names = [n for n, use in (("nn", needs_nn), ("optim", not p.manual_update)) if use]
        lines.append(f"from torch import {', '.join(names)}")
    if c.mode != "batch" and c.loader == "dataloader":
        lines.append("from torch.utils.data import DataLoader, TensorDataset")
    while lines and lines[0] == "":
        lines.pop(0)
    return lines


def _helpers(p: _Plan) -> list[str]:
    lines = ["def all_finite(*tensors):",
             '    """True when none of the tensors holds inf or nan (the run has not diverged)."""',
             "    return all(bool(torch.isfinite(t).all()) for t in tensors)"]
    if not p.manual_update and p.c.optimizer != "sgd":
        lines += ["",
                  "",
                  "def optimizer_state_finite(optimizer):",
                  '    """The running averages an optimizer keeps (momentum, squared gradients) must stay finite too."""',
                  "    return all(all_finite(*state.values()) for state in optimizer.state.values())"]
    return lines


def _settings(p: _Plan) -> list[str]:
    c = p.c
    lines = ["# ---- settings -------------------------------------------------------------------",
             f"seed = {c.seed}  # seeds this script's own generators; torch's global one is never seeded",
             f"lr = {_f(c.lr)}  # learning rate"]
    lines.insert(1, "torch.set_num_threads(1)  # as the dashboard: one thread, so large sums add up in the same order")
    if c.mode == "batch":
        if c.loss == "half_squared":
            lines.append(f"batch_size = {p.B}  # batch mode: every step uses all samples")
    else:
        lines.append(f"batch_size = {p.B}  # samples per step")
    if c.mode == "batch":
        lines.append(f"total_steps = {p.total}  # full-batch updates (one per epoch)")
    else:
        lines.append(f"num_epochs = {p.num_epochs}  # passes over the data")
        if p.stop_mid_epoch:
            lines.append(f"total_steps = {p.total}  # updates in all: the last epoch stops after "
                         f"{p.total - (p.num_epochs - 1) * p.spe} of its {p.spe} steps")
        else:
            lines.append(f"total_steps = {p.total}  # updates in all: {p.num_epochs} epoch(s) x {p.spe} steps")
    if p.style in ("000", "batch"):
        every = _nice_ceil(p.total / MAX_PROGRESS_LINES)
        lines.append(f"print_every = {every}  # print progress every {every} step(s)")
    elif p.style in ("d2l", "004", "epoch"):
        every = _nice_ceil(p.num_epochs / MAX_PROGRESS_LINES)
        lines.append(f"print_every = {every}  # print progress every {every} epoch(s)")
    return lines


def _data(p: _Plan) -> list[str]:
    c = p.c
    lines = ["# ---- data -----------------------------------------------------------------------"]
    if p.literal_data:
        lines += _data_literal(p)
    elif c.data == "linear":
        seed = "seed" if c.seed < 2**32 else "seed % 2**32"
        lines += [
            f"n = {c.n}",
            f"true_w, true_b, noise, x_range = {_f(c.true_w[0])}, {_f(c.true_b)}, {_f(c.noise)}, {_f(c.x_range)}",
            "# tutorial 000's recipe, in float64 numpy: np.random.seed(seed) would give the same numbers,",
            "# but an own RandomState leaves numpy's global generator alone",
            f"rs = np.random.RandomState({seed})",
            "x = x_range * rs.rand(n, 1)  # n points, uniform in [0, x_range)",
            "y = true_w * x + true_b + rs.randn(n, 1) * noise  # around the line y = true_w x + true_b",
            "X = torch.from_numpy(x).float()  # float32 tensors, as tensorX, tensorY in the tutorial",
            "y = torch.from_numpy(y).float()",
        ]
    elif c.data == "uniform":
        lines += [
            f"n = {c.n}",
            f"true_w, true_b = {_f(c.true_w[0])}, {_f(c.true_b)}",
            "g = torch.Generator().manual_seed(seed)  # one seeded stream: the data first, then w and b",
            "X = torch.rand(n, 1, generator=g)  # x = torch.rand([50, 1]) in the tutorial",
        ]
        if c.x_range != 1.0:
            lines.append(f"X = X * {_f(c.x_range)}  # x in [0, x_range)")
        lines.append("y = true_w * X + true_b  # y = 3x + 0.8: the line to find" if c.noise == 0
                     else "y = true_w * X + true_b")
        if c.noise > 0:
            lines.append(f"y = y + {_f(c.noise)} * torch.randn(n, 1, generator=g)  # Gaussian label noise")
    elif c.data == "synthetic":
        lines += [
            f"n = {c.n}",
            f"true_w = torch.tensor([{', '.join(_f(v) for v in c.true_w)}])",
            f"true_b = {_f(c.true_b)}",
            "g = torch.Generator().manual_seed(seed)  # one seeded stream: the data first, then w and b",
            "",
            "# d2l's synthetic_data: y = Xw + b + noise",
            "X = torch.normal(0, 1, (n, len(true_w)), generator=g)",
            "y = torch.matmul(X, true_w) + true_b",
            f"y += torch.normal(0, {_f(c.noise)}, y.shape, generator=g)",
            "y = y.reshape((-1, 1))  # labels as a column",
        ]
    else:  # logistic_rule
        w_true = [float(v) for v in c.true_w]
        terms = " + ".join(f"X[:, {j}] * {_f(v)}" if v >= 0 else f"X[:, {j}] * ({_f(v)})"
                           for j, v in enumerate(w_true))
        lines += [
            f"n = {c.n}",
            "g = torch.Generator().manual_seed(seed)  # one seeded stream: the data first, then w",
            f"X = torch.randn(size=(n, {p.d}), generator=g).float()  # n samples, {p.d} features each",
        ]
        if len(w_true) <= 4:
            lines.append(f"score = {terms}")
        else:
            lines += [f"true_w = [{', '.join(_f(v) for v in w_true)}]",
                      "score = X[:, 0] * true_w[0]",
                      "for j in range(1, len(true_w)):",
                      "    score = score + X[:, j] * true_w[j]"]
        if c.true_b != 0:
            lines.append(f"score = score + {_f(c.true_b)}")
        lines.append("y = torch.where(score > 0, 1.0, 0.0).float().reshape(-1, 1)  # label 1 on one side of the line")
    if not p.literal_data and c.val_fraction > 0:
        n_val = int(round(c.n * c.val_fraction))
        lines += [
            "",
            f"# hold out {c.val_fraction:.0%} of the samples for validation (an own generator); training uses the rest",
            f"n_val = {n_val}",
            "g_split = torch.Generator().manual_seed(seed + 7919)",
            "perm = torch.randperm(n, generator=g_split)",
            "val_idx, train_idx = perm[:n_val].sort().values, perm[n_val:].sort().values",
            "X_val, y_val = X[val_idx], y[val_idx]",
            "X, y = X[train_idx], y[train_idx]",
            f"n = len(X)  # {p.n} training samples",
        ]
    return lines


def _data_literal(p: _Plan) -> list[str]:
    ds = p.ds
    X = ds.X.detach().cpu().numpy()
    y = ds.y.detach().cpu().reshape(-1).numpy()
    cols = list(ds.feature_names) + [ds.label_name]
    what = "the uploaded table" if p.c.data == "custom" else "the data set the run was given"
    lines = [f"# {what}: {p.n} rows; columns {ascii(cols)[1:-1]} (the label last)",
             "rows = ["]
    for xi, yi in zip(X, y):
        lines.append("    [" + ", ".join(_f32(v) for v in list(xi) + [yi]) + "],")
    lines += ["]",
              "table = torch.tensor(rows)  # float32",
              f"X = table[:, :{p.d}].contiguous()  # features, shape (n, {p.d})",
              f"y = table[:, {p.d}:].contiguous()  # labels, shape (n, 1)",
              "n = len(X)"]
    return lines


def _init(p: _Plan) -> list[str]:
    c = p.c
    lines = ["# ---- initial parameters -----------------------------------------------------------"]
    if p.init_from == "own generator":
        lines.append("g = torch.Generator().manual_seed(seed)  # w and b come from their own seeded stream")
    elif p.init_from == "data generator":
        lines.append("# g goes on from where the data left it, as one seeded stream would")
    if p.init_from == "literal":
        g = torch.Generator()
        g.set_state(p.ds.gen_state)
        w0, b0 = draw_init(c.init, c.task, p.d, g)
        lines += ["# drawn by the dashboard from the generator that made this data set",
                  f"w = torch.tensor([{', '.join(_f32(v) for v in w0.reshape(-1).tolist())}])"
                  + ("" if w0.shape == (1,) else f".reshape({_shape(tuple(w0.shape))})"),
                  f"b = torch.tensor([{', '.join(_f32(v) for v in b0.reshape(-1).tolist())}])"
                  + ("" if b0.shape == (1,) else f".reshape({_shape(tuple(b0.shape))})")]
        return lines + _requires_grad(p)
    ws, bs = _shape(p.w_shape), _shape(p.b_shape)
    d = p.d
    if c.init == "linear_default":
        if p.module:  # drawn straight into nn.Linear below, as its reset_parameters() does
            return lines + ["# w and b are drawn below, straight into nn.Linear (its own init, from g)"]
        lines += ["# nn.Linear's own init (kaiming uniform), drawn from our generator",
                  f"weight = torch.empty(1, {d})",
                  "nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=g)",
                  "bias = torch.empty(1)",
                  f"bound = 1 / math.sqrt({d})",
                  "nn.init.uniform_(bias, -bound, bound, generator=g)",
                  f"w = weight.reshape({ws})",
                  f"b = bias.reshape({bs})"]
        return lines + _requires_grad(p)
    rg = "" if p.module else ", requires_grad=True"
    if c.init in ("randn", "rand"):
        lines += [f"w = torch.{c.init}({ws}, generator=g{rg})",
                  f"b = torch.{c.init}({bs}, generator=g{rg})"]
        return lines
    if c.init == "normal":  # d2l: w ~ N(0, 0.01), b = 0
        draw = f"torch.normal(0, 0.01, ({d}, 1), generator=g"
    else:  # randn_zero, tutorial 004: w = randn(d, 1), b = 0
        draw = f"torch.randn({d}, 1, generator=g"
    if p.w_shape == (d, 1):
        lines.append(f"w = {draw}{rg})")
    else:
        lines.append(f"w = {draw}).reshape({ws})" + ("" if p.module else ".requires_grad_()"))
    lines.append(f"b = torch.zeros({bs}{rg})")
    return lines


def _requires_grad(p: _Plan) -> list[str]:
    if p.module:
        return []
    return ["w.requires_grad_()  # autograd will fill w.grad and b.grad", "b.requires_grad_()"]


def _model(p: _Plan) -> list[str]:
    c, d = p.c, p.d
    lines = ["# ---- model ------------------------------------------------------------------------"]
    if p.module:
        name = "LogReg" if p.logreg else "Lr"
        lines += [f"class {name}(nn.Module):",
                  "    def __init__(self):",
                  f"        super({name}, self).__init__()",
                  f"        self.linear = nn.Linear({d}, 1)  # y = x w^T + b",
                  "",
                  "    def forward(self, x):"]
        if p.logreg:
            lines += ["        return torch.sigmoid(self.linear(x))  # the probability of class 1"]
        else:
            lines += ["        out = self.linear(x)",
                      "        return out"]
        lines += ["", "", f"model = {name}()"]
        if c.init == "linear_default" and p.init_from != "literal":
            lines += ["# nn.Linear's own init, drawn again from our generator g (nn.Linear() used torch's global one)",
                      "with torch.no_grad():",
                      "    nn.init.kaiming_uniform_(model.linear.weight, a=math.sqrt(5), generator=g)",
                      f"    bound = 1 / math.sqrt({d})",
                      "    nn.init.uniform_(model.linear.bias, -bound, bound, generator=g)"]
        else:
            lines += ["with torch.no_grad():  # start from the w, b drawn above, not nn.Linear's random init",
                      f"    model.linear.weight.copy_(w.reshape(1, {d}))",
                      "    model.linear.bias.copy_(b.reshape(1))"]
        return lines
    if not p.logreg:
        lines += ["def linreg(X, w, b):",
                  '    """The linear model y_hat = X w + b."""']
        lines.append("    return X * w + b  # one feature: w is a single number" if p.w_shape == (1,)
                     else "    return torch.matmul(X, w) + b")
        return lines
    lines += ["def logit(X, w, b):",
              '    """The score X @ w + b of a batch X (n, d); positive means class 1."""',
              "    return torch.matmul(X, w) + b",
              "",
              "",
              "def forward(X, w, b):",
              '    """y_hat = sigmoid(X @ w + b): the probability of class 1 for each row of X."""',
              "    return torch.sigmoid(logit(X, w, b))"]
    if p.one_sample and not c.full_tensor_pitfall:
        if c.loss == "bce_logits":
            lines += ["", "",
                      "def logit_one(x, w, b):",
                      '    """The score w^T x + b of ONE sample x of shape (d,)."""',
                      "    return torch.matmul(w.transpose(0, 1), x) + b"]
        else:
            lines += ["", "",
                      "def forward_one(x, w, b):",
                      '    """Tutorial 004\'s forward for ONE sample x of shape (d,): sigmoid(w^T x + b)."""',
                      "    return torch.sigmoid(torch.matmul(w.transpose(0, 1), x) + b)"]
    return lines


def _loss_and_optimizer(p: _Plan) -> list[str]:
    lines = ["# ---- loss and update ----------------------------------------------------------------"]
    lines += LOSSES[p.c.loss].define(p)
    define = update_rule(p.c).define(p)
    if define[0] and (lines[-1].startswith("    ") or define[0].startswith("def ")):
        lines += ["", ""]  # two blank lines around a function definition
    return lines + define


def _batches(p: _Plan) -> list[str]:
    if p.c.mode == "batch":
        return []
    lines = ["# ---- batches ----------------------------------------------------------------------"]
    return lines + loaders.loader_for(p.c).setup(p)


def _training(p: _Plan) -> list[str]:
    c = p.c
    lines = ["# ---- training -----------------------------------------------------------------------",
             "diverged_at = None  # the step where a value became inf or nan, if one did"]
    head, xb, yb = loaders.loader_for(c).head(p)
    if c.mode == "batch":
        return lines + head + _indent(_step_body(p, xb, yb, per_step_print=True), 1)
    lines += ["step = 0", "for epoch in range(num_epochs):"]
    body = ["step += 1"]
    if c.full_tensor_pitfall:
        body.append("# the pitfall: the batch above is drawn, but the lines below use the full X, y")
        xb, yb = "X", "y"
    body += _step_body(p, xb, yb, per_step_print=p.style == "000")
    if p.stop_mid_epoch:
        body += ["if step == total_steps:", "    break"]
    inner = head + _indent(body, 1)
    lines += _indent(inner, 1)
    lines += _indent(["if diverged_at is not None:", "    break"], 1)
    lines += _indent(_epoch_print(p), 1)
    return lines


def _step_body(p: _Plan, xb: str, yb: str, per_step_print: bool) -> list[str]:
    c = p.c
    rule = update_rule(c)
    fl, report = LOSSES[c.loss].forward(p, xb, yb)
    lines = ["# forward"] + fl + ["# backward"] + rule.zero(p)
    lines.append("loss.backward()")
    if p.module:
        lines.append("last = {name: t.detach().clone() for name, t in model.named_parameters()}  # to undo a bad step")
    else:
        lines.append("w_last, b_last = w.detach().clone(), b.detach().clone()  # to undo a bad step")
    lines += ["# update"] + rule.apply(p)
    # An inf/nan gradient always makes the updated parameters inf/nan too, so checking the loss and
    # the new parameters (and the optimizer's running averages) finds the same step as the engine.
    check = f"all_finite(loss, {p.params_text})"
    if not p.manual_update and c.optimizer != "sgd":
        check = f"({check} and optimizer_state_finite(optimizer))"
    lines.append(f"if not {check}:  # inf or nan: the run diverged")
    if p.module:
        lines.append("    model.load_state_dict(last)  # back to the parameters of the last finite step")
    else:
        lines += ["    with torch.no_grad():  # back to the parameters of the last finite step",
                  "        w.copy_(w_last)",
                  "        b.copy_(b_last)"]
    lines += ["    diverged_at = step", "    break"]
    if per_step_print:
        lines += _step_print(p, report)
    return lines + rule.clear(p)


def _step_print(p: _Plan, report: str) -> list[str]:
    if p.style == "000":
        return ["if step % print_every == 0:  # dw, db: the gradients",
                '    print("epoch(%d) batch(%d) loss,dw,db,w,b = %.3f,%.3f,%.3f,%.3f,%.3f"',
                "          % (epoch + 1, batch_index, loss.item(), w.grad.item(), b.grad.item(), w.item(), b.item()))"]
    if p.module:
        return ["if step % print_every == 0:",
                "    print('Epoch[{}/{}], loss: {:.6f}'.format(step, total_steps, "
                f"{report}.item()))"]
    return ["if step % print_every == 0:",
            f'    print("iteration %d, loss %.6f" % (step, {report}.item()))']


def _epoch_print(p: _Plan) -> list[str]:
    if p.style == "d2l":
        return ["if (epoch + 1) % print_every == 0:",
                "    with torch.no_grad():",
                f"        train_l = {_full_loss(p, 'X', 'y')}",
                '    print(f"epoch {epoch + 1}, loss {float(train_l):f}")']
    report = "l.mean()" if p.c.loss == "half_squared" else "loss"
    if p.style == "004":
        last = "step" if p.c.full_tensor_pitfall else "sample"
        return [f"if (epoch + 1) % print_every == 0:  # the loss of the last {last}",
                f'    print("Epoch: %03d, Loss: %.3f" % (epoch, {report}.item()))']
    if p.style == "epoch":
        return ["if (epoch + 1) % print_every == 0:  # the loss of the last batch",
                f'    print("epoch %d, loss %.6f" % (epoch + 1, {report}.item()))']
    return []


def _full_loss(p: _Plan, X: str, y: str) -> str:
    """An expression: the mean training loss over a whole data set (no autograd needed)."""
    return LOSSES[p.c.loss].full(p, X, y)


def _result(p: _Plan) -> list[str]:
    c = p.c
    lines = ["# ---- result -------------------------------------------------------------------------",
             "if diverged_at is not None:",
             '    print("diverged at step %d: a value became inf or nan (is lr too large?); "',
             '          "w and b are those of the last finite step" % diverged_at)',
             "with torch.no_grad():",
             f"    final_loss = {_full_loss(p, 'X', 'y')}"]
    has_val = not p.literal_data and c.val_fraction > 0
    if has_val:
        lines.append(f"    val_loss = {_full_loss(p, 'X_val', 'y_val')}")
    if p.logreg:
        z = "model.linear(X)" if p.module else "logit(X, w, b)"
        lines.append(f"    accuracy = (({z} > 0).float() == y).float().mean()")
    lines.append('print("loss on the %d training samples: %.6f" % (n, final_loss.item()))')
    if has_val:
        lines.append('print("loss on the %d held-out samples: %.6f" % (len(X_val), val_loss.item()))')
    if p.logreg:
        lines.append('print("accuracy: %.3f" % accuracy.item())')
    if not p.literal_data and c.data == "synthetic" and not p.module:
        lines += ['print(f"error in w: {(true_w - w.detach().reshape(true_w.shape)).tolist()}")',
                  'print(f"error in b: {true_b - b.item()}")']
    if p.module:
        lines += ["w_final = model.linear.weight.detach()",
                  "b_final = model.linear.bias.detach()"]
    else:
        lines += ["w_final, b_final = w.detach(), b.detach()"]
    lines += ['print("w =", w_final.reshape(-1).tolist())',
              'print("b =", b_final.reshape(-1).tolist())']
    return lines
