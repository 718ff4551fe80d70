"""Streamlit pieces every lesson page shares: run controls and live updates (this file), share
links and instructor locks (pages/ui/share.py), files and charts (pages/ui/files.py), the session's
language and lesson state (pages/ui/state.py); pages reach all of them as `ui.*`.

Pages stay thin: they read widgets, build a gdcore Config, and call these helpers to drive and
show the run. All training logic is in gdcore; these modules only wire it to widgets.
"""
from __future__ import annotations

import math

import streamlit as st

from gdcore.devices import resolve_device
from gdcore.engine import step_position
from gdcore.errors import GdError
from gdcore.limits import RUN_N, bounds
from gdcore.links import Field
from gdcore.precision import DEFAULT_DTYPE, DTYPES
from gdcore.session import Lesson
from pages.ui import board
from pages.ui.state import SYNC_STEPS, lang, lesson, set_values, tr  # noqa: F401 (pages use them as ui.*)

TICK_S = 0.5  # seconds between live updates of a long run (the run itself trains on the worker)
BUDGET_S = 0.2  # training time per live update where no worker trains (playing, tests)


def defaults(values: dict) -> None:
    """Give widgets their first values through session state (never also through value=)."""
    for k, v in values.items():
        st.session_state.setdefault(k, v)


def settings(default_seed: int) -> tuple[int, str]:
    """(seed, device) from the shared sidebar; an empty seed means the tutorial's own."""
    seed = st.session_state.get("w.seed")
    device = st.session_state.get("w.device") or "cpu"
    try:  # the resolved name ("cpu", not "auto"), so the config does not change between reruns
        device = str(resolve_device(device))
    except GdError:
        device = "cpu"
    return (default_seed if seed is None else int(seed)), device


def precision() -> str:
    """The sidebar's precision, float32 (the tutorials') or float64: every lesson's config carries it."""
    dtype = st.session_state.get("w.dtype")
    return dtype if dtype in DTYPES else DEFAULT_DTYPE


def preset_button(label: str, values: dict, key: str, help: str | None = None) -> None:
    """A button that loads a tutorial's settings into this page's widgets."""
    st.button(label, key=key, on_click=set_values, args=(values,), help=help, type="secondary")


def build(lesson_obj: Lesson, make_config, data=None):
    """Build (or keep) the lesson's run for the current widgets; show one sentence on bad input."""
    try:
        return lesson_obj.ensure(make_config(), data)
    except GdError as exc:
        T = tr()
        msg = T(exc.message)
        st.error(T("ui.bad_setting_kept", error=msg) if lesson_obj.run is not None else msg)
        return lesson_obj.run


# -- controls ----------------------------------------------------------------------------------

# Step and Epoch carry the token their button was drawn with and act once per token
# (Lesson.take): a click inside the lesson's fragment can reach its callback twice.

def _step(lesson_obj: Lesson, token: int | None) -> None:
    with lesson_obj.lock:
        if lesson_obj.take(token) and lesson_obj.run is not None:
            lesson_obj.stop()
            lesson_obj.run.run(1)


def _epoch(lesson_obj: Lesson, token: int | None) -> None:
    with lesson_obj.lock:
        if lesson_obj.take(token) and lesson_obj.run is not None:
            lesson_obj.stop()
            lesson_obj.run.run_epoch()


def _run_n(lesson_obj: Lesson, key: str) -> None:
    n = int(st.session_state.get(f"w.{key}.run_n") or 100)
    with lesson_obj.lock:
        run = lesson_obj.run
        if run is None or lesson_obj.mode == "running":  # already on its way (or this click seen twice)
            return
        if n <= SYNC_STEPS:
            lesson_obj.stop()
            run.run(n)
            return
    lesson_obj.start(n, quiet=True)


def _run_all(lesson_obj: Lesson) -> None:
    lesson_obj.start(None, quiet=True)


def _play(lesson_obj: Lesson, key: str) -> None:
    lesson_obj.play(int(st.session_state.get(f"w.{key}.speed") or 1))


def _stop(lesson_obj: Lesson) -> None:
    lesson_obj.stop()


def _reset(lesson_obj: Lesson) -> None:
    lesson_obj.reset()


def controls(lesson_obj: Lesson, key: str):
    """Step / Epoch / Run N / Run to end / Play-Pause / Reset in one bar that wraps on a narrow screen
    (a horizontal container: columns would stack one button a row on a phone); returns the bar, so
    the Share link can join it."""
    T = tr()
    run = lesson_obj.run
    disabled = run is None or run.done
    at = lesson_obj.next_token()
    bar = st.container(horizontal=True, gap="small", vertical_alignment="center")
    # a button that cannot be pressed (the run is over: the status line says so) needs no help on what
    # it would do; its words would be sent again only to be greyed out
    bar.button(T("ui.step"), key=f"b.{key}.step", on_click=_step, args=(lesson_obj, at), disabled=disabled,
               help=None if disabled else T("ui.step_help"))
    bar.button(T("ui.epoch"), key=f"b.{key}.epoch", on_click=_epoch, args=(lesson_obj, at), disabled=disabled,
               help=None if disabled else T("ui.epoch_help"))
    st.session_state.setdefault(f"w.{key}.run_n", 100)
    bar.number_input("N", **bounds(RUN_N), step=100, key=f"w.{key}.run_n", persist_state="session",
                     label_visibility="collapsed", help=T("ui.run_n_help"), width=120)
    bar.button(T("ui.run_n"), key=f"b.{key}.run_n_btn", on_click=_run_n, args=(lesson_obj, key), disabled=disabled)
    bar.button(T("ui.run_all"), key=f"b.{key}.run_all", on_click=_run_all, args=(lesson_obj,),
               disabled=disabled or lesson_obj.busy)
    playing = lesson_obj.mode == "playing"
    label, icon = (T("ui.pause"), ":material/pause:") if playing else (
        (T("ui.stop"), ":material/stop:") if lesson_obj.busy else (T("ui.play"), ":material/play_arrow:"))
    # Play and Pause/Stop are two buttons (two keys) with one action each, never a toggle: the click
    # that stops a run is seen again by the full rerun the fragment then asks for, and must not
    # start the run again there.
    action, args, name = (_stop, (lesson_obj,), "stop") if lesson_obj.busy else (_play, (lesson_obj, key), "play")
    play_off = run is None or (run.done and not lesson_obj.busy)
    bar.button(label, icon=icon, key=f"b.{key}.{name}", on_click=action, args=args,
               disabled=play_off, help=None if play_off else T("ui.play_help"))
    bar.button(T("ui.reset"), key=f"b.{key}.reset", on_click=_reset, args=(lesson_obj,), disabled=run is None)
    return bar


def status(lesson_obj: Lesson) -> None:
    """Where the run is; a progress bar during a long run; the explained stop after divergence."""
    T = tr()
    run = lesson_obj.run
    if run is None:
        return
    if lesson_obj.mode == "running":
        st.progress(lesson_obj.progress(), text=T("ui.running", n=run.step_count, total=lesson_obj.target))
    if lesson_obj.error:
        st.error(T("ui.run_broke", n=run.step_count, error=lesson_obj.error), icon=":material/error:")
    parts = [T("ui.step_of", n=run.step_count, total=run.total_steps)]
    if run.steps_per_epoch == 1:
        parts.append(T("ui.epoch_n", epoch=run.epoch))
    elif run.step_count:  # the last step taken, as the tutorial's loop prints it: epoch(e) batch(i)
        epoch, batch = step_position(run.step_count, run.steps_per_epoch)
        parts.append(T("ui.epoch_batch", epoch=epoch, batch=batch))
    else:
        parts.append(T("ui.epoch_batch_next"))
    L = run.losses()
    if len(L):
        parts.append(T("ui.last_loss", loss=f"{L[-1]:.6g}"))
    board.run_milestones(st.session_state.get("_page", ""), run)  # to the class board, if in a room
    if run.status == "diverged":
        st.error(T("ui.diverged", message=run.explain(T), n=run.step_count), icon=":material/warning:")
    elif run.stall is not None:  # rounding, not the optimum, stopped it (gdcore/stall.py)
        st.warning(T(run.stall.message()), icon=":material/warning:")
    elif run.done and run.step_count:
        st.success(" · ".join(parts) + " · " + T("ui.complete"))
        return
    st.caption(" · ".join(parts))


def live(lesson_obj: Lesson, key: str, draw, fields: list[Field] | None = None) -> None:
    """Controls, status and the page's charts in one fragment that ticks while a run is going.

    With `fields`, the URL follows the run (settings and steps taken) and a Share button offers it.
    """
    every = TICK_S if lesson_obj.busy else None

    @st.fragment(run_every=every)
    def _live():
        if lesson_obj.busy:
            lesson_obj.tick(BUDGET_S)  # plays the next steps; a long run trains on the worker
        if (every is None) == lesson_obj.busy:  # started or finished: re-create the fragment
            st.rerun()
        with lesson_obj.lock:  # the worker waits while this draws a consistent picture of the run
            if lesson_obj.quiet and lesson_obj.busy:  # a long run: progress only, the charts once it ends
                _progress_only(lesson_obj, key)
                return
            bar = controls(lesson_obj, key) if shown(key, "controls") else st.container()
            if fields is not None:
                with bar:  # the Share link at the end of the control bar, not a row of its own
                    share_button(key, fields, lesson_obj.run)
            if lesson_obj.mode == "playing":
                st.select_slider(tr()("ui.speed"), [1, 5, 25, 100], key=f"w.{key}.speed", persist_state="session")
            status(lesson_obj)
            if lesson_obj.run is not None:
                draw(lesson_obj.run)

    _live()


def _progress_only(lesson_obj: Lesson, key: str) -> None:
    """While a long run trains on the worker: its progress, its last loss and Stop; the charts are drawn
    again when it ends. Redrawing every chart on every tick would cost the whole room (each redraw holds
    the run, and the interpreter, away from the training) and show nothing a learner can follow at
    thousands of steps a second; Play is the way to watch steps go by."""
    T = tr()
    st.button(T("ui.stop"), icon=":material/stop:", key=f"b.{key}.long_stop", on_click=_stop, args=(lesson_obj,))
    status(lesson_obj)


def fmt(v: float) -> str:
    """A number for display (no nan/inf surprises)."""
    if v is None or not math.isfinite(v):
        return "—"
    return f"{v:.6g}"


# The rest of a page's toolkit lives in two modules of its own; pages reach all of it as ui.*.
from pages.ui.files import chart, chart_spec, code_and_downloads, load_weights, upload_data, weights_bytes  # noqa: E402,F401
from pages.ui.share import link_notes, link_pending, replay, share, share_button, shown, sync_link  # noqa: E402,F401
