"""Chart builders for the linear-regression lesson: the data with its lines on axes that survive a
diverging run, the loss curve with the optimum's loss, and the landscape with the current point.
Pure Altair, no streamlit."""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from ..downsample import MAX_POINTS
from .common import PALETTE, WIDTH, landscape, loss_curve

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
                            title: str = "loss per step", height: int = 260,
                            label: str = "loss* (least squares)") -> alt.LayerChart | alt.Chart:
    """loss_curve(frame) plus a dashed horizontal rule at the optimum's loss (when it fits the axis),
    and a dot per step while the curve is short."""
    base = loss_curve(frame, log=log, title=title, height=height)
    layers = [base]
    if 0 < len(frame) <= DOTS_UP_TO:  # the first few steps: a dot per step, so even one step is visible
        data = frame[frame["loss"] > 0] if log else frame
        layers.append(alt.Chart(data).mark_point(filled=True, size=30).encode(
            x="step:Q", y="loss:Q", tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".6g")]))
    value = optimum_rule_value(opt_loss, frame["loss"] if len(frame) else [], log)
    if value is not None:
        layers.append(alt.Chart(pd.DataFrame({"loss": [value], "label": [label]})).mark_rule(
            color=RULE_COLOR, strokeDash=[6, 4], strokeWidth=1.5).encode(
            y=alt.Y("loss:Q"), tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("loss:Q", format=".6g")]))
    return base if len(layers) == 1 else alt.layer(*layers)


def landscape_with_current(grid: np.ndarray, w_values, b_values, paths: pd.DataFrame | None,
                           optimum: tuple[float, float] | None, current: tuple[float, float] | None,
                           title: str = "loss landscape over (w, b)", height: int = 340) -> alt.LayerChart:
    """landscape(...) with a red ring at the current (w, b) when it lies inside the window."""
    chart = landscape(grid, w_values, b_values, paths=paths, optimum=optimum, title=title, height=height)
    heat = chart.layer[0]
    color = heat.encoding.color
    color.legend = alt.Legend(title="loss", orient="right", format=".2~g")  # short labels on the log scale
    # cells outlined in their own colour: no hairline seams between neighbouring cells
    chart.layer[0] = heat.encode(stroke=alt.Stroke("loss:Q", scale=color["scale"], legend=None))
    if current is None or not all(math.isfinite(v) for v in current):
        return chart
    w_values, b_values = np.asarray(w_values, float), np.asarray(b_values, float)
    dw = float(w_values[1] - w_values[0]) if len(w_values) > 1 else 1.0
    db = float(b_values[1] - b_values[0]) if len(b_values) > 1 else 1.0
    wlo, whi = float(w_values[0]), float(w_values[-1] + dw)
    blo, bhi = float(b_values[0]), float(b_values[-1] + db)
    if not (wlo <= current[0] <= whi and blo <= current[1] <= bhi):
        return chart
    xs = alt.Scale(domain=[wlo, whi], nice=False, zero=False)
    ys = alt.Scale(domain=[blo, bhi], nice=False, zero=False)
    now = pd.DataFrame({"w": [float(current[0])], "b": [float(current[1])], "label": ["now"]})
    ring = alt.Chart(now).mark_point(shape="circle", size=220, filled=False, color=RULE_COLOR, strokeWidth=3).encode(
        x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys),
        tooltip=["label:N", alt.Tooltip("w:Q", format=".5g"), alt.Tooltip("b:Q", format=".5g")])
    # keep the layered chart's own data: Altair moves a lone layer's data up to the layered chart
    return alt.layer(*chart.layer, ring, data=chart.data).properties(height=chart.height, width=chart.width)


def fit_view(x, y, lines: list[dict], title: str = "the data and the line", height: int = 300,
             max_points: int = MAX_POINTS) -> alt.LayerChart:
    """The data with straight lines y = w x + b, on axes fitted to the data (not to the lines).

    A line far off the data (a diverging run) leaves the plot at its edge instead of stretching the
    y axis to 1e12 and flattening the points into one row. A single x value still gets a visible line.
    lines: [{"label": ..., "w": ..., "b": ..., "dash": bool}, ...]
    """
    xv = np.asarray(x, dtype=np.float64).reshape(-1)
    yv = np.asarray(y, dtype=np.float64).reshape(-1)
    xlo, xhi = (float(xv.min()), float(xv.max())) if len(xv) else (0.0, 1.0)
    if xhi - xlo < 1e-12:
        xlo, xhi = xlo - 0.5, xhi + 0.5
    ylo, yhi = (float(yv.min()), float(yv.max())) if len(yv) else (0.0, 1.0)
    pad = max(yhi - ylo, 1e-9 * max(abs(ylo), abs(yhi)), 1.0) * 0.25
    xs = alt.Scale(domain=[xlo, xhi], zero=False, nice=False)
    ys = alt.Scale(domain=[ylo - pad, yhi + pad], zero=False, nice=False)
    if len(xv) > max_points:  # evenly thinned, as scatter_fit does
        keep = np.linspace(0, len(xv) - 1, max_points).astype(int)
        xv, yv = xv[keep], yv[keep]
    base = alt.Chart(pd.DataFrame({"x": xv, "y": yv}), title=title).mark_point(
        shape="cross", size=30, opacity=0.6, color="#54a24b").encode(
        x=alt.X("x:Q", title="x", scale=xs), y=alt.Y("y:Q", title="y", scale=ys),
        tooltip=[alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".4g")])
    rows = [{"x": xv_, "y": ln["w"] * xv_ + ln["b"], "line": ln["label"], "dash": bool(ln.get("dash", False)),
             "w": ln["w"], "b": ln["b"]} for ln in lines for xv_ in (xlo, xhi)]
    ldf = pd.DataFrame(rows, columns=["x", "y", "line", "dash", "w", "b"])
    line_layer = alt.Chart(ldf).mark_line(strokeWidth=2.5, clip=True).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys),
        color=alt.Color("line:N", title=None, scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("dash:N", legend=None, scale=alt.Scale(domain=[False, True], range=[[1, 0], [6, 4]])),
        detail="line:N",
        tooltip=[alt.Tooltip("line:N", title=""), alt.Tooltip("w:Q", format=".5g"), alt.Tooltip("b:Q", format=".5g")])
    return alt.layer(base, line_layer).properties(height=height, width=WIDTH)
