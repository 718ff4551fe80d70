"""The linear-regression lesson's numbers around the charts, drawn by pages/views/linear_regression.py:
what the last step did (or where a run starts), and how far the run is from the least-squares optimum."""
import streamlit as st

from gdcore import manual, printouts
from gdcore.lessons import linear_regression as lesson_math
from pages import ui
from pages.parts import linear_regression_scaling as feature_scaling


def what_happened(run) -> None:
    """Step 0: where w, b start and why; after a step: its three phases with the numbers they produced."""
    T = ui.tr()
    recs = run.records(last=2)
    p = run.params()
    if not recs:
        if manual.start_of(run.moves):
            st.info(T("cockpit.hands.step0", w=f"{p['w'][0]:.6g}", b=f"{p['b'][0]:.6g}"))
        elif run.loaded_start:
            st.info(T("linear_regression.train.step0_loaded", w=f"{p['w'][0]:.6g}", b=f"{p['b'][0]:.6g}"))
        else:
            st.info(T("linear_regression.train.step0", w=f"{p['w'][0]:.6g}", b=f"{p['b'][0]:.6g}",
                      init="torch.rand(1)" if run.config.init == "rand" else "torch.randn(1)"))
        return
    feature_scaling.z_note(run, p["w"][0], p["b"][0])  # with scaling on: these w, b are the z-scores' weights
    ex = lesson_math.explain_last_step(manual.records_before(recs, run.moves), float(run.w0.reshape(-1)[0]),
                                       float(run.b0.reshape(-1)[0]), run.config.lr)
    st.markdown(T("linear_regression.train.what_happened", step=ex.step, where=printouts.where(run.config.preset,
                                                                                               recs[-1])))
    st.code(T(ex.text()), language="text", wrap_lines=True)


def distances(run, recs, rw: float, rb: float, ropt) -> None:
    """w*, b*, loss* and the run's distance to them, each with its change in the last step (x's own units)."""
    T = ui.tr()
    dist = lesson_math.distance_to_optimum(run.data.X, run.data.y, rw, rb, ropt)
    prev = None
    if len(recs) >= 2 and recs[-2]["step"] == recs[-1]["step"] - 1:
        prev = lesson_math.distance_to_optimum(run.data.X, run.data.y,
                                               *feature_scaling.raw_point(run, recs[-2]["w"], recs[-2]["b"]), ropt)

    def delta(now, before):
        return None if before is None else f"{now - before:+.2g}"

    st.markdown(T("linear_regression.train.optimum"))
    q1, q2, q3 = st.columns(3)
    q1.metric("w*", f"{ropt.w[0]:.5g}", help=T("linear_regression.train.w_star_help"))
    q2.metric("b*", f"{ropt.b:.5g}", help=T("linear_regression.train.b_star_help"))
    q3.metric("loss*", f"{ropt.mse:.3g}", help=T("linear_regression.train.loss_star_help"))
    q1.metric("|w − w*|", f"{dist.dw:.3g}", delta(dist.dw, prev and prev.dw), delta_color="inverse")
    q2.metric("|b − b*|", f"{dist.db:.3g}", delta(dist.db, prev and prev.db), delta_color="inverse")
    q3.metric("loss − loss*", f"{dist.dloss:.3g}", delta(dist.dloss, prev and prev.dloss), delta_color="inverse",
              help=T("linear_regression.train.dloss_help"))
    st.caption(T("linear_regression.train.delta_caption"))
