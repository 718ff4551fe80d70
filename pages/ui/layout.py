"""Where a lesson page's pieces sit (pages reach it as pages.ui.layout): the settings one click away
above the run, with a label that says what they are now; the run's controls and charts on one
screen; the longer reading, the printout, the code and the downloads folded away below.

Only placement lives here: what each piece shows is drawn by the page and the modules it calls.
"""
from __future__ import annotations

import streamlit as st

from pages.ui.state import tr

CHART_H = 260  # the height of the charts that share one row (data, loss curve, landscape) at 1280 px
LANDSCAPE_H = 300  # the landscape has no toggle above it: taller, and in the widest column
ROW = [1.3, 0.9, 1.3]  # data and line, loss curve, landscape


def summary(*parts: str | None) -> str:
    """The current settings in a few words, for the settings expander's label."""
    return " · ".join(p for p in parts if p)


def settings(page: str, *parts: str | None, expanded: bool = False):
    """The page's data and learning-rate settings, folded into one expander that names them. Its key
    keeps it open while its label changes with the settings the learner is changing. expanded: open
    on the page's first draw (a link that asks for an upload: the uploader must be in sight)."""
    return st.expander(tr()("layout.settings", summary=summary(*parts)), icon=":material/tune:",
                       key=f"layout.{page}.settings", expanded=expanded)


def lr_text(lr: float) -> str:
    return tr()("layout.lr", lr=f"{lr:g}")


def folded(key: str, page: str, name: str, draw, icon: str | None = None, **values) -> None:
    """An expander for reading that is not needed to run the lesson (a printout, an optimizer's state),
    whose content `draw()` runs only while it is open: a folded printout costs a Step nothing, and a
    room of learners clicks Step with it folded. Opening it reruns the run's fragment, which draws it."""
    box = st.expander(tr()(key, **values), icon=icon, key=f"layout.{page}.{name}", on_change="rerun")
    if box.open:
        with box:
            draw()


def below(*keys: str):
    """Tabs under the working area, one per key (a locale key for its label)."""
    return st.tabs([tr()(k) for k in keys])


def narrow(spec: dict, legend_columns: int) -> dict:
    """A chart (a plain Vega-Lite spec) for a narrow column: its legends wrap into `legend_columns`
    columns (one row of entries would run past the chart's edge and be cut)."""
    config = dict(spec.get("config") or {})
    config["legend"] = {**config.get("legend", {}), "columns": legend_columns}
    return {**spec, "config": config}


def two_lines(title: str) -> list[str]:
    """A long chart title as two lines, broken after its first comma (',' or '，'): a narrow chart
    cuts a title that does not fit on one line."""
    for mark in (", ", "，"):
        head, sep, tail = title.partition(mark)
        if sep and tail:
            return [head + sep.strip(), tail]
    return [title]
