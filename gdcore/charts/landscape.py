"""Loss landscapes: the loss over a (w, b) grid as a heat map, with the paths taken and the optimum.

Pure functions from plain records to Altair charts, like gdcore.charts.common (whose helpers they use).
A grid is either an array of losses or a reference.Bowl, whose cells the browser computes.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..reference import Bowl
from .common import LEGEND_TOP, PALETTE, WIDTH, Labels, layered, mark, tip, words

# The loss colour of every landscape: log scale, viridis reversed, so the valley (low loss) glows
# yellow and high loss is dark purple. Captions name the direction through low_loss_colour().
LOSS_COLOR_SCALE = {"type": "log", "scheme": "viridis", "reverse": True}
_DARK_TO_BRIGHT = ("viridis", "magma", "inferno", "plasma", "cividis", "greys")  # schemes that start dark


def low_loss_colour(scale: dict = LOSS_COLOR_SCALE) -> str:
    """'bright' or 'dark': how the lowest loss looks on a landscape's colour scale (for its caption)."""
    starts_dark = scale.get("scheme") in _DARK_TO_BRIGHT
    return "dark" if starts_dark != bool(scale.get("reverse", False)) else "bright"


def window(w_values, b_values) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (w, b) extent a landscape over these grid values covers: ((wlo, whi), (blo, bhi))."""
    w_values, b_values = np.asarray(w_values, float), np.asarray(b_values, float)
    dw = float(w_values[1] - w_values[0]) if len(w_values) > 1 else 1.0
    db = float(b_values[1] - b_values[0]) if len(b_values) > 1 else 1.0
    return (float(w_values[0]), float(w_values[-1] + dw)), (float(b_values[0]), float(b_values[-1] + db))


def window_scales(w_values, b_values) -> tuple[dict, dict]:
    """The x (w) and y (b) scales of a landscape: exactly the grid's extent."""
    (wlo, whi), (blo, bhi) = window(w_values, b_values)
    return ({"domain": [wlo, whi], "nice": False, "zero": False},
            {"domain": [blo, bhi], "nice": False, "zero": False})


def heat_layer(grid, w_values, b_values, title: str, x_title: str = "w", y_title: str = "b",
               legend: dict | None = None, stroke: bool = False, stroke_width: float | None = None) -> alt.Chart:
    """The heat map of a (w, b) loss grid, log colour; stroke: cells outlined in their own colour.

    grid: the losses (an array, grid[i, j] at (w_values[j], b_values[i])), or a reference.Bowl,
    whose cells the browser computes from its six numbers: the chart then carries no grid at all.
    """
    w_values, b_values = np.asarray(w_values, float), np.asarray(b_values, float)
    dw = float(w_values[1] - w_values[0]) if len(w_values) > 1 else 1.0
    db = float(b_values[1] - b_values[0]) if len(b_values) > 1 else 1.0
    rect = mark("rect") if stroke_width is None else mark("rect", strokeWidth=stroke_width)
    if isinstance(grid, Bowl):
        nw, nb = len(w_values), len(b_values)
        cells = alt.Chart(alt.sequence(0, nw * nb, as_="k"), title=title, mark=rect).transform_calculate(
            w=f"{float(w_values[0])!r} + (datum.k % {nw}) * {dw!r}",
            b=f"{float(b_values[0])!r} + floor(datum.k / {nw}) * {db!r}").transform_calculate(
            w2=f"datum.w + {dw!r}", b2=f"datum.b + {db!r}", loss=f"max({grid.expression()}, 1e-12)")
    else:
        W, B = np.meshgrid(w_values, b_values)
        g = np.asarray(grid, float)
        cells = alt.Chart(pd.DataFrame({"w": W.ravel(), "b": B.ravel(), "w2": W.ravel() + dw, "b2": B.ravel() + db,
                                        "loss": np.maximum(g.ravel(), 1e-12)}), title=title, mark=rect)
    xs, ys = window_scales(w_values, b_values)
    color_scale = LOSS_COLOR_SCALE
    enc = dict(
        x=alt.X("w:Q", title=x_title, scale=xs), x2=alt.X2("w2:Q"),
        y=alt.Y("b:Q", title=y_title, scale=ys), y2=alt.Y2("b2:Q"),
        color=alt.Color("loss:Q", scale=color_scale, legend=legend or {"title": "loss", "orient": "right"}),
        tooltip=[alt.Tooltip("w:Q", format=".3f"), alt.Tooltip("b:Q", format=".3f"),
                 alt.Tooltip("loss:Q", format=".4g")])
    if stroke:
        enc["stroke"] = alt.Stroke("loss:Q", scale=color_scale, legend=None)
    return cells.encode(**enc)


def optimum_layer(optimum: tuple[float, float], label: str, xs: dict, ys: dict, labels: Labels | None = None,
                  fmt: str | None = None) -> alt.Chart:
    """The optimum as a white diamond; fmt: number format of w and b in its tooltip."""
    o = pd.DataFrame({"w": [optimum[0]], "b": [optimum[1]], "label": [label]})
    return alt.Chart(o, mark=mark("point", shape="diamond", size=160, filled=True, color="white",
                                  stroke="black", strokeWidth=1.5)).encode(
        x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys),
        tooltip=[tip("label:N", words(labels)("charts.tip.label")),
                 alt.Tooltip("w:Q", format=fmt) if fmt else alt.Tooltip("w:Q"),
                 alt.Tooltip("b:Q", format=fmt) if fmt else alt.Tooltip("b:Q")])


def landscape_layers(grid, w_values, b_values, paths, optimum, title, x_title, y_title, labels: Labels | None,
                     legend: dict | None = None, stroke: bool = False) -> tuple[list[alt.Chart], dict, dict]:
    """The layers of landscape() (heat map, paths, optimum) and its x and y scales."""
    say = words(labels)
    xs, ys = window_scales(w_values, b_values)
    layers = [heat_layer(grid, w_values, b_values, title, x_title, y_title, legend=legend, stroke=stroke)]
    if paths is not None and len(paths):
        (wlo, whi), (blo, bhi) = xs["domain"], ys["domain"]
        p = paths[(paths["w"] >= wlo) & (paths["w"] <= whi) & (paths["b"] >= blo) & (paths["b"] <= bhi)]
        if "series" not in p.columns:
            p = p.assign(series=say("charts.landscape.path"))
        layers.append(alt.Chart(p, mark=mark("line", point={"size": 12}, strokeWidth=2)).encode(
            x=alt.X("w:Q", scale=xs), y=alt.Y("b:Q", scale=ys), order=alt.Order("step:Q"),
            color=alt.Color("series:N", title=None, scale={"range": PALETTE[1:]}, legend=LEGEND_TOP),
            tooltip=[tip("series:N", say("charts.tip.series")), alt.Tooltip("step:Q"),
                     alt.Tooltip("w:Q", format=".4f"), alt.Tooltip("b:Q", format=".4f")]))
    if optimum is not None:
        layers.append(optimum_layer(optimum, say("charts.landscape.optimum"), xs, ys, labels))
    return layers, xs, ys


def landscape(grid: np.ndarray, w_values, b_values, paths: pd.DataFrame | None = None,
              optimum: tuple[float, float] | None = None, title: str | None = None,
              height: int = 320, x_title: str = "w", y_title: str = "b",
              labels: Labels | None = None) -> alt.LayerChart:
    """Heat map of the loss over a (w, b) grid (log colour), with paths taken and the optimum.

    grid[i, j] is the loss at (w_values[j], b_values[i]); paths has columns w, b, step, series.
    title: default 'Loss landscape' in the language of labels.
    """
    say = words(labels)
    layers, _, _ = landscape_layers(grid, w_values, b_values, paths, optimum,
                                    say("charts.landscape.title") if title is None else title, x_title, y_title, labels)
    return layered(*layers, height=height, width=WIDTH)


def path_frame(steps, w, b, series: str | None = None, max_points: int = 600,
               labels: Labels | None = None) -> pd.DataFrame:
    """A parameter path (w, b per step) thinned evenly to at most max_points points.

    series: the path's name in the legend; default 'path' in the language of labels.
    """
    steps, w, b = (np.asarray(a, float).reshape(-1) for a in (steps, w, b))
    if len(steps) > max_points:
        keep = np.unique(np.r_[np.linspace(0, len(steps) - 1, max_points).astype(int), len(steps) - 1])
        steps, w, b = steps[keep], w[keep], b[keep]
    ok = np.isfinite(w) & np.isfinite(b)
    return pd.DataFrame({"step": steps[ok], "w": w[ok], "b": b[ok],
                         "series": words(labels)("charts.landscape.path") if series is None else series})
