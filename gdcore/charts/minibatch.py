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

from ..downsample import MAX_POINTS
from .common import PALETTE, WIDTH

ROLE_DOMAIN = ["not drawn yet", "drawn this epoch", "current batch"]
ROLE_COLORS = ["#bab0ac", "#4c78a8", "#e45756"]
LINE_COLORS = {"fit: y_hat = w·x + b": "#f58518", "true line": "#54a24b"}


def batch_scatter(x, y, roles, lines: list[dict] | None = None, title: str = "Data: the current batch",
                  x_title: str = "x", y_title: str = "y", height: int = 380,
                  max_points: int = MAX_POINTS) -> alt.LayerChart:
    """Scatter of (x, y) coloured by role (0 not drawn yet, 1 drawn earlier, 2 current batch).

    The current batch is drawn last and larger, so it is never hidden. lines: [{"label", "w", "b",
    "dash"}] straight lines y = w x + b over the x range (one-feature data).
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    roles = np.asarray(roles, dtype=np.int64).reshape(-1)
    idx = np.arange(len(x))
    if len(x) > max_points:  # keep every sample of the current batch, thin the rest evenly
        cur = idx[roles == 2]
        rest = idx[roles != 2]
        keep = rest[np.linspace(0, len(rest) - 1, max(0, max_points - len(cur))).astype(int)] if len(rest) else rest
        idx = np.sort(np.unique(np.r_[keep, cur]))[:max(max_points, len(cur))]
    pts = pd.DataFrame({"sample": idx, "x": x[idx], "y": y[idx],
                        "role": [ROLE_DOMAIN[r] for r in roles[idx]]})
    xs = alt.Scale(zero=False)
    ys = alt.Scale(zero=False)
    color = alt.Color("role:N", title=None, scale=alt.Scale(domain=ROLE_DOMAIN, range=ROLE_COLORS),
                      legend=alt.Legend(orient="top"))
    tooltip = [alt.Tooltip("sample:Q", title="sample index"), alt.Tooltip("x:Q", format=".4g", title=x_title),
               alt.Tooltip("y:Q", format=".4g", title=y_title), alt.Tooltip("role:N")]
    enc = dict(x=alt.X("x:Q", title=x_title, scale=xs), y=alt.Y("y:Q", title=y_title, scale=ys),
               color=color, tooltip=tooltip)
    others = alt.Chart(pts[pts["role"] != ROLE_DOMAIN[2]], title=title).mark_point(
        shape="cross", size=30, opacity=0.55).encode(**enc)
    current = alt.Chart(pts[pts["role"] == ROLE_DOMAIN[2]]).mark_circle(
        size=90, opacity=0.95, stroke="black", strokeWidth=0.6).encode(**enc)
    layers = [others, current]
    if lines and len(x):
        lo, hi = float(x.min()), float(x.max())
        rows = [{"x": xv, "y": ln["w"] * xv + ln["b"], "line": ln["label"], "dash": bool(ln.get("dash", False))}
                for ln in lines for xv in (lo, hi)]
        labels = [ln["label"] for ln in lines]
        layers.append(alt.Chart(pd.DataFrame(rows)).mark_line(strokeWidth=2.5).encode(
            x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys),
            stroke=alt.Stroke("line:N", title=None, legend=alt.Legend(orient="bottom"),
                              scale=alt.Scale(domain=labels, range=[LINE_COLORS.get(lb, PALETTE[i % len(PALETTE)])
                                                                    for i, lb in enumerate(labels)])),
            strokeDash=alt.StrokeDash("dash:N", legend=None,
                                      scale=alt.Scale(domain=[False, True], range=[[1, 0], [6, 4]])),
            detail="line:N"))
    return alt.layer(*layers).properties(height=height, width=WIDTH)


def reshuffle_chart(frame: pd.DataFrame, title: str = "Which batch each sample lands in",
                    row_px: int = 34) -> alt.Chart:
    """Rows: two epochs; columns: the samples in the order the first epoch visits them; colour: batch index.

    frame: columns position, sample, epoch, batch (from gdcore.lessons.minibatch.reshuffle_frame). The first
    row is contiguous blocks by construction; the second shows how the reshuffle scatters them.
    """
    nb = int(frame["batch"].max()) + 1 if len(frame) else 1
    if nb <= 20:
        color = alt.Color("batch:O", title="batch index", scale=alt.Scale(scheme="tableau20" if nb > 10 else "tableau10"),
                          legend=alt.Legend(orient="bottom", direction="horizontal", columns=10, symbolType="square"))
    else:
        color = alt.Color("batch:Q", title="batch index", scale=alt.Scale(scheme="turbo"),
                          legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=200))
    first = str(frame["epoch"].iloc[0]) if len(frame) else "epoch"
    return (alt.Chart(frame, title=title).mark_rect().encode(
        x=alt.X("position:O", title=f"samples, in the order {first} draws them",
                axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("epoch:N", title=None, sort=None, axis=alt.Axis(labelFontSize=12)),
        color=color,
        tooltip=[alt.Tooltip("epoch:N"), alt.Tooltip("sample:Q", title="sample index"),
                 alt.Tooltip("batch:Q", title="batch index")])
        .properties(height={"step": row_px}, width=WIDTH))


def loss_with_epochs(step_frame: pd.DataFrame, epoch_frame: pd.DataFrame | None = None, log: bool = True,
                     title: str = "Loss", height: int = 340) -> alt.LayerChart:
    """The loss each step computed on its batch (thin line) and the loss on all data after each epoch (dots).

    step_frame: columns step, loss; epoch_frame: columns step, epoch, loss.
    """
    names = ["batch loss (each step)", "loss on all data (end of epoch)"]
    s = step_frame[["step", "loss"]].copy()
    s["series"] = names[0]
    e = (epoch_frame if epoch_frame is not None else pd.DataFrame(columns=["step", "epoch", "loss"])).copy()
    e["series"] = names[1]
    if log:
        s, e = s[s["loss"] > 0], e[e["loss"] > 0]
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=names, range=["#4c78a8", "#e45756"]),
                      legend=alt.Legend(orient="top", labelLimit=400))
    y = alt.Y("loss:Q", scale=scale, title="loss (log)" if log else "loss")
    line = alt.Chart(s, title=title).mark_line(strokeWidth=1, opacity=0.8, clip=True).encode(
        x=alt.X("step:Q", title="step"), y=y, color=color,
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".6g"), alt.Tooltip("series:N")])
    dots = alt.Chart(e).mark_line(point=True, strokeWidth=1.5, clip=True).encode(
        x="step:Q", y=y, color=color,
        tooltip=[alt.Tooltip("epoch:Q"), alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".6g"),
                 alt.Tooltip("series:N")])
    return alt.layer(line, dots).properties(height=height, width=WIDTH).interactive(bind_y=False)


def compare_chart(frame: pd.DataFrame, x: str = "step", log_y: bool = True, log_x: bool = False,
                  title: str = "Loss", height: int = 360, order: list[str] | None = None,
                  points: bool = False) -> alt.Chart:
    """Several runs' losses overlaid: one line per series, against `x` (step or epoch)."""
    data = frame.copy()
    if log_y:
        data = data[data["loss"] > 0]
    if log_x:
        data = data[data[x] > 0]
    domain = order or list(dict.fromkeys(data["series"]))
    x_title = {"step": "step (one update each)", "epoch": "epoch (passes over the data)"}.get(x, x)
    return (alt.Chart(data, title=title).mark_line(point=points, strokeWidth=1.6, clip=True).encode(
        x=alt.X(f"{x}:Q", title=x_title + (" (log)" if log_x else ""),
                scale=alt.Scale(type="log") if log_x else alt.Scale(zero=False)),
        y=alt.Y("loss:Q", title="loss (log)" if log_y else "loss",
                scale=alt.Scale(type="log") if log_y else alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=domain, range=PALETTE[:max(1, len(domain))]),
                        legend=alt.Legend(orient="top", labelLimit=400)),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip(f"{x}:Q", format=".4g"), alt.Tooltip("loss:Q", format=".6g")])
        .properties(height=height, width=WIDTH).interactive(bind_y=False))
