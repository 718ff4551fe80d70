"""One step in slow motion: the phases of a training step, each with its line of the tutorial's loop
and the tensor values it computed.

    slow = slow_step(recipe, X, y, w_old, b_old, lr, step)
    for phase in slow.phases:           # in the loop's own order
        phase.name, phase.lines, phase.values

The phases are recomputed here from the data and the parameters before the step, the way the
tutorial's loop computes them (float32 tensors, autograd for the gradients), independently of the
engine; tests check that every phase ends where the engine's step record says the step ended (its
loss, gradients, new w and b). Pure: no streamlit, no global generator touched.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .loops import tutorials

PHASES = ("forward", "loss", "backward", "update", "zero_grad")
TOP = 3  # the points that contribute most to the loss, named in the loss phase
SHOWN_VALUES = 5  # the first few entries of a vector (y_hat, residuals) shown with the code

# Tutorial 000's loop body as its text writes it: the body computes on the full tensors tensorX,
# tensorY (the pitfall the mini-batch lesson shows), so every update is a full-batch step.
LOOP_000 = """for epoch in range(1, iteration_count):
    for batch_index, (data, label) in enumerate(dataloader):
        h = tensorX * w + b
        loss = torch.mean((h - tensorY) ** 2)
        loss.backward()
        w.data -= {lr} * w.grad.data
        b.data -= {lr} * b.grad.data
        w.grad.zero_()
        b.grad.zero_()"""


def loop_lines(recipe: str, lr: float) -> list[str]:
    """The loop a recipe's page runs, line by line: tutorial 003's (as the page shows it) or 000's."""
    if recipe == "linreg-minibatch":
        text = LOOP_000.format(lr=f"{lr:g}")
    else:
        text = "\n".join(ln for ln in tutorials.shown(tutorials.linreg_manual).splitlines()[2:])
        text = text.replace("0.01 * ", f"{lr:g} * ")
    return text.splitlines()


def _phase_of(line: str) -> str | None:
    code = line.split("#", 1)[0]
    if "zero_" in code or "for p in [w, b]" in code:
        return "zero_grad"
    if ".backward()" in code:
        return "backward"
    if ".data -=" in code:
        return "update"
    if code.strip().startswith("loss ="):
        return "loss"
    if "* w + b" in code or "*w + b" in code:
        return "forward"
    return None


@dataclass(frozen=True)
class Phase:
    name: str  # one of PHASES
    lines: tuple[int, ...]  # indices into SlowStep.code: the lines this phase runs
    values: dict = field(default_factory=dict)  # what it computed, under the code's own names


@dataclass(frozen=True)
class SlowStep:
    step: int
    code: tuple[str, ...]
    phases: tuple[Phase, ...]  # in the order the loop runs them

    def phase(self, name: str) -> Phase:
        return next(p for p in self.phases if p.name == name)


def slow_step(recipe: str, X, y, w_old: float, b_old: float, lr: float, step: int) -> SlowStep:
    """Step `step` (1-based) of a full-batch linear-regression loop from (w_old, b_old), phase by phase."""
    code = loop_lines(recipe, lr)
    names = {"forward": "h" if recipe == "linreg-minibatch" else "y_predict"}
    x = torch.as_tensor(X, dtype=torch.float32).reshape(-1)
    t = torch.as_tensor(y, dtype=torch.float32).reshape(-1)
    w = torch.tensor([w_old], dtype=torch.float32, requires_grad=True)
    b = torch.tensor([b_old], dtype=torch.float32, requires_grad=True)
    y_hat = x * w + b  # forward
    loss = torch.mean((y_hat - t) ** 2)
    loss.backward()
    gw, gb = float(w.grad), float(b.grad)
    with torch.no_grad():
        w_new = w - lr * w.grad  # what w.data -= lr * w.grad.data leaves in w
        b_new = b - lr * b.grad
    resid = (y_hat - t).detach()
    sq = resid ** 2
    total = float(sq.sum())
    top = torch.argsort(sq, descending=True, stable=True)[:TOP].tolist()
    values = {
        "forward": {"w": float(w_old), "b": float(b_old), names["forward"]: y_hat.detach()[:SHOWN_VALUES].tolist(),
                    "residual": resid[:SHOWN_VALUES].tolist(), "n": len(x)},
        "loss": {"loss": float(loss.detach()),
                 "top": [(i, float(x[i]), float(t[i]), float(sq[i]) / total if total else 0.0) for i in top]},
        "backward": {"w.grad": gw, "b.grad": gb},
        "update": {"lr": float(lr), "w": float(w_new), "b": float(b_new), "w_old": float(w_old), "b_old": float(b_old)},
        "zero_grad": {"w.grad": 0.0, "b.grad": 0.0},
    }
    return SlowStep(int(step), tuple(code), phases_of(code, values, _phase_of))


def phases_of(code, values: dict, phase_of) -> tuple[Phase, ...]:
    """The phases in the order the loop's lines first name them, each with every line it marks;
    phase_of(line) names a line's phase (None: no phase)."""
    lines: dict[str, list[int]] = {}  # in order of first appearance
    for i, line in enumerate(code):
        name = phase_of(line)
        if name is not None:
            lines.setdefault(name, []).append(i)
    return tuple(Phase(name, tuple(at), values[name]) for name, at in lines.items())


def annotated(slow: SlowStep, upto: int, summarize=None) -> str:
    """The loop with the lines of phase `upto` marked `>>`, and under each phase run so far a comment
    with its numbers (what the page shows as the step plays); summarize(phase) writes them (default:
    this module's summary)."""
    summarize = summary if summarize is None else summarize
    notes: dict[int, str] = {ph.lines[-1]: summarize(ph) for ph in slow.phases[:upto + 1]}
    now = set(slow.phases[upto].lines)
    out = []
    for i, line in enumerate(slow.code):
        out.append((">> " if i in now else "   ") + line)
        if i in notes:
            indent = len(line) - len(line.lstrip())
            out.append("   " + " " * indent + "# -> " + notes[i])
    return "\n".join(out)


def _f(v: float) -> str:
    return f"{v:.6g}"


def summary(ph: Phase) -> str:
    """One line of numbers for a phase (code names; no words to translate)."""
    v = ph.values
    if ph.name == "forward":
        name = next(k for k in v if k not in ("w", "b", "residual", "n"))
        head = ", ".join(_f(t) for t in v[name])
        return f"w={_f(v['w'])}, b={_f(v['b'])} -> {name}[:{len(v[name])}] = [{head}, ...]"
    if ph.name == "loss":
        return f"loss = {_f(v['loss'])}"
    if ph.name == "backward":
        return f"w.grad = {_f(v['w.grad'])}, b.grad = {_f(v['b.grad'])}"
    if ph.name == "update":
        return f"w = {_f(v['w'])}, b = {_f(v['b'])}"
    return "w.grad = 0, b.grad = 0"
