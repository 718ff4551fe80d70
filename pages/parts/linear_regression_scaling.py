"""Feature scaling on the linear-regression page: the switch and what it does to the loss surface.

The numbers are gdcore.scaling's (the Hessian's curvatures of the data as it is and standardised);
this module only lays them out and keeps them once per data set in the lesson.
"""
from __future__ import annotations

import math

import streamlit as st

from gdcore import scaling
from gdcore.lessons import linear_regression_features as features
from gdcore.session import Lesson
from pages.ui.state import tr


def toggle(key: str) -> None:
    """The switch (widget `w.<key>.scale`), for the data section."""
    T = tr()
    st.toggle(T("features.scale.toggle"), key=f"w.{key}.scale", persist_state="session",
              help=T("features.scale.toggle_help"))


def before_after(lesson_obj: Lesson, run) -> tuple[scaling.Conditioning, scaling.Conditioning]:
    """(as it is, standardised) conditioning of the run's data, computed once per data set."""
    cached = lesson_obj.extra.get("features.before_after")
    if cached is None or cached[0] is not run.data:
        cached = (run.data, scaling.before_after(run.data.X))
        lesson_obj.extra["features.before_after"] = cached
    return cached[1]


def _condition(T, c: scaling.Conditioning) -> str:
    return f"{c.condition:.4g}" if math.isfinite(c.condition) else T("features.scale.flat")


def effect(lesson_obj: Lesson, run) -> None:
    """Both rows, the data as it is and standardised: λmax, λmin, condition number, stability limit;
    then one sentence on the one this run trains on."""
    T = tr()
    raw, z = before_after(lesson_obj, run)
    rows = []
    this = T("features.scale.this_run")
    for name, c, used in ((T("features.scale.raw"), raw, run.scaler is None),
                          (T("features.scale.scaled"), z, run.scaler is not None)):
        rows.append({T("features.scale.data"): f"{name} {this}" if used else name,
                     T("features.scale.lam_max"): f"{c.lambda_max:.4g}",
                     T("features.scale.lam_min"): f"{c.lambda_min:.4g}",
                     T("features.scale.condition"): _condition(T, c),
                     T("features.scale.limit"): "—" if c.limit is None else f"{c.limit:.4g}"})
    st.markdown(f"**{T('features.scale.header')}**")
    st.dataframe(rows, hide_index=True, width="stretch")
    now = z if run.scaler is not None else raw
    st.caption(T("features.scale.now_scaled" if run.scaler is not None else "features.scale.now_raw",
                 condition=_condition(T, now), limit="—" if now.limit is None else f"{now.limit:.4g}"))


def raw_point(run, w: float, b: float) -> tuple[float, float]:
    """A one-feature (w, b) as trained, in the units of x as given (itself when the run does not scale)."""
    if run.scaler is None:
        return w, b
    w_raw, b_raw = run.scaler.to_raw([w], [b])
    return w_raw[0], b_raw


def window(run, window):
    """A landscape window for the run: squared when it trains on z-scores (drawn in a square plot)."""
    return window if run.scaler is None else features.square(window)


def z_note(run, w: float, b: float) -> None:
    """On a scaled run, above the step's numbers: they are the z-scores' w, b; here they are in x's units."""
    if run.scaler is not None:
        w_raw, b_raw = raw_point(run, w, b)
        st.caption(tr()("features.scale.in_z", w=f"{w_raw:.6g}", b=f"{b_raw:.6g}"))


def axes(run, *names: str) -> tuple[str, ...]:
    """Axis titles for a landscape: the parameters' names, marked as z units when the run scales."""
    return names if run.scaler is None else tuple(tr()("features.scale.z_units", name=n) for n in names)
