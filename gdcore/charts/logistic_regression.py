"""Charts for the 'Logistic regression' lesson: classes, the moving decision boundary, the sigmoid."""
from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from .common import LEGEND_TOP, WIDTH, Labels, layered, mark, tip, words
from .optimizers import FIT_X


@dataclass(frozen=True)
class Shading:
    """ŷ = σ(w1·x1 + w2·x2 + b) over a k×k grid of cells of box, computed by the browser.

    The same cells as gdcore.lessons.logistic_regression.probability_grid, which would send k² rows on every
    step; this sends five numbers and the box.
    """

    w1: float
    w2: float
    b: float
    box: tuple[float, float, float, float]
    k: int = 30

    def chart(self, mark_def: dict) -> alt.Chart:
        """A chart over the cells: x1, x1e, x2, x2e (cell corners) and y_hat (at the centre)."""
        x1lo, x1hi, x2lo, x2hi = (float(v) for v in self.box)
        k = int(self.k)
        d1, d2 = (x1hi - x1lo) / k, (x2hi - x2lo) / k
        return alt.Chart(alt.sequence(0, k * k, as_="cell"), mark=mark_def).transform_calculate(
            x1=f"{x1lo!r} + (datum.cell % {k}) * {d1!r}", x2=f"{x2lo!r} + floor(datum.cell / {k}) * {d2!r}",
        ).transform_calculate(
            x1e=f"datum.x1 + {d1!r}", x2e=f"datum.x2 + {d2!r}",
            z=f"{float(self.w1)!r} * (datum.x1 + {d1 / 2!r}) + {float(self.w2)!r} * (datum.x2 + {d2 / 2!r}) "
              f"+ {float(self.b)!r}",
        ).transform_calculate(y_hat="1 / (1 + exp(-datum.z))")


CLASS_COLORS = ["#4c78a8", "#e45756"]  # class 0 blue, class 1 red
# the labels in the points frame (gdcore.lessons.logistic_regression.points_frame)
CLASS_DOMAIN = ["class 0", "class 1"]


def class_names(labels: Labels | None = None) -> list[str]:
    """The names CLASS_DOMAIN's classes get in the chart, in the language of labels."""
    say = words(labels)
    return [say("charts.logreg.class_0"), say("charts.logreg.class_1")]


def boundary_chart(points: pd.DataFrame, box, segment=None, true_segment=None, grid: pd.DataFrame | None = None,
                   current: dict | None = None, true_label: str | None = None, title: str | None = None,
                   height: int = 340, labels: Labels | None = None) -> alt.LayerChart:
    """Samples coloured by class; the line w1·x1 + w2·x2 + b = 0 (solid) and the labels' rule (dashed).

    points: x1, x2, y ('class 0'/'class 1'), i. grid: probability cells shaded behind, as a frame
    (x1, x1e, x2, x2e, y_hat) or a Shading the browser computes. current: the sample the last step used
    (ringed). true_label, title: default 'rule that made the labels' and 'Data by class and the decision
    boundary' in the language of labels, which also names the classes.
    """
    say = words(labels)
    true_label = say("charts.logreg.true_rule") if true_label is None else true_label
    model_label = say("charts.logreg.model_line")
    names = class_names(labels)
    # the class as a two-value category (sent as small integer codes), the positions in float32
    classes = pd.Categorical(points["y"].astype(str).map(dict(zip(CLASS_DOMAIN, names))), categories=names)
    points = points.assign(y=classes, x1=points["x1"].astype(np.float32), x2=points["x2"].astype(np.float32))
    in_order = np.array_equal(points["i"].to_numpy(), np.arange(len(points)))
    if in_order:  # the sample index is the row number: the browser counts it instead of receiving it
        points = points.drop(columns="i")
    x1lo, x1hi, x2lo, x2hi = box
    xs = {"domain": [x1lo, x1hi], "nice": False, "zero": False}
    ys = {"domain": [x2lo, x2hi], "nice": False, "zero": False}
    layers = []
    if isinstance(grid, Shading) or (grid is not None and len(grid)):
        rect = mark("rect", opacity=0.35)
        cells = grid.chart(rect) if isinstance(grid, Shading) else alt.Chart(grid, mark=rect)
        layers.append(cells.encode(
            x=alt.X("x1:Q", scale=xs, title="x1"), x2=alt.X2("x1e:Q"), y=alt.Y("x2:Q", scale=ys, title="x2"),
            y2=alt.Y2("x2e:Q"),
            color=alt.Color("y_hat:Q", title="ŷ",
                            scale={"domain": [0, 0.5, 1], "range": ["#c6dbef", "white", "#fcbba1"]},
                            legend={"orient": "right", "gradientLength": 120}),
            tooltip=[alt.Tooltip("y_hat:Q", title="ŷ = σ(w·x + b)", format=".3f")]))
    dots = alt.Chart(points, mark=mark("circle", size=22, opacity=0.8))
    if in_order:
        dots = dots.transform_window(row="row_number()").transform_calculate(i="datum.row - 1")
    layers.append(dots.encode(
        x=alt.X("x1:Q", scale=xs, title="x1"), y=alt.Y("x2:Q", scale=ys, title="x2"),
        color=alt.Color("y:N", title=None, scale={"domain": names, "range": CLASS_COLORS}, legend=LEGEND_TOP),
        tooltip=[alt.Tooltip("i:Q", title=say("charts.logreg.sample")), alt.Tooltip("x1:Q", format=".3f"),
                 alt.Tooltip("x2:Q", format=".3f"), alt.Tooltip("y:N", title="y")]))
    lines = []
    if true_segment is not None:
        lines += [{"x1": p[0], "x2": p[1], "line": true_label} for p in true_segment]
    if segment is not None:
        lines += [{"x1": p[0], "x2": p[1], "line": model_label} for p in segment]
    if lines:
        layers.append(alt.Chart(pd.DataFrame(lines), mark=mark("line", strokeWidth=3)).encode(
            x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys), detail=alt.Detail("line:N"),
            strokeDash=alt.StrokeDash("line:N", title=None,
                                      scale={"domain": [model_label, true_label], "range": [[1, 0], [6, 4]]},
                                      legend={"orient": "bottom", "symbolStrokeWidth": 3, "columns": 1,
                                              "labelLimit": 0}),
            tooltip=[alt.Tooltip("line:N")], color=alt.ColorValue("black")))
    if current is not None:
        cur = pd.DataFrame([{**current, "label": say("charts.logreg.last_sample")}])
        layers.append(alt.Chart(cur, mark=mark("point", size=260, shape="circle", strokeWidth=2.5,
                                               color="#f2a900")).encode(
            x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys),
            tooltip=[tip("label:N", say("charts.tip.label")), alt.Tooltip("i:Q", title=say("charts.logreg.sample")),
                     alt.Tooltip("y:Q", title="y"), alt.Tooltip("z:Q", format=".3f"),
                     alt.Tooltip("y_hat:Q", title="ŷ", format=".4f")]))
    return layered(*layers, title=say("charts.logreg.boundary_title") if title is None else title,
                     height=height, width=WIDTH, autosize=FIT_X)


def sigmoid_chart(current: dict | None = None, z_range: float = 8.0, height: int = 150,
                  labels: Labels | None = None) -> alt.LayerChart:
    """σ(z) = 1/(1+e^−z) on [−z_range, z_range], with the current sample's z and ŷ marked."""
    say = words(labels)
    xs = {"domain": [-z_range, z_range], "nice": False}
    # 161 points of the curve, computed by the browser (the curve never changes)
    curve_mark = mark("line", color="#333", strokeWidth=2)
    curve = alt.Chart(alt.sequence(0, 161, as_="k"), mark=curve_mark).transform_calculate(
        z=f"{-z_range!r} + datum.k * {2 * z_range / 160!r}").transform_calculate(y_hat="1 / (1 + exp(-datum.z))")
    layers = [curve.encode(
        x=alt.X("z:Q", scale=xs, title="z = w·x + b"),
        y=alt.Y("y_hat:Q", title="ŷ = σ(z)", scale={"domain": [0, 1]}),
        tooltip=[alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("y_hat:Q", title="ŷ", format=".4f")])]
    layers.append(alt.Chart(pd.DataFrame({"y_hat": [0.5]}), mark=mark("rule", strokeDash=[3, 3], color="#999"))
                  .encode(y=alt.Y("y_hat:Q"), tooltip=[alt.Tooltip("y_hat:Q", title="ŷ")]))
    if current is not None:
        zc = float(np.clip(current["z"], -z_range, z_range))
        pt = pd.DataFrame([{"z": zc, "z_true": current["z"], "y_hat": current["y_hat"], "y": current["y"],
                            "label": say("charts.logreg.this_sample")}])
        layers.append(alt.Chart(pt, mark=mark("rule", color="#f2a900", strokeWidth=2)).encode(
            x=alt.X("z:Q", scale=xs), tooltip=[alt.Tooltip("z_true:Q", title="z", format=".4f")]))
        layers.append(alt.Chart(pt, mark=mark("point", size=160, filled=True, color="#f2a900", stroke="black")).encode(
            x=alt.X("z:Q", scale=xs), y=alt.Y("y_hat:Q"),
            tooltip=[tip("label:N", say("charts.tip.label")), alt.Tooltip("z_true:Q", title="z", format=".4f"),
                     alt.Tooltip("y_hat:Q", title="ŷ", format=".5f"),
                     alt.Tooltip("y:Q", title=say("charts.logreg.y_label"))]))
    return layered(*layers, title=say("charts.logreg.sigmoid_title"), height=height, width=WIDTH, autosize=FIT_X)
