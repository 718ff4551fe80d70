"""The losses: each computes one step's loss for the engine and writes the same lines for the script.

    LOSSES[config.loss].compute(model, impl)   -> f(xb, yb) = (tensor to call backward on, loss to record)
    LOSSES[config.loss].define(plan)           -> the script's lines that set the loss up
    LOSSES[config.loss].forward(plan, xb, yb)  -> the script's forward lines, and the loss it reports
    LOSSES[config.loss].full(plan, X, y)       -> the script's expression for the mean loss over (X, y)
    LOSSES[config.loss].imports                -> what the script must import for it ("nn": from torch import nn)

The script's names for the model (`y_hat = linreg(X, w, b)`, `model(X)`, ...) come from the plan
(gdcore.codegen.plan), the loss's own arithmetic from here. Change an expression in `compute` only
together with the lines beside it: the exported script must repeat the engine bit for bit.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from .direct import linear_mse

LossFn = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


class MeanSquared:
    """Seeds 000, 002, 003: the mean squared error, by hand or as nn.MSELoss."""

    imports: tuple[str, ...] = ()  # nn.MSELoss only with nn.Module models, which import nn anyway

    def compute(self, model, impl: str) -> LossFn:
        if impl == "module":
            criterion = nn.MSELoss()
            # the same kernels nn.Linear and nn.MSELoss call, without their Python (gdcore/loops/direct.py)
            call = linear_mse(model, criterion) or (lambda xb, yb: criterion(model(xb), yb))

            def f(xb, yb):
                loss = call(xb, yb)
                return loss, loss
            return f

        def f(xb, yb):
            loss = torch.mean((model(xb) - yb) ** 2)
            return loss, loss
        return f

    def define(self, p) -> list[str]:
        if p.module:
            return ["criterion = nn.MSELoss()  # mean squared error"]
        return ["# loss: the mean squared error, torch.mean((y_hat - y) ** 2), written in the loop"]

    def forward(self, p, xb: str, yb: str) -> tuple[list[str], str]:
        if p.module:
            return [f"y_hat = {p.prediction(xb)}", f"loss = criterion(y_hat, {yb})"], "loss"
        return [f"y_hat = {p.prediction(xb)}", f"loss = torch.mean((y_hat - {yb}) ** 2)"], "loss"

    def full(self, p, X: str, y: str) -> str:
        if p.module:
            return f"criterion({p.prediction(X, full=True)}, {y})"
        return f"torch.mean(({p.prediction(X, full=True)} - {y}) ** 2)"


class HalfSquared:
    """d2l's squared_loss, per sample: backward on the sum, the update divides by batch_size."""

    imports: tuple[str, ...] = ()

    def compute(self, model, impl: str) -> LossFn:
        def f(xb, yb):
            y_hat = model(xb)
            l = (y_hat - yb.reshape(y_hat.shape)) ** 2 / 2  # noqa: E741 (d2l's name)
            return l.sum(), l.mean()
        return f

    def define(self, p) -> list[str]:
        return ["def squared_loss(y_hat, y):",
                '    """d2l\'s squared loss, per sample (not averaged): (y_hat - y)^2 / 2."""',
                "    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2"]

    def forward(self, p, xb: str, yb: str) -> tuple[list[str], str]:
        return [f"y_hat = {p.prediction(xb)}", f"l = squared_loss(y_hat, {yb})",
                "loss = l.sum()  # d2l: l.sum().backward(); the update divides by batch_size"], "l.mean()"

    def full(self, p, X: str, y: str) -> str:
        return f"squared_loss({p.prediction(X, full=True)}, {y}).mean()"


class CrossEntropyByHand:
    """Tutorial 004's cross-entropy, written out: -(log(y_hat) y + (1 - y) log(1 - y_hat))."""

    imports: tuple[str, ...] = ()

    def compute(self, model, impl: str) -> LossFn:
        def f(xb, yb):
            y_hat = model(xb)
            loss = -(torch.log(y_hat) * yb + (1 - yb) * torch.log(1 - y_hat))
            if loss.numel() != 1:
                loss = loss.mean()
            return loss, loss
        return f

    def define(self, p) -> list[str]:
        return ["def loss_func(y_hat, y):",
                '    """Tutorial 004\'s cross-entropy, per sample."""',
                "    return -(torch.log(y_hat) * y + (1 - y) * torch.log(1 - y_hat))"]

    def forward(self, p, xb: str, yb: str) -> tuple[list[str], str]:
        mean = "" if p.single else ".mean()"
        return [f"y_hat = {p.prediction(xb)}", f"loss = loss_func(y_hat, {yb}){mean}"], "loss"

    def full(self, p, X: str, y: str) -> str:
        return f"loss_func({p.prediction(X, full=True)}, {y}).mean()"


class CrossEntropy:
    """nn.BCELoss on the probabilities."""

    imports = ("nn",)

    def compute(self, model, impl: str) -> LossFn:
        criterion = nn.BCELoss()

        def f(xb, yb):
            y_hat = model(xb)
            loss = criterion(y_hat, yb.reshape(y_hat.shape))
            return loss, loss
        return f

    def define(self, p) -> list[str]:
        return ["criterion = nn.BCELoss()  # binary cross-entropy of the probabilities"]

    def forward(self, p, xb: str, yb: str) -> tuple[list[str], str]:
        return [f"y_hat = {p.prediction(xb)}", f"loss = criterion(y_hat, {yb}.reshape(y_hat.shape))"], "loss"

    def full(self, p, X: str, y: str) -> str:
        return f"criterion({p.prediction(X, full=True)}, {y})"


class CrossEntropyFromScores:
    """nn.BCEWithLogitsLoss: the numerically safe form, sigmoid and log in one step (log-sum-exp)."""

    imports = ("nn",)

    def compute(self, model, impl: str) -> LossFn:
        criterion = nn.BCEWithLogitsLoss()

        def f(xb, yb):
            z = model.logits(xb)
            loss = criterion(z, yb.reshape(z.shape))
            return loss, loss
        return f

    def define(self, p) -> list[str]:
        return ["criterion = nn.BCEWithLogitsLoss()  # cross-entropy from the scores: sigmoid and log in one safe step"]

    def forward(self, p, xb: str, yb: str) -> tuple[list[str], str]:
        z = f"z = {p.score(xb)}" + ("  # the scores, before the sigmoid" if p.module else "")
        return [z, f"loss = criterion(z, {yb}.reshape(z.shape))"], "loss"

    def full(self, p, X: str, y: str) -> str:
        return f"criterion({p.score(X, full=True)}, {y})"


LOSSES = {
    "mse": MeanSquared(),
    "half_squared": HalfSquared(),
    "bce_manual": CrossEntropyByHand(),
    "bce": CrossEntropy(),
    "bce_logits": CrossEntropyFromScores(),
}
