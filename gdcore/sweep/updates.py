"""The optimizer updates of a sweep: torch.optim's single-tensor algorithms with one lr per run."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import torch

from ..errors import ConfigError

if TYPE_CHECKING:
    from .batched import Batched


def update_fn(prog: Batched, j0: int, k: int) -> Callable:
    """upd(g, j): the update of staging row j for every run, given their gradients g (R, P).

    The tutorial's `w -= lr * grad` with a column of lrs, or torch.optim's algorithm
    (torch/optim/sgd.py, adagrad.py, rmsprop.py, adam.py) written out for the runs' own lrs.
    """
    c, th, lr, opt = prog.config, prog.theta_d, prog.lr, prog.opt
    wd = c.weight_decay
    if opt == "manual":
        if c.loss == "half_squared":
            B = prog.B

            def upd(g, j):  # d2l's sgd: param -= lr * param.grad / batch_size
                th.sub_(lr * g / B)
        else:
            def upd(g, j):  # w.data -= lr * w.grad.data (b likewise)
                th.sub_(lr * g)
        return upd
    neg_lr = prog.neg_lr
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
            if prog.buf is None:
                prog.buf = g.detach().clone()
            else:
                prog.buf.mul_(m).add_(g)
            step = g.add(prog.buf, alpha=m) if nesterov else prog.buf
            th.addcmul_(step, neg_lr)
        return upd
    s, eps = prog.state, prog.eps
    if opt == "adagrad":
        def upd(g, j):  # sum += grad^2; param -= lr * grad / (sqrt(sum) + eps)
            if wd:
                g = g.add(th, alpha=wd)
            s.addcmul_(g, g, value=1)
            th.addcdiv_(neg_lr * g, s.sqrt().add_(eps))
        return upd
    if opt == "rmsprop":
        a, m, buf = c.alpha, c.rms_momentum, prog.buf

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
        b1, b2, ea = c.beta1, c.beta2, prog.exp_avg
        # bias corrections in Python floats, exactly as torch.optim.Adam computes them per step
        steps = [float(prog.k + i + 1) for i in range(k)]
        bc1 = np.array([1 - b1 ** t for t in steps])
        bc2_sqrt = [(1 - b2 ** t) ** 0.5 for t in steps]
        nss = torch.from_numpy(-(prog.lrs64 * prog.live)[None, :] / bc1[:, None]).float()
        nss = nss.to(prog.device).unsqueeze(2).unbind(0)  # -lr / bc1 for each step and run

        def upd(g, j):
            i = j - j0
            if wd:
                g = g.add(th, alpha=wd)
            ea.lerp_(g, 1 - b1)
            s.mul_(b2).addcmul_(g, g, value=1 - b2)
            th.addcdiv_(nss[i] * ea, (s.sqrt() / bc2_sqrt[i]).add_(eps))
        return upd
    raise ConfigError(key="sweep_optimizer", optimizer=repr(opt))
