"""One logistic-regression step in slow motion: the sample, forward, loss, backward, update, zero_grad,
each with its lines of tutorial 004's loop and the tensor values it computed.

    slow = slow_step(config, X, y, w_old, b_old, batch, step)   # batch: the step's indices, None = all
    slow.phase("forward").values["y_hat"]

As gdcore.slowmo does for linear regression, the phases are recomputed here from the data and the
parameters before the step, the way the loop computes them (the run's dtype, autograd for the
gradients), independently of the engine; tests check that they end where the engine's step record
says the step ended, and equal torch autograd on the tutorial's own loop. `next_batch(run)` says
which samples the run's next step will use, so a page can show where that step will take the
boundary before it is taken. Pure: no streamlit, no global generator touched.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812 (tutorial 004's name for it)

from .loops import loaders, tutorials
from .precision import torch_dtype
from .slowmo import Phase, SlowStep, phases_of

PHASES = ("sample", "forward", "loss", "backward", "update", "zero_grad")
TOP = 3  # the samples of a batch that add most to its loss, named in the loss phase
SHOWN_VALUES = 5  # the first few entries of a batch's vectors shown beside the code

# The nn.Module form of the same loop (the page's "nn.Module" implementation)
LOOP_MODULE = """for epoch in range(epochs):
    for batch in batches:
        {forward}
        y = data_y[batch]
        loss = criterion({arg}, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()"""


def supported(config) -> bool:
    """Whether a run's steps can be played slowly: logistic regression, plain SGD."""
    return config.task == "logreg" and config.optimizer == "sgd" and not config.weight_decay


def loop_lines(config, n: int) -> list[str]:
    """The loop a run's step follows, line by line: tutorial 004's as it is written (its defaults), with
    the lines a setting changes rewritten (a batch of samples, the safe loss), or the nn.Module loop."""
    one = loaders.one_sample(config, n, config.batch_size_for(n))
    safe = config.loss == "bce_logits"
    if config.impl == "module":
        fwd = "z = model.linear(data_x[batch])" if safe else "y_hat = model(data_x[batch])"
        return LOOP_MODULE.format(forward=fwd, arg="z" if safe else "y_hat").splitlines()
    text = tutorials.shown(tutorials.logreg_manual, "loop")
    if not one:
        text = (text.replace("for step in range(n_items):", "for batch in batches:")
                .replace("forward(data_x[step])", "F.sigmoid(torch.matmul(data_x[batch], w) + b)")
                .replace("data_y[step]", "data_y[batch]")
                .replace("loss_func(y_hat, y)", "loss_func(y_hat, y).mean()"))
    if safe:
        z = ("torch.matmul(w.transpose(0, 1), data_x[step]) + b" if one else "torch.matmul(data_x[batch], w) + b")
        lines = []
        for line in text.splitlines():
            pad = line[:len(line) - len(line.lstrip())]
            if "y_hat =" in line:
                line = f"{pad}z = {z}"
            elif "loss = loss_func" in line:
                line = f"{pad}loss = F.binary_cross_entropy_with_logits(z, y)"
            lines.append(line)
        text = "\n".join(lines)
    return text.splitlines()


def _phase_of(line: str) -> str | None:
    code = line.split("#", 1)[0]
    if code.strip().startswith(("for step in", "for batch in")):
        return "sample"
    if "zero_" in code:
        return "zero_grad"
    if ".backward()" in code:
        return "backward"
    if ".data -=" in code or "optimizer.step()" in code:
        return "update"
    if code.strip().startswith(("y = data_y", "loss =")):
        return "loss"
    if code.strip().startswith(("y_hat =", "z =")):
        return "forward"
    return None


def next_batch(run) -> list[int] | None | bool:
    """The indices the run's next step will use (None: all the samples), or False where they are drawn
    at random (a shuffled order) and so cannot be known before the step."""
    c = run.config
    if c.mode == "batch" or c.full_tensor_pitfall:
        return None
    if c.shuffle:
        return False
    start = run.batch_in_epoch * run.batch_size
    return list(range(start, min(start + run.batch_size, run.n)))


def _params(config, d: int, w_old, b_old, dt):
    """w and b as the run's model holds them: (d, 1) and (1, 1) by hand; (1, d) and (1,) in nn.Linear."""
    w = torch.tensor([float(v) for v in w_old], dtype=dt)
    b = torch.tensor([float(b_old)], dtype=dt)
    if config.impl == "module":
        w, b = w.reshape(1, d), b.reshape(1)
    else:
        w, b = w.reshape(d, 1), b.reshape(1, 1)
    return w.requires_grad_(True), b.requires_grad_(True)


def slow_step(config, X, y, w_old, b_old, batch, step: int) -> SlowStep:
    """Step `step` (1-based) from (w_old, b_old) on the samples `batch` (indices; None: all), phase by phase."""
    dt = torch_dtype(config.dtype)
    X = torch.as_tensor(X).to(dtype=dt)
    y = torch.as_tensor(y).to(dtype=dt).reshape(len(X), 1)
    n, d = X.shape
    one = loaders.one_sample(config, n, config.batch_size_for(n))
    idx = list(range(n)) if batch is None else [int(i) for i in batch]
    w, b = _params(config, d, w_old, b_old, dt)
    if one:  # tutorial 004: one sample x of shape (d,), its label a number
        xb, yb = X[idx[0]], y.reshape(-1)[idx[0]]
    else:
        xb, yb = (X, y) if batch is None else (X[torch.tensor(idx)], y[torch.tensor(idx)])
    # forward
    if config.impl == "module":
        z = F.linear(xb, w, b)
    else:
        z = torch.matmul(w.transpose(0, 1), xb) + b if one else torch.matmul(xb, w) + b
    y_hat = F.sigmoid(z)
    # loss, as the run's loss computes it
    if config.loss == "bce_logits":
        loss = F.binary_cross_entropy_with_logits(z, yb.reshape(z.shape))
    elif config.loss == "bce":
        loss = F.binary_cross_entropy(y_hat, yb.reshape(y_hat.shape))
    else:
        loss = -(torch.log(y_hat) * yb + (1 - yb) * torch.log(1 - y_hat))
        if loss.numel() != 1:
            loss = loss.mean()
    # backward
    loss.backward()
    gw, gb = w.grad.detach().reshape(-1), b.grad.detach().reshape(-1)
    # update: w.data -= lr * w.grad by hand; optimizer.step() is param.add_(grad, alpha=-lr)
    with torch.no_grad():
        if config.impl == "module":
            w_new, b_new = torch.add(w, w.grad, alpha=-config.lr), torch.add(b, b.grad, alpha=-config.lr)
        else:
            w_new, b_new = w - config.lr * w.grad, b - config.lr * b.grad
    zs, ps = z.detach().reshape(-1), y_hat.detach().reshape(-1)
    ts = yb.reshape(-1)
    with torch.no_grad():  # each sample's term of the loss (the safe form: a share needs no log(0))
        terms = F.binary_cross_entropy_with_logits(zs.double(), ts.double(), reduction="none")
    total = float(terms.sum())
    top = torch.argsort(terms, descending=True, stable=True)[:TOP].tolist()
    xs = X[torch.tensor(idx)]
    values = {
        "sample": {"i": idx[:SHOWN_VALUES], "n": len(idx), "all": batch is None, "x": xs[0].tolist(),
                   "y": float(ts[0])},
        "forward": {"w": [float(v) for v in w_old], "b": float(b_old), "z": zs[:SHOWN_VALUES].tolist(),
                    "y_hat": ps[:SHOWN_VALUES].tolist(), "n": len(idx)},
        "loss": {"loss": float(loss.detach()),
                 "top": [(idx[k], *xs[k].tolist()[:2], float(ts[k]), float(ps[k]),
                          float(terms[k]) / total if total else 0.0) for k in top]},
        "backward": {"w.grad": gw.tolist(), "b.grad": float(gb[0])},
        "update": {"lr": float(config.lr), "w": w_new.reshape(-1).tolist(), "b": float(b_new.reshape(-1)[0]),
                   "w_old": [float(v) for v in w_old], "b_old": float(b_old)},
        "zero_grad": {"w.grad": [0.0] * d, "b.grad": 0.0},
    }
    code = loop_lines(config, n)
    return SlowStep(int(step), tuple(code), phases_of(code, values, _phase_of))


def _f(v: float) -> str:
    return f"{v:.6g}"


def _vec(vs) -> str:
    return "[" + ", ".join(_f(v) for v in vs) + "]"


def summary(ph: Phase) -> str:
    """One line of numbers for a phase, under the code's own names (no words to translate)."""
    v = ph.values
    if ph.name == "sample":
        if v["n"] == 1:
            return f"step = {v['i'][0]}: data_x[{v['i'][0]}] = {_vec(v['x'])}, data_y[{v['i'][0]}] = {_f(v['y'])}"
        more = ", ..." if v["n"] > len(v["i"]) else ""
        return f"batch = [{', '.join(str(i) for i in v['i'])}{more}] ({v['n']})"
    if ph.name == "forward":
        if v["n"] == 1:
            return f"z = {_f(v['z'][0])} -> y_hat = sigmoid(z) = {_f(v['y_hat'][0])}"
        return f"y_hat[:{len(v['y_hat'])}] = {_vec(v['y_hat'])}, ..."
    if ph.name == "loss":
        return f"loss = {_f(v['loss'])}"
    if ph.name == "backward":
        return f"w.grad = {_vec(v['w.grad'])}, b.grad = {_f(v['b.grad'])}"
    if ph.name == "update":
        return f"w = {_vec(v['w'])}, b = {_f(v['b'])}"
    return "w.grad = 0, b.grad = 0"
