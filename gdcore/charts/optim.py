"""Charts for the 'nn.Module and optimizers' lesson: the race, optimizer state, the lockstep check."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..downsample import MAX_POINTS, minmax_indices
from .common import PALETTE, WIDTH, landscape, traces

# Streamlit fits a chart's whole height (title, legend, axes) into `height` unless told otherwise;
# fit-x stretches the width to the container and keeps `height` for the plot itself.
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")


def fit_width(chart):
    """The chart with fit-x autosize: container width, `height` pixels of plot."""
    return chart.properties(autosize=FIT_X)


# One fixed colour per optimizer, so a runner keeps its colour in every chart.
RACE_ORDER = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]
RACE_COLORS = [PALETTE[0], PALETTE[1], PALETTE[6], PALETTE[2], PALETTE[3], PALETTE[5]]


def _color(present=None, field: str = "series") -> alt.Color:
    """Each optimizer's fixed colour; the legend lists only the runners present."""
    names = [n for n in RACE_ORDER if present is None or n in set(present)]
    names += [n for n in (present or []) if n not in RACE_ORDER]
    colors = [RACE_COLORS[RACE_ORDER.index(n)] if n in RACE_ORDER else PALETTE[7] for n in names]
    return alt.Color(f"{field}:N", title=None, scale=alt.Scale(domain=names, range=colors),
                     legend=alt.Legend(orient="top", columns=3, labelLimit=0))


def race_losses(frame: pd.DataFrame, log: bool = True, title: str = "Loss per step, every optimizer",
                height: int = 260) -> alt.Chart:
    """The runners' loss curves overlaid (frame: step, loss, series), log scale by default."""
    data = frame.copy()
    if log:
        data = data[data["loss"] > 0]
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    return (alt.Chart(data, title=title).mark_line(clip=True, strokeWidth=2).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("loss:Q", scale=scale, title="loss (log)" if log else "loss"),
        color=_color(list(pd.unique(data["series"]))),
        tooltip=["series:N", "step:Q", alt.Tooltip("loss:Q", format=".4g")])
        .properties(height=height, width=WIDTH, autosize=FIT_X).interactive(bind_y=False))


def race_landscape(grid, w_values, b_values, paths: pd.DataFrame, optimum: tuple[float, float],
                   title: str = "Paths on the loss landscape (start ● → optimum ◆)",
                   height: int = 300) -> alt.LayerChart:
    """The MSE heat map (common.landscape) with every runner's (w, b) path in its colour, start and optimum."""
    w_values, b_values = np.asarray(w_values, float), np.asarray(b_values, float)
    dw = float(w_values[1] - w_values[0]) if len(w_values) > 1 else 1.0
    db = float(b_values[1] - b_values[0]) if len(b_values) > 1 else 1.0
    lo_w, hi_w = float(w_values[0]), float(w_values[-1] + dw)  # the same domains landscape() uses
    lo_b, hi_b = float(b_values[0]), float(b_values[-1] + db)
    xs = alt.Scale(domain=[lo_w, hi_w], nice=False, zero=False)
    ys = alt.Scale(domain=[lo_b, hi_b], nice=False, zero=False)
    base = landscape(grid, w_values, b_values, paths=None, optimum=None, title=title, height=height)
    heat = base.layer[0]
    if heat.data is alt.Undefined or heat.data is None:  # layering moved the heat map's data up
        heat.data = base.data
    # outline each cell in its own colour: no hairline seams between neighbouring cells
    heat = heat.mark_rect(strokeWidth=0.6).encode(
        stroke=alt.Stroke("loss:Q", scale=alt.Scale(type="log", scheme="viridis", reverse=True), legend=None))
    layers = [heat]
    if paths is not None and len(paths):
        p = paths[(paths["w"] >= lo_w) & (paths["w"] <= hi_w) & (paths["b"] >= lo_b) & (paths["b"] <= hi_b)]
        layers.append(alt.Chart(p).mark_line(point=alt.OverlayMarkDef(size=10), strokeWidth=2).encode(
            x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys), order="step:Q",
            color=_color(list(pd.unique(paths["series"]))),
            tooltip=["series:N", "step:Q", alt.Tooltip("w:Q", format=".4f"), alt.Tooltip("b:Q", format=".4f")]))
        start = paths[paths["step"] == 0].head(1)
        if len(start):
            layers.append(alt.Chart(start.assign(label="start")).mark_point(
                shape="circle", size=140, filled=True, color="white", stroke="black", strokeWidth=1.5).encode(
                x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys),
                tooltip=["label:N", alt.Tooltip("w:Q", format=".4f"), alt.Tooltip("b:Q", format=".4f")]))
    o = pd.DataFrame({"w": [optimum[0]], "b": [optimum[1]], "label": ["optimum (least squares)"]})
    layers.append(alt.Chart(o).mark_point(shape="diamond", size=160, filled=True, color="white", stroke="black",
                                          strokeWidth=1.5).encode(
        x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys),
        tooltip=["label:N", alt.Tooltip("w:Q", format=".4f"), alt.Tooltip("b:Q", format=".4f")]))
    return alt.layer(*layers).properties(height=height, width=WIDTH, autosize=FIT_X)


def state_traces(frame: pd.DataFrame, keys: list[str], height: int = 150) -> list[alt.Chart]:
    """One small line chart per optimizer state key (e.g. exp_avg, exp_avg_sq) with its [w] and [b] lines.

    Separate charts, because the state values differ by orders of magnitude between keys.
    """
    out = []
    for key in keys:
        cols = [c for c in frame.columns if c.startswith(f"{key}[")]
        if cols:
            out.append(fit_width(traces(frame, cols, title=f"optimizer.state[p]['{key}']", height=height)))
    return out


def lockstep_diffs(frame: pd.DataFrame, height: int = 160, max_points: int = MAX_POINTS) -> alt.Chart:
    """|manual − module| per step for each parameter and the loss (frame from lockstep_diff)."""
    cols = [c for c in frame.columns if c.startswith("|Δ")]
    parts = []
    for col in cols:
        y = frame[col].to_numpy(dtype=float)
        idx = minmax_indices(y, max_points)
        parts.append(pd.DataFrame({"step": frame["step"].to_numpy()[idx], "difference": y[idx], "series": col}))
    data = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["step", "difference", "series"])
    return (alt.Chart(data, title="|manual − module| per step").mark_line(point=True).encode(
        x=alt.X("step:Q"),
        y=alt.Y("difference:Q", title="absolute difference", axis=alt.Axis(format=".1e")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=["series:N", "step:Q", alt.Tooltip("difference:Q", format=".3e")])
        .properties(height=height, width=WIDTH, autosize=FIT_X))


def timing_bars(frame: pd.DataFrame) -> alt.Chart:
    """µs per step, one bar per (data size, device) (frame from timing_table)."""
    data = frame.copy()
    data["run"] = [f"n = {int(n):,} · {d}" for n, d in zip(data["n (samples)"], data["device"])]
    data = data[np.isfinite(data["µs per step"].astype(float))]
    return (alt.Chart(data, title="Measured time per full-batch step").mark_bar().encode(
        y=alt.Y("run:N", title=None, sort=None),
        x=alt.X("µs per step:Q", title="µs per step"),
        color=alt.Color("device:N", legend=None),
        tooltip=["run:N", alt.Tooltip("µs per step:Q", format=".1f"),
                 alt.Tooltip("steps per second:Q", format=",.0f")])
        .properties(height=alt.Step(26), width=WIDTH, autosize=FIT_X))
