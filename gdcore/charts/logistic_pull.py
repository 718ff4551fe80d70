"""Layers for the logistic-regression boundary chart: the gradient's pull (where a step takes the
boundary, and which way it moves it), and the samples a step uses; the sigmoid with a batch on it.

All plain Vega-Lite layer dicts (gdcore.charts.vl), added to the specs of
gdcore.charts.logistic_regression: a Step converts nothing through Altair.
"""
from __future__ import annotations

import numpy as np

from . import vl
from .cockpit import ARROW_COLOR, arrow_layers, arrow_vector
from .common import Labels, mark, words

NEXT_DASH = [2, 3]  # the boundary after the step: dotted (the labels' rule is [6, 4], the model's solid)
SAMPLE_COLOR = "#f2a900"  # the ring of the samples a step uses, as the page's "last sample" ring
MAX_RINGS = 60  # a large batch: this many of its samples ringed, evenly spread


def _g(v: float) -> float:
    return float(f"{float(v):.6g}")  # what a tooltip shows, in fewer bytes


def with_pull(spec: dict, pull, box, labels: Labels | None = None, arrow: bool = True) -> dict:
    """The boundary chart with the boundary after the pull's step (dotted, red) and an arrow on today's
    boundary in the direction that step moves it (as long as a share of the plot, to be seen: its
    tooltip gives the true shift, the gradient and the parameters after the step)."""
    if pull is None:
        return spec
    say = words(labels)
    out = dict(spec)
    layers = list(spec["layer"])
    label = say("logistic_slow.chart.next", step=pull.step)
    if pull.segment is not None:
        (a, b) = pull.segment
        layers.append(vl.layer(vl.Table({"x1": [a[0], b[0]], "x2": [a[1], b[1]], "line": label}),
                               mark("line", color=ARROW_COLOR, strokeWidth=2.5, strokeDash=NEXT_DASH), {
            "x": vl.q("x1"), "y": vl.q("x2"), "tooltip": [vl.n("line", title=say("charts.tip.label"))]}))
    if arrow and pull.shift is not None and pull.distance > 0:
        x1lo, x1hi, x2lo, x2hi = box
        dx, dy = arrow_vector((-pull.shift[0], -pull.shift[1]), ((x1lo, x1hi), (x2lo, x2hi)))
        dx, dy = dx * 0.6, dy * 0.6  # shorter than the landscape's: the boundary stays readable
        row = {"x1": pull.foot[0], "x2": pull.foot[1], "x1e": pull.foot[0] + dx, "x2e": pull.foot[1] + dy,
               "label": say("logistic_slow.chart.pull"), "shift": _g(pull.distance),
               "gw1": _g(pull.grad_w[0]), "gw2": _g(pull.grad_w[1]), "gb": _g(pull.grad_b),
               "w1": _g(pull.w[0]), "w2": _g(pull.w[1]), "b": _g(pull.b)}
        if pull.sample is not None:
            row["i"] = pull.batch[0]
        tips = [vl.n("label", title=say("charts.tip.label"))]
        if pull.sample is not None:
            tips.append(vl.q("i", title=say("charts.logreg.sample")))
        tips += [vl.q("shift", title=say("logistic_slow.chart.shift")),
                 vl.q("gw1", title="dL/dw1"), vl.q("gw2", title="dL/dw2"), vl.q("gb", title="dL/db"),
                 vl.q("w1", title=say("logistic_slow.chart.after", name="w1")),
                 vl.q("w2", title=say("logistic_slow.chart.after", name="w2")),
                 vl.q("b", title=say("logistic_slow.chart.after", name="b"))]
        layers += arrow_layers(row, ("x1", "x2"), ("x1e", "x2e"), (x1hi - x1lo, x2hi - x2lo), tips)
    out["layer"] = layers
    return out


def with_samples(spec: dict, X, batch, labels: Labels | None = None) -> dict:
    """The boundary chart with the samples a step uses ringed (batch: indices; None: all of them)."""
    say = words(labels)
    X = np.asarray(X, dtype=np.float64)
    idx = np.arange(len(X)) if batch is None else np.asarray(batch, dtype=int)
    if len(idx) > MAX_RINGS:
        idx = idx[np.linspace(0, len(idx) - 1, MAX_RINGS).astype(int)]
    ring = vl.layer(vl.Table({"i": idx, "x1": X[idx, 0], "x2": X[idx, 1], "label": say("logistic_slow.chart.used")}),
                    mark("point", size=200, shape="circle", strokeWidth=2.5, color=SAMPLE_COLOR), {
        "x": vl.q("x1"), "y": vl.q("x2"),
        "tooltip": [vl.n("label", title=say("charts.tip.label")), vl.q("i", title=say("charts.logreg.sample")),
                    vl.q("x1", format=".4f"), vl.q("x2", format=".4f")]})
    return {**spec, "layer": [*spec["layer"], ring]}


def with_batch(spec: dict, z, y_hat, y, idx, top=(), z_range: float = 8.0, labels: Labels | None = None) -> dict:
    """The sigmoid chart with a batch's samples on the curve (z, ŷ); those in `top` (indices) add most
    to the loss, drawn larger as diamonds (shape and size, not colour alone)."""
    say = words(labels)
    z = np.asarray(z, dtype=np.float64)
    kind = np.where(np.isin(np.asarray(idx), list(top)), say("logistic_slow.chart.top"),
                    say("logistic_slow.chart.in_batch"))
    rows = vl.Table({"i": np.asarray(idx), "z": np.clip(z, -z_range, z_range), "z_true": z,
                     "y_hat": np.asarray(y_hat, dtype=np.float64), "y": np.asarray(y, dtype=np.float64),
                     "kind": list(kind)})
    domain = [say("logistic_slow.chart.in_batch"), say("logistic_slow.chart.top")]
    dots = vl.layer(rows, mark("point", filled=True, stroke="black", strokeWidth=0.5), {
        "x": vl.q("z"), "y": vl.q("y_hat"),
        "shape": vl.n("kind", title=None, scale={"domain": domain, "range": ["circle", "diamond"]},
                      legend={"orient": "bottom"}),
        "size": vl.n("kind", legend=None, scale={"domain": domain, "range": [40, 160]}),
        "color": vl.n("kind", legend=None, scale={"domain": domain, "range": [SAMPLE_COLOR, ARROW_COLOR]}),
        "tooltip": [vl.q("i", title=say("charts.logreg.sample")), vl.q("z_true", title="z", format=".4f"),
                    vl.q("y_hat", title="ŷ", format=".5f"), vl.q("y", title=say("charts.logreg.y_label"))]})
    return {**spec, "layer": [*spec["layer"], dots]}
