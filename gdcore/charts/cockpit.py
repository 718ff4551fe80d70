"""Layers that make a landscape a control: a click picks (w, b), an arrow shows the gradient there.

They compose with whatever a landscape builder returns (an Altair layer chart whose first layer is
the heat map): `pickable(chart)` adds the point selection a click fills (its value comes back as
`{"selection": {"pick": [{"w", "w2", "b", "b2"}]}}`, read by gdcore.manual.point_from_selection),
`with_layers(chart, *layers)` adds layers on top, and `gradient_arrow(...)` is the arrow of the
negative gradient at the current point, with its components in the tooltip.
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..manual import PICK
from . import vl
from .common import WIDTH, Labels, layered, mark, words

ARROW_COLOR = "#d62728"  # red like the current point's ring; shape (a line with a head) carries it too
ARROW_SHARE = 0.22  # the arrow's length: this share of the window along its longer (scaled) component
CELLS_VIEW = "cells"  # the name of the heat-map layer the click selection belongs to

_PICK_PARAM = alt.TopLevelSelectionParameter(
    name=PICK, select={"type": "point", "fields": ["w", "w2", "b", "b2"], "on": "click", "clear": False,
                       "toggle": False}, views=[CELLS_VIEW])


_PICK_PARAM_DICT = _PICK_PARAM.to_dict()  # validated once, here; a Step only copies it in


def pickable(chart: alt.LayerChart | dict) -> alt.LayerChart | dict:
    """The landscape with a click selection on its heat map (its first layer): Streamlit reports the
    clicked cell through `on_select`. chart: an Altair layer chart, or a plain spec (gdcore.charts.vl)."""
    if isinstance(chart, dict):
        out = dict(chart)
        out["layer"] = [{**chart["layer"][0], "name": CELLS_VIEW}, *chart["layer"][1:]]
        out["params"] = [p for p in chart.get("params", []) if p.get("name") != PICK] + [_PICK_PARAM_DICT]
        return out
    chart.layer[0].name = CELLS_VIEW
    params = [p for p in (chart.params if chart.params is not alt.Undefined else []) if
              getattr(p, "name", None) != PICK]
    chart.params = params + [_PICK_PARAM.copy()]
    return chart


def with_layers(chart: alt.LayerChart | dict, *layers: alt.Chart) -> alt.LayerChart | dict:
    """The chart with more layers drawn on top (layers built with their own data and scales); on a plain
    spec, each Altair layer is converted once (vl.add_layers)."""
    if isinstance(chart, dict):
        return vl.add_layers(chart, *[la for la in layers if la is not None])
    chart.layer = list(chart.layer) + [(alt.LayerChart if "layer" in la else alt.Chart).from_dict(la, validate=False)
                                       if isinstance(la, dict) else la
                                       for la in layers if la is not None]  # (a one-off figure: a Step uses specs)
    return chart


def arrow_vector(grad: tuple[float, float], window) -> tuple[float, float]:
    """(dw, db) of the arrow: along -grad, as long as ARROW_SHARE of the window in the longer component
    (measured in shares of each axis, so the arrow is visible whatever the axes' units)."""
    (wlo, whi), (blo, bhi) = window
    gw, gb = -float(grad[0]), -float(grad[1])
    sw, sb = gw / max(whi - wlo, 1e-300), gb / max(bhi - blo, 1e-300)
    longest = max(abs(sw), abs(sb))
    if not math.isfinite(longest) or longest == 0:
        return 0.0, 0.0
    k = ARROW_SHARE / longest
    return gw * k, gb * k


def gradient_arrow(current: tuple[float, float], grad: tuple[float, float], lr: float, window,
                   labels: Labels | None = None, exact: bool = False) -> list[dict]:
    """The arrow of -gradient at the current point, as one plain layer dict (its shaft and head nested
    in it); none when the point is outside the window or the gradient is zero. exact: the arrow of the
    update itself, -lr * grad at its true length (from the point before a step to the point after it),
    not a direction. Its tooltip gives dL/dw, dL/db and the step -lr * grad they make."""
    say = words(labels)
    (wlo, whi), (blo, bhi) = window
    w, b = float(current[0]), float(current[1])
    if not (all(math.isfinite(v) for v in (w, b, *grad)) and wlo <= w <= whi and blo <= b <= bhi):
        return []
    dw, db = (-lr * float(grad[0]), -lr * float(grad[1])) if exact else arrow_vector(grad, window)
    if dw == 0 and db == 0:
        return []
    xs = {"domain": [wlo, whi], "nice": False, "zero": False}
    ys = {"domain": [blo, bhi], "nice": False, "zero": False}
    row = {"w": w, "b": b, "w_end": w + dw, "b_end": b + db, "grad_w": float(grad[0]), "grad_b": float(grad[1]),
           "step_w": -lr * float(grad[0]), "step_b": -lr * float(grad[1]),
           "label": say("cockpit.chart.update" if exact else "cockpit.chart.arrow")}
    tooltip = [vl.tip("label", title=say("charts.tip.label")),  # plain dicts: no Altair validation on a Step
               vl.q("grad_w", title="dL/dw", format=".5g"), vl.q("grad_b", title="dL/db", format=".5g"),
               vl.q("step_w", title="-lr·dL/dw", format=".5g"), vl.q("step_b", title="-lr·dL/db", format=".5g")]
    # one plain layer with the row inline, its shaft and head nested in it: the row, the tooltip and the
    # axes are said once; a Step converts nothing through Altair (with_layers takes it)
    shaft = {"mark": mark("rule", color=ARROW_COLOR, strokeWidth=3, clip=True),
             "encoding": {"x2": {"field": "w_end"}, "y2": {"field": "b_end"}}}
    # the head: a triangle at the end, turned along the arrow as drawn on screen (the plot's own width
    # and height turn the (w, b) direction into pixels)
    angle = (f"atan2(({dw!r} / {whi - wlo!r}) * width, ({db!r} / {bhi - blo!r}) * height) * 180 / PI")
    head = {"transform": [{"calculate": angle, "as": "angle"}],
            "mark": mark("point", shape="triangle-up", size=170, filled=True, color=ARROW_COLOR, opacity=1,
                         clip=True),
            "encoding": {"x": {"field": "w_end", "type": "quantitative"},
                         "y": {"field": "b_end", "type": "quantitative"},
                         "angle": {"field": "angle", "type": "quantitative", "scale": None}}}
    return [{"data": {"values": [row]},
             "encoding": {"x": {"field": "w", "type": "quantitative", "scale": xs},
                          "y": {"field": "b", "type": "quantitative", "scale": ys}, "tooltip": tooltip},
             "layer": [shaft, head]}]


def residual_view(x, y, w: float, b: float, top=(), title: str | None = None, height: int = 260,
                  max_points: int = 300, labels: Labels | None = None) -> alt.LayerChart:
    """The forward pass drawn: the data, the line y_hat = w x + b, and each point's residual as a
    segment from the point to the line; the points that add most to the loss (`top`: their indices)
    drawn larger, in red. Tooltips give x, y, y_hat and the residual."""
    say = words(labels)
    xv = np.asarray(x, dtype=np.float64).reshape(-1)
    yv = np.asarray(y, dtype=np.float64).reshape(-1)
    idx = np.arange(len(xv))
    if len(xv) > max_points:  # evenly thinned, the largest terms always kept
        idx = np.unique(np.r_[np.linspace(0, len(xv) - 1, max_points).astype(int), list(top)])
    y_hat = w * xv[idx] + b
    big = np.isin(idx, list(top))
    frame = pd.DataFrame({"i": idx, "x": xv[idx], "y": yv[idx], "y_hat": y_hat, "residual": y_hat - yv[idx],
                          "top": np.where(big, say("cockpit.chart.top"), say("cockpit.chart.point"))})
    tips = [alt.Tooltip("i:Q", title="#"), alt.Tooltip("x:Q", format=".5g"), alt.Tooltip("y:Q", format=".5g"),
            alt.Tooltip("y_hat:Q", title="y_hat", format=".5g"), alt.Tooltip("residual:Q", format=".5g")]
    kinds = {"domain": [say("cockpit.chart.point"), say("cockpit.chart.top")]}  # grey dots, the largest in red
    lo, hi = float(xv.min()), float(xv.max())
    line = pd.DataFrame({"x": [lo, hi], "y": [w * lo + b, w * hi + b], "w": [w, w], "b": [b, b]})
    segs = alt.Chart(frame, mark=mark("rule", strokeWidth=1, opacity=0.6)).encode(
        x=alt.X("x:Q", title="x", scale={"zero": False}), y=alt.Y("y:Q", title="y", scale={"zero": False}),
        y2=alt.Y2("y_hat:Q"), color=alt.Color("top:N", title=None, legend={"orient": "top"},
                                             scale={**kinds, "range": ["#9d9d9d", ARROW_COLOR]}), tooltip=tips)
    pts = alt.Chart(frame, mark=mark("point", filled=True)).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"), color=alt.Color("top:N", title=None),
        shape=alt.Shape("top:N", title=None, scale={**kinds, "range": ["circle", "diamond"]}),
        size=alt.Size("top:N", legend=None, scale={**kinds, "range": [20, 110]}), tooltip=tips)
    fit = alt.Chart(line, mark=mark("line", color="#f58518", strokeWidth=2.5)).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"), tooltip=[alt.Tooltip("w:Q", format=".6g"), alt.Tooltip("b:Q", format=".6g")])
    return layered(segs, pts, fit, height=height, width=WIDTH,
                   title=say("cockpit.chart.residuals") if title is None else title)
