"""Torch's own kernels, called straight where the Python around them would do nothing for a run.

A step of a one-feature model is a handful of tiny kernels, and most of its time goes to the Python
that torch wraps around them: nn.Module's call (it looks for hooks), nn.functional's checks, the
argument handling of `torch.autograd.backward`, torch.optim's step (parameter groups, the choice
of a foreach or fused path, a profiler range). On a 30,000-step run that Python is about half the
time. Where those wrappers would only pass the same tensors on, the engine calls what they call:

    backward_for(device)(loss)      loss.backward(): the autograd engine, with the gradient of ones
                                    that `backward` makes for a scalar loss (CPU; elsewhere as is)
    linear_mse(model, criterion)    criterion(model(xb), yb) for nn.Linear and nn.MSELoss: the
                                    linear and mse_loss kernels that F.linear and F.mse_loss call
    plain_sgd(optimizer)            optimizer.step() of torch.optim.SGD without momentum or weight
                                    decay, on the CPU: `p.add_(p.grad, alpha=-lr)` for each parameter

Each checks, on every call, that the wrapper would have done nothing (no hooks registered, shapes
that match, no debug logging of the graph), and calls the wrapper as usual when it would. The same
kernels with the same arguments give the same numbers: tests/test_engine.py compares the engine's
trajectories with torch's own loops, bit for bit, and tests/test_direct.py each path with its wrapper.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import torch
from torch.nn.modules import module as _module

Tensor = torch.Tensor


_GLOBAL_HOOKS = ("_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks",
                 "_global_backward_pre_hooks")
_MODULE_HOOKS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


def _knows_hooks(*modules: torch.nn.Module) -> bool:
    """Whether this torch keeps a module's hooks where hookless() looks (else the modules are called)."""
    return (all(hasattr(_module, name) for name in _GLOBAL_HOOKS)
            and all(hasattr(m, name) for m in modules for name in _MODULE_HOOKS))


def hookless(*modules: torch.nn.Module) -> bool:
    """Whether calling these modules would run their forward and nothing else (nn.Module._call_impl's test)."""
    if (_module._global_forward_hooks or _module._global_forward_pre_hooks or _module._global_backward_hooks
            or _module._global_backward_pre_hooks or torch._C._get_tracing_state()):
        return False
    for m in modules:
        if (m._forward_hooks or m._forward_pre_hooks or m._backward_hooks or m._backward_pre_hooks
                or getattr(m, "_compiled_call_impl", None) is not None or "forward" in vars(m)):
            return False
    return True


def backward_for(device: torch.device | str) -> Callable[[Tensor], None]:
    """`loss.backward()` for a scalar loss: on the CPU, straight to the autograd engine.

    `torch.autograd.backward` makes the loss's gradient with `torch.ones_like(loss)` and hands it to
    the engine (after argument checks, and, with the autograd graph's debug logging on, logging hooks
    on the whole graph). Elsewhere than on the CPU, `backward` also hands its context to the device
    threads: there it is called as is.
    """
    engine = getattr(getattr(torch.autograd.variable.Variable, "_execution_engine", None), "run_backward", None)
    if engine is None or torch.device(device).type != "cpu":
        return Tensor.backward
    graph_log = torch.autograd.graph.log
    ones_like, preserve = torch.ones_like, torch.preserve_format

    def backward(loss: Tensor) -> None:
        if type(loss) is not Tensor or not loss.requires_grad or graph_log.isEnabledFor(logging.DEBUG):
            loss.backward()
            return
        engine((loss,), (ones_like(loss, memory_format=preserve),), False, False, (),
               allow_unreachable=True, accumulate_grad=True)
    return backward


def linear_mse(model: torch.nn.Module, criterion: torch.nn.MSELoss) -> Callable[[Tensor, Tensor], Tensor] | None:
    """`criterion(model(xb), yb)` where model.forward is `self.linear(x)` (seed 002's Lr); None otherwise.

    nn.Linear's forward is `F.linear(x, weight, bias)`; nn.MSELoss's is `F.mse_loss(input, target)`,
    which warns about, then broadcasts, a target of another shape and calls the mse_loss kernel.
    With no hooks and matching shapes, those are the kernels called here, with the same arguments.
    """
    linear = getattr(model, "linear", None)
    if (type(criterion) is not torch.nn.MSELoss or not isinstance(linear, torch.nn.Linear)
            or type(linear).forward is not torch.nn.Linear.forward or type(model).forward is not _lr_forward()
            or not _knows_hooks(model, linear, criterion)):
        return None
    kernel_linear, kernel_mse = torch._C._nn.linear, torch._C._nn.mse_loss
    reduction = torch.nn._reduction.get_enum(criterion.reduction)
    f_linear, f_mse = torch.nn.functional.linear, torch.nn.functional.mse_loss

    def loss(xb: Tensor, yb: Tensor) -> Tensor:
        if (f_linear is torch.nn.functional.linear and f_mse is torch.nn.functional.mse_loss
                and type(xb) is Tensor and type(yb) is Tensor and hookless(model, linear, criterion)):
            out = kernel_linear(xb, linear.weight, linear.bias)
            if out.shape == yb.shape:
                return kernel_mse(out, yb, reduction)
        return criterion(model(xb), yb)
    return loss


def _lr_forward():
    from ..models import Lr
    return Lr.forward


def plain_sgd(optimizer: torch.optim.Optimizer, hooks: tuple, wrapped: Callable[[], None]
              ) -> Callable[[], None] | None:
    """`optimizer.step()` of plain SGD on the CPU as its own loop does it; None for any other optimizer.

    torch.optim.SGD without momentum, weight decay or maximize, on the CPU (no foreach or fused
    path), steps each parameter with `param.add_(grad, alpha=-lr)` (`_single_tensor_sgd`) and keeps
    no state. That is done here, on detached views of the parameters (what the step's no-grad
    guard allows). While a step hook is registered (`hooks`), or the step was replaced on the
    optimizer, or its settings change, `wrapped` (the optimizer's step) is called instead.
    """
    if type(optimizer) is not torch.optim.SGD or len(optimizer.param_groups) != 1:
        return None
    group = optimizer.param_groups[0]
    params = list(group["params"])

    def plain() -> bool:
        return (not group["momentum"] and not group["weight_decay"] and not group["maximize"]
                and not group.get("differentiable") and not group.get("fused") and not group.get("foreach")
                and type(group["lr"]) is float and getattr(optimizer, "grad_scale", None) is None
                and getattr(optimizer, "found_inf", None) is None)
    if not plain() or any(p.device.type != "cpu" for p in params):
        return None
    pairs = [(p, p.detach()) for p in params]

    def step() -> None:
        if any(hooks) or "step" in vars(optimizer) or not plain() or len(group["params"]) != len(params):
            wrapped()
            return
        grads = [p.grad for p, _ in pairs]
        if any(g is not None and g.is_sparse for g in grads):
            wrapped()  # torch's own sparse path (the engine's models have dense gradients)
            return
        lr = group["lr"]
        for (_, data), grad in zip(pairs, grads):
            if grad is not None:  # torch.optim skips a parameter without a gradient
                data.add_(grad, alpha=-lr)
    return step
