"""Charts of a learning-rate sweep: final loss against lr, and a few runs' loss curves overlaid.

Pure Altair builders from plain frames (gdcore.lessons.lr_explorer.frame / curves); no streamlit.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from .common import LEGEND_TOP, PALETTE, WIDTH, Labels, layered, loss_curve, loss_frame, mark, tip, words

ZONE_COLORS = {"too small": "#4c78a8", "just right": "#54a24b", "too large": "#f58518", "diverged": "#e45756"}
ZONE_KEYS = {"too small": "too_small", "just right": "just_right", "too large": "too_large", "diverged": "diverged"}
CURVE_POINTS = 1200  # per overlaid curve: four curves stay under Altair's 5000-row default
LOSS_FLOOR = 1e-30  # a final loss of exactly 0 is drawn here on the log axis


def zone_names(labels: Labels | None = None) -> dict[str, str]:
    """Each zone of the frame (the keys of ZONE_COLORS) -> its name in the chart, in the language of labels."""
    say = words(labels)
    return {z: say(f"charts.sweep.zone.{key}") for z, key in ZONE_KEYS.items()}


def final_loss_chart(frame: pd.DataFrame, limit: float | None = None, band: tuple[float, float] | None = None,
                     best_lr: float | None = None, log_y: bool = True, limit_label: str = "2/λmax",
                     title: str | None = None, height: int = 340, labels: Labels | None = None) -> alt.LayerChart:
    """Final loss against lr (log x): points coloured by zone, diverged runs as red crosses at the top edge,
    the stability limit as a vertical rule and the Goldilocks band shaded.

    frame: columns lr, final_loss (NaN for diverged), zone, note, diverged_at (gdcore.lessons.lr_explorer.frame).
    band: (left edge, right edge) of the Goldilocks band in lr. title: default 'Final loss after training,
    one point per lr' in the language of labels, which also names the zones.
    """
    say = words(labels)
    data = frame.copy()
    for col in ("lr", "final_loss", "zone", "note"):
        if col not in data.columns:  # an empty frame
            data[col] = pd.Series(dtype=float if col in ("lr", "final_loss") else object)
    ok = data[np.isfinite(data["final_loss"].astype(float))].copy()
    ok["final_loss"] = ok["final_loss"].clip(lower=LOSS_FLOOR) if log_y else ok["final_loss"]
    names = zone_names(labels)
    if any(k != v for k, v in names.items()):
        ok["zone"] = ok["zone"].replace(names)
    div = data[data["zone"] == "diverged"].copy()
    lrs = data["lr"].astype(float)
    lo, hi = (float(lrs.min()), float(lrs.max())) if len(lrs) else (1e-3, 1.0)
    if limit is not None and lo / 10 <= limit <= hi * 10:
        lo, hi = min(lo, limit), max(hi, limit)
    pad = 1.35 if hi > lo else 3.0
    xs = {"type": "log", "domain": [lo / pad, hi * pad], "nice": False}
    x = alt.X("lr:Q", scale=xs, title=say("charts.sweep.lr_axis"), axis={"format": "~g"})
    y_title = say("charts.sweep.final_loss_log") if log_y else say("charts.sweep.final_loss")
    ys = {"type": "log"} if log_y else {"zero": True}
    y = alt.Y("final_loss:Q", scale=ys, title=y_title)
    # the legend names only the zones that have runs (no "too large" entry without a point)
    present = set(data["zone"])
    shown = [z for z in ZONE_COLORS if z in present]
    zone_scale = {"domain": [names[z] for z in shown], "range": [ZONE_COLORS[z] for z in shown]}
    result = say("charts.sweep.result")
    tooltip = [alt.Tooltip("lr:Q", format=".4g"),
               alt.Tooltip("final_loss:Q", format=".4g", title=say("charts.sweep.final_loss")),
               tip("zone:N", say("charts.tip.zone")), alt.Tooltip("note:N", title=result)]

    layers = []
    if band is not None and len(ok):
        b = pd.DataFrame({"lr": [float(band[0])], "lr2": [float(band[1])], "label": [say("charts.sweep.band_label")]})
        layers.append(alt.Chart(b, mark=mark("rect", color="#54a24b", opacity=0.14)).encode(
            x=alt.X("lr:Q", scale=xs), x2=alt.X2("lr2:Q"),
            tooltip=[alt.Tooltip("label:N", title=say("charts.sweep.band")),
                     alt.Tooltip("lr:Q", format=".3g", title=say("charts.sweep.from_lr")),
                     alt.Tooltip("lr2:Q", format=".3g", title=say("charts.sweep.to_lr"))]))
    if len(ok):
        layers.append(alt.Chart(ok, mark=mark("line", color="#999999", strokeWidth=1.2)).encode(
            x=x, y=y, order=alt.Order("lr:Q")))
        layers.append(alt.Chart(ok, mark=mark("point", filled=True, size=60, opacity=0.95)).encode(
            x=x, y=y, color=alt.Color("zone:N", scale=zone_scale, title=None, legend=LEGEND_TOP), tooltip=tooltip))
        if best_lr is not None:
            best = ok[np.isclose(ok["lr"].astype(float), best_lr, rtol=1e-12, atol=0)].head(1)
            if len(best):
                layers.append(alt.Chart(best.assign(label="best"), mark=mark(
                    "point", shape="diamond", size=260, filled=False, strokeWidth=2.5, color="#222222")).encode(
                    x=x, y=alt.Y("final_loss:Q", scale=ys), tooltip=tooltip))
    if len(div):
        layers.append(alt.Chart(div, mark=mark("point", shape="cross", size=150, filled=True,
                                               color=ZONE_COLORS["diverged"], opacity=1.0)).encode(
            x=x, y=alt.YValue(10), tooltip=[alt.Tooltip("lr:Q", format=".4g"), alt.Tooltip("note:N", title=result)]))
    if limit is not None and math.isfinite(limit):
        r = pd.DataFrame({"lr": [float(limit)], "label": [f"{limit_label} = {limit:.3g}"],
                          "what": [say("charts.sweep.limit_what")]})
        layers.append(alt.Chart(r, mark=mark("rule", color="#e45756", strokeDash=[6, 4], strokeWidth=2)).encode(
            x=alt.X("lr:Q", scale=xs),
            tooltip=[alt.Tooltip("label:N", title=say("charts.sweep.limit")), alt.Tooltip("what:N", title="")]))
        layers.append(alt.Chart(r, mark=mark("text", align="right", dx=-5, dy=12, y=0, color="#e45756",
                                             fontWeight="bold")).encode(
            x=alt.X("lr:Q", scale=xs), text=alt.Text("label:N")))
    if not layers:  # nothing at all (no runs): an empty frame with the axes
        layers.append(alt.Chart(pd.DataFrame({"lr": [lo], "final_loss": [1.0]}), mark=mark("point", opacity=0)).encode(
            x=x, y=y))
    return layered(*layers, title=say("charts.sweep.final_title") if title is None else title,
                     height=height, width=WIDTH)


def curves_chart(curves: Sequence[tuple[str, np.ndarray]], log: bool = True,
                 title: str | None = None, height: int = 300,
                 max_points: int = CURVE_POINTS, dashed: Sequence[str] = (), labels: Labels | None = None) -> alt.Chart:
    """Several runs' per-step losses overlaid, each downsampled to at most max_points points.

    Series named in `dashed` are drawn dashed (so a curve lying exactly on another stays visible).
    title: default 'Loss per step of the selected runs' in the language of labels.
    """
    say = words(labels)
    frames = [loss_frame(losses, series=label, max_points=max_points) for label, losses in curves]
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["step", "loss", "series"])
    chart = loss_curve(data, log=log, title=say("charts.sweep.curves_title") if title is None else title,
                       height=height, labels=labels)
    names = [label for label, _ in curves]
    if names:  # the legend in the given order, one fixed colour per run, and the dashes
        enc = {"color": alt.Color("series:N", title=None, sort=names,
                                  scale={"domain": names, "range": PALETTE[:len(names)]},
                                  legend={"orient": "top", "labelLimit": 320})}
        if dashed:
            enc["strokeDash"] = alt.StrokeDash("series:N", legend=None, scale={
                "domain": names, "range": [[6, 4] if lb in dashed else [1, 0] for lb in names]})
        chart = chart.encode(**enc)
    return chart
