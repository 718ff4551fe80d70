"""Linear regression by hand: one step explained, each line of the tutorial's loop with the numbers it
produced (forward, backward, update), read from the run's last two records.

A record's loss and gradients were computed at the parameters *before* its update; its w and b are
the values *after* it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..i18n import Message


def _n(v: float) -> str:
    """A number for an arithmetic line; negatives in parentheses when they follow an operator."""
    return f"{v:.6g}"


def _p(v: float) -> str:
    return f"({v:.6g})" if v < 0 else f"{v:.6g}"


@dataclass(frozen=True)
class StepExplained:
    """The three phases of one step, with the numbers filled in."""

    step: int
    epoch: int
    batch: int
    lr: float
    w_old: float
    b_old: float
    loss: float
    grad_w: float
    grad_b: float
    w_new: float
    b_new: float

    @property
    def forward(self) -> list[tuple[str, str]]:
        """(code, what it computed) for the forward pass."""
        return [("y_hat = X*w + b", f"w = {_n(self.w_old)}, b = {_n(self.b_old)}"),
                ("loss = mean((y_hat - y)**2)", f"loss = {_n(self.loss)}")]

    @property
    def backward(self) -> list[tuple[str, str]]:
        """(code, value) for the gradients that loss.backward() stores."""
        return [("w.grad = mean(2*(y_hat - y)*X)", f"Δw = {_n(self.grad_w)}"),
                ("b.grad = mean(2*(y_hat - y))", f"Δb = {_n(self.grad_b)}")]

    @property
    def update(self) -> list[tuple[str, str]]:
        """(code, the update with its numbers filled in)."""
        return [("w.data -= lr * w.grad", f"w = {_n(self.w_old)} - {self.lr:g} × {_p(self.grad_w)} = {_n(self.w_new)}"),
                ("b.data -= lr * b.grad", f"b = {_n(self.b_old)} - {self.lr:g} × {_p(self.grad_b)} = {_n(self.b_new)}")]

    def text(self) -> list[Message]:
        """The three phases as one annotated block of code: each line with its numbers as a comment
        (each phase's heading a Message, the code under it as it is)."""
        parts = [(Message.of("linear_regression.explain.forward"), self.forward),
                 (Message.of("linear_regression.explain.backward"), self.backward),
                 (Message.of("linear_regression.explain.update"), self.update)]
        width = max(len(code) for _, rows in parts for code, _ in rows) + 2
        out = []
        for k, (head, rows) in enumerate(parts):
            block = "".join(f"\n{code:<{width}}# {note}" for code, note in rows)
            out += [head, Message.verbatim(block if k == len(parts) - 1 else block + "\n")]
        return out

    def check(self) -> tuple[float, float]:
        """(w, b) recomputed from the update rule in float64 (agrees with w_new, b_new to float32 precision)."""
        return self.w_old - self.lr * self.grad_w, self.b_old - self.lr * self.grad_b


def explain_last_step(records: Sequence[dict], w0: float, b0: float, lr: float) -> StepExplained | None:
    """The newest record, explained; records should hold at least the last two steps.

    The parameters before the step come from the previous record (or w0, b0 for step 1).
    """
    if not records:
        return None
    rec = records[-1]
    prev = records[-2] if len(records) > 1 and records[-2]["step"] == rec["step"] - 1 else None
    if rec["step"] == 1:
        w_old, b_old = float(w0), float(b0)
    elif prev is not None:
        w_old, b_old = float(prev["w"]), float(prev["b"])
    else:  # the previous row was thinned away: undo the update instead
        w_old, b_old = rec["w"] + lr * rec["grad_w"], rec["b"] + lr * rec["grad_b"]
    return StepExplained(int(rec["step"]), int(rec["epoch"]), int(rec["batch"]), float(lr), w_old, b_old,
                         float(rec["loss"]), float(rec["grad_w"]), float(rec["grad_b"]), float(rec["w"]),
                         float(rec["b"]))
