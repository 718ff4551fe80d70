"""Charts for 'Why squared loss': normal densities, the residual histogram, NLL against squared loss.

Pure functions from plain frames (built in gdcore.lessons.why_squared_loss) to Altair charts; no streamlit here.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .common import PALETTE, SOLID_DASHED, WIDTH, ZOOM_X, Labels, layered, mark, tip, words

NLL_COLOR, MSE_COLOR, RULE_COLOR = "#4c78a8", "#f58518", "#54a24b"
# A chart's height in the app is the whole chart: title, legend and axes come out of it. These
# leave the plot itself about 200 px at any width (measured in the browser test).
PDF_HEIGHT = 400  # density chart with one legend row
HIST_HEIGHT = 380  # residual histogram with one legend row (the data chart beside it matches it)
LEGEND_ROW = 20  # px each further legend row takes
LEGEND_ROOM = 280  # px a legend may span: a phone's 358 px chart less its y axis


def legend_top(labels) -> tuple[dict, int]:
    """A legend above the plot that wraps into as many rows as its labels need to fit the narrowest
    chart, never running off its right edge; and the number of rows."""
    labels = [str(v) for v in labels]
    widest = max((len(v) for v in labels), default=0)
    entry = 30 + 7 * widest  # symbol, gaps and about 7 px a character at the legend's font size
    columns = max(1, min(len(labels), LEGEND_ROOM // entry))
    rows = -(-len(labels) // columns) if labels else 1
    return {"orient": "top", "columns": columns, "labelLimit": LEGEND_ROOM - 30}, rows


def pdf_chart(frame: pd.DataFrame, title: str | None = None, height: int | None = None,
              labels: Labels | None = None) -> alt.Chart:
    """One density curve per (μ, σ): columns x, p, label. title: default 'Normal densities p(x)' in the
    language of T. height: default tall enough for the plot whatever the legend's rows."""
    say = words(labels)
    order = list(dict.fromkeys(frame["label"])) if len(frame) else []
    legend, rows = legend_top(order)
    height = PDF_HEIGHT + LEGEND_ROW * (rows - 1) if height is None else height
    return (alt.Chart(frame, title=say("charts.theory.pdf_title") if title is None else title,
                      mark=mark("line", strokeWidth=2.5), height=height, width=WIDTH).encode(
        x=alt.X("x:Q", title="x"),
        y=alt.Y("p:Q", title="p(x)"),
        color=alt.Color("label:N", title=None, sort=order, scale={"range": PALETTE}, legend=legend),
        tooltip=[alt.Tooltip("label:N", title=say("charts.theory.pair")), alt.Tooltip("x:Q", format=".3f"),
                 alt.Tooltip("p:Q", format=".4f")])
        .add_params(ZOOM_X))


def noise_histogram(hist: pd.DataFrame, curves: list[pd.DataFrame], title: str | None = None,
                    height: int | None = None, labels: Labels | None = None) -> alt.LayerChart:
    """Density histogram of the residuals (left, right, density, count) with Gaussian curves over it.

    curves: frames with x, p, label; the first is drawn solid, the rest dashed. title: default
    'Residuals y − ŷ' in the language of labels.
    """
    say = words(labels)
    bars = alt.Chart(hist, title=say("charts.theory.residuals_title") if title is None else title,
                     mark=mark("bar", color="#bbbbbb", opacity=0.8, stroke="white", strokeWidth=0.5)).encode(
        x=alt.X("left:Q", title=say("charts.theory.residual_axis"), bin="binned"), x2=alt.X2("right:Q"),
        y=alt.Y("density:Q", title=say("charts.theory.density")),
        tooltip=[alt.Tooltip("left:Q", title=say("charts.theory.from"), format=".4g"),
                 alt.Tooltip("right:Q", title=say("charts.theory.to"), format=".4g"),
                 alt.Tooltip("count:Q", title=say("charts.theory.samples")),
                 tip("density:Q", say("charts.theory.density"), format=".4g")])
    layers = [bars]
    rows = 1
    if curves:
        data = pd.concat([c.assign(dashed=i > 0) for i, c in enumerate(curves)], ignore_index=True)
        order = list(dict.fromkeys(data["label"]))
        legend, rows = legend_top(order)
        layers.append(alt.Chart(data, mark=mark("line", strokeWidth=2.5)).encode(
            x=alt.X("x:Q"), y=alt.Y("p:Q"),
            color=alt.Color("label:N", title=None, sort=order, scale={"range": [NLL_COLOR, "#e45756"]},
                            legend=legend),
            strokeDash=alt.StrokeDash("dashed:N", legend=None, scale=SOLID_DASHED),
            tooltip=[alt.Tooltip("label:N", title=say("charts.theory.curve")), alt.Tooltip("x:Q", format=".4g"),
                     alt.Tooltip("p:Q", format=".4g")]))
    height = hist_height(rows) if height is None else height
    return layered(*layers, height=height, width=WIDTH)


def hist_height(legend_rows: int = 1) -> int:
    """The residual histogram's height for a legend of that many rows (its neighbour uses the same)."""
    return HIST_HEIGHT + LEGEND_ROW * (legend_rows - 1)


def likelihood_chart(frame: pd.DataFrame, w_ls: float, w_name: str = "w", nll_title: str | None = None,
                     mse_title: str | None = None, height: int = 300, labels: Labels | None = None) -> alt.LayerChart:
    """NLL (left axis) and squared loss (right axis) over a grid of one weight, and the least-squares w*.

    frame: columns w, nll, mse. Both curves bottom out at the same w: the rule marks w*. nll_title,
    mse_title: default 'negative log-likelihood' and 'squared loss (mean)' in the language of labels.
    """
    say = words(labels)
    nll_title = say("charts.theory.nll") if nll_title is None else nll_title
    mse_title = say("charts.theory.mse") if mse_title is None else mse_title
    data = frame[np.isfinite(frame["nll"]) & np.isfinite(frame["mse"])]
    x = alt.X("w:Q", title=w_name, scale={"zero": False})
    tips = [alt.Tooltip("w:Q", title=w_name, format=".4f"), alt.Tooltip("nll:Q", title=nll_title, format=".6g"),
            alt.Tooltip("mse:Q", title=mse_title, format=".6g")]
    nll = alt.Chart(data, mark=mark("line", strokeWidth=3, color=NLL_COLOR)).encode(
        x=x, y=alt.Y("nll:Q", title=nll_title, scale={"zero": False}, axis={"titleColor": NLL_COLOR, "orient": "left"}),
        tooltip=tips)
    mse = alt.Chart(data, mark=mark("line", strokeWidth=2, strokeDash=[6, 4], color=MSE_COLOR)).encode(
        x=x,
        y=alt.Y("mse:Q", title=mse_title, scale={"zero": False}, axis={"titleColor": MSE_COLOR, "orient": "right"}),
        tooltip=tips)
    rule_df = pd.DataFrame({"w": [float(w_ls)], "label": [say("charts.theory.ls_label", w=w_name, value=float(w_ls))]})
    rule = alt.Chart(rule_df, mark=mark("rule", color=RULE_COLOR, strokeWidth=2)).encode(
        x=alt.X("w:Q"), tooltip=[alt.Tooltip("label:N", title=say("charts.theory.minimum"))])
    text = alt.Chart(rule_df, mark=mark("text", align="left", dx=5, dy=-5, color=RULE_COLOR, fontWeight="bold")).encode(
        x=alt.X("w:Q"), y=alt.YValue(12), text=alt.Text("label:N"))
    return layered(nll, mse, rule, text, resolve={"scale": {"y": "independent"}}, height=height, width=WIDTH,
                     title=say("charts.theory.likelihood_title", w=w_name))
