"""Charts for 'Why squared loss': normal densities, the residual histogram, NLL against squared loss.

Pure functions from plain frames (built in gdcore.theory) to Altair charts; no streamlit here.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .common import PALETTE, WIDTH

NLL_COLOR, MSE_COLOR, RULE_COLOR = "#4c78a8", "#f58518", "#54a24b"


def pdf_chart(frame: pd.DataFrame, title: str = "Normal densities p(x)", height: int = 280) -> alt.Chart:
    """One density curve per (μ, σ): columns x, p, label."""
    order = list(dict.fromkeys(frame["label"])) if len(frame) else []
    return (alt.Chart(frame, title=title).mark_line(strokeWidth=2.5).encode(
        x=alt.X("x:Q", title="x"),
        y=alt.Y("p:Q", title="p(x)"),
        color=alt.Color("label:N", title=None, sort=order, scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("label:N", title="pair"), alt.Tooltip("x:Q", format=".3f"),
                 alt.Tooltip("p:Q", format=".4f")])
        .properties(height=height, width=WIDTH).interactive(bind_y=False))


def noise_histogram(hist: pd.DataFrame, curves: list[pd.DataFrame], title: str = "Residuals y − ŷ",
                    height: int = 280) -> alt.LayerChart:
    """Density histogram of the residuals (left, right, density, count) with Gaussian curves over it.

    curves: frames with x, p, label; the first is drawn solid, the rest dashed.
    """
    bars = alt.Chart(hist, title=title).mark_bar(color="#bbbbbb", opacity=0.8, stroke="white",
                                                 strokeWidth=0.5).encode(
        x=alt.X("left:Q", title="residual  y − (Xw* + b*)", bin="binned"), x2="right:Q",
        y=alt.Y("density:Q", title="density"),
        tooltip=[alt.Tooltip("left:Q", title="from", format=".4g"), alt.Tooltip("right:Q", title="to", format=".4g"),
                 alt.Tooltip("count:Q", title="samples"), alt.Tooltip("density:Q", format=".4g")])
    layers = [bars]
    if curves:
        data = pd.concat([c.assign(dashed=i > 0) for i, c in enumerate(curves)], ignore_index=True)
        order = list(dict.fromkeys(data["label"]))
        layers.append(alt.Chart(data).mark_line(strokeWidth=2.5).encode(
            x="x:Q", y="p:Q",
            color=alt.Color("label:N", title=None, sort=order, scale=alt.Scale(range=[NLL_COLOR, "#e45756"]),
                            legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("dashed:N", legend=None,
                                      scale=alt.Scale(domain=[False, True], range=[[1, 0], [6, 4]])),
            tooltip=[alt.Tooltip("label:N", title="curve"), alt.Tooltip("x:Q", format=".4g"),
                     alt.Tooltip("p:Q", format=".4g")]))
    return alt.layer(*layers).properties(height=height, width=WIDTH)


def likelihood_chart(frame: pd.DataFrame, w_ls: float, w_name: str = "w", nll_title: str = "negative log-likelihood",
                     mse_title: str = "squared loss (mean)", height: int = 300) -> alt.LayerChart:
    """NLL (left axis) and squared loss (right axis) over a grid of one weight, and the least-squares w*.

    frame: columns w, nll, mse. Both curves bottom out at the same w: the rule marks w*.
    """
    data = frame[np.isfinite(frame["nll"]) & np.isfinite(frame["mse"])]
    x = alt.X("w:Q", title=w_name, scale=alt.Scale(zero=False))
    tips = [alt.Tooltip("w:Q", title=w_name, format=".4f"), alt.Tooltip("nll:Q", title=nll_title, format=".6g"),
            alt.Tooltip("mse:Q", title=mse_title, format=".6g")]
    nll = alt.Chart(data).mark_line(strokeWidth=3, color=NLL_COLOR).encode(
        x=x, y=alt.Y("nll:Q", title=nll_title, scale=alt.Scale(zero=False),
                     axis=alt.Axis(titleColor=NLL_COLOR, orient="left")), tooltip=tips)
    mse = alt.Chart(data).mark_line(strokeWidth=2, strokeDash=[6, 4], color=MSE_COLOR).encode(
        x=x, y=alt.Y("mse:Q", title=mse_title, scale=alt.Scale(zero=False),
                     axis=alt.Axis(titleColor=MSE_COLOR, orient="right")), tooltip=tips)
    rule_df = pd.DataFrame({"w": [float(w_ls)], "label": [f"least-squares {w_name}* = {w_ls:.4f}"]})
    rule = alt.Chart(rule_df).mark_rule(color=RULE_COLOR, strokeWidth=2).encode(
        x="w:Q", tooltip=[alt.Tooltip("label:N", title="minimum")])
    text = alt.Chart(rule_df).mark_text(align="left", dx=5, dy=-5, color=RULE_COLOR, fontWeight="bold").encode(
        x="w:Q", y=alt.value(12), text="label:N")
    return (alt.layer(nll, mse, rule, text).resolve_scale(y="independent")
            .properties(height=height, width=WIDTH,
                        title=f"Both are smallest at the same {w_name}"))
