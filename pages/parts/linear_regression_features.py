"""The linear-regression page with several features (an upload): the loss curve, the weights against
least squares, and the loss over two parameters the learner picks. The numbers are
gdcore/lessons/linear_regression_features.py's; the charts are the one-feature page's own builders.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from gdcore import charts, reference
from gdcore.charts import linear_regression as lr_charts
from gdcore.lessons import linear_regression as lesson_math
from gdcore.lessons import linear_regression_features as fs
from pages.parts.linear_regression_scaling import axes
from pages.ui.files import chart
from pages.ui.state import lesson, tr


def _optimum(lesson_obj, run) -> reference.Optimum:
    """lstsq on the raw data, solved once per data set (up to 100,000 rows by 65 columns)."""
    cached = lesson_obj.extra.get("features.optimum")
    if cached is None or cached[0] is not run.data:
        cached = (run.data, reference.least_squares(run.data.X, run.data.y))
        lesson_obj.extra["features.optimum"] = cached
    return cached[1]


def draw(run, key: str) -> None:
    """The whole view for a run on d > 1 features (the page's draw for such data)."""
    T = tr()
    lesson_obj = lesson(key)
    d = run.data.n_features
    names = fs.labels(run.data.feature_names)
    scaled = run.scaler is not None
    c = fs.compare(run, _optimum(lesson_obj, run))
    if run.step_count == 0:
        st.info(T("features.view.start"))
    st.markdown(f"**{T('features.view.header', d=d)}**")
    g1, g2 = st.columns(2)
    with g1:
        log = st.toggle(T("linear_regression.train.log"), key=f"w.{key}.log", persist_state="session",
                        help=T("linear_regression.train.log_help"))
        losses = run.losses()
        if not len(losses):
            st.info(T("ui.loss_placeholder"), icon=":material/show_chart:")
        else:
            frame = charts.loss_frame(losses, labels=T.labels)
            chart(lr_charts.loss_curve_with_optimum(frame, c.optimum.mse, log=log,
                                                    title=T("linear_regression.train.loss_title"),
                                                    label=T("linear_regression.train.rule_label"), labels=T.labels),
                  "loss")
    with g2:
        frame = fs.table(c, names, scaled)
        number = st.column_config.NumberColumn(format="%.6g")
        st.dataframe(frame.rename(columns={k: T(f"features.view.{k}") for k in frame.columns}), hide_index=True,
                     width="stretch", column_config={T(f"features.view.{k}"): number
                                                     for k in ("now", "least_squares", "gap", "trained")})
        m1, m2 = st.columns(2)
        m1.metric(T("features.view.excess"), f"{c.excess:.3g}", help=T("features.view.excess_help"))
        m2.metric(T("features.view.worst"), f"{c.gap.max():.3g}", help=T("features.view.worst_help"))
        st.caption(T("features.view.table_caption", scaled=T("features.view.table_scaled") if scaled else ""))
    _landscape(run, key, names, d, scaled)


def _landscape(run, key: str, names: list[str], d: int, scaled: bool) -> None:
    """The loss over the two chosen parameters (the run's own, in z units when it scales)."""
    T = tr()
    W = f"w.{key}."
    options = list(range(d + 1))
    st.session_state.setdefault(W + "pair_a", 0)
    st.session_state.setdefault(W + "pair_b", d)
    for k in ("pair_a", "pair_b"):  # another upload may have fewer parameters
        if st.session_state.get(W + k) not in options:
            st.session_state[W + k] = 0 if k == "pair_a" else d
    p1, p2 = st.columns(2)
    i = p1.selectbox(T("features.view.pair_a"), options, format_func=names.__getitem__, key=W + "pair_a",
                     help=T("features.view.pair_help"))
    j = p2.selectbox(T("features.view.pair_b"), options, format_func=names.__getitem__, key=W + "pair_b",
                     help=T("features.view.pair_help"))
    if i == j:
        st.info(T("features.view.same_pair"))
        return
    now = fs.theta(run.params())
    bowl = fs.slice_bowl(run.train_data.X, run.train_data.y, now, i, j, run.config.loss)
    start = np.r_[run.w0.reshape(-1).numpy(), run.b0.reshape(-1).numpy()]
    steps, pa, pb = fs.slice_path(run.records(), start, d, i, j)
    window = lesson_math.landscape_window(fs.slice_optimum(bowl), (start[i], start[j]), pa, pb)
    window = fs.square(window) if scaled else window  # z units on both axes: drawn with equal units
    av, bv = lesson_math.grid_axes(window)
    path = charts.path_frame(steps, pa, pb, series=T("features.view.path"), labels=T.labels)
    a, b = names[i], names[j]
    chart(lr_charts.landscape_with_current(bowl, av, bv, path, (bowl.w_star, bowl.b_star), (now[i], now[j]),
                                           height=360, title=T("features.view.landscape_title", a=a, b=b),
                                           labels=T.labels, axes=axes(run, a, b), square=scaled), "landscape",
          width="content" if scaled else "stretch")
    st.caption(T("features.view.landscape_caption", a=a, b=b,
                 colours=T(f"charts.landscape.low_{charts.low_loss_colour()}"),
                 scaled=T("features.view.landscape_scaled") if scaled else ""))
