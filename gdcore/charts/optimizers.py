"""Charts for the 'nn.Module and optimizers' lesson: the race, optimizer state, the lockstep check."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..downsample import MAX_POINTS
from .common import PALETTE, WIDTH, ZOOM_X, Labels, layered, loss_axis_title, mark, series_frame, tip, traces, words
from .landscape import heat_layer, optimum_layer, window_scales

# Streamlit fits a chart's whole height (title, legend, axes) into `height` unless told otherwise;
# fit-x stretches the width to the container and keeps `height` for the plot itself.
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")
_FIT_X_SPEC = FIT_X.to_dict()  # the same, for plain specs (copied into each)


def fit_width(chart):
    """The chart with fit-x autosize: container width, `height` pixels of plot.

    What `chart.properties(autosize=FIT_X)` does, without validating FIT_X again on every call; a plain
    spec (gdcore.charts.vl) gets the same autosize as a dict.
    """
    if isinstance(chart, dict):
        return {**chart, "autosize": dict(_FIT_X_SPEC)}
    out = chart.copy(deep=False)
    out.autosize = FIT_X
    return out


# One fixed colour per optimizer, so a runner keeps its colour in every chart.
RACE_ORDER = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]
RACE_COLORS = [PALETTE[0], PALETTE[1], PALETTE[6], PALETTE[2], PALETTE[3], PALETTE[5]]


def _color(present=None, field: str = "series") -> alt.Color:
    """Each optimizer's fixed colour; the legend lists only the runners present."""
    names = [n for n in RACE_ORDER if present is None or n in set(present)]
    names += [n for n in (present or []) if n not in RACE_ORDER]
    colors = [RACE_COLORS[RACE_ORDER.index(n)] if n in RACE_ORDER else PALETTE[7] for n in names]
    return alt.Color(f"{field}:N", title=None, scale={"domain": names, "range": colors},
                     legend={"orient": "top", "columns": 3, "labelLimit": 0})


def race_losses(frame: pd.DataFrame, log: bool = True, title: str | None = None,
                height: int = 260, labels: Labels | None = None) -> alt.Chart:
    """The runners' loss curves overlaid (frame: step, loss, series), log scale by default.

    title: default 'Loss per step, every optimizer' in the language of labels.
    """
    say = words(labels)
    data = frame[frame["loss"] > 0] if log else frame.copy()
    scale = {"type": "log"} if log else {"zero": False}
    return (alt.Chart(data, title=say("charts.optim.race_title") if title is None else title,
                      mark=mark("line", clip=True, strokeWidth=2), height=height, width=WIDTH, autosize=FIT_X).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("loss:Q", scale=scale, title=loss_axis_title(log, labels)),
        color=_color(list(pd.unique(data["series"]))),
        tooltip=[tip("series:N", say("charts.tip.series")), alt.Tooltip("step:Q"),
                 alt.Tooltip("loss:Q", format=".4g")])
        .add_params(ZOOM_X))


def race_landscape(grid, w_values, b_values, paths: pd.DataFrame, optimum: tuple[float, float],
                   title: str | None = None, height: int = 300, labels: Labels | None = None) -> alt.LayerChart:
    """The MSE heat map (as landscape.landscape draws it) with every runner's (w, b) path in its colour,
    the start and the optimum.

    title: default 'Paths on the loss landscape (start ● → optimum ◆)' in the language of labels.
    """
    say = words(labels)
    xs, ys = window_scales(w_values, b_values)
    (lo_w, hi_w), (lo_b, hi_b) = xs["domain"], ys["domain"]
    # cells outlined in their own colour: no hairline seams between neighbouring cells
    layers = [heat_layer(grid, w_values, b_values, say("charts.optim.landscape_title") if title is None else title,
                         stroke=True, stroke_width=0.6)]
    point_tips = [tip("label:N", say("charts.tip.label")), alt.Tooltip("w:Q", format=".4f"),
                  alt.Tooltip("b:Q", format=".4f")]
    if paths is not None and len(paths):
        p = paths[(paths["w"] >= lo_w) & (paths["w"] <= hi_w) & (paths["b"] >= lo_b) & (paths["b"] <= hi_b)]
        layers.append(alt.Chart(p, mark=mark("line", point={"size": 10}, strokeWidth=2)).encode(
            x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys), order=alt.Order("step:Q"),
            color=_color(list(pd.unique(paths["series"]))),
            tooltip=[tip("series:N", say("charts.tip.series")), alt.Tooltip("step:Q"),
                     alt.Tooltip("w:Q", format=".4f"), alt.Tooltip("b:Q", format=".4f")]))
        start = paths[paths["step"] == 0].head(1)
        if len(start):
            layers.append(alt.Chart(start.assign(label=say("charts.optim.start")),
                                    mark=mark("point", shape="circle", size=140, filled=True, color="white",
                                              stroke="black", strokeWidth=1.5)).encode(
                x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys), tooltip=point_tips))
    layers.append(optimum_layer(optimum, say("charts.optim.optimum_ls"), xs, ys, labels, fmt=".4f"))
    return layered(*layers, height=height, width=WIDTH, autosize=FIT_X)


def state_traces(frame: pd.DataFrame, keys: list[str], height: int = 150) -> list[alt.Chart]:
    """One small line chart per optimizer state key (e.g. exp_avg, exp_avg_sq) with its [w] and [b] lines.

    Separate charts, because the state values differ by orders of magnitude between keys. The titles
    are code (optimizer.state[p]['exp_avg']), the same in every language.
    """
    out = []
    for key in keys:
        cols = [c for c in frame.columns if c.startswith(f"{key}[")]
        if cols:
            out.append(traces(frame, cols, title=f"optimizer.state[p]['{key}']", height=height, autosize=FIT_X))
    return out


def lockstep_diffs(frame: pd.DataFrame, height: int = 160, max_points: int = MAX_POINTS,
                   labels: Labels | None = None) -> alt.Chart:
    """|manual − module| per step for each parameter and the loss (frame from lockstep_diff)."""
    say = words(labels)
    cols = [c for c in frame.columns if isinstance(c, str) and c.startswith("|Δ")]
    data = series_frame(frame, cols, value="difference", max_points=max_points, finite=False)
    return (alt.Chart(data, title=say("charts.optim.lockstep_title"), mark=mark("line", point=True),
                      height=height, width=WIDTH, autosize=FIT_X).encode(
        x=alt.X("step:Q"),
        y=alt.Y("difference:Q", title=say("charts.optim.abs_difference"), axis={"format": ".1e"}),
        color=alt.Color("series:N", title=None, legend={"orient": "top"}),
        tooltip=[tip("series:N", say("charts.tip.series")), alt.Tooltip("step:Q"),
                 tip("difference:Q", say("charts.optim.difference"), format=".3e")]))


def timing_bars(frame: pd.DataFrame, labels: Labels | None = None) -> alt.Chart:
    """µs per step, one bar per (data size, device) (frame from timing_table)."""
    say = words(labels)
    data = frame.copy()
    data["run"] = [f"n = {int(n):,} · {d}" for n, d in zip(data["n (samples)"], data["device"])]
    data = data[np.isfinite(data["µs per step"].astype(float))]
    us = say("charts.optim.us_per_step")
    return (alt.Chart(data, title=say("charts.optim.timing_title"), mark=mark("bar"), height={"step": 26}, width=WIDTH,
                      autosize=FIT_X).encode(
        y=alt.Y("run:N", title=None, sort=None),
        x=alt.X("µs per step:Q", title=us),
        color=alt.Color("device:N", legend=None),
        tooltip=[tip("run:N", say("charts.optim.run")), tip("µs per step:Q", us, format=".1f"),
                 tip("steps per second:Q", say("charts.optim.steps_per_second"), format=",.0f")]))
