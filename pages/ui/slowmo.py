"""'Step slowly' (pages reach it as pages.ui.slowmo): one training step played phase by phase, each
phase's line of the tutorial's loop marked, with the numbers it computed (gdcore.slowmo).

The step itself is one engine step (`run.run(1)`), taken at the click; the phases are recomputed by
gdcore.slowmo from the parameters before it, and equal the step's record. A beat plays every BEAT_S
seconds in a fragment of its own; Pause stops on the current phase, Next phase goes on by hand.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from gdcore import reference, slowmo
from gdcore.charts import cockpit as cockpit_charts
from gdcore.charts import linear_regression as lr_charts
from gdcore.charts.landscape import window as grid_window
from gdcore.lessons.linear_regression import grid_axes, landscape_window
from gdcore.session import Lesson
from pages.ui.files import chart
from pages.ui.state import tr

BEAT_S = 1.5  # seconds a phase stays on screen while playing


def _data(run):
    """What the loop trains on: the data, or its z-scores with feature scaling on."""
    return getattr(run, "train_data", run.data)


@dataclass(frozen=True)
class Kit:
    """What a lesson's slow step is made of: slow(run, params before, recipe) -> the state's fields after
    the step ({"slow": SlowStep, ...}); says(phase, state) -> (key, values) of its sentence;
    picture(state, phase name, run, labels) -> its chart spec; summarize(phase) -> its numbers under
    the code; phases: the key prefix of the phases' names; help: the button's help key."""

    slow: Callable
    says: Callable
    picture: Callable
    summarize: Callable | None = None
    phases: str = "cockpit.slow.phase."
    help: str = "cockpit.slow.button_help"


def _linear_slow(run, p, recipe) -> dict:
    data = _data(run)
    return {"slow": slowmo.slow_step(recipe, data.X, data.y, p["w"][0], p["b"][0], run.config.lr, run.step_count)}


def _key(key: str) -> str:
    return f"_{key}.slow"  # {"slow": SlowStep, "phase": int, "playing": bool}; no widget owns it


def _start(lesson_obj: Lesson, key: str, recipe: str, kit: Kit) -> None:
    with lesson_obj.lock:
        run = lesson_obj.run
        if run is None or run.done:
            return
        lesson_obj.stop()
        p = run.params()
        if run.run(1) != 1 or run.status != "ok":
            return
        fields = kit.slow(run, p, recipe)
    st.session_state[_key(key)] = {**fields, "phase": 0, "playing": True}


def _next(key: str) -> None:
    state = st.session_state.get(_key(key))
    if state is not None:
        state["phase"] = min(state["phase"] + 1, len(state["slow"].phases) - 1)
        state["playing"] = False


def _toggle(key: str) -> None:
    state = st.session_state.get(_key(key))
    if state is not None:
        if state["phase"] >= len(state["slow"].phases) - 1:
            state["phase"] = 0  # at the end: play the same step again
        state["playing"] = not state["playing"]


def _close(key: str) -> None:
    st.session_state.pop(_key(key), None)


def control(lesson_obj: Lesson, run, key: str, recipe: str = "", kit: Kit | None = None) -> None:
    """The 'Step slowly' button, and the step being played (while it is the run's latest step); kit:
    the lesson's phases (default: linear regression's)."""
    T = tr()
    kit = LINEAR if kit is None else kit
    st.button(T("cockpit.slow.button"), key=f"b.{key}.slow", icon=":material/slow_motion_video:",
              on_click=_start, args=(lesson_obj, key, recipe, kit), disabled=run.done or lesson_obj.busy,
              help=T(kit.help))
    state = st.session_state.get(_key(key))
    if state is None:
        return
    if state["slow"].step != run.step_count:  # the run moved on (Step, Reset, a new setting)
        _close(key)
        return
    _player(key, run, kit)


def _player(key: str, run, kit: Kit) -> None:
    ticking = st.session_state[_key(key)]["playing"]

    @st.fragment(run_every=BEAT_S if ticking else None)
    def beat():
        T = tr()
        s = st.session_state.get(_key(key))
        if s is None:
            return
        slow, k = s["slow"], s["phase"]
        if s["playing"] and k < len(slow.phases) - 1 and st.session_state.get(f"_{key}.slow_tick") == id(s):
            s["phase"] = k = k + 1  # the next beat (the first draw of a step shows phase 0)
        st.session_state[f"_{key}.slow_tick"] = id(s)
        if s["playing"] and k == len(slow.phases) - 1:
            s["playing"] = False  # the last phase: the step has been played
        if ticking != s["playing"]:
            st.rerun()  # paused, played or finished: draw the player again, ticking or not
        ph = slow.phases[k]
        names = " → ".join(f"**{T(kit.phases + p.name)}**" if i == k else T(kit.phases + p.name)
                           for i, p in enumerate(slow.phases))
        st.markdown(T("cockpit.slow.head", step=slow.step, k=k + 1, total=len(slow.phases)) + " " + names)
        bar = st.container(horizontal=True)  # one row on a phone too
        bar.button(T("cockpit.slow.pause") if s["playing"] else T("cockpit.slow.play"),
                  icon=":material/pause:" if s["playing"] else ":material/play_arrow:", key=f"b.{key}.slow_toggle",
                  on_click=_toggle, args=(key,))
        bar.button(T("cockpit.slow.next"), icon=":material/skip_next:", key=f"b.{key}.slow_next", on_click=_next,
                  args=(key,), disabled=k >= len(slow.phases) - 1)
        bar.button(T("cockpit.slow.close"), icon=":material/close:", key=f"b.{key}.slow_close", on_click=_close,
                  args=(key,))
        says, values = kit.says(ph, s)
        st.markdown(T(says, **values))
        code, pic = st.columns([3, 2])
        code.code(slowmo.annotated(slow, k, kit.summarize), language="python", wrap_lines=True)
        with pic:
            chart(kit.picture(s, ph.name, run, T.labels), "slow_step")

    beat()


def _says(ph, state) -> tuple[str, dict]:
    return f"cockpit.slow.says.{ph.name}", _words(ph)


def _words(ph) -> dict:
    """The numbers a phase's sentence names."""
    v = ph.values
    f = _fmt
    if ph.name == "forward":
        return {"w": f(v["w"]), "b": f(v["b"]), "n": v["n"]}
    if ph.name == "loss":
        top = ", ".join(f"#{i} (x = {f(x)}, y = {f(y)}: {share:.0%})" for i, x, y, share in v["top"])
        return {"loss": f(v["loss"]), "top": top}
    if ph.name == "backward":
        return {"gw": f(v["w.grad"]), "gb": f(v["b.grad"])}
    if ph.name == "update":
        return {"lr": f"{v['lr']:g}", "w_old": f(v["w_old"]), "b_old": f(v["b_old"]), "w": f(v["w"]), "b": f(v["b"])}
    return {}


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _picture(state, name: str, run, labels):
    """What the phase did, drawn: the residuals on the data (forward, loss), the gradient's arrow at the
    point before the step (backward), the update's own arrow from the old to the new point (update,
    zero_grad) on the loss landscape around them."""
    slow = state["slow"]
    fwd = slow.phase("forward").values
    if name in ("forward", "loss"):
        top = [t[0] for t in slow.phase("loss").values["top"]] if name == "loss" else ()
        return cockpit_charts.residual_view(_data(run).X, _data(run).y, fwd["w"], fwd["b"], top=top, labels=labels)
    bw, up = slow.phase("backward").values, slow.phase("update").values
    old, new, grad = (fwd["w"], fwd["b"]), (up["w"], up["b"]), (bw["w.grad"], bw["b.grad"])
    X, y = _data(run).X, _data(run).y
    opt = reference.least_squares(X, y)
    title = labels.get(f"cockpit.slow.phase.{name}", name)
    if name == "backward":  # the direction, in a window that holds the optimum
        window = landscape_window(opt, old, [new[0]], [new[1]], cap=3.0)
        optimum = (opt.w[0], opt.b)
    else:  # the step itself, at its true length: a window a few steps wide around it
        half = 3 * max(abs(new[0] - old[0]), abs(new[1] - old[1]), 1e-6)
        window = ((old[0] - half, old[0] + half), (old[1] - half, old[1] + half))
        optimum = None
    wv, bv = grid_axes(window, size=32)
    ch = lr_charts.landscape_with_current_spec(reference.bowl(X, y), wv, bv, None, optimum, old, height=260,
                                               title=title, labels=labels)
    arrow = cockpit_charts.gradient_arrow(old, grad, up["lr"], grid_window(wv, bv), labels=labels,
                                          exact=name != "backward")
    # small beside the code: no colour legend (the lesson's own landscape below carries it)
    out = cockpit_charts.with_layers(ch, *arrow)
    for layer in out["layer"]:
        if "color" in layer.get("encoding", {}):
            layer["encoding"] = {**layer["encoding"], "color": {**layer["encoding"]["color"], "legend": None}}
    return out


LINEAR = Kit(slow=_linear_slow, says=_says, picture=_picture)
