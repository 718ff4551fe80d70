"""Chart builders shared by the lessons: pure functions from plain records to Altair charts.

No streamlit here; tests inspect `chart.to_dict()`. Long series are downsampled (min/max per
bucket) to at most MAX_POINTS points per series before they become chart data.

Every builder runs on every rerun (a Step click rebuilds the page's charts), so they are written
to be cheap in Altair, with the same Vega-Lite output as the plain idioms:
- encodings are channel objects (`alt.X("w:Q")`, `alt.Tooltip(...)`, `alt.YValue(10)`): a
  shorthand string or a dict makes Altair look the channel class up among its ~570 schema classes
  on every call (`tp.from_dict`, several ms each);
- marks, scales, legends and axes are plain dicts (`mark("line", clip=True)`, `{"type": "log"}`):
  `alt.Scale(...)`, `alt.Legend(...)`, `mark_line(clip=True)` are each validated on creation;
- titles and sizes go into the constructors (`alt.Chart(..., height=...)`, `layered(..., width=...)`)
  instead of `.properties()`, which copies and validates;
- every chart is layered once (`alt.layer` deep-copies its layers, and so does every later
  `.properties()`, `+` or `.interactive()` on the result), through `layered` (a frame shared by
  all layers goes to the top without being hashed per layer) or `layer_zoomed` (the zoom added
  already lifted, instead of Altair validating it several times while lifting it); zoom is the
  shared ZOOM_X parameter.

The charts a page redraws on every Step go further: they are plain Vega-Lite specs (`*_spec`, see
gdcore.charts.vl; `loss_curve_spec` here), and their Altair builders wrap the same specs.

Words shown in a chart come from gdcore/locales/<lang>/charts.toml: every builder that draws text
takes `labels`, one language's templates by key (`Translator.labels` of gdcore.i18n; English when
omitted): the page picks the language, a builder only looks its words up.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import altair as alt
import numpy as np
import pandas as pd

from ..downsample import MAX_POINTS, minmax_indices, screen_mask
from ..i18n import labels as default_labels
from ..i18n import say as fill
from . import vl

WIDTH = "container"
PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]
LEGEND_TOP = {"orient": "top"}
DOTS_UP_TO = 60  # loss curves this short also get a dot per step, so even one step is visible
STEP_AXIS = {"format": "d", "tickMinStep": 1}  # steps are whole: no "1.000000" tick (copy it into a spec)
SOLID_DASHED = {"domain": [False, True], "range": [[1, 0], [6, 4]]}  # strokeDash scale for a boolean field
# A straight line's colour belongs to what the line is (its "series"), never to its label, which
# changes with the learner's language: the fitted line y_hat = w x + b, the line the data was made
# from, the least-squares line (red, like the loss* rule beside it).
LINE_COLORS = {"fit": "#f58518", "true": "#333333", "least_squares": "#e45756"}
# what .interactive(bind_y=False) adds (zoom and pan along x); built once, its name is a content hash
ZOOM_X = alt.selection_interval(bind="scales", encodings=["x"])
ZOOM_VIEW = "zoomed"  # the name of the layer a layered chart's zoom is bound to
# ZOOM_X as alt.layer lifts it out of a layer to the layered chart (built once: ~1.5 ms of validation)
_ZOOM_X_LIFTED = alt.TopLevelSelectionParameter(**ZOOM_X.param.to_dict(), views=[ZOOM_VIEW])
# the same two as plain Vega-Lite, for the specs of gdcore.charts.vl (copy before changing them)
ZOOM_PARAM = ZOOM_X.param.to_dict()
ZOOM_PARAM_LIFTED = _ZOOM_X_LIFTED.to_dict()


Labels = Mapping[str, str]  # one language's templates by key: gdcore.i18n.Translator.labels


def words(labels: Labels | None) -> Callable[..., str]:
    """How a builder says a word: `say(key, **values)` fills labels' template for key (English labels
    when there are none)."""
    return functools.partial(fill, default_labels() if labels is None else labels)


def mark(type_: str, **props) -> dict:
    """A mark definition as a plain dict (what `mark_<type_>(**props)` produces, without its validation)."""
    return {"type": type_, **props}


def tip(shorthand: str, title: str | None = None, **props) -> alt.Tooltip:
    """alt.Tooltip(shorthand, title=title, **props), without the title where it is the field's own name
    (what the tooltip shows anyway): English specs stay as they were, other languages get their word."""
    if title is None or title == shorthand.rsplit(":", 1)[0]:
        return alt.Tooltip(shorthand, **props)
    return alt.Tooltip(shorthand, title=title, **props)


def layered(*layers: alt.Chart, **props) -> alt.LayerChart:
    """alt.layer(*layers, **props) for layers built by the caller (mutated here).

    Layers that all draw the same frame get it once, at the top: what alt.layer arranges itself, but
    without first hashing the frame's printed text for each layer (~2 ms a layer).
    """
    data = layers[0].data if layers else alt.Undefined
    if data is not alt.Undefined and "data" not in props and all(c.data is data for c in layers[1:]):
        for c in layers:
            c.data = alt.Undefined
        props["data"] = data
    return alt.layer(*layers, **props)


def layer_zoomed(*layers: alt.Chart, **props) -> alt.LayerChart:
    """alt.layer(*layers, **props) with zoom and pan along x bound to the first layer.

    The spec Altair builds for `alt.layer(layers[0].add_params(ZOOM_X), *layers[1:])` (the parameter
    lifted to the top, naming the view it binds; here the view is named ZOOM_VIEW instead of by a
    content hash), without the validations of the parameter Altair runs while lifting it out of the
    layer and rebuilding it (~4 ms).
    """
    chart = layered(*layers, **props)
    chart.layer[0].name = ZOOM_VIEW  # the layer chart's own copy of the first layer
    chart.params = [_ZOOM_X_LIFTED.copy()]
    return chart


def loss_axis_title(log: bool, labels: Labels | None = None) -> str:
    """'loss (log)' or 'loss' in the language of labels."""
    return words(labels)("charts.loss_log") if log else "loss"


def loss_frame(losses, series: str | None = None, start_step: int = 1, max_points: int = MAX_POINTS,
               labels: Labels | None = None) -> pd.DataFrame:
    """Per-step losses as a long frame (step, loss, series), downsampled, finite values only.

    series: the curve's name (in tooltips and legends); default 'train' in the language of labels.
    """
    return loss_table(losses, series, start_step, max_points, labels).frame()


def loss_table(losses, series: str | None = None, start_step: int = 1, max_points: int = MAX_POINTS,
               labels: Labels | None = None) -> vl.Table:
    """loss_frame(...) as a vl.Table, for the specs a page draws on every Step (no pandas on the way)."""
    y = np.asarray(losses, dtype=np.float64)
    steps = np.arange(start_step, start_step + len(y))
    finite = np.isfinite(y)
    y, steps = y[finite], steps[finite]
    idx = minmax_indices(y, max_points)
    return vl.Table({"step": steps[idx], "loss": y[idx],
                     "series": words(labels)("charts.loss_frame.train") if series is None else series})


def loss_curve(frame: pd.DataFrame, x: str = "step", log: bool = True, title: str | None = None,
               height: int = 260, color: str = "series", labels: Labels | None = None,
               zoom: bool = True) -> alt.Chart:
    """Loss against steps (or epochs): one line per series, log-scale option, zoom and tooltips.

    title: default 'Loss' in the language of labels. zoom=False leaves the zoom out (for layer_zoomed).
    """
    say = words(labels)
    data = frame[frame["loss"] > 0] if log else frame.copy()
    scale = {"type": "log"} if log else {"zero": False}
    has_color = color in data.columns
    tooltip = [alt.Tooltip(f"{x}:Q"), alt.Tooltip("loss:Q", format=".6g")]
    enc = {"x": alt.X(f"{x}:Q", title=x), "y": alt.Y("loss:Q", scale=scale, title=loss_axis_title(log, labels))}
    if has_color:
        multi = data[color].nunique() > 1
        tooltip.append(tip(f"{color}:N", say("charts.tip.series") if color == "series" else None))
        names = list(dict.fromkeys(data[color]))  # colours by order of appearance, not by translated name
        enc["color"] = alt.Color(f"{color}:N", title=None, legend=LEGEND_TOP if multi else None,
                                 scale={"domain": names, "range": PALETTE[:max(1, len(names))]})
    enc["tooltip"] = tooltip
    chart = alt.Chart(data, title=say("charts.loss_curve.title") if title is None else title,
                      mark=mark("line", clip=True), height=height, width=WIDTH).encode(**enc)
    return chart.add_params(ZOOM_X) if zoom else chart


def loss_curve_spec(frame: pd.DataFrame | vl.Table, x: str = "step", log: bool = True, title: str | None = None,
                    height: int = 260, color: str = "series", labels: Labels | None = None, zoom: bool = True,
                    dots: bool = True) -> dict:
    """loss_curve(...) as a plain Vega-Lite spec (gdcore.charts.vl): the same chart, built without Altair.
    dots: a dot on every step while the curve has at most DOTS_UP_TO of them."""
    say, data = words(labels), vl.table(frame)
    if log:
        data = data.where(np.asarray(data.columns["loss"], dtype=np.float64) > 0)
    data = data.where(screen_mask(data.columns["loss"], data.columns.get(color)))  # what the chart has pixels for
    scale = {"type": "log"} if log else {"zero": False}
    tooltip = [vl.q(x), vl.q("loss", format=".6g")]
    enc = {"x": vl.q(x, title=x, **({"axis": dict(STEP_AXIS)} if x in ("step", "epoch") else {})),
           "y": vl.q("loss", scale=scale, title=loss_axis_title(log, labels))}
    if color in data.columns:
        names = list(dict.fromkeys(data.values(color)))  # colours by order of appearance
        tooltip.append(vl.tip(color, title=say("charts.tip.series") if color == "series" else None))
        enc["color"] = vl.n(color, title=None, legend=dict(LEGEND_TOP) if len(names) > 1 else None,
                            scale={"domain": names, "range": PALETTE[:max(1, len(names))]})
    enc["tooltip"] = tooltip
    short = dots and 0 < len(data) <= DOTS_UP_TO  # a dot per step while there are few: one step is visible
    spec = vl.layer(data, mark("line", clip=True, **({"point": True} if short else {})), enc, height=height,
                    width=WIDTH, title=say("charts.loss_curve.title") if title is None else title)
    if zoom:
        spec["params"] = [dict(ZOOM_PARAM)]
    return spec


# a straight line's tooltip: its name, and the w and b that make it (y = w x + b)
LINE_TIPS = [alt.Tooltip("line:N", title=""), alt.Tooltip("w:Q", format=".6g"), alt.Tooltip("b:Q", format=".6g")]


def line_rows(lines: list[dict], lo: float, hi: float, extra: bool = False) -> list[dict]:
    """The two end points (x = lo, hi) of each straight line y = w x + b."""
    rows = []
    for ln in lines:
        for xv in (lo, hi):
            row = {"x": xv, "y": ln["w"] * xv + ln["b"], "line": ln["label"], "dash": bool(ln.get("dash", False))}
            if extra:
                row.update(w=ln["w"], b=ln["b"])
            rows.append(row)
    return rows


def data_domain(values, lines: list[dict] | None = None, x_range: tuple[float, float] = (0.0, 1.0),
                pad: float = 0.25, reach: float = 3.0) -> list[float]:
    """The y axis of data with straight lines over it: [lo, hi] of the values plus `pad` of their span
    (at least 1 wide) on each side, widened to hold the lines (y = w x + b over x_range) while they
    stay within `reach` spans of the data.

    A line farther off (a diverging run at 1e18) does not stretch the axis: it is clipped at the edge
    and the points stay readable; a start line a little below the data is still in view."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if len(v) else (0.0, 1.0)
    span = max(hi - lo, 1e-9 * max(abs(lo), abs(hi)), 1.0)
    ends = [ln["w"] * x + ln["b"] for ln in lines or [] for x in x_range]
    ends = [e for e in ends if np.isfinite(e)]
    if ends and max(hi, *ends) - min(lo, *ends) <= (1.0 + reach) * span:
        lo, hi = min(lo, *ends), max(hi, *ends)
        span = max(hi - lo, span)
    return [lo - span * pad, hi + span * pad]


def line_scale(lines: list[dict]) -> dict:
    """The colour scale of straight lines: their labels in the order given, each with its series' colour
    (LINE_COLORS[line["series"]]; a line without a known series gets the palette colour of its position)."""
    return {"domain": [ln["label"] for ln in lines],
            "range": [LINE_COLORS.get(ln.get("series"), PALETTE[i % len(PALETTE)]) for i, ln in enumerate(lines)]}


def scatter_fit(x, y, lines: list[dict] | None = None, title: str | None = None,
                height: int = 300, x_title: str = "x", y_title: str = "y", max_points: int = MAX_POINTS,
                labels: Labels | None = None) -> alt.LayerChart:
    """Scatter of one-feature data with straight lines y = w x + b drawn over it, on the data's y axis
    (a line far off the data leaves the plot at its edge).

    lines: [{"label": "fit", "w": 2.0, "b": 6.0, "dash": False, "series": "fit"}, ...] (series: a key of
    LINE_COLORS); title: default 'Data and fitted line' in the language of labels.
    """
    say = words(labels)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if len(x) > max_points:
        keep = np.linspace(0, len(x) - 1, max_points).astype(int)
        x, y = x[keep], y[keep]
    pts = pd.DataFrame({"x": x, "y": y})
    lo, hi = (float(x.min()), float(x.max())) if len(x) else (0.0, 1.0)
    ys = {"domain": data_domain(y, lines, (lo, hi)), "zero": False, "nice": False}  # a diverged line: clipped
    base = alt.Chart(pts, title=say("charts.scatter_fit.title") if title is None else title,
                     mark=mark("point", shape="cross", size=30, opacity=0.6, color="#54a24b")).encode(
        x=alt.X("x:Q", title=x_title, scale={"zero": False}),
        y=alt.Y("y:Q", title=y_title, scale=ys),
        tooltip=[alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".4g")],
    )
    layers = [base]
    if lines:
        line_mark = mark("line", strokeWidth=2.5, clip=True)
        layers.append(alt.Chart(pd.DataFrame(line_rows(lines, lo, hi, extra=True)), mark=line_mark).encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q", scale=ys),
            color=alt.Color("line:N", title=None, scale=line_scale(lines), legend=LEGEND_TOP),
            strokeDash=alt.StrokeDash("dash:N", legend=None, scale=SOLID_DASHED),
            detail=alt.Detail("line:N"), tooltip=LINE_TIPS))
    return layered(*layers, height=height, width=WIDTH)


def series_frame(frame: pd.DataFrame, columns: list[str], value: str = "value", max_points: int = MAX_POINTS,
                 finite: bool = True) -> pd.DataFrame:
    """Columns of a step-indexed frame stacked long (step, value, series), each downsampled (finite values
    only unless finite=False)."""
    step = frame["step"].to_numpy()
    parts = []
    for col in columns:
        y = frame[col].to_numpy(dtype=float)
        idx = minmax_indices(y, max_points)
        if finite:
            idx = idx[np.isfinite(y[idx])]
        parts.append(pd.DataFrame({"step": step[idx], value: y[idx], "series": col}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["step", value, "series"])


def traces(frame: pd.DataFrame, columns: list[str], title: str | None = None, height: int = 220,
           max_points: int = MAX_POINTS, labels: Labels | None = None, autosize=None) -> alt.Chart:
    """Several columns of a step-indexed frame as lines (parameters, gradients, optimizer state).

    title: default 'Parameters' in the language of labels; autosize: e.g. optim.FIT_X.
    """
    say = words(labels)
    if title is None:
        title = say("charts.traces.title")
    data = series_frame(frame, columns, max_points=max_points)
    extra = {} if autosize is None else {"autosize": autosize}
    return (alt.Chart(data, title=title, mark=mark("line"), height=height, width=WIDTH, **extra).encode(
        x=alt.X("step:Q"), y=alt.Y("value:Q", scale={"zero": False}),
        color=alt.Color("series:N", title=None, legend=LEGEND_TOP),
        tooltip=[tip("series:N", say("charts.tip.series")), alt.Tooltip("step:Q"),
                 alt.Tooltip("value:Q", format=".6g")])
        .add_params(ZOOM_X))
