"""The learner's hands on the parameters (pages reach it as pages.ui.cockpit): sliders for w and b, a
click on the loss landscape that puts (w, b) there, the gradient arrow, "your loss vs least squares".

A move goes through the run (`Run.move_to`, gdcore/run_moves.py), so the history, the share link
(the `moves` field) and the exported script all carry it. The numbers come from gdcore.manual.
"""
from __future__ import annotations

import contextlib
import functools

import streamlit as st

from gdcore import manual, reference
from gdcore.charts import cockpit as cockpit_charts
from gdcore.charts import linear_regression as lr_charts
from gdcore.charts.landscape import path_table
from gdcore.charts.landscape import window as grid_window
from gdcore.lessons import hands as hands_lesson
from gdcore.links import Field
from gdcore.session import Lesson
from pages.ui.files import chart
from pages.ui.state import tr


def moves_key(key: str) -> str:
    return f"_{key}.moves"  # no widget owns it: the run's own Moves list, or a link's moves


def moves_field(key: str) -> Field:
    """The share-link field of a page's hand moves: `moves=step:w:b,...`."""
    return Field("moves", moves_key(key), "moves", -manual.PARAM_BOUND, manual.PARAM_BOUND)


def attach(lesson_obj: Lesson, run, key: str) -> None:
    """Give the run the moves this session holds: a link's (all of them, replayed at their steps), or
    the start set by hand on the run before the settings changed (the start only)."""
    if run is None:
        return
    held = st.session_state.get(moves_key(key))
    if held is not run.moves and isinstance(held, list):
        wanted = list(held) if not isinstance(held, manual.Moves) else [m for m in held if m.step == 0]
        if wanted != list(run.moves):
            try:
                with lesson_obj.lock:
                    lesson_obj.stop()
                    run.set_moves(wanted)
            except (ValueError, RuntimeError):  # another shape of parameters: the drawn start stays
                pass
    st.session_state[moves_key(key)] = run.moves  # the link reads the run's own list from now on


def _move(lesson_obj: Lesson, key: str, w: float, b: float) -> None:
    """Move the lesson's run to (w, b) now (a bad point: one sentence on the next draw, nothing moved)."""
    with lesson_obj.lock:
        run = lesson_obj.run
        if run is None:
            return
        if lesson_obj.busy and lesson_obj.quiet:
            # a long run shows only its progress and Stop: no slider or landscape is on screen, so this is
            # a value the browser sent for the page as it was before the run started, not a drag or a click
            # (taken as one while the worker had not yet moved the run, it stopped the run where it was)
            return
        lesson_obj.stop()
        try:
            run.move_to([w], [b])
        except ValueError:
            st.session_state[f"_{key}.bad_point"] = True


def _slid(lesson_obj: Lesson, key: str, w_key: str, b_key: str, version: str) -> None:
    run = lesson_obj.run
    if run is None or _version(run) != version:
        return  # the value of sliders drawn for another state of the run: a report from before it moved on
    s = st.session_state
    _move(lesson_obj, key, float(s[w_key]), float(s[b_key]))


def _version(run) -> str:
    return f"{run.step_count}.{len(run.moves)}"


def hand_keys(key: str, run) -> tuple[str, str]:
    """The w and b sliders' keys for the run as it stands: new keys whenever the run's parameters change
    (a step, a move), so the sliders are drawn afresh at the run's values.

    The browser's requests can lag the run: a Play tick or a second Step sent before the last draw
    arrived carries the sliders' values as they were drawn, and Streamlit calls a slider's on_change
    for a value it no longer holds. Read as a drag, that stopped a playing run and moved it back a
    step. So each slider carries the state of the run it was drawn for, and _slid acts only while the
    run is still in that state (a real drag: the sliders on screen are the run's current ones)."""
    version = _version(run)
    return f"w.{key}.hand_w.{version}", f"w.{key}.hand_b.{version}"


def _drawn_start(lesson_obj: Lesson) -> None:
    with lesson_obj.lock:
        if lesson_obj.run is not None:
            lesson_obj.stop()
            lesson_obj.run.set_moves([])


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def hands(lesson_obj: Lesson, run, key: str, optimum, lo_hi=None) -> None:
    """Two sliders (w, b) that move the run now, and the loss there against the least-squares loss."""
    T = tr()
    p = run.params()
    w, b = p["w"][0], p["b"][0]
    (wlo, whi) = manual.slider_range(optimum.w[0], optimum.w[0])
    (blo, bhi) = manual.slider_range(optimum.b, optimum.b)
    s = st.session_state
    keys = hand_keys(key, run)  # the sliders follow the run (Step, a click): drawn afresh at its values
    # what the sliders and the loss line below do, said once on the heading: those are drawn afresh on
    # every Step, and words of their own would go with them every time
    st.markdown(f"**{T('cockpit.hands.header')}**",
                help=" ".join(T(f"cockpit.hands.{k}") for k in ("help", "yours_help", "best_help")))
    st.caption(T("cockpit.hands.intro"))
    # side by side in one row (one layout block, where two columns are three: they are sent on every Step)
    row = st.container(horizontal=True, wrap=False)
    moved = dict(on_change=_slid, args=(lesson_obj, key, *keys, _version(run)))  # a drag moves the run there
    row.slider(T("cockpit.hands.w"), wlo, whi, value=min(max(w, wlo), whi), step=(whi - wlo) / 400, format="%.3f",
              key=keys[0], **moved)
    row.slider(T("cockpit.hands.b"), blo, bhi, value=min(max(b, blo), bhi), step=(bhi - blo) / 400, format="%.3f",
              key=keys[1], **moved)
    if not (wlo <= w <= whi and blo <= b <= bhi):
        st.caption(T("cockpit.hands.outside", w=_fmt(w), b=_fmt(b)))
    if s.pop(f"_{key}.bad_point", False):
        st.warning(T("cockpit.hands.bad_point", bound=f"{manual.PARAM_BOUND:g}"), icon=":material/warning:")
    data = getattr(run, "train_data", run.data)  # what the loop trains on (z-scores with scaling on)
    vs = manual.versus(data.X, data.y, w, b, optimum.mse)
    icon = ":green[:material/check_circle:]" if vs.verdict == "tie" else ":material/flag:"
    st.markdown(f"{icon} {T('cockpit.hands.yours')} **{vs.loss:.4g}** · {T('cockpit.hands.best')} "
                f"**{vs.loss_star:.4g}** · {T(f'cockpit.hands.{vs.verdict}', excess=f'{vs.excess:.3g}')}")
    last = run.moves[-1] if run.moves else None
    if last is not None and last.step == run.step_count:
        said = "start_set" if last.step == 0 else "moved"
        st.caption(T(f"cockpit.hands.{said}", step=last.step, w=_fmt(last.w[0]), b=_fmt(last.b[0])))
    if manual.start_of(run.moves) is not None:
        st.button(T("cockpit.hands.drawn_start"), key=f"b.{key}.drawn_start", on_click=_drawn_start,
                  args=(lesson_obj,), icon=":material/casino:", help=T("cockpit.hands.drawn_start_help"))


def _picked(key: str, chart_key: str, on_point) -> None:
    point = manual.point_from_selection(st.session_state.get(chart_key))
    if point is None:
        return
    try:
        manual.checked(0, point[:1], point[1:])  # finite and within bounds, or nothing happens
    except ValueError:
        st.session_state[f"_{key}.bad_point"] = True
        return
    st.session_state[f"_{key}.picks"] = st.session_state.get(f"_{key}.picks", 0) + 1  # a fresh selection
    on_point(*point)


def pick_chart(ch, key: str, name: str, on_point, **kwargs) -> None:
    """Draw a landscape chart (heat map first) whose clicked cell calls `on_point(w, b)` at its centre."""
    ch = cockpit_charts.pickable(ch)
    chart_key = f"c.{key}.{name}.{st.session_state.get(f'_{key}.picks', 0)}"  # a new key: the same cell again
    chart(ch, name, key=chart_key, on_select=functools.partial(_picked, key, chart_key, on_point),
          selection_mode=manual.PICK, **kwargs)


def landscape(lesson_obj: Lesson, run, key: str, ch, axes, name: str = "landscape", grad=None, **kwargs) -> None:
    """Draw a landscape chart that a click sets the run's (w, b) on, with the -gradient arrow at the
    current point. `axes`: the grid's (w values, b values); `grad`: (dL/dw, dL/db) there (no arrow without).
    """
    T = tr()
    if grad is not None:
        p = run.params()
        ch = cockpit_charts.with_layers(ch, *cockpit_charts.gradient_arrow(
            (p["w"][0], p["b"][0]), grad, run.config.lr, grid_window(*axes), labels=T.labels))
    pick_chart(ch, key, name, functools.partial(_move, lesson_obj, key), **kwargs)
    st.caption(T("cockpit.hands.click_hint"))


def panel(lesson_obj: Lesson, run, key: str, hands_box=None, height: int = 320) -> None:
    """Sliders, your loss against least squares, and the clickable landscape with the path and the
    gradient arrow, for a page that has no landscape of its own (one-feature linear regression only).
    `hands_box`: a container to draw the sliders in (default: above the landscape)."""
    if not hands_lesson.one_feature(run):
        return
    T = tr()
    cached = st.session_state.get(f"_{key}.hands_facts")
    data = run.train_data  # what the loop trains on (z-scores with scaling on)
    if cached is None or cached[0] is not data:  # once per data set
        loss = "half_squared" if run.config.loss == "half_squared" else "mse"
        cached = (data, reference.least_squares(data.X, data.y), reference.bowl(data.X, data.y, loss))
        st.session_state[f"_{key}.hands_facts"] = cached
    v = hands_lesson.landscape_view(run, cached[1], cached[2])
    with hands_box if hands_box is not None else contextlib.nullcontext():
        hands(lesson_obj, run, key, v.optimum)
    path = path_table(v.steps, v.w, v.b, series=T("linear_regression.train.path"), labels=T.labels)
    ch = lr_charts.landscape_with_current_spec(v.bowl, *v.axes, path, (v.optimum.w[0], v.optimum.b), v.current,
                                          height=height, title=T("linear_regression.train.landscape_title"),
                                          labels=T.labels)
    landscape(lesson_obj, run, key, ch, v.axes, grad=v.grad)


def race_note(start, restart) -> None:
    """Under the race's landscape: click to race from there; where a clicked race started, and the way back."""
    T = tr()
    if start is None:
        st.caption(T("cockpit.race.click_hint"))
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.caption(T("cockpit.race.from_click", w=_fmt(start[0]), b=_fmt(start[1])))
    c2.button(T("cockpit.hands.drawn_start"), key="b.optimizers.race_drawn_start", on_click=restart,
              icon=":material/casino:", help=T("cockpit.race.drawn_start_help"), width="stretch")
