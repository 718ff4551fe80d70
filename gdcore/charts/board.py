"""Charts for the class board: how far the room is, and where its answers fall against the truth.

The board redraws every 2 s while a room of learners shares the server, so these are plain Vega-Lite
specs (dicts, drawn with st.vega_lite_chart) rather than Altair objects: building and validating an
Altair chart costs tens of milliseconds of the interpreter every learner shares; a dict costs nothing.
Labels come in as plain, already translated text; the data are plain records from gdcore.board.summary.
"""
from __future__ import annotations

from .common import PALETTE

STATES = ("solved", "trying", "not_started")
STATE_COLORS = (PALETTE[2], PALETTE[1], "#d9d9d9")
# the container's width, and `height` pixels for the plot itself (title, legend and axes come on top)
FIT_X = {"type": "fit-x", "contains": "padding"}
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def progress_chart(rows: list[dict], item_labels: dict[str, str], state_labels: dict[str, str], title: str) -> dict:
    """One bar per exercise: learners who solved it, are trying, have not started."""
    names = [item_labels.get(r["item"], r["item"]) for r in rows]
    values = [{"exercise": name, "state": state_labels[s], "order": i, "learners": r[s]}
              for name, r in zip(names, rows) for i, s in enumerate(STATES)]
    return {
        "$schema": SCHEMA, "title": title, "data": {"values": values}, "mark": {"type": "bar"},
        "height": 26 * len(rows), "autosize": FIT_X,
        "encoding": {
            "y": {"field": "exercise", "type": "nominal", "sort": names, "title": None,
                  "axis": {"labelLimit": 320, "labelOverlap": False}},
            "x": {"field": "learners", "type": "quantitative", "title": None, "axis": {"tickMinStep": 1}},
            "color": {"field": "state", "type": "nominal", "legend": {"orient": "top", "title": None},
                      "scale": {"domain": [state_labels[s] for s in STATES], "range": list(STATE_COLORS)}},
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [{"field": "exercise", "type": "nominal"}, {"field": "state", "type": "nominal"},
                        {"field": "learners", "type": "quantitative"}],
        },
    }


def answers_chart(values: list[float], right: list[bool], reference: float, title: str, axis: str,
                  reference_label: str, right_labels: tuple[str, str], log: bool = False) -> dict:
    """Each learner's latest answer as a tick on one axis, right or wrong, with the true value as a rule."""
    points = [{"value": v, "verdict": right_labels[0] if ok else right_labels[1]} for v, ok in zip(values, right)]
    scale = {"type": "log"} if log else {"zero": False}
    return {
        "$schema": SCHEMA, "title": title, "height": 50, "autosize": FIT_X,
        "layer": [
            {"data": {"values": points}, "mark": {"type": "tick", "thickness": 3, "size": 28, "opacity": 0.8},
             "encoding": {
                 "x": {"field": "value", "type": "quantitative", "title": axis, "scale": scale},
                 "color": {"field": "verdict", "type": "nominal", "legend": {"orient": "top", "title": None},
                           "scale": {"domain": list(right_labels), "range": [PALETTE[2], PALETTE[3]]}},
                 "tooltip": [{"field": "value", "type": "quantitative", "format": ".4g"},
                             {"field": "verdict", "type": "nominal"}]}},
            {"data": {"values": [{"value": reference, "label": reference_label}]},
             "mark": {"type": "rule", "color": "black", "strokeDash": [4, 3]},
             "encoding": {"x": {"field": "value", "type": "quantitative"},
                          "tooltip": [{"field": "label", "type": "nominal"},
                                      {"field": "value", "type": "quantitative", "format": ".4g"}]}},
        ],
    }
