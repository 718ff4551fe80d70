"""Linear and logistic regression, the manual way (raw tensors) and the nn.Module way.

Every model keeps its parameters as views into one flat buffer `theta` and their gradients as
views into one flat buffer `grad`, so a step's parameters and gradients can be recorded with one
copy each and updated with one in-place op. `w` and `b` are still ordinary leaf tensors with
`requires_grad=True` and a `.grad`, exactly as in the tutorials.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def _flat_leaves(shapes, device, dtype=torch.float32
                 ) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """One flat storage for the parameters and one for their gradients (in `dtype`), cut into views."""
    sizes = [math.prod(s) for s in shapes]
    theta = torch.zeros(sum(sizes), device=device, dtype=dtype)
    grad = torch.zeros(sum(sizes), device=device, dtype=dtype)
    params, grads, start = [], [], 0
    for shape, size in zip(shapes, sizes):
        params.append(theta[start:start + size].view(shape))
        grads.append(grad[start:start + size].view(shape))
        start += size
    return theta, grad, params, grads


def draw_init(init: str, task: str, d: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Initial (w, b) on the CPU, drawn from the run's own generator in the tutorial's order."""
    w_shape = (1,) if (task == "linreg" and d == 1) else (d, 1)
    b_shape = (1, 1) if task == "logreg" else (1,)
    if init == "randn":  # seed 000: w = torch.randn(1); b = torch.randn(1)
        return torch.randn(w_shape, generator=g), torch.randn(b_shape, generator=g)
    if init == "rand":  # seed 003: w = torch.rand(1); b = torch.rand(1)
        return torch.rand(w_shape, generator=g), torch.rand(b_shape, generator=g)
    if init == "normal":  # d2l: w = torch.normal(0, 0.01, (d, 1)); b = torch.zeros(1)
        return torch.normal(0, 0.01, (d, 1), generator=g).reshape(w_shape), torch.zeros(b_shape)
    if init == "randn_zero":  # seed 004: w = torch.randn(d, 1); b = torch.zeros(1, 1)
        return torch.randn((d, 1), generator=g).reshape(w_shape), torch.zeros(b_shape)
    if init == "linear_default":  # nn.Linear(d, 1).reset_parameters(), with our generator
        weight = torch.empty(1, d)
        bias = torch.empty(1)
        nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=g)
        bound = 1 / math.sqrt(d)
        nn.init.uniform_(bias, -bound, bound, generator=g)
        return weight.reshape(w_shape), bias.reshape(b_shape)
    raise ValueError(f"unknown init {init!r}")


class _ManualModel:
    """Raw leaf tensors w and b (requires_grad=True) living in one flat buffer."""

    kind = "manual"

    def __init__(self, w0: torch.Tensor, b0: torch.Tensor, device, dtype=torch.float32):
        self.theta, self.grad, (w, b), (gw, gb) = _flat_leaves([w0.shape, b0.shape], device, dtype)
        w.copy_(w0)
        b.copy_(b0)
        self.w = w.detach().requires_grad_(True)  # a leaf that shares theta's storage
        self.b = b.detach().requires_grad_(True)
        self.w.grad, self.b.grad = gw, gb

    def parameters(self) -> list[torch.Tensor]:
        return [self.w, self.b]

    def named(self) -> list[tuple[str, torch.Tensor]]:
        return [("w", self.w), ("b", self.b)]

    def linear_params(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(w as a flat vector of d values, b as one value), detached."""
        return self.w.detach().reshape(-1), self.b.detach().reshape(-1)


class ManualLinear(_ManualModel):
    """`y_hat = X * w + b` (one feature, as seeds 000/003) or `X @ w + b` (d2l's linreg)."""

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        if self.w.dim() == 1:
            return X * self.w + self.b
        return torch.matmul(X, self.w) + self.b

    logits = __call__


class ManualLogistic(_ManualModel):
    """Seed 004: `y_hat = sigmoid(w.T @ x + b)` for one sample x, `sigmoid(X @ w + b)` for a batch."""

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 1:
            return torch.matmul(self.w.transpose(0, 1), x) + self.b
        return torch.matmul(x, self.w) + self.b

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return F.sigmoid(self.logits(x))


class _LinearModule(nn.Module):
    """`self.linear = nn.Linear(d, 1)`, its weight and bias views into one flat buffer."""

    kind = "module"

    def __init__(self, w0: torch.Tensor, b0: torch.Tensor, device, dtype=torch.float32):
        super().__init__()
        d = w0.numel()
        # skip_init builds nn.Linear without drawing from torch's global generator
        self.linear = nn.utils.skip_init(nn.Linear, d, 1)
        _share_flat(self, [("linear.weight", w0.reshape(1, d)), ("linear.bias", b0.reshape(1))], device, dtype)

    def named(self) -> list[tuple[str, torch.Tensor]]:
        return [("w", self.linear.weight), ("b", self.linear.bias)]

    def linear_params(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.linear.weight.detach().reshape(-1), self.linear.bias.detach().reshape(-1)


class Lr(_LinearModule):
    """Seed 002's model: `forward` returns `self.linear(x)`."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)

    logits = forward


class LogReg(_LinearModule):
    """Logistic regression as a module: `sigmoid(self.linear(x))`; `logits` skips the sigmoid."""

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.linear(x))


def _share_flat(module: nn.Module, named_init, device, dtype=torch.float32) -> None:
    """Replace the module's parameters by views into one flat buffer, gradients likewise."""
    theta, grad, views, gviews = _flat_leaves([t.shape for _, t in named_init], device, dtype)
    for (name, init), view, gview in zip(named_init, views, gviews):
        view.copy_(init)
        owner, attr = name.rsplit(".", 1)
        param = nn.Parameter(view)  # shares theta's storage
        param.grad = gview
        setattr(module.get_submodule(owner), attr, param)
    module.theta, module.grad = theta, grad


def build_model(task: str, impl: str, w0: torch.Tensor, b0: torch.Tensor, device, dtype=torch.float32):
    """The model for a task ('linreg'/'logreg') and an implementation ('manual'/'module'), in `dtype`."""
    if impl == "manual":
        cls = ManualLinear if task == "linreg" else ManualLogistic
    else:
        cls = Lr if task == "linreg" else LogReg
    return cls(w0, b0, device, dtype)
