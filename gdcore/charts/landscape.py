"""Loss landscapes: the loss over a (w, b) grid as a heat map, with the paths taken and the optimum.

Pure functions from plain records to Altair charts, like gdcore.charts.common (whose helpers they use).
A grid is either an array of losses or a reference.Bowl, whose cells the browser computes.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..downsample import SCREEN_CELLS, head_and_even, moved_indices
from ..reference import Bowl
from . import vl
from .common import LEGEND_TOP, PALETTE, WIDTH, Labels, layered, mark, words

# The loss colour of every landscape: log scale, viridis reversed, so the valley (low loss) glows
# yellow and high loss is dark purple. Captions name the direction through low_loss_colour().
LOSS_COLOR_SCALE = {"type": "log", "scheme": "viridis", "reverse": True}
PATH_DECIMALS = 4  # a path's w and b in its tooltip
PATH_POINTS = 300  # a path a landscape draws: the first half of them in full (the zigzag), the rest evenly
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
    return vl.altair(heat_spec(grid, w_values, b_values, title, x_title, y_title, legend, stroke, stroke_width))


def heat_spec(grid, w_values, b_values, title: str, x_title: str = "w", y_title: str = "b",
              legend: dict | None = None, stroke: bool = False, stroke_width: float | None = None) -> dict:
    """heat_layer(...) as a plain Vega-Lite layer (gdcore.charts.vl)."""
    w_values, b_values = np.asarray(w_values, float), np.asarray(b_values, float)
    dw = float(w_values[1] - w_values[0]) if len(w_values) > 1 else 1.0
    db = float(b_values[1] - b_values[0]) if len(b_values) > 1 else 1.0
    rect = mark("rect") if stroke_width is None else mark("rect", strokeWidth=stroke_width)
    transform = None
    if isinstance(grid, Bowl):
        nw, nb = len(w_values), len(b_values)
        cells = {"sequence": {"start": 0, "stop": nw * nb, "as": "k"}}
        transform = [{"calculate": f"{float(w_values[0])!r} + (datum.k % {nw}) * {dw!r}", "as": "w"},
                     {"calculate": f"{float(b_values[0])!r} + floor(datum.k / {nw}) * {db!r}", "as": "b"},
                     {"calculate": f"datum.w + {dw!r}", "as": "w2"}, {"calculate": f"datum.b + {db!r}", "as": "b2"},
                     {"calculate": f"max({grid.expression()}, 1e-12)", "as": "loss"}]
    else:
        W, B = np.meshgrid(w_values, b_values)
        g = np.asarray(grid, float)
        cells = vl.Table({"w": W.ravel(), "b": B.ravel(), "w2": W.ravel() + dw, "b2": B.ravel() + db,
                          "loss": np.maximum(g.ravel(), 1e-12)})
    xs, ys = window_scales(w_values, b_values)
    enc = {"x": vl.q("w", title=x_title, scale=xs), "x2": {"field": "w2"},
           "y": vl.q("b", title=y_title, scale=ys), "y2": {"field": "b2"},
           "color": vl.q("loss", scale=dict(LOSS_COLOR_SCALE), legend=legend or {"title": "loss", "orient": "right"}),
           "tooltip": [vl.q("w", format=".3f"), vl.q("b", format=".3f"), vl.q("loss", format=".4g")]}
    if stroke:
        enc["stroke"] = vl.q("loss", scale=dict(LOSS_COLOR_SCALE), legend=None)
    spec = vl.layer(cells, rect, enc, title=title)
    if transform:
        spec["transform"] = transform
    return spec


def optimum_layer(optimum: tuple[float, float], label: str, xs: dict, ys: dict, labels: Labels | None = None,
                  fmt: str | None = None) -> alt.Chart:
    """The optimum as a white diamond; fmt: number format of w and b in its tooltip."""
    return vl.altair(optimum_spec(optimum, label, xs, ys, labels, fmt))


def optimum_spec(optimum: tuple[float, float], label: str, xs: dict, ys: dict, labels: Labels | None = None,
                 fmt: str | None = None) -> dict:
    """optimum_layer(...) as a plain Vega-Lite layer."""
    num = {"format": fmt} if fmt else {}
    return vl.layer(vl.Table({"w": [float(optimum[0])], "b": [float(optimum[1])], "label": [label]}),
                    mark("point", shape="diamond", size=160, filled=True, color="white", stroke="black",
                         strokeWidth=1.5),
                    {"x": vl.q("w", scale=xs), "y": vl.q("b", scale=ys),
                     "tooltip": [vl.tip("label", title=words(labels)("charts.tip.label")), vl.q("w", **num),
                                 vl.q("b", **num)]})


def landscape_layers(grid, w_values, b_values, paths, optimum, title, x_title, y_title, labels: Labels | None,
                     legend: dict | None = None, stroke: bool = False) -> tuple[list[alt.Chart], dict, dict]:
    """The layers of landscape() (heat map, paths, optimum) and its x and y scales."""
    layers, xs, ys = landscape_specs(grid, w_values, b_values, paths, optimum, title, x_title, y_title, labels,
                                     legend, stroke)
    return [vl.altair(x) for x in layers], xs, ys


def landscape_specs(grid, w_values, b_values, paths, optimum, title, x_title, y_title, labels: Labels | None,
                    legend: dict | None = None, stroke: bool = False) -> tuple[list[dict], dict, dict]:
    """landscape_layers(...) as plain Vega-Lite layers (gdcore.charts.vl)."""
    say = words(labels)
    xs, ys = window_scales(w_values, b_values)
    layers = [heat_spec(grid, w_values, b_values, title, x_title, y_title, legend=legend, stroke=stroke)]
    if paths is not None and len(paths):
        (wlo, whi), (blo, bhi) = xs["domain"], ys["domain"]
        p = vl.table(paths)
        w, b = (np.asarray(p.columns[k], dtype=np.float64) for k in ("w", "b"))
        p = p.where(_on_screen(p, w, b, (w >= wlo) & (w <= whi) & (b >= blo) & (b <= bhi), (whi - wlo, bhi - blo)))
        if min(whi - wlo, bhi - blo) >= 2000 * 10.0 ** -PATH_DECIMALS:  # a tooltip's last decimal: far below a pixel
            p.shown = {"w": PATH_DECIMALS, "b": PATH_DECIMALS}  # sent as the tooltip shows them (vl.Table)
        if "series" not in p.columns:
            p.columns["series"] = say("charts.landscape.path")
        layers.append(vl.layer(p, mark("line", point={"size": 12}, strokeWidth=2), {
            "x": vl.q("w", scale=xs), "y": vl.q("b", scale=ys), "order": vl.q("step"),
            "color": vl.n("series", title=None, scale={"range": PALETTE[1:]}, legend=dict(LEGEND_TOP)),
            "tooltip": [vl.tip("series", title=say("charts.tip.series")), vl.q("step"),
                        vl.q("w", format=f".{PATH_DECIMALS}f"), vl.q("b", format=f".{PATH_DECIMALS}f")]}))
    if optimum is not None:
        layers.append(optimum_spec(optimum, say("charts.landscape.optimum"), xs, ys, labels))
    return layers, xs, ys


def _on_screen(p: vl.Table, w: np.ndarray, b: np.ndarray, inside: np.ndarray, extent: tuple[float, float]
               ) -> np.ndarray:
    """The rows of paths p (w, b) a landscape of that extent draws: inside it, each path's steps that move
    by a cell (moved_indices), at most PATH_POINTS a path with its early steps (the zigzag) in full."""
    series = p.columns.get("series")
    names = np.zeros(len(w), dtype=np.int64) if series is None or isinstance(series, str) \
        else np.unique(np.asarray(p.values("series"), dtype=object), return_inverse=True)[1].reshape(-1)
    keep = np.zeros(len(w), dtype=bool)
    for g in np.unique(names):
        rows = np.flatnonzero(inside & (names == g))
        keep[rows[head_and_even(moved_indices(w[rows], b[rows], SCREEN_CELLS, extent), PATH_POINTS)]] = True
    return keep


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
    """A parameter path (w, b per step), at most max_points points: the first half of them in full, then
    every k-th step, k odd (downsample.head_and_even), and the last.

    series: the path's name in the legend; default 'path' in the language of labels.
    """
    return path_table(steps, w, b, series, max_points, labels).frame()


def path_table(steps, w, b, series: str | None = None, max_points: int = 600,
               labels: Labels | None = None) -> vl.Table:
    """path_frame(...) as a vl.Table, for the specs a page draws on every Step."""
    steps, w, b = (np.asarray(a, float).reshape(-1) for a in (steps, w, b))
    ok = np.isfinite(w) & np.isfinite(b)
    steps, w, b = steps[ok], w[ok], b[ok]
    # at most max_points: the early steps in full, then an odd stride (a landscape then leaves out what moves by
    # less than a pixel of its own window; the path's own span would hide a diverged run's first zigzags)
    keep = head_and_even(np.arange(len(w)), max_points)
    steps = steps[keep].astype(np.int64) if np.array_equal(steps, np.round(steps)) else steps[keep]
    return vl.Table({"step": steps, "w": w[keep], "b": b[keep],
                     "series": words(labels)("charts.landscape.path") if series is None else series})
