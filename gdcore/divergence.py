"""Why a run stopped: its first non-finite value and the facts that explain it, as keys and numbers.

    parts = explanation(divergence, config, n, batch_size, limit)   # [(key, values), ...]
    render(parts, T)                                                # one sentence, in T's language

A value that is itself a `(key, values)` pair is translated too (the optimizer's lesson name, what
became non-finite). The sentences are in gdcore/locales/*/engine.toml.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .config import Config

Part = tuple[str, dict]


@dataclass(frozen=True)
class Divergence:
    step: int  # the 1-based step whose loss, gradient or update was not finite
    kind: str = "loss"  # loss, gradient, state or parameter
    value: float = math.inf  # the offending value (inf, -inf or nan)
    name: str = ""  # the parameter or state column it concerns


def locate(column: str) -> tuple[str, str]:
    """(kind, name) of a history column: "loss", "grad_w" (gradient of w), "exp_avg[b]" (state), "w1"."""
    if column == "loss":
        return "loss", ""
    if column.startswith("grad_"):
        return "gradient", column[5:]
    return ("state" if "[" in column else "parameter"), column


def stability_label(optimizer: str) -> str:
    """How the full-batch stability limit is written for an optimizer (plain, momentum, Nesterov)."""
    return {"sgd": "2/λmax", "momentum": "2(1+β)/λmax"}.get(optimizer, "2(1+β)/((1+2β)λmax)")


def explanation(d: Divergence, c: Config, n: int, batch_size: int, limit: float | None) -> list[Part]:
    """The facts of one divergence: where, what, and the likeliest cause with the numbers that show it."""
    value = "nan" if math.isnan(d.value) else ("inf" if d.value > 0 else "-inf")
    head = ("engine.head", {"step": d.step, "what": (f"engine.what.{d.kind}", {"name": d.name}), "value": value})
    if c.full_tensor_pitfall and c.loss == "half_squared":
        return [head, ("engine.pitfall", {"n": n, "batch_size": batch_size, "ratio": n / batch_size})]
    if limit is not None:
        key = "engine.above_limit" if c.lr > limit else "engine.below_limit"
        values = {"lr": c.lr, "label": stability_label(c.optimizer), "limit": limit}
        return [head, (key, values if c.lr > limit else {**values, "batch_size": batch_size})]
    if c.loss == "bce_manual":
        return [head, ("engine.log0", {})]
    return [head, ("engine.too_large", {"lr": c.lr, "optimizer": (f"engine.optimizer.{c.optimizer}", {})})]


def render(parts: list[Part], T) -> str:
    """The sentence for `parts` in the language of the translator T."""
    def value(v):
        return render([v], T) if isinstance(v, tuple) else v
    return "".join(T(key, **{k: value(v) for k, v in values.items()}) for key, values in parts)
