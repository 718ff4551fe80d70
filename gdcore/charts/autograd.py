"""Chart for 'Autograd basics': x.grad after every backward / zero, next to what it should be."""
from __future__ import annotations

import altair as alt
import pandas as pd

from .common import WIDTH

ACTIONS = ["out.backward()", "x.grad.zero_()"]


def grad_history_chart(events: list[dict], height: int = 220) -> alt.LayerChart:
    """x.grad[0, 0] after each action (bars, labelled) and the analytic value × backward count (ticks).

    events: records with n, action, x_grad, expected (AutogradDemo.events).
    """
    data = pd.DataFrame(events, columns=["n", "action", "x_grad", "expected"])
    values = [0.0] + [float(v) for v in data["x_grad"]] + [float(v) for v in data["expected"]]
    lo, hi = min(values) * 1.2, max(values) * 1.2  # headroom for the labels
    if hi <= lo:
        hi = lo + 1.0
    tips = [alt.Tooltip("n:O", title="action #"), alt.Tooltip("action:N"),
            alt.Tooltip("x_grad:Q", title="x.grad[0, 0]", format=".6g"),
            alt.Tooltip("expected:Q", title="analytic × backward count", format=".6g")]
    x = alt.X("n:O", title="action #", axis=alt.Axis(labelAngle=0))
    y = alt.Y("x_grad:Q", title="x.grad[0, 0]", scale=alt.Scale(domain=[lo, hi]))
    bars = alt.Chart(data, title="x.grad[0, 0] after each click").mark_bar(size=36).encode(
        x=x, y=y, tooltip=tips,
        color=alt.Color("action:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=ACTIONS, range=["#4c78a8", "#e45756"])))
    ticks = alt.Chart(data).mark_tick(color="black", thickness=2, size=44).encode(
        x=x, y=alt.Y("expected:Q", scale=alt.Scale(domain=[lo, hi])), tooltip=tips)
    labels = alt.Chart(data).mark_text(dy=-9, fontSize=12, color="#333333").encode(
        x=x, y=y, text=alt.Text("x_grad:Q", format="~g"))
    return alt.layer(bars, ticks, labels).properties(height=height, width=WIDTH)
