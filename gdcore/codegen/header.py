"""The script's docstring (where it came from, its settings), imports, helpers and settings."""
from __future__ import annotations

from ..config import Config
from ..loops import loaders
from ..loops.losses import LOSSES
from ..loops.updates import update_rule
from ..presets import PRESETS, SOURCES
from .plan import MAX_PROGRESS_LINES, Plan, float_literal, nice_ceil

TUTORIAL = {  # preset -> the tutorial (seed file number) it follows
    "linreg-minibatch": "000", "linreg-d2l": "001", "linreg-module": "002",
    "linreg-manual": "003", "logreg-manual": "004",
}


def header_lines(p: Plan) -> list[str]:
    c = p.c
    if c.preset in SOURCES:
        title = SOURCES[c.preset]
        origin = f"preset '{c.preset}' (tutorial {TUTORIAL[c.preset]})"
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
        changed = [f"{k} = {v!r} (preset: {getattr(base, k)!r})" for k, v in config_fields(c).items()
                   if getattr(base, k) != v and k != "preset"]
        if changed:
            lines += ["Changed from the preset:"] + [f"    {s}" for s in changed] + [""]
    lines += ["Settings:"]
    for k, v in shown_settings(p):
        lines.append(f"    {k:<14}{v}")
    if c.device != "cpu":
        lines += ["", f"The dashboard ran on device {c.device!r}; this script runs on the CPU, where the",
                  "numbers are reproduced exactly."]
    lines.append('"""')
    return lines


def config_fields(c: Config) -> dict:
    d = c.to_dict()
    d["true_w"] = tuple(c.true_w)
    return d


def shown_settings(p: Plan) -> list[tuple[str, str]]:
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
    if c.scaling != "none":
        out.append(("scaling", f"{c.scaling} (each feature as its z-score; w, b also printed in raw units)"))
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


def import_lines(p: Plan) -> list[str]:
    c = p.c
    pieces = set(LOSSES[c.loss].imports) | set(update_rule(c).imports) | set(loaders.loader_for(c).imports)
    lines = []
    if "random" in pieces:
        lines.append("import random")
    if c.init == "linear_default":
        lines.append("import math")
    lines.append("")
    if not p.literal_data and c.data == "linear":
        lines.append("import numpy as np")
    lines.append("import torch")
    needs_nn = p.module or "nn" in pieces or (c.init == "linear_default" and p.init_from != "literal")
    names = [n for n, use in (("nn", needs_nn), ("optim", "optim" in pieces)) if use]
    if names:
        lines.append(f"from torch import {', '.join(names)}")
    if "DataLoader" in pieces:
        lines.append("from torch.utils.data import DataLoader, TensorDataset")
    while lines and lines[0] == "":
        lines.pop(0)
    return lines


def helper_lines(p: Plan) -> list[str]:
    lines = ["def all_finite(*tensors):",
             '    """True when none of the tensors holds inf or nan (the run has not diverged)."""',
             "    return all(bool(torch.isfinite(t).all()) for t in tensors)"]
    if not p.manual_update and p.c.optimizer != "sgd":
        lines += ["",
                  "",
                  "def optimizer_state_finite(optimizer):",
                  '    """The running averages an optimizer keeps (momentum, squared gradients)'
                  ' must stay finite too."""',
                  "    return all(all_finite(*state.values()) for state in optimizer.state.values())"]
    return lines


def settings_lines(p: Plan) -> list[str]:
    c = p.c
    lines = ["# ---- settings -------------------------------------------------------------------",
             f"seed = {c.seed}  # seeds this script's own generators; torch's global one is never seeded",
             f"lr = {float_literal(c.lr)}  # learning rate"]
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
        every = nice_ceil(p.total / MAX_PROGRESS_LINES)
        lines.append(f"print_every = {every}  # print progress every {every} step(s)")
    elif p.style in ("d2l", "004", "epoch"):
        every = nice_ceil(p.num_epochs / MAX_PROGRESS_LINES)
        lines.append(f"print_every = {every}  # print progress every {every} epoch(s)")
    return lines
