"""The update rules: each changes the parameters for the engine and writes the same lines for the script.

    rule = update_rule(config)
    rule.prepare(config, model, optimizer, batch_size)
                                         -> the engine's update, a no-argument function run after backward
    rule.define(plan)                    -> the script's lines that set the update up
    rule.zero(plan) / rule.apply(plan) / rule.clear(plan)
                                         -> the script's lines before backward, under `# update`, after the step

Three kinds: the tutorials' hand update (`w.data -= lr * w.grad.data`), d2l's `sgd` (divides by
batch_size, for the summed half-squared loss), and torch.optim's optimizers, listed in OPTIMIZERS
with their hyper-parameters (as the engine passes them and the script prints them) and the state
tensors the dashboard records.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..config import Config
from ..errors import ConfigError
from .direct import plain_sgd


def uses_manual_update(config: Config) -> bool:
    """True when the loop updates by hand (`w.data -= lr * w.grad`) rather than through torch.optim."""
    return config.impl == "manual" and config.optimizer == "sgd" and config.weight_decay == 0


def literal(v) -> str:
    """A Python literal that reads back as exactly v (floats through repr, tuples of floats too)."""
    if isinstance(v, bool):
        return repr(v)
    if isinstance(v, tuple):
        return "(" + ", ".join(literal(x) for x in v) + ")"
    return repr(float(v))


class HandUpdate:
    """Plain gradient descent by hand, as tutorials 000, 003 and 004 write it: w <- w - lr * dloss/dw."""

    imports: tuple[str, ...] = ()  # what the script must import for it

    def prepare(self, config: Config, model, optimizer, batch_size: int) -> Callable[[], None]:
        theta, grad, lr = model.theta, model.grad, config.lr

        def update():
            theta.sub_(lr * grad)  # w.data -= lr * w.grad.data (and b likewise), on one flat buffer
        return update

    def define(self, p) -> list[str]:
        return ["# update by hand in the loop, plain gradient descent: w <- w - lr * dloss/dw"]

    def zero(self, p) -> list[str]:
        return []

    def apply(self, p) -> list[str]:
        if p.c.update == "data":
            return ["w.data -= lr * w.grad.data", "b.data -= lr * b.grad.data"]
        return ["with torch.no_grad():", "    w -= lr * w.grad", "    b -= lr * b.grad"]

    def clear(self, p) -> list[str]:
        return ["w.grad.zero_()  # clear the gradients for the next step", "b.grad.zero_()"]


class D2lSgd(HandUpdate):
    """d2l's sgd for the summed half-squared loss: param -= lr * param.grad / batch_size."""

    def prepare(self, config: Config, model, optimizer, batch_size: int) -> Callable[[], None]:
        theta, grad, lr = model.theta, model.grad, config.lr

        def update():
            theta.sub_(lr * grad / batch_size)
        return update

    def define(self, p) -> list[str]:
        if p.c.update != "no_grad":
            return super().define(p)
        return ["def sgd(params, lr, batch_size):",
                '    """d2l\'s minibatch stochastic gradient descent."""',
                "    with torch.no_grad():",
                "        for param in params:",
                "            param -= lr * param.grad / batch_size",
                "            param.grad.zero_()"]

    def apply(self, p) -> list[str]:
        if p.c.update == "no_grad":
            return ["sgd([w, b], lr, batch_size)  # also zeroes the gradients"]
        return ["w.data -= lr * w.grad.data / batch_size", "b.data -= lr * b.grad.data / batch_size"]

    def clear(self, p) -> list[str]:
        return [] if p.c.update == "no_grad" else super().clear(p)


@dataclass(frozen=True)
class Optimizer:
    """A torch.optim optimizer: its class, its hyper-parameters from a config, the state it keeps."""

    torch_class: str  # the class in torch.optim
    note: str  # what the script's comment calls it
    hyper: Callable[[Config], list[tuple[str, object]]]  # keyword arguments after lr, in the script's order
    state: Callable[[Config], tuple[str, ...]]  # optimizer.state keys the dashboard records, in order
    takes_eps: bool = False
    imports: tuple[str, ...] = ("optim",)  # what the script must import for it

    def arguments(self, config: Config) -> list[tuple[str, object]]:
        """Every keyword argument after lr; those left out are torch's defaults (weight_decay 0, ...)."""
        args = list(self.hyper(config))
        if config.weight_decay:
            args.append(("weight_decay", config.weight_decay))
        if config.eps is not None and self.takes_eps:
            args.append(("eps", config.eps))
        return args

    def make(self, config: Config, params) -> torch.optim.Optimizer:
        return getattr(torch.optim, self.torch_class)(params, lr=config.lr, **dict(self.arguments(config)))

    def prepare(self, config: Config, model, optimizer, batch_size: int) -> Callable[[], None]:
        return direct_step(optimizer)

    def define(self, p) -> list[str]:
        params = "model.parameters()" if p.module else "[w, b]"
        args = [params, "lr=lr"] + [f"{k}={literal(v)}" for k, v in self.arguments(p.c)]
        return ["", f"optimizer = optim.{self.torch_class}({', '.join(args)})  # {self.note}"]

    def zero(self, p) -> list[str]:
        return ["optimizer.zero_grad()"]

    def apply(self, p) -> list[str]:
        return ["optimizer.step()"]

    def clear(self, p) -> list[str]:
        return []


def _momentum(c: Config) -> list[tuple[str, object]]:
    return [("momentum", c.momentum)] + ([("nesterov", True)] if c.optimizer == "nesterov" else [])


OPTIMIZERS = {
    "sgd": Optimizer("SGD", "plain gradient descent", lambda c: [], lambda c: ()),
    "momentum": Optimizer("SGD", "gradient descent with momentum", _momentum, lambda c: ("momentum_buffer",)),
    "nesterov": Optimizer("SGD", "Nesterov momentum", _momentum, lambda c: ("momentum_buffer",)),
    "adagrad": Optimizer("Adagrad", "AdaGrad", lambda c: [], lambda c: ("sum",), takes_eps=True),
    "rmsprop": Optimizer(
        "RMSprop", "RMSProp",
        lambda c: [("alpha", c.alpha)] + ([("momentum", c.rms_momentum)] if c.rms_momentum else []),
        lambda c: ("square_avg", "momentum_buffer") if c.rms_momentum > 0 else ("square_avg",), takes_eps=True),
    "adam": Optimizer("Adam", "Adam", lambda c: [("betas", (c.beta1, c.beta2))],
                      lambda c: ("exp_avg", "exp_avg_sq"), takes_eps=True),
}


def optimizer_for(config: Config) -> Optimizer:
    if config.optimizer not in OPTIMIZERS:
        raise ConfigError(key="unknown_optimizer", optimizer=repr(config.optimizer))
    return OPTIMIZERS[config.optimizer]


def update_rule(config: Config) -> HandUpdate | Optimizer:
    """The update a config's loop uses: by hand (d2l's sgd for the half-squared loss) or torch.optim."""
    if not uses_manual_update(config):
        return optimizer_for(config)
    return D2lSgd() if config.loss == "half_squared" else HandUpdate()


def direct_step(optimizer: torch.optim.Optimizer) -> Callable[[], None]:
    """`optimizer.step()`, the same update, without the profiler range torch wraps around every step.

    torch.optim wraps each optimizer class's `step` once (`Optimizer.profile_hook_step`): a
    `record_function` range for its profiler, then the step hooks registered on the optimizer or
    globally. The range alone is about a fifth of a plain SGD step's time on a one-feature model (a
    30,000-step run). The class's own step (`__wrapped__`: the update, under torch's no-grad
    guard) is called straight; while any step hook is registered, the wrapped step is called as is.
    tests/test_engine.py checks every optimizer's trajectory against torch.optim's own loop, bit for bit.
    """
    from torch.optim import optimizer as _optimizer_module  # where the global hooks live

    wrapped = optimizer.step
    own = getattr(type(optimizer).step, "__wrapped__", None)
    hooks = (getattr(optimizer, "_optimizer_step_pre_hooks", None),
             getattr(optimizer, "_optimizer_step_post_hooks", None),
             getattr(_optimizer_module, "_global_optimizer_pre_hooks", None),
             getattr(_optimizer_module, "_global_optimizer_post_hooks", None))
    if own is None or "step" in vars(optimizer) or any(h is None for h in hooks):
        return wrapped  # a torch that steps otherwise, or a step replaced on this optimizer: as it is

    def step() -> None:
        if any(hooks):
            wrapped()
        else:
            own(optimizer)
    # plain SGD on the CPU: its loop itself, `p.add_(p.grad, alpha=-lr)` (gdcore/loops/direct.py)
    return plain_sgd(optimizer, hooks, step) or step
