"""Charts for the 'Logistic regression' lesson: classes, the moving decision boundary, the sigmoid."""
from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa

from . import vl
from .board import FIT_X
from .common import LEGEND_TOP, WIDTH, Labels, mark, words


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
        return vl.altair(self.spec(mark_def))

    def spec(self, mark_def: dict, encoding: dict | None = None) -> dict:
        """chart(...) as a plain Vega-Lite layer (gdcore.charts.vl), with this encoding."""
        x1lo, x1hi, x2lo, x2hi = (float(v) for v in self.box)
        k = int(self.k)
        d1, d2 = (x1hi - x1lo) / k, (x2hi - x2lo) / k
        z = f"{float(self.w1)!r} * (datum.x1 + {d1 / 2!r}) + {float(self.w2)!r} * (datum.x2 + {d2 / 2!r}) " \
            f"+ {float(self.b)!r}"
        return vl.layer({"sequence": {"start": 0, "stop": k * k, "as": "cell"}}, mark_def, encoding or {}, transform=[
            {"calculate": f"{x1lo!r} + (datum.cell % {k}) * {d1!r}", "as": "x1"},
            {"calculate": f"{x2lo!r} + floor(datum.cell / {k}) * {d2!r}", "as": "x2"},
            {"calculate": f"datum.x1 + {d1!r}", "as": "x1e"}, {"calculate": f"datum.x2 + {d2!r}", "as": "x2e"},
            {"calculate": z, "as": "z"}, {"calculate": "1 / (1 + exp(-datum.z))", "as": "y_hat"}])


CLASS_COLORS = ["#4c78a8", "#e45756"]  # class 0 blue, class 1 red
POINT_DECIMALS = 3  # a sample's x1, x2 in its tooltip
SHADES = ["#c6dbef", "white", "#fcbba1"]  # ŷ = 0, 0.5, 1 behind the points
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
    return vl.altair(boundary_chart_spec(points, box, segment, true_segment, grid, current, true_label, title, height,
                                         labels))


def boundary_chart_spec(points: pd.DataFrame | vl.Table, box, segment=None, true_segment=None, grid=None,
                        current: dict | None = None, true_label: str | None = None, title: str | None = None,
                        height: int = 340, labels: Labels | None = None) -> dict:
    """boundary_chart(...) as a plain Vega-Lite spec (gdcore.charts.vl): what the page draws.

    points: a frame, or the Table of points_table() (built once per data set)."""
    say = words(labels)
    true_label = say("charts.logreg.true_rule") if true_label is None else true_label
    model_label = say("charts.logreg.model_line")
    dots_data = points if isinstance(points, vl.Table) else points_table(points, labels)
    in_order = "i" not in dots_data.columns
    x1lo, x1hi, x2lo, x2hi = box
    xs = {"domain": [x1lo, x1hi], "nice": False, "zero": False}
    ys = {"domain": [x2lo, x2hi], "nice": False, "zero": False}
    layers = []
    if isinstance(grid, Shading) or (grid is not None and len(grid)):
        rect = mark("rect", opacity=0.35)
        enc = {"x": vl.q("x1", scale=xs, title="x1"), "x2": {"field": "x1e"}, "y": vl.q("x2", scale=ys, title="x2"),
               "y2": {"field": "x2e"},
               "color": vl.q("y_hat", title="ŷ", scale={"domain": [0, 0.5, 1], "range": SHADES},
                             legend={"orient": "right", "gradientLength": 120}),
               "tooltip": [vl.q("y_hat", title="ŷ = σ(w·x + b)", format=".3f")]}
        layers.append(grid.spec(rect, enc) if isinstance(grid, Shading) else vl.layer(vl.table(grid), rect, enc))
    dots = vl.layer(dots_data, mark("circle", size=22, opacity=0.8), {
        "x": vl.q("x1", scale=xs, title="x1"), "y": vl.q("x2", scale=ys, title="x2"),
        "color": vl.n("y", title=None, scale={"domain": class_names(labels), "range": CLASS_COLORS},
                      legend=dict(LEGEND_TOP)),
        "tooltip": [vl.q("i", title=say("charts.logreg.sample")), vl.q("x1", format=f".{POINT_DECIMALS}f"),
                    vl.q("x2", format=f".{POINT_DECIMALS}f"), vl.n("y", title="y")]})
    if in_order:  # the sample index is the row number: the browser counts it instead of receiving it
        dots["transform"] = [{"window": [{"op": "row_number", "field": "", "as": "row"}]},
                             {"calculate": "datum.row - 1", "as": "i"}]
    layers.append(dots)
    lines = []
    if true_segment is not None:
        lines += [(p[0], p[1], true_label) for p in true_segment]
    if segment is not None:
        lines += [(p[0], p[1], model_label) for p in segment]
    if lines:
        ends = vl.Table({"x1": [v[0] for v in lines], "x2": [v[1] for v in lines], "line": [v[2] for v in lines]})
        layers.append(vl.layer(ends, mark("line", strokeWidth=3), {
            "x": vl.q("x1", scale=xs), "y": vl.q("x2", scale=ys), "detail": vl.n("line"),
            "strokeDash": vl.n("line", title=None,
                               scale={"domain": [model_label, true_label], "range": [[1, 0], [6, 4]]},
                               legend={"orient": "bottom", "symbolStrokeWidth": 3, "columns": 1, "labelLimit": 0}),
            "tooltip": [vl.n("line")], "color": {"value": "black"}}))
    if current is not None:
        cur = {**current, "label": say("charts.logreg.last_sample")}
        layers.append(vl.layer(vl.Table({k: [v] for k, v in cur.items()}),
                               mark("point", size=260, shape="circle", strokeWidth=2.5, color="#f2a900"), {
            "x": vl.q("x1", scale=xs), "y": vl.q("x2", scale=ys),
            "tooltip": [vl.tip("label", title=say("charts.tip.label")), vl.q("i", title=say("charts.logreg.sample")),
                        vl.q("y", title="y"), vl.q("z", format=".3f"), vl.q("y_hat", title="ŷ", format=".4f")]}))
    return {"layer": layers, "title": say("charts.logreg.boundary_title") if title is None else title,
            "height": height, "width": WIDTH, "autosize": dict(FIT_X)}


def points_table(points: pd.DataFrame, labels: Labels | None = None) -> vl.Table:
    """The samples as boundary_chart_spec draws them: x1, x2 in float32, the class as its name (in the
    language of labels), the index i only where it is not the row number (the browser counts rows).

    The chart shows x1, x2 to POINT_DECIMALS decimals, so they travel in thousandths (2 bytes each
    instead of 4; see vl.Table): the 1,000 samples of tutorial 004 are 5 KB instead of 9 KB a Step."""
    names = dict(zip(CLASS_DOMAIN, class_names(labels)))
    cols = {"x1": points["x1"].to_numpy(np.float32), "x2": points["x2"].to_numpy(np.float32),
            "y": pa.array([names.get(str(v), str(v)) for v in points["y"]]).dictionary_encode()}
    if not np.array_equal(points["i"].to_numpy(), np.arange(len(points))):
        cols = {"i": points["i"].to_numpy(), **cols}
    return vl.Table(cols, len(points), shown={"x1": POINT_DECIMALS, "x2": POINT_DECIMALS})


def sigmoid_chart(current: dict | None = None, z_range: float = 8.0, height: int = 150,
                  labels: Labels | None = None) -> alt.LayerChart:
    """σ(z) = 1/(1+e^−z) on [−z_range, z_range], with the current sample's z and ŷ marked."""
    return vl.altair(sigmoid_chart_spec(current, z_range, height, labels))


def sigmoid_chart_spec(current: dict | None = None, z_range: float = 8.0, height: int = 150,
                       labels: Labels | None = None) -> dict:
    """sigmoid_chart(...) as a plain Vega-Lite spec (gdcore.charts.vl): what the page draws."""
    say = words(labels)
    xs = {"domain": [-z_range, z_range], "nice": False}
    # 161 points of the curve, computed by the browser (the curve never changes)
    layers = [vl.layer({"sequence": {"start": 0, "stop": 161, "as": "k"}}, mark("line", color="#333", strokeWidth=2), {
        "x": vl.q("z", scale=xs, title="z = w·x + b"), "y": vl.q("y_hat", title="ŷ = σ(z)", scale={"domain": [0, 1]}),
        "tooltip": [vl.q("z", format=".2f"), vl.q("y_hat", title="ŷ", format=".4f")]}, transform=[
        {"calculate": f"{-z_range!r} + datum.k * {2 * z_range / 160!r}", "as": "z"},
        {"calculate": "1 / (1 + exp(-datum.z))", "as": "y_hat"}]),
        vl.layer(vl.Table({"y_hat": [0.5]}), mark("rule", strokeDash=[3, 3], color="#999"),
                 {"y": vl.q("y_hat"), "tooltip": [vl.q("y_hat", title="ŷ")]})]
    if current is not None:
        zc = float(np.clip(current["z"], -z_range, z_range))
        pt = vl.Table({"z": [zc], "z_true": [current["z"]], "y_hat": [current["y_hat"]], "y": [current["y"]],
                       "label": [say("charts.logreg.this_sample")]})
        layers.append(vl.layer(pt, mark("rule", color="#f2a900", strokeWidth=2), {
            "x": vl.q("z", scale=xs), "tooltip": [vl.q("z_true", title="z", format=".4f")]}))
        layers.append(vl.layer(pt, mark("point", size=160, filled=True, color="#f2a900", stroke="black"), {
            "x": vl.q("z", scale=xs), "y": vl.q("y_hat"),
            "tooltip": [vl.tip("label", title=say("charts.tip.label")), vl.q("z_true", title="z", format=".4f"),
                        vl.q("y_hat", title="ŷ", format=".5f"), vl.q("y", title=say("charts.logreg.y_label"))]}))
    return {"layer": layers, "title": say("charts.logreg.sigmoid_title"), "height": height, "width": WIDTH,
            "autosize": dict(FIT_X)}


def parts_table(parts, say) -> vl.Table:
    """Named (name, steps, losses) series as one loss table, rows in order, each name said by say (a
    translator): what a loss curve of several series draws on a Step, without a frame."""
    return vl.Table({"step": np.concatenate([s for _, s, _ in parts]), "loss": np.concatenate([v for *_, v in parts]),
                     "series": [say(name) for name, s, _ in parts for _ in range(len(s))]})
