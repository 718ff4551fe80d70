"""The logistic-regression page's slow step and the gradient's pull on the boundary.

    control(lesson, run, key)                    # "Step slowly": sample, forward, loss, backward, update, zero_grad
    chart(lesson, run, box, spec, "boundary")    # the boundary chart with the next step's pull, and its caption

The phases come from gdcore.slowmo_logistic, played by pages.ui.slowmo's player; the pull from
gdcore.lessons.logistic_pull, drawn by gdcore.charts.logistic_pull.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from gdcore import slowmo_logistic
from gdcore.charts import logistic_pull as pull_charts
from gdcore.charts import logistic_regression as lcharts
from gdcore.lessons import logistic_pull
from gdcore.lessons import logistic_regression as lesson_logreg
from pages import ui
from pages.ui import slowmo


def _f(v: float) -> str:
    return f"{v:.6g}"


def _slow(run, p, recipe) -> dict:
    data = run.train_data
    batch = None if run.last_batch is None else list(run.last_batch)
    slow = slowmo_logistic.slow_step(run.config, data.X, data.y, p["w"], p["b"][0], batch, run.step_count)
    return {"slow": slow, "batch": batch, "box": lesson_logreg.data_box(run.data.X.numpy()), "X": data.X}


def _says(ph, state) -> tuple[str, dict]:
    v, key = ph.values, f"logistic_slow.says.{ph.name}"
    n = state["slow"].phase("sample").values["n"]
    many = "_all" if state["batch"] is None else ("_one" if n == 1 else "_batch")
    if ph.name == "sample":
        first = ", ".join(f"#{i}" for i in v["i"]) + (", ..." if v["n"] > len(v["i"]) else "")
        return key + many, {"i": v["i"][0], "x1": _f(v["x"][0]), "x2": _f(v["x"][1]), "y": f"{v['y']:g}",
                            "n": v["n"], "first": first}
    if ph.name == "forward":
        y = state["slow"].phase("sample").values["y"]
        if n == 1:
            return key + "_one", {"z": _f(v["z"][0]), "y_hat": _f(v["y_hat"][0]), "y": f"{y:g}"}
        return key + "_batch", {"n": n, "z": _f(v["z"][0]), "y_hat": _f(v["y_hat"][0])}
    if ph.name == "loss":
        top = ", ".join(f"#{i} (y = {y:g}, ŷ = {p:.4f}: {share:.0%})" for i, _, _, y, p, share in v["top"])
        return key + ("_one" if n == 1 else "_batch"), {"loss": _f(v["loss"]), "top": top}
    if ph.name == "backward":
        return key, {"gw1": _f(v["w.grad"][0]), "gw2": _f(v["w.grad"][1]), "gb": _f(v["b.grad"])}
    if ph.name == "update":
        pull = logistic_pull.pull_of(state["slow"], state["X"], state["batch"], state["box"])
        shift = f"{pull.distance:.3g}" if pull is not None else "—"
        return key, {"shift": shift, "lr": f"{v['lr']:g}", "w1_old": _f(v["w_old"][0]), "w2_old": _f(v["w_old"][1]),
                     "b_old": _f(v["b_old"]), "w1": _f(v["w"][0]), "w2": _f(v["w"][1]), "b": _f(v["b"])}
    return key, {}


def _points(state, run, labels):
    if "points" not in state:  # built once per slow step
        state["points"] = lcharts.points_table(lesson_logreg.points_frame(run), labels)
    return state["points"]


def _picture(state, name: str, run, labels) -> dict:
    """The sample(s) ringed on the data; z and ŷ on the sigmoid (forward, loss); the gradient's pull on
    the boundary (backward: its direction), and the boundary after the update (update, zero_grad)."""
    slow, box, batch = state["slow"], state["box"], state["batch"]
    fwd = slow.phase("forward").values
    title = labels.get(f"logistic_slow.phase.{name}", name)
    if name in ("forward", "loss"):
        n = fwd["n"]
        if n == 1:
            cur = {"z": fwd["z"][0], "y_hat": fwd["y_hat"][0], "y": slow.phase("sample").values["y"]}
            return {**lcharts.sigmoid_chart_spec(cur, height=220, labels=labels), "title": title}
        X = run.train_data.X.double().numpy()
        idx = np.arange(len(X)) if batch is None else np.asarray(batch)
        z = X[idx] @ np.asarray(fwd["w"]) + fwd["b"]
        y = run.train_data.y.reshape(-1).double().numpy()[idx]
        top = [t[0] for t in slow.phase("loss").values["top"]] if name == "loss" else ()
        return pull_charts.with_batch({**lcharts.sigmoid_chart_spec(None, height=220, labels=labels), "title": title},
                                      z, lesson_logreg.sigmoid(z), y, idx, top=top, labels=labels)
    seg = lesson_logreg.boundary_segment(fwd["w"], fwd["b"], box)
    spec = lcharts.boundary_chart_spec(_points(state, run, labels), box, seg, lesson_logreg.true_boundary(run, box),
                                       None, None, title=title, height=260, labels=labels)
    spec = pull_charts.with_samples(spec, state["X"].numpy(), batch, labels=labels)  # the sample(s) that pull
    if name == "sample":
        return spec
    pull = logistic_pull.pull_of(slow, state["X"], batch, box)
    if name == "backward":  # the direction only: the step has not been taken yet
        return pull_charts.with_pull(spec, _no_line(pull), box, labels)
    return pull_charts.with_pull(spec, pull, box, labels, line=True)


def _no_line(pull):
    return None if pull is None else dataclasses.replace(pull, segment=None)


KIT = slowmo.Kit(slow=_slow, says=_says, picture=_picture, summarize=slowmo_logistic.summary,
                 phases="logistic_slow.phase.", help="logistic_slow.button_help")


def control(lesson, run, key: str) -> None:
    """'Step slowly' for a logistic-regression run (plain SGD, the page's only optimizer)."""
    if slowmo_logistic.supported(run.config):
        slowmo.control(lesson, run, key, kit=KIT)


def chart(lesson, run, box, spec: dict, name: str) -> None:
    """The boundary chart with the gradient's pull of the run's next step, and a caption with its numbers
    (not while a long run trains: each tick goes to training)."""
    T = ui.tr()
    if lesson.mode == "running" or run.done:
        ui.chart(spec, name)
        return
    pull = logistic_pull.next_pull(run, box)
    ui.chart(pull_charts.with_pull(spec, pull, box, T.labels), name)
    if pull is None:
        if slowmo_logistic.next_batch(run) is False:
            st.caption(T("logistic_slow.pull.unknown"))
        return
    shift = f"{pull.distance:.3g}"
    if pull.sample is not None:
        way = T("logistic_slow.pull.toward" if pull.toward_sample else "logistic_slow.pull.away")
        st.caption(T("logistic_slow.pull.one", step=pull.step, i=pull.batch[0], shift=shift, way=way))
    else:
        n = run.n if pull.batch is None else len(pull.batch)
        st.caption(T("logistic_slow.pull.batch", step=pull.step, n=n, shift=shift))
