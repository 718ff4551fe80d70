"""Charts of the mini-batch lesson: pure functions from plain arrays/frames to Altair charts.

- `batch_scatter`: the data, with the samples of the current batch in another colour (and the
  fitted and true lines for one-feature data).
- `reshuffle_chart`: which batch every sample lands in, epoch e against epoch e+1.
- `loss_with_epochs`: the per-step (batch) loss and the loss on all data after each epoch.
- `compare_chart`: several runs' losses overlaid, against steps or epochs.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..downsample import MAX_POINTS, screen_mask
from . import vl
from .common import (
    DOTS_UP_TO,
    LEGEND_TOP,
    PALETTE,
    SOLID_DASHED,
    STEP_AXIS,
    WIDTH,
    ZOOM_PARAM_LIFTED,
    ZOOM_VIEW,
    ZOOM_X,
    Labels,
    data_domain,
    line_rows,
    line_scale,
    loss_axis_title,
    mark,
    tip,
    words,
)

ROLE_DOMAIN = ["not drawn yet", "drawn this epoch", "current batch"]  # roles 0, 1, 2 (English)
ROLE_KEYS = ["not_drawn", "drawn", "current"]
ROLE_COLORS = ["#bab0ac", "#4c78a8", "#e45756"]


def role_names(labels: Labels | None = None) -> list[str]:
    """The names of roles 0, 1, 2 (ROLE_DOMAIN) in the language of labels."""
    say = words(labels)
    return [say(f"charts.minibatch.role.{k}") for k in ROLE_KEYS]


def batch_scatter(x, y, roles, lines: list[dict] | None = None, title: str | None = None,
                  x_title: str = "x", y_title: str = "y", height: int = 380,
                  max_points: int = MAX_POINTS, labels: Labels | None = None) -> alt.LayerChart:
    """Scatter of (x, y) coloured by role (0 not drawn yet, 1 drawn earlier, 2 current batch).

    The current batch is drawn last and larger, so it is never hidden. lines: [{"label", "w", "b",
    "dash", "series"}] (series: a key of common.LINE_COLORS) straight lines y = w x + b over the x range
    (one-feature data). title: default 'Data: the current batch' in the language of labels, which also names the roles.
    """
    return vl.altair(batch_scatter_spec(x, y, roles, lines, title, x_title, y_title, height, max_points, labels))


def batch_scatter_spec(x, y, roles, lines: list[dict] | None = None, title: str | None = None,
                       x_title: str = "x", y_title: str = "y", height: int = 380,
                       max_points: int = MAX_POINTS, labels: Labels | None = None) -> dict:
    """batch_scatter(...) as a plain Vega-Lite spec (gdcore.charts.vl): what the page draws on a Step.
    The points are one table that both point layers draw, each keeping its roles (a filter): sent once."""
    say = words(labels)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    roles = np.asarray(roles, dtype=np.int64).reshape(-1)
    idx = np.arange(len(x))
    if len(x) > max_points:  # keep every sample of the current batch, thin the rest evenly
        cur = idx[roles == 2]
        rest = idx[roles != 2]
        keep = rest[np.linspace(0, len(rest) - 1, max(0, max_points - len(cur))).astype(int)] if len(rest) else rest
        idx = np.sort(np.unique(np.r_[keep, cur]))[:max(max_points, len(cur))]
    names = role_names(labels)
    pts = vl.Table({"sample": idx, "x": x[idx], "y": y[idx], "role": [names[r] for r in roles[idx]]}, len(idx))
    xs = {"zero": False}
    x_range = (float(x.min()), float(x.max())) if len(x) else (0.0, 1.0)
    ys = {"domain": data_domain(y, lines, x_range), "zero": False, "nice": False}  # a diverged line: clipped
    enc = {"x": vl.q("x", title=x_title, scale=xs), "y": vl.q("y", title=y_title, scale=ys),
           "color": vl.n("role", title=None, scale={"domain": names, "range": ROLE_COLORS}, legend=dict(LEGEND_TOP)),
           "tooltip": [vl.q("sample", title=say("charts.minibatch.sample_index")),
                       vl.q("x", format=".4g", title=x_title), vl.q("y", format=".4g", title=y_title),
                       vl.tip("role", title=say("charts.tip.role"))]}
    current = {"field": "role", "equal": names[2]}
    # one layer holds the points, their axes, colours and tooltip; the samples not in the batch (crosses)
    # and the batch (circles) are drawn in it, each keeping its roles: the table and encoding said once
    others = {"mark": mark("point", shape="cross", size=30, opacity=0.55), "transform": [{"filter": {"not": current}}]}
    now = {"mark": mark("circle", size=90, opacity=0.95, stroke="black", strokeWidth=0.6),
           "transform": [{"filter": current}]}
    layers = [{"data": pts, "encoding": enc, "layer": [others, now],
               "title": say("charts.minibatch.scatter_title") if title is None else title}]
    if lines and len(x):
        rows = line_rows(lines, x_range[0], x_range[1], extra=True)
        ends = vl.Table({k: [r[k] for r in rows] for k in ("x", "y", "line", "dash", "w", "b")}, len(rows))
        layers.append(vl.layer(ends, mark("line", strokeWidth=2.5, clip=True), {
            "x": vl.q("x", scale=xs), "y": vl.q("y", scale=ys),
            "stroke": vl.n("line", title=None, legend={"orient": "bottom"}, scale=line_scale(lines)),
            "strokeDash": vl.n("dash", legend=None, scale=SOLID_DASHED), "detail": vl.n("line"),
            "tooltip": [vl.n("line", title=""), vl.q("w", format=".6g"), vl.q("b", format=".6g")]}))
    return {"layer": layers, "height": height, "width": WIDTH}


def reshuffle_chart(frame: pd.DataFrame, title: str | None = None, row_px: int = 34,
                    labels: Labels | None = None) -> alt.Chart:
    """Rows: two epochs; columns: the samples in the order the first epoch visits them; colour: batch index.

    frame: columns position, sample, epoch, batch (from gdcore.lessons.mini_batches.reshuffle_frame). The first
    row is contiguous blocks by construction; the second shows how the reshuffle scatters them.
    title: default 'Which batch each sample lands in' in the language of labels.
    """
    return vl.altair(reshuffle_chart_spec(frame, title, row_px, labels))


def reshuffle_chart_spec(frame: pd.DataFrame, title: str | None = None, row_px: int = 34,
                         labels: Labels | None = None) -> dict:
    """reshuffle_chart(...) as a plain Vega-Lite spec (gdcore.charts.vl): what the page draws on a Step."""
    say = words(labels)
    batch_index = say("charts.minibatch.batch_index")
    nb = int(frame["batch"].max()) + 1 if len(frame) else 1
    if nb <= 20:
        color = {"field": "batch", "type": "ordinal", "title": batch_index,
                 "scale": {"scheme": "tableau20" if nb > 10 else "tableau10"},
                 "legend": {"orient": "bottom", "direction": "horizontal", "columns": 10, "symbolType": "square"}}
    else:
        color = vl.q("batch", title=batch_index, scale={"scheme": "turbo"},
                     legend={"orient": "bottom", "direction": "horizontal", "gradientLength": 200})
    first = str(frame["epoch"].iloc[0]) if len(frame) else "epoch"
    return vl.layer(vl.table(frame), mark("rect"), {
        "x": {"field": "position", "type": "ordinal", "title": say("charts.minibatch.samples_in_order", first=first),
              "axis": {"labels": False, "ticks": False}},
        "y": vl.n("epoch", title=None, sort=None, axis={"labelFontSize": 12}),
        "color": color,
        "tooltip": [vl.n("epoch"), vl.q("sample", title=say("charts.minibatch.sample_index")),
                    vl.q("batch", title=batch_index)]},
        title=say("charts.minibatch.reshuffle_title") if title is None else title, height={"step": row_px},
        width=WIDTH)


def loss_with_epochs(step_frame: pd.DataFrame, epoch_frame: pd.DataFrame | None = None, log: bool = True,
                     title: str | None = None, height: int = 340, labels: Labels | None = None) -> alt.LayerChart:
    """The loss each step computed on its batch (thin line) and the loss on all data after each epoch (dots).

    step_frame: columns step, loss; epoch_frame: columns step, epoch, loss. title: default 'Loss' in the
    language of T.
    """
    return vl.altair(loss_with_epochs_spec(step_frame, epoch_frame, log, title, height, labels))


def loss_with_epochs_spec(step_frame: pd.DataFrame | vl.Table, epoch_frame: pd.DataFrame | vl.Table | None = None,
                          log: bool = True, title: str | None = None, height: int = 340,
                          labels: Labels | None = None) -> dict:
    """loss_with_epochs(...) as a plain Vega-Lite spec (gdcore.charts.vl): what the page draws on a Step
    (frames or tables: common.loss_table and epoch_end_table give them without pandas)."""
    say = words(labels)
    names = [say("charts.minibatch.batch_loss"), say("charts.minibatch.epoch_loss")]
    s, e = vl.table(step_frame), epoch_end_table((), 1) if epoch_frame is None else vl.table(epoch_frame)
    s = vl.Table({"step": s.columns["step"], "loss": s.columns["loss"], "series": names[0]}, s.n)
    e = vl.Table({**{k: e.columns[k] for k in ("step", "epoch", "loss")}, "series": names[1]}, e.n)
    if log:
        s, e = (t.where(np.asarray(t.columns["loss"], dtype=np.float64) > 0) for t in (s, e))
    s = s.where(screen_mask(np.asarray(s.columns["loss"], dtype=np.float64)))  # as many points as pixels
    scale = {"type": "log"} if log else {"zero": False}
    color = vl.n("series", title=None, scale={"domain": names, "range": ["#4c78a8", "#e45756"]},
                 legend={"orient": "top", "labelLimit": 400})
    y = vl.q("loss", scale=scale, title=loss_axis_title(log, labels))
    series_tip = vl.tip("series", title=say("charts.tip.series"))
    line = vl.layer(vl.table(s), mark("line", strokeWidth=1, opacity=0.8, clip=True, point=len(s) <= DOTS_UP_TO), {
        "x": vl.q("step", title="step", axis=dict(STEP_AXIS)), "y": y, "color": color,
        "tooltip": [vl.q("step"), vl.q("loss", format=".6g"), series_tip]},
        title=say("charts.loss_curve.title") if title is None else title, name=ZOOM_VIEW)
    dots = vl.layer(vl.table(e), mark("line", point=True, strokeWidth=1.5, clip=True), {
        "x": vl.q("step"), "y": dict(y), "color": dict(color),
        "tooltip": [vl.q("epoch"), vl.q("step"), vl.q("loss", format=".6g"), series_tip]})
    return {"layer": [line, dots], "height": height, "width": WIDTH, "params": [dict(ZOOM_PARAM_LIFTED)]}


def compare_chart(frame: pd.DataFrame, x: str = "step", log_y: bool = True, log_x: bool = False,
                  title: str | None = None, height: int = 360, order: list[str] | None = None,
                  points: bool = False, labels: Labels | None = None) -> alt.Chart:
    """Several runs' losses overlaid: one line per series, against `x` (step or epoch).

    title: default 'Loss' in the language of labels.
    """
    say = words(labels)
    data = frame
    if log_y:
        data = data[data["loss"] > 0]
    if log_x:
        data = data[data[x] > 0]
    if data is frame:
        data = frame.copy()
    domain = order or list(dict.fromkeys(data["series"]))
    x_title = say(f"charts.minibatch.{x}_axis") if x in ("step", "epoch") else x
    if log_x:
        x_title = say("charts.log_suffix", title=x_title)
    return (alt.Chart(data, title=say("charts.loss_curve.title") if title is None else title,
                      mark=mark("line", point=points, strokeWidth=1.6, clip=True), height=height, width=WIDTH).encode(
        x=alt.X(f"{x}:Q", title=x_title, scale={"type": "log"} if log_x else {"zero": False}),
        y=alt.Y("loss:Q", title=loss_axis_title(log_y, labels), scale={"type": "log"} if log_y else {"zero": False}),
        color=alt.Color("series:N", title=None, scale={"domain": domain, "range": PALETTE[:max(1, len(domain))]},
                        legend={"orient": "top", "labelLimit": 400}),
        tooltip=[tip("series:N", say("charts.tip.series")), alt.Tooltip(f"{x}:Q", format=".4g"),
                 alt.Tooltip("loss:Q", format=".6g")])
        .add_params(ZOOM_X))


def epoch_end_table(epoch_losses, steps_per_epoch: int) -> vl.Table:
    """The loss on all data after each epoch, at the step that ended it (step, epoch, loss; finite only)."""
    y = np.asarray(list(epoch_losses), dtype=np.float64)
    e = np.arange(1, len(y) + 1)
    ok = np.isfinite(y)
    return vl.Table({"step": (e * steps_per_epoch)[ok], "epoch": e[ok], "loss": y[ok]})
