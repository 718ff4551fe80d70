"""Chart builders for the linear-regression lesson: the data with its lines on axes that survive a
diverging run, the loss curve with the optimum's loss, and the landscape with the current point.

Each is built as a plain Vega-Lite spec (`*_spec`, gdcore.charts.vl), which the page draws on every
Step; the builder of the same name returns that spec as an Altair chart. No streamlit."""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..downsample import MAX_POINTS
from . import vl
from .common import (
    DOTS_UP_TO,
    LEGEND_TOP,
    SOLID_DASHED,
    WIDTH,
    ZOOM_PARAM,
    ZOOM_PARAM_LIFTED,
    ZOOM_VIEW,
    Labels,
    data_domain,
    line_rows,
    line_scale,
    loss_curve_spec,
    mark,
    words,
)
from .landscape import landscape_specs, window

RULE_COLOR = "#e45756"


def optimum_rule_value(opt_loss: float | None, losses, log: bool) -> float | None:
    """Where to draw the least-squares loss line, or None when it cannot be shown honestly.

    On a log axis a loss* of (numerically) zero, or one far below every loss drawn, would squash
    the curve into a sliver: then no line is drawn and the page says so.
    """
    if opt_loss is None or not math.isfinite(opt_loss):
        return None
    if not log:
        return float(opt_loss)
    L = np.asarray(losses, dtype=np.float64)
    L = L[np.isfinite(L) & (L > 0)]
    if opt_loss <= 0 or (len(L) and opt_loss < L.min() / 100):
        return None
    return float(opt_loss)


def loss_curve_with_optimum(frame: pd.DataFrame, opt_loss: float | None, log: bool = True,
                            title: str | None = None, height: int = 260, label: str | None = None,
                            labels: Labels | None = None) -> alt.LayerChart | alt.Chart:
    """loss_curve(frame) plus a dashed horizontal rule at the optimum's loss (when it fits the axis),
    and a dot per step while the curve is short.

    title, label: default 'loss per step' and 'loss* (least squares)' in the language of labels.
    """
    return vl.altair(loss_curve_with_optimum_spec(frame, opt_loss, log, title, height, label, labels))


def loss_curve_with_optimum_spec(frame: pd.DataFrame | vl.Table, opt_loss: float | None, log: bool = True,
                                 title: str | None = None, height: int = 260, label: str | None = None,
                                 labels: Labels | None = None) -> dict:
    """loss_curve_with_optimum(...) as a plain Vega-Lite spec (gdcore.charts.vl): what the page draws."""
    say = words(labels)
    title = say("charts.linreg.loss_title") if title is None else title
    frame = vl.table(frame)
    base = loss_curve_spec(frame, log=log, title=title, height=height, labels=labels, zoom=False, dots=False)
    layers = [base]
    if 0 < len(frame) <= DOTS_UP_TO:  # the first few steps: a dot per step, so even one step is visible
        layers.append(vl.layer(base["data"], mark("point", filled=True, size=30), {
            "x": vl.q("step"), "y": vl.q("loss"), "tooltip": [vl.q("step"), vl.q("loss", format=".6g")]}))
    value = optimum_rule_value(opt_loss, frame.columns["loss"] if len(frame) else [], log)
    if value is not None:
        rule = vl.Table({"loss": [value], "label": [say("charts.linreg.rule_label") if label is None else label]})
        layers.append(vl.layer(rule, mark("rule", color=RULE_COLOR, strokeDash=[6, 4], strokeWidth=1.5), {
            "y": vl.q("loss"), "tooltip": [vl.n("label", title=""), vl.q("loss", format=".6g")]}))
    if len(layers) == 1:
        base["params"] = [dict(ZOOM_PARAM)]
        return base
    first = {k: v for k, v in base.items() if k not in ("height", "width")}
    first["name"] = ZOOM_VIEW
    return {"layer": [first, *layers[1:]], "height": height, "width": WIDTH, "params": [dict(ZOOM_PARAM_LIFTED)]}


def landscape_with_current(grid: np.ndarray, w_values, b_values, paths: pd.DataFrame | None,
                           optimum: tuple[float, float] | None, current: tuple[float, float] | None,
                           title: str | None = None, height: int = 340,
                           labels: Labels | None = None, axes: tuple[str, str] = ("w", "b"),
                           square: bool = False) -> alt.LayerChart:
    """landscape(...) with a red ring at the current (w, b) when it lies inside the window.

    The cells are outlined in their own colour (no hairline seams between neighbours) and the legend
    has short labels. title: default 'loss landscape over (w, b)' in the language of labels; axes: the
    axis titles (two parameters of a wider model, gdcore/lessons/linear_regression_features.py); square: a square plot
    (for a square window: one unit as long on both axes, so a round bowl looks round).
    A page draws landscape_with_current_spec (see gdcore.charts.vl); this is its Altair face.
    """
    return vl.altair(landscape_with_current_spec(grid, w_values, b_values, paths, optimum, current, title, height,
                                                 labels, axes, square))


def landscape_with_current_spec(grid, w_values, b_values, paths: pd.DataFrame | vl.Table | None,
                                optimum: tuple[float, float] | None, current: tuple[float, float] | None,
                                title: str | None = None, height: int = 340, labels: Labels | None = None,
                                axes: tuple[str, str] = ("w", "b"), square: bool = False) -> dict:
    """landscape_with_current(...) as a plain Vega-Lite spec (gdcore.charts.vl): what the page draws."""
    say = words(labels)
    layers, xs, ys = landscape_specs(
        grid, w_values, b_values, paths, optimum, say("charts.linreg.landscape_title") if title is None else title,
        axes[0], axes[1], labels, legend={"title": "loss", "orient": "right", "format": ".2~g"}, stroke=True)
    if current is not None and all(math.isfinite(v) for v in current):
        (wlo, whi), (blo, bhi) = window(w_values, b_values)
        if wlo <= current[0] <= whi and blo <= current[1] <= bhi:
            now = vl.Table({"w": [float(current[0])], "b": [float(current[1])], "label": [say("charts.landscape.now")]})
            layers.append(vl.layer(now, mark("point", shape="circle", size=220, filled=False, color=RULE_COLOR,
                                             strokeWidth=3), {
                "x": vl.q("w", scale=xs), "y": vl.q("b", scale=ys),
                "tooltip": [vl.tip("label", title=say("charts.tip.label")), vl.q("w", format=".5g"),
                            vl.q("b", format=".5g")]}))
    return {"layer": layers, "height": height, "width": height if square else WIDTH}


def fit_view(x, y, lines: list[dict], title: str | None = None, height: int = 300,
             max_points: int = MAX_POINTS, labels: Labels | None = None) -> alt.LayerChart:
    """The data with straight lines y = w x + b, on axes fitted to the data (not to the lines).

    A line far off the data (a diverging run) leaves the plot at its edge instead of stretching the
    y axis to 1e12 and flattening the points into one row. A single x value still gets a visible line.
    lines: [{"label": ..., "w": ..., "b": ..., "dash": bool, "series": a key of LINE_COLORS}, ...];
    title: default 'the data and the line' in the language of labels.
    """
    return vl.altair(fit_view_spec(x, y, lines, title, height, max_points, labels))


def fit_view_spec(x, y, lines: list[dict], title: str | None = None, height: int = 300,
                  max_points: int = MAX_POINTS, labels: Labels | None = None) -> dict:
    """fit_view(...) as a plain Vega-Lite spec (gdcore.charts.vl): what the page draws."""
    xv = np.asarray(x, dtype=np.float64).reshape(-1)
    yv = np.asarray(y, dtype=np.float64).reshape(-1)
    xlo, xhi = (float(xv.min()), float(xv.max())) if len(xv) else (0.0, 1.0)
    if xhi - xlo < 1e-12:
        xlo, xhi = xlo - 0.5, xhi + 0.5
    xs = {"domain": [xlo, xhi], "zero": False, "nice": False}
    ys = {"domain": data_domain(yv, lines, (xlo, xhi)), "zero": False, "nice": False}
    if len(xv) > max_points:  # evenly thinned, as scatter_fit does
        keep = np.linspace(0, len(xv) - 1, max_points).astype(int)
        xv, yv = xv[keep], yv[keep]
    title = words(labels)("charts.fit_view.title") if title is None else title
    base = vl.layer(vl.Table({"x": xv, "y": yv}), mark("point", shape="cross", size=30, opacity=0.6, color="#54a24b"),
                    {"x": vl.q("x", title="x", scale=xs), "y": vl.q("y", title="y", scale=ys),
                     "tooltip": [vl.q("x", format=".4g"), vl.q("y", format=".4g")]}, title=title)
    rows = line_rows(lines, xlo, xhi, extra=True)
    ends = vl.Table({k: [r[k] for r in rows] for k in ("x", "y", "line", "dash", "w", "b")}, len(rows))
    line_layer = vl.layer(ends, mark("line", strokeWidth=2.5, clip=True), {
        "x": vl.q("x", scale=xs), "y": vl.q("y", scale=ys),
        "color": vl.n("line", title=None, scale=line_scale(lines), legend=dict(LEGEND_TOP)),
        "strokeDash": vl.n("dash", legend=None, scale=SOLID_DASHED), "detail": vl.n("line"),
        "tooltip": [vl.n("line", title=""), vl.q("w", format=".5g"), vl.q("b", format=".5g")]})
    return {"layer": [base, line_layer], "height": height, "width": WIDTH}


def scatter_fit_spec(x, y, lines: list[dict] | None = None, title: str | None = None, height: int = 300,
                     x_title: str = "x", y_title: str = "y", max_points: int = MAX_POINTS,
                     labels: Labels | None = None) -> dict:
    """common.scatter_fit(...) as a plain Vega-Lite spec (gdcore.charts.vl): the same chart, built without
    Altair, for a page that draws it on every Step."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if len(x) > max_points:
        keep = np.linspace(0, len(x) - 1, max_points).astype(int)
        x, y = x[keep], y[keep]
    lo, hi = (float(x.min()), float(x.max())) if len(x) else (0.0, 1.0)
    ys = {"domain": data_domain(y, lines, (lo, hi)), "zero": False, "nice": False}  # a diverged line: clipped
    title = words(labels)("charts.scatter_fit.title") if title is None else title
    layers = [vl.layer(vl.Table({"x": x, "y": y}), mark("point", shape="cross", size=30, opacity=0.6, color="#54a24b"),
                       {"x": vl.q("x", title=x_title, scale={"zero": False}), "y": vl.q("y", title=y_title, scale=ys),
                        "tooltip": [vl.q("x", format=".4g"), vl.q("y", format=".4g")]}, title=title)]
    if lines:
        rows = line_rows(lines, lo, hi, extra=True)
        ends = vl.Table({k: [r[k] for r in rows] for k in ("x", "y", "line", "dash", "w", "b")}, len(rows))
        layers.append(vl.layer(ends, mark("line", strokeWidth=2.5, clip=True), {
            "x": vl.q("x"), "y": vl.q("y", scale=ys),
            "color": vl.n("line", title=None, scale=line_scale(lines), legend=dict(LEGEND_TOP)),
            "strokeDash": vl.n("dash", legend=None, scale=SOLID_DASHED), "detail": vl.n("line"),
            "tooltip": [vl.n("line", title=""), vl.q("w", format=".6g"), vl.q("b", format=".6g")]}))
    return {"layer": layers, "height": height, "width": WIDTH}
