"""Chart builders for the linear-regression lesson: the data with its lines on axes that survive a
diverging run, the loss curve with the optimum's loss, and the landscape with the current point.
Pure Altair, no streamlit."""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..downsample import MAX_POINTS
from .common import (
    LEGEND_TOP,
    SOLID_DASHED,
    WIDTH,
    ZOOM_X,
    Labels,
    data_domain,
    layer_zoomed,
    layered,
    line_rows,
    line_scale,
    loss_curve,
    mark,
    tip,
    words,
)
from .landscape import landscape_layers, window

RULE_COLOR = "#e45756"
DOTS_UP_TO = 60  # loss curves this short also get a dot per step


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
    say = words(labels)
    title = say("charts.linreg.loss_title") if title is None else title
    base = loss_curve(frame, log=log, title=title, height=height, labels=labels, zoom=False)
    layers = [base]
    if 0 < len(frame) <= DOTS_UP_TO:  # the first few steps: a dot per step, so even one step is visible
        data = frame[frame["loss"] > 0] if log else frame
        layers.append(alt.Chart(data, mark=mark("point", filled=True, size=30)).encode(
            x=alt.X("step:Q"), y=alt.Y("loss:Q"),
            tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".6g")]))
    value = optimum_rule_value(opt_loss, frame["loss"] if len(frame) else [], log)
    if value is not None:
        rule = pd.DataFrame({"loss": [value], "label": [say("charts.linreg.rule_label") if label is None else label]})
        layers.append(alt.Chart(rule, mark=mark("rule", color=RULE_COLOR, strokeDash=[6, 4], strokeWidth=1.5)).encode(
            y=alt.Y("loss:Q"), tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("loss:Q", format=".6g")]))
    if len(layers) == 1:
        return base.add_params(ZOOM_X)
    return layer_zoomed(*layers)


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
    """
    say = words(labels)
    layers, xs, ys = landscape_layers(
        grid, w_values, b_values, paths, optimum, say("charts.linreg.landscape_title") if title is None else title,
        axes[0], axes[1], labels, legend={"title": "loss", "orient": "right", "format": ".2~g"}, stroke=True)
    if current is not None and all(math.isfinite(v) for v in current):
        (wlo, whi), (blo, bhi) = window(w_values, b_values)
        if wlo <= current[0] <= whi and blo <= current[1] <= bhi:
            now = pd.DataFrame({"w": [float(current[0])], "b": [float(current[1])],
                                "label": [say("charts.landscape.now")]})
            layers.append(alt.Chart(now, mark=mark("point", shape="circle", size=220, filled=False, color=RULE_COLOR,
                                                   strokeWidth=3)).encode(
                x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys),
                tooltip=[tip("label:N", say("charts.tip.label")), alt.Tooltip("w:Q", format=".5g"),
                         alt.Tooltip("b:Q", format=".5g")]))
    return layered(*layers, height=height, width=height if square else WIDTH)


def fit_view(x, y, lines: list[dict], title: str | None = None, height: int = 300,
             max_points: int = MAX_POINTS, labels: Labels | None = None) -> alt.LayerChart:
    """The data with straight lines y = w x + b, on axes fitted to the data (not to the lines).

    A line far off the data (a diverging run) leaves the plot at its edge instead of stretching the
    y axis to 1e12 and flattening the points into one row. A single x value still gets a visible line.
    lines: [{"label": ..., "w": ..., "b": ..., "dash": bool, "series": a key of LINE_COLORS}, ...];
    title: default 'the data and the line' in the language of labels.
    """
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
    base = alt.Chart(pd.DataFrame({"x": xv, "y": yv}), title=title,
                     mark=mark("point", shape="cross", size=30, opacity=0.6, color="#54a24b")).encode(
        x=alt.X("x:Q", title="x", scale=xs), y=alt.Y("y:Q", title="y", scale=ys),
        tooltip=[alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".4g")])
    ldf = pd.DataFrame(line_rows(lines, xlo, xhi, extra=True), columns=["x", "y", "line", "dash", "w", "b"])
    line_layer = alt.Chart(ldf, mark=mark("line", strokeWidth=2.5, clip=True)).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys),
        color=alt.Color("line:N", title=None, scale=line_scale(lines), legend=LEGEND_TOP),
        strokeDash=alt.StrokeDash("dash:N", legend=None, scale=SOLID_DASHED),
        detail=alt.Detail("line:N"),
        tooltip=[alt.Tooltip("line:N", title=""), alt.Tooltip("w:Q", format=".5g"), alt.Tooltip("b:Q", format=".5g")])
    return layered(base, line_layer, height=height, width=WIDTH)
