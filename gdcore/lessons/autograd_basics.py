"""Seed 003's autograd basics for one learner: x -> y = x + 2 -> z = y * y * 3 -> out = z.mean().

The demo holds real tensors and answers with plain records (values, grads, grad_fn names) and a
Graphviz DOT string built by walking `out.grad_fn.next_functions`, so a page only draws. The
analytic answer it is checked against: out = mean(3 (x + 2)^2) over n entries, so
d(out)/dx = 6 (x + 2) / n, which is 3 (x + 2) / 2 for the tutorial's 2x2 tensor.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import torch

from ..errors import ConfigError
from ..i18n import labels as default_labels
from ..links import Field
from .autograd_basics_graph import format_number, format_values, graph_dot

MAX_SIDE = 4  # rows and columns of x: enough to see the shape, small enough to print
MAX_FILL = 1e6
FILL_LIMIT = 1000.0  # the page's fill input (and a link's fill) stays within ±FILL_LIMIT
MAX_EVENTS = 200  # the grad history a page can chart, bounded per user
VIEWS = ("forward", "backward")  # the graph's two directions

# A share link's settings: x (fill, shape, requires_grad) and the graph view. The ranges and choices
# are the page's widgets' own, so a link can never set a value a widget would refuse.
LINK_FIELDS: list[Field] = [
    Field("fill", "w.autograd_basics.fill", "float", -FILL_LIMIT, FILL_LIMIT),
    Field("rows", "w.autograd_basics.rows", "int", 1, MAX_SIDE),
    Field("cols", "w.autograd_basics.cols", "int", 1, MAX_SIDE),
    Field("requires_grad", "w.autograd_basics.requires_grad", "bool"),
    Field("view", "w.autograd_basics.view", "choice", choices=VIEWS),
]
# Control groups an instructor's link can hide: the tutorial's-x button, x's fill and shape, the
# requires_grad switch, the graph's forward/backward choice.
HIDE_GROUPS: tuple[str, ...] = ("presets", "x", "requires_grad", "view")


def _values(t: torch.Tensor | None) -> list | None:
    return None if t is None else t.detach().cpu().double().numpy().tolist()


def grad_fn_name(t: torch.Tensor) -> str | None:
    """The class name of a tensor's grad_fn (e.g. 'AddBackward0'), or None for leaves / untracked."""
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def x_code(fill: float, rows: int, cols: int, requires_grad: bool) -> str:
    """The line that makes x, as the tutorial writes it when it can (torch.ones for a fill of 1)."""
    rg = ", requires_grad=True" if requires_grad else ""
    if fill == 1.0:
        return f"x = torch.ones({rows}, {cols}{rg})"
    return f"x = torch.full(({rows}, {cols}), {format_number(fill)}{rg})"


class AutogradDemo:
    """The tutorial's small graph for one learner: forward, out.backward(), x.grad.zero_()."""

    def __init__(self, fill: float = 1.0, rows: int = 2, cols: int = 2, requires_grad: bool = True):
        fill = float(fill)
        if not math.isfinite(fill) or abs(fill) > MAX_FILL:
            raise ConfigError(key="autograd_fill", max=MAX_FILL, value=str(fill))
        for name, v in (("rows", rows), ("cols", cols)):
            if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= MAX_SIDE:
                raise ConfigError(key="autograd_side", name=name, max=MAX_SIDE, value=repr(v))
        self.fill, self.rows, self.cols, self.requires_grad = fill, rows, cols, bool(requires_grad)
        self.x = torch.full((rows, cols), fill, requires_grad=self.requires_grad)
        self.backward_count = 0  # backward passes added into x.grad since it was last zeroed
        self.forward_count = 0  # graphs built so far
        self.graph_used = False  # the current graph's saved tensors were freed by a backward
        self.last_error: str | None = None
        self.events: list[dict] = []  # x.grad after each backward / zero, for the history chart
        self.forward()

    @property
    def settings(self) -> tuple[float, int, int, bool]:
        return (self.fill, self.rows, self.cols, self.requires_grad)

    @property
    def numel(self) -> int:
        return self.rows * self.cols

    # -- the tutorial's lines ------------------------------------------------------------------

    def forward(self) -> None:
        """Build the graph again: y = x + 2; z = y * y * 3; out = z.mean()."""
        self.y = self.x + 2
        self.yy = self.y * self.y  # Python evaluates y * y * 3 as (y * y) * 3
        self.z = self.yy * 3
        self.out = self.z.mean()
        if self.requires_grad:
            for t in (self.y, self.yy, self.z, self.out):
                t.retain_grad()  # keep d(out)/d(t) of the intermediates to show the chain rule
        self.forward_count += 1
        self.graph_used = False

    def backward(self) -> str | None:
        """out.backward(), on a freshly built graph when the current one was used already.

        Returns None, or the RuntimeError's message when autograd refuses (requires_grad=False).
        """
        if self.graph_used:
            self.forward()
        return self._backward()

    def backward_same_graph(self) -> str | None:
        """out.backward() again WITHOUT rebuilding: autograd refuses once the graph was used."""
        return self._backward()

    def _backward(self) -> str | None:
        try:
            self.out.backward()
        except RuntimeError as exc:
            self.last_error = str(exc)
            return self.last_error
        self.backward_count += 1
        self.graph_used = True
        self.last_error = None
        self._event("out.backward()")
        return None

    def zero_grad(self) -> None:
        """x.grad.zero_(): what the tutorial's loss_fn and d2l's sgd do before the next backward."""
        if self.x.grad is not None:
            self.x.grad.zero_()
            self.backward_count = 0
            self.last_error = None
            self._event("x.grad.zero_()")

    def _event(self, action: str) -> None:
        g = self.x.grad
        self.events.append({"n": len(self.events) + 1, "action": action,
                            "x_grad": float(g.reshape(-1)[0]) if g is not None else 0.0,
                            "expected": float(self.analytic_grad().reshape(-1)[0]) * self.backward_count})
        del self.events[:-MAX_EVENTS]

    # -- answers ---------------------------------------------------------------------------------

    def analytic_grad(self) -> np.ndarray:
        """d(out)/dx for ONE backward pass: 6 (x + 2) / n (= 3 (x + 2) / 2 for 2x2), float64."""
        x = self.x.detach().double().numpy()
        return 6.0 * (x + 2.0) / self.numel

    def expected_grad(self) -> np.ndarray | None:
        """What x.grad should hold now: the analytic gradient times the backward passes since zeroing."""
        if self.x.grad is None:
            return None
        return self.backward_count * self.analytic_grad()

    def grad_matches(self, rtol: float = 1e-5) -> bool | None:
        exp = self.expected_grad()
        if exp is None:
            return None
        got = self.x.grad.double().numpy()
        return bool(np.allclose(got, exp, rtol=rtol, atol=1e-6 * max(1.0, float(np.abs(exp).max()))))

    def tensors(self) -> list[dict]:
        """One record a tensor (x, y, z, out): its code, values, requires_grad, is_leaf, grad_fn, grad."""
        lines = [("x", x_code(self.fill, self.rows, self.cols, self.requires_grad), self.x),
                 ("y", "y = x + 2", self.y), ("z", "z = y * y * 3", self.z), ("out", "out = z.mean()", self.out)]
        rows = []
        for name, code, t in lines:
            grad = t.grad if (t.is_leaf or t.retains_grad) else None
            rows.append({"name": name, "code": code, "value": _values(t), "shown": format_values(t),
                         "shape": tuple(t.shape), "requires_grad": t.requires_grad, "is_leaf": t.is_leaf,
                         "grad_fn": grad_fn_name(t), "grad": _values(grad),
                         "grad_shown": format_values(grad)})
        return rows

    def snapshot(self) -> dict:
        """Everything a page shows, as plain values (the shown texts as Messages)."""
        exp = self.expected_grad()
        return {"fill": self.fill, "shape": (self.rows, self.cols), "numel": self.numel,
                "requires_grad": self.requires_grad, "backward_count": self.backward_count,
                "forward_count": self.forward_count, "graph_used": self.graph_used,
                "last_error": self.last_error, "tensors": self.tensors(),
                "x_grad": _values(self.x.grad), "x_grad_shown": format_values(self.x.grad),
                "analytic": self.analytic_grad().tolist(),
                "analytic_shown": format_values(torch.from_numpy(self.analytic_grad())),
                "expected": None if exp is None else exp.tolist(),
                "expected_shown": format_values(None if exp is None else torch.from_numpy(exp)),
                "matches": self.grad_matches()}

    def dot(self, direction: str = "forward", rankdir: str = "TB", labels: Mapping[str, str] | None = None) -> str:
        """The computational graph as Graphviz DOT, found by walking out.grad_fn.next_functions (its words
        from labels, one language's templates by key: gdcore.i18n.Translator.labels; English by default)."""
        labels = default_labels() if labels is None else labels
        n = self.numel
        ops = {self.y.grad_fn: ("x + 2", "∂y/∂x = 1"),
               self.yy.grad_fn: ("y * y", labels["autograd_basics.dot.yy_backward"]),
               self.z.grad_fn: ("(y * y) · 3", "∂z/∂(y*y) = 3"), self.out.grad_fn: ("z.mean()", f"∂out/∂z = 1/{n}")}
        consts = {self.y.grad_fn: "2", self.z.grad_fn: "3"}
        tensors = [("x", self.x), ("y", self.y), ("y * y", self.yy), ("z", self.z), ("out", self.out)]
        if self.out.grad_fn is None:  # nothing recorded: show the tutorial's four tensors only
            tensors = [tensors[i] for i in (0, 1, 3, 4)]
        return graph_dot(self.out, tensors,
                         ops={id(f): v for f, v in ops.items() if f is not None},
                         consts={id(f): v for f, v in consts.items() if f is not None},
                         direction=direction, rankdir=rankdir, labels=labels)


# -- .data vs .detach(), and .detach().numpy() -----------------------------------------------------

def data_vs_detach(fill: float = 1.0, rows: int = 2, cols: int = 2) -> dict[str, dict]:
    """Change y in place through `y.data` and through `y.detach()`, then call out.backward().

    Both aliases share y's storage, so zeroing them zeroes y. Autograd saved y for y * y; through
    .detach() the in-place change bumps y's version counter and backward raises a RuntimeError;
    through .data the change is invisible to autograd and x.grad comes out silently wrong.
    """
    result = {}
    for way in ("detach", "data"):
        x = torch.full((rows, cols), float(fill), requires_grad=True)
        y = x + 2
        z = y * y * 3
        out = z.mean()
        alias = y.detach() if way == "detach" else y.data
        rec = {"code": f"alias = y.{'detach()' if way == 'detach' else 'data'}",
               "shares_storage": alias.data_ptr() == y.data_ptr(),
               "alias_requires_grad": alias.requires_grad, "version_before": y._version}
        alias.zero_()
        rec.update(y_after=format_values(y), version_after=y._version, error=None, x_grad=None)
        try:
            out.backward()
            rec["x_grad"] = format_values(x.grad)
        except RuntimeError as exc:
            rec["error"] = str(exc)
        rec["correct_grad"] = format_values(6.0 * (x.detach().double() + 2.0) / (rows * cols))
        result[way] = rec
    return result


def numpy_demo(fill: float = 1.0, rows: int = 2, cols: int = 2, requires_grad: bool = True) -> dict:
    """x.numpy() is refused while x requires grad (and works when it does not); x.detach().numpy() is a
    view of the same memory."""
    x = torch.full((rows, cols), float(fill), requires_grad=requires_grad)
    rec = {"error": None}
    try:
        x.numpy()
    except RuntimeError as exc:
        rec["error"] = str(exc)
    arr = x.detach().numpy()
    rec["array"] = repr(arr)
    rec["dtype"] = str(arr.dtype)
    rec["shares_memory"] = arr.__array_interface__["data"][0] == x.data_ptr()
    arr[0, 0] = 100.0  # writes into x's storage: detach().numpy() is not a copy
    rec["x_after_write"] = format_values(x)
    rec["x_printed"] = repr(x)  # what print(x) shows
    rec["x00_after_write"] = float(x.detach()[0, 0])
    return rec
