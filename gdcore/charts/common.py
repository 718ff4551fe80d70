"""Chart builders shared by the lessons: pure functions from plain records to Altair charts.

No streamlit here; tests inspect `chart.to_dict()`. Long series are downsampled (min/max per
bucket) to at most MAX_POINTS points per series before they become chart data.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..downsample import MAX_POINTS, minmax_indices

WIDTH = "container"
PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]


def loss_frame(losses, series: str = "train", start_step: int = 1, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Per-step losses as a long frame (step, loss, series), downsampled, finite values only."""
    y = np.asarray(losses, dtype=np.float64)
    steps = np.arange(start_step, start_step + len(y))
    finite = np.isfinite(y)
    y, steps = y[finite], steps[finite]
    idx = minmax_indices(y, max_points)
    return pd.DataFrame({"step": steps[idx], "loss": y[idx], "series": series})


def loss_curve(frame: pd.DataFrame, x: str = "step", log: bool = True, title: str = "Loss",
               height: int = 260, color: str = "series") -> alt.Chart:
    """Loss against steps (or epochs): one line per series, log-scale option, zoom and tooltips."""
    data = frame.copy()
    if log:
        data = data[data["loss"] > 0]
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    multi = color in data.columns and data[color].nunique() > 1
    enc = {
        "x": alt.X(f"{x}:Q", title=x),
        "y": alt.Y("loss:Q", scale=scale, title="loss (log)" if log else "loss"),
        "tooltip": [alt.Tooltip(f"{x}:Q"), alt.Tooltip("loss:Q", format=".6g")]
        + ([alt.Tooltip(f"{color}:N")] if color in data.columns else []),
    }
    if color in data.columns:
        enc["color"] = alt.Color(f"{color}:N", title=None, legend=alt.Legend(orient="top") if multi else None)
    return (alt.Chart(data, title=title).mark_line(clip=True).encode(**enc)
            .properties(height=height, width=WIDTH).interactive(bind_y=False))


def scatter_fit(x, y, lines: list[dict] | None = None, title: str = "Data and fitted line",
                height: int = 300, x_title: str = "x", y_title: str = "y", max_points: int = MAX_POINTS) -> alt.LayerChart | alt.Chart:
    """Scatter of one-feature data with straight lines y = w x + b drawn over it.

    lines: [{"label": "fit", "w": 2.0, "b": 6.0, "dash": False}, ...]
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if len(x) > max_points:
        keep = np.linspace(0, len(x) - 1, max_points).astype(int)
        x, y = x[keep], y[keep]
    pts = pd.DataFrame({"x": x, "y": y})
    base = alt.Chart(pts, title=title).mark_point(shape="cross", size=30, opacity=0.6, color="#54a24b").encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".4g")],
    )
    layers = [base]
    if lines:
        lo, hi = (float(x.min()), float(x.max())) if len(x) else (0.0, 1.0)
        rows = []
        for ln in lines:
            for xv in (lo, hi):
                rows.append({"x": xv, "y": ln["w"] * xv + ln["b"], "line": ln["label"],
                             "dash": bool(ln.get("dash", False))})
        ldf = pd.DataFrame(rows)
        layers.append(alt.Chart(ldf).mark_line(strokeWidth=2.5).encode(
            x="x:Q", y="y:Q",
            color=alt.Color("line:N", title=None, scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("dash:N", legend=None, scale=alt.Scale(domain=[False, True], range=[[1, 0], [6, 4]])),
            detail="line:N"))
    return alt.layer(*layers).properties(height=height, width=WIDTH)


def landscape(grid: np.ndarray, w_values, b_values, paths: pd.DataFrame | None = None,
              optimum: tuple[float, float] | None = None, title: str = "Loss landscape",
              height: int = 320, x_title: str = "w", y_title: str = "b") -> alt.LayerChart:
    """Heat map of the loss over a (w, b) grid (log colour), with paths taken and the optimum.

    grid[i, j] is the loss at (w_values[j], b_values[i]); paths has columns w, b, step, series.
    """
    w_values, b_values = np.asarray(w_values, float), np.asarray(b_values, float)
    W, B = np.meshgrid(w_values, b_values)
    dw = float(w_values[1] - w_values[0]) if len(w_values) > 1 else 1.0
    db = float(b_values[1] - b_values[0]) if len(b_values) > 1 else 1.0
    g = np.asarray(grid, float)
    cells = pd.DataFrame({"w": W.ravel(), "b": B.ravel(), "w2": W.ravel() + dw, "b2": B.ravel() + db,
                          "loss": np.maximum(g.ravel(), 1e-12)})
    xs = alt.Scale(domain=[float(w_values[0]), float(w_values[-1] + dw)], nice=False, zero=False)
    ys = alt.Scale(domain=[float(b_values[0]), float(b_values[-1] + db)], nice=False, zero=False)
    heat = alt.Chart(cells, title=title).mark_rect().encode(
        x=alt.X("w:Q", title=x_title, scale=xs), x2="w2:Q",
        y=alt.Y("b:Q", title=y_title, scale=ys), y2="b2:Q",
        color=alt.Color("loss:Q", scale=alt.Scale(type="log", scheme="viridis", reverse=True),
                        legend=alt.Legend(title="loss", orient="right")),
        tooltip=[alt.Tooltip("w:Q", format=".3f"), alt.Tooltip("b:Q", format=".3f"),
                 alt.Tooltip("loss:Q", format=".4g")],
    )
    layers = [heat]
    if paths is not None and len(paths):
        p = paths.copy()
        p = p[(p["w"] >= xs.domain[0]) & (p["w"] <= xs.domain[1]) & (p["b"] >= ys.domain[0]) & (p["b"] <= ys.domain[1])]
        if "series" not in p.columns:
            p["series"] = "path"
        layers.append(alt.Chart(p).mark_line(point=alt.OverlayMarkDef(size=12), strokeWidth=2).encode(
            x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys), order="step:Q",
            color=alt.Color("series:N", title=None, scale=alt.Scale(range=PALETTE[1:]), legend=alt.Legend(orient="top")),
            tooltip=["series:N", "step:Q", alt.Tooltip("w:Q", format=".4f"), alt.Tooltip("b:Q", format=".4f")]))
    if optimum is not None:
        o = pd.DataFrame({"w": [optimum[0]], "b": [optimum[1]], "label": ["optimum"]})
        layers.append(alt.Chart(o).mark_point(shape="diamond", size=160, filled=True, color="white",
                                             stroke="black", strokeWidth=1.5).encode(
            x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys), tooltip=["label:N", "w:Q", "b:Q"]))
    return alt.layer(*layers).properties(height=height, width=WIDTH)


def path_frame(steps, w, b, series: str = "path", max_points: int = 600) -> pd.DataFrame:
    """A parameter path (w, b per step) thinned evenly to at most max_points points."""
    steps, w, b = (np.asarray(a, float).reshape(-1) for a in (steps, w, b))
    if len(steps) > max_points:
        keep = np.unique(np.r_[np.linspace(0, len(steps) - 1, max_points).astype(int), len(steps) - 1])
        steps, w, b = steps[keep], w[keep], b[keep]
    ok = np.isfinite(w) & np.isfinite(b)
    return pd.DataFrame({"step": steps[ok], "w": w[ok], "b": b[ok], "series": series})


def traces(frame: pd.DataFrame, columns: list[str], title: str = "Parameters", height: int = 220,
           max_points: int = MAX_POINTS) -> alt.Chart:
    """Several columns of a step-indexed frame as lines (parameters, gradients, optimizer state)."""
    parts = []
    for col in columns:
        y = frame[col].to_numpy(dtype=float)
        idx = minmax_indices(y, max_points)
        parts.append(pd.DataFrame({"step": frame["step"].to_numpy()[idx], "value": y[idx], "series": col}))
    data = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["step", "value", "series"])
    data = data[np.isfinite(data["value"].astype(float))]
    return (alt.Chart(data, title=title).mark_line().encode(
        x="step:Q", y=alt.Y("value:Q", scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=["series:N", "step:Q", alt.Tooltip("value:Q", format=".6g")])
        .properties(height=height, width=WIDTH).interactive(bind_y=False))
