"""Charts for the 'Logistic regression' lesson: classes, the moving decision boundary, the sigmoid."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .common import WIDTH
from .optim import FIT_X

CLASS_COLORS = ["#4c78a8", "#e45756"]  # class 0 blue, class 1 red
CLASS_DOMAIN = ["class 0", "class 1"]


def boundary_chart(points: pd.DataFrame, box, segment=None, true_segment=None, grid: pd.DataFrame | None = None,
                   current: dict | None = None, true_label: str = "rule that made the labels",
                   title: str = "Data by class and the decision boundary",
                   height: int = 340) -> alt.LayerChart:
    """Samples coloured by class; the line w1·x1 + w2·x2 + b = 0 (solid) and the labels' rule (dashed).

    points: x1, x2, y ('class 0'/'class 1'), i. grid: probability cells (x1, x1e, x2, x2e, y_hat) shaded
    behind. current: the sample the last step used (ringed).
    """
    x1lo, x1hi, x2lo, x2hi = box
    xs = alt.Scale(domain=[x1lo, x1hi], nice=False, zero=False)
    ys = alt.Scale(domain=[x2lo, x2hi], nice=False, zero=False)
    layers = []
    if grid is not None and len(grid):
        layers.append(alt.Chart(grid).mark_rect(opacity=0.35).encode(
            x=alt.X("x1:Q", scale=xs, title="x1"), x2="x1e:Q", y=alt.Y("x2:Q", scale=ys, title="x2"), y2="x2e:Q",
            color=alt.Color("y_hat:Q", title="ŷ",
                            scale=alt.Scale(domain=[0, 0.5, 1], range=["#c6dbef", "white", "#fcbba1"]),
                            legend=alt.Legend(orient="right", gradientLength=120)),
            tooltip=[alt.Tooltip("y_hat:Q", title="ŷ = σ(w·x + b)", format=".3f")]))
    layers.append(alt.Chart(points).mark_circle(size=22, opacity=0.8).encode(
        x=alt.X("x1:Q", scale=xs, title="x1"), y=alt.Y("x2:Q", scale=ys, title="x2"),
        color=alt.Color("y:N", title=None, scale=alt.Scale(domain=CLASS_DOMAIN, range=CLASS_COLORS),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("i:Q", title="sample"), alt.Tooltip("x1:Q", format=".3f"),
                 alt.Tooltip("x2:Q", format=".3f"), alt.Tooltip("y:N", title="y")]))
    lines = []
    if true_segment is not None:
        lines += [{"x1": p[0], "x2": p[1], "line": true_label} for p in true_segment]
    if segment is not None:
        lines += [{"x1": p[0], "x2": p[1], "line": "model: w1·x1 + w2·x2 + b = 0"} for p in segment]
    if lines:
        ldf = pd.DataFrame(lines)
        domain = ["model: w1·x1 + w2·x2 + b = 0", true_label]
        layers.append(alt.Chart(ldf).mark_line(strokeWidth=3).encode(
            x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys), detail="line:N",
            strokeDash=alt.StrokeDash("line:N", title=None, scale=alt.Scale(domain=domain, range=[[1, 0], [6, 4]]),
                                      legend=alt.Legend(orient="bottom", symbolStrokeWidth=3, columns=1, labelLimit=0)),
            tooltip=["line:N"]).encode(color=alt.value("black")))
    if current is not None:
        cur = pd.DataFrame([{**current, "label": "sample used by the last step"}])
        layers.append(alt.Chart(cur).mark_point(size=260, shape="circle", strokeWidth=2.5, color="#f2a900").encode(
            x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys),
            tooltip=["label:N", alt.Tooltip("i:Q", title="sample"), alt.Tooltip("y:Q", title="y"),
                     alt.Tooltip("z:Q", format=".3f"), alt.Tooltip("y_hat:Q", title="ŷ", format=".4f")]))
    return alt.layer(*layers, title=title).properties(height=height, width=WIDTH, autosize=FIT_X)


def sigmoid_chart(current: dict | None = None, z_range: float = 8.0, height: int = 150) -> alt.LayerChart:
    """σ(z) = 1/(1+e^−z) on [−z_range, z_range], with the current sample's z and ŷ marked."""
    z = np.linspace(-z_range, z_range, 161)
    curve = pd.DataFrame({"z": z, "y_hat": 1 / (1 + np.exp(-z))})
    xs = alt.Scale(domain=[-z_range, z_range], nice=False)
    layers = [alt.Chart(curve).mark_line(color="#333", strokeWidth=2).encode(
        x=alt.X("z:Q", scale=xs, title="z = w·x + b"), y=alt.Y("y_hat:Q", title="ŷ = σ(z)",
                                                               scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("y_hat:Q", title="ŷ", format=".4f")])]
    layers.append(alt.Chart(pd.DataFrame({"y_hat": [0.5]})).mark_rule(strokeDash=[3, 3], color="#999")
                  .encode(y="y_hat:Q"))
    if current is not None:
        zc = float(np.clip(current["z"], -z_range, z_range))
        pt = pd.DataFrame([{"z": zc, "z_true": current["z"], "y_hat": current["y_hat"], "y": current["y"],
                            "label": "this sample"}])
        layers.append(alt.Chart(pt).mark_rule(color="#f2a900", strokeWidth=2).encode(x=alt.X("z:Q", scale=xs)))
        layers.append(alt.Chart(pt).mark_point(size=160, filled=True, color="#f2a900", stroke="black").encode(
            x=alt.X("z:Q", scale=xs), y="y_hat:Q",
            tooltip=["label:N", alt.Tooltip("z_true:Q", title="z", format=".4f"),
                     alt.Tooltip("y_hat:Q", title="ŷ", format=".5f"), alt.Tooltip("y:Q", title="y (label)")]))
    return alt.layer(*layers, title="ŷ = σ(z): the sigmoid").properties(
        height=height, width=WIDTH, autosize=FIT_X)
