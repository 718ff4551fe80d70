"""Why a run stopped: its first non-finite value and the facts that explain it, as keys and numbers.

    text = explanation(divergence, config, n, batch_size, limit)    # [Message, ...]
    T(text)                                                         # one sentence, in T's language

The sentences are in gdcore/locales/*/engine.toml; the numbers (lr, the stability limit, the
ratio) stay numbers until the locale's template formats them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .config import Config
from .i18n import Message


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


def explanation(d: Divergence, c: Config, n: int, batch_size: int, limit: float | None) -> list[Message]:
    """The facts of one divergence: where, what, and the likeliest cause with the numbers that show it."""
    value = "nan" if math.isnan(d.value) else ("inf" if d.value > 0 else "-inf")
    head = Message.of("engine.head", step=d.step, what=Message.of(f"engine.what.{d.kind}", name=d.name), value=value)
    if c.full_tensor_pitfall and c.loss == "half_squared":
        return [head, Message.of("engine.pitfall", n=n, batch_size=batch_size, ratio=n / batch_size)]
    if limit is not None and c.lr > limit:
        return [head, Message.of("engine.above_limit", lr=c.lr, label=stability_label(c.optimizer), limit=limit)]
    if limit is not None:
        return [head, Message.of("engine.below_limit", lr=c.lr, label=stability_label(c.optimizer), limit=limit,
                                 batch_size=batch_size)]
    if c.loss == "bce_manual":
        return [head, Message.of("engine.log0")]
    return [head, Message.of("engine.too_large", lr=c.lr, optimizer=Message.of(f"engine.optimizer.{c.optimizer}"))]
