"""Layers for the logistic-regression boundary chart: the gradient's pull (where a step takes the
boundary, and which way it moves it), and the samples a step uses; the sigmoid with a batch on it.

All plain Vega-Lite layer dicts (gdcore.charts.vl), added to the specs of
gdcore.charts.logistic_regression: a Step converts nothing through Altair.
"""
from __future__ import annotations

import numpy as np

from . import vl
from .cockpit import ARROW_COLOR
from .common import Labels, mark, words

PULL_COLOR = "#7b3294"  # purple, apart from the classes' blue and red; white-edged over the points
NEXT_DASH = [1.5, 3]  # the boundary after the step: dotted (the labels' rule is [6, 4], the model's solid)
SAMPLE_COLOR = "#f2a900"  # the ring of the samples a step uses, as the page's "last sample" ring
MAX_RINGS = 60  # a large batch: this many of its samples ringed, evenly spread
SEEN = 0.004  # the line after the step is drawn where it leaves today's by this share of the plot (about a pixel)


def _g(v: float) -> float:
    return float(f"{float(v):.6g}")  # what a tooltip shows, in fewer bytes


def _lines_layer(layers: list[dict]) -> int | None:
    """The index of the boundary chart's layer of lines (the model's and the labels' rule)."""
    return next((k for k, la in enumerate(layers) if "strokeDash" in la.get("encoding", {})), None)


def with_pull(spec: dict, pull, box, labels: Labels | None = None, arrow: bool = True,
              line: bool | None = None) -> dict:
    """The boundary chart with the boundary after the pull's step (dotted, named in the lines' legend) and
    an arrow on today's boundary pointing the way that step moves it (a fixed size, to be seen: its
    tooltip gives the true shift). line: draw the line after the step (None: only where it would not
    hide under today's, SEEN; one step of lr 0.001 moves it by far less than a pixel). Few bytes: a
    Step sends it every time."""
    if pull is None:
        return spec
    say = words(labels)
    out = dict(spec)
    layers = list(spec["layer"])
    k = _lines_layer(layers)
    if line is None:
        line = pull.apart >= SEEN * min(box[1] - box[0], box[3] - box[2])
    if line and pull.segment is not None and k is not None:
        la = layers[k]
        ends, enc = la["data"], la["encoding"]
        label = say("logistic_slow.chart.next", step=pull.step)
        (a, b) = pull.segment
        cols = {"x1": ends.values("x1") + [_g(a[0]), _g(b[0])], "x2": ends.values("x2") + [_g(a[1]), _g(b[1])],
                "line": ends.values("line") + [label, label]}
        dash = enc["strokeDash"]
        scale = {**dash["scale"], "domain": [*dash["scale"]["domain"], label],
                 "range": [*dash["scale"]["range"], NEXT_DASH]}
        layers[k] = {**la, "data": vl.Table(cols), "encoding": {**enc, "strokeDash": {**dash, "scale": scale}}}
    if arrow and pull.shift is not None and pull.distance > 0:
        x1lo, x1hi, x2lo, x2hi = box
        dx, dy = pull.shift
        # the arrow symbol points up: turned along the shift as drawn on screen (the plot's own width and
        # height turn the data direction into pixels)
        sx, sy = dx / (x1hi - x1lo), dy / (x2hi - x2lo)
        top = max(abs(sx), abs(sy))
        angle = f"atan2({sx / top:.4g}*width,{sy / top:.4g}*height)*180/PI"
        row = {"x1": float(f"{pull.foot[0]:.4g}"), "x2": float(f"{pull.foot[1]:.4g}"), "s": _g(pull.distance)}
        tips = [vl.q("s", title=say("logistic_slow.chart.shift"))]
        layers.append({"data": {"values": [row]},
                       "mark": mark("point", shape="arrow", size=1300, filled=True, color=PULL_COLOR, stroke="white",
                                    angle={"expr": angle}),
                       "encoding": {"x": vl.q("x1"), "y": vl.q("x2"), "tooltip": tips}})
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
