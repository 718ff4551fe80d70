"""Chart for 'Autograd basics': x.grad after every backward / zero, next to what it should be."""
from __future__ import annotations

import altair as alt
import pandas as pd

from .common import WIDTH, Labels, layered, mark, tip, words

ACTIONS = ["out.backward()", "x.grad.zero_()"]


def grad_history_chart(events: list[dict], height: int = 220, labels: Labels | None = None) -> alt.LayerChart:
    """x.grad[0, 0] after each action (bars, labelled) and the analytic value × backward count (ticks).

    events: records with n, action, x_grad, expected (AutogradDemo.events).
    """
    say = words(labels)
    data = pd.DataFrame(events, columns=["n", "action", "x_grad", "expected"])
    values = [0.0] + [float(v) for v in data["x_grad"]] + [float(v) for v in data["expected"]]
    lo, hi = min(values) * 1.2, max(values) * 1.2  # headroom for the labels
    if hi <= lo:
        hi = lo + 1.0
    n_title = say("charts.autograd.action_n")
    tips = [alt.Tooltip("n:O", title=n_title), tip("action:N", say("charts.tip.action")),
            alt.Tooltip("x_grad:Q", title="x.grad[0, 0]", format=".6g"),
            alt.Tooltip("expected:Q", title=say("charts.autograd.expected"), format=".6g")]
    x = alt.X("n:O", title=n_title, axis={"labelAngle": 0})
    scale = {"domain": [lo, hi]}
    y = alt.Y("x_grad:Q", title="x.grad[0, 0]", scale=scale)
    bars = alt.Chart(data, title=say("charts.autograd.title"), mark=mark("bar", size=36)).encode(
        x=x, y=y, tooltip=tips,
        color=alt.Color("action:N", title=None, legend={"orient": "top"},
                        scale={"domain": ACTIONS, "range": ["#4c78a8", "#e45756"]}))
    ticks = alt.Chart(data, mark=mark("tick", color="black", thickness=2, size=44)).encode(
        x=x, y=alt.Y("expected:Q", scale=scale), tooltip=tips)
    values = alt.Chart(data, mark=mark("text", dy=-9, fontSize=12, color="#333333")).encode(
        x=x, y=y, text=alt.Text("x_grad:Q", format="~g"))
    return layered(bars, ticks, values, height=height, width=WIDTH)
