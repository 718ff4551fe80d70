"""Charts for the class board: how far the room is, and where its answers fall against the truth.

Labels come in as plain, already translated text; the data are plain records from gdcore.board.summary.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from .common import PALETTE

STATES = ("solved", "trying", "not_started")
# the container's width, and `height` pixels for the plot itself (title, legend and axes come on top)
FIT_X = {"type": "fit-x", "contains": "padding"}
STATE_COLORS = (PALETTE[2], PALETTE[1], "#d9d9d9")


def progress_chart(rows: list[dict], item_labels: dict[str, str], state_labels: dict[str, str],
                   title: str) -> alt.Chart:
    """One bar per exercise: learners who solved it, are trying, have not started."""
    frame = pd.DataFrame([{"exercise": item_labels.get(r["item"], r["item"]), "state": state_labels[s],
                           "order": i, "learners": r[s]} for r in rows for i, s in enumerate(STATES)])
    return alt.Chart(frame, title=title).mark_bar().encode(
        y=alt.Y("exercise:N", sort=[item_labels.get(r["item"], r["item"]) for r in rows], title=None,
                axis=alt.Axis(labelLimit=320, labelOverlap=False)),
        x=alt.X("learners:Q", title=None, axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("state:N", scale={"domain": [state_labels[s] for s in STATES], "range": list(STATE_COLORS)},
                        legend={"orient": "top", "title": None}),
        order="order:Q",
        tooltip=["exercise:N", "state:N", "learners:Q"],
    ).properties(height=26 * len(rows), autosize=FIT_X)


def answers_chart(values: list[float], right: list[bool], reference: float, title: str, axis: str,
                  reference_label: str, right_labels: tuple[str, str], log: bool = False) -> alt.LayerChart:
    """Each learner's latest answer as a tick on one axis, right or wrong, with the true value as a rule."""
    frame = pd.DataFrame({"value": values, "verdict": [right_labels[0] if ok else right_labels[1] for ok in right]})
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    ticks = alt.Chart(frame).mark_tick(thickness=3, size=28, opacity=0.8).encode(
        x=alt.X("value:Q", title=axis, scale=scale),
        color=alt.Color("verdict:N", scale={"domain": list(right_labels), "range": [PALETTE[2], PALETTE[3]]},
                        legend={"orient": "top", "title": None}),
        tooltip=[alt.Tooltip("value:Q", format=".4g"), "verdict:N"])
    rule = alt.Chart(pd.DataFrame({"value": [reference], "label": [reference_label]})).mark_rule(
        color="black", strokeDash=[4, 3]).encode(x="value:Q", tooltip=["label:N", alt.Tooltip("value:Q", format=".4g")])
    return alt.layer(ticks, rule, title=title).properties(height=50, autosize=FIT_X)
