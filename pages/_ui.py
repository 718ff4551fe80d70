"""Streamlit pieces every lesson page shares: run controls, live updates, code and downloads.

Pages stay thin: they read widgets, build a gdcore Config, and call these helpers to drive and
show the run. All training logic is in gdcore; this module only wires it to widgets.
"""
from __future__ import annotations

import math

import streamlit as st

from gdcore.codegen import export_script
from gdcore.data import MAX_CSV_ROWS, MAX_UPLOAD_BYTES, Dataset
from gdcore.devices import resolve_device
from gdcore.errors import GdError
from gdcore.session import Lesson, history_csv
from gdcore.uploads import Upload, summary

SYNC_STEPS = 2000  # "Run N" up to this many steps finishes inside the click; longer runs tick live
TICK_S = 0.3  # seconds between live updates of a long run
BUDGET_S = 0.2  # training time per live update


def page_guard(path: str) -> None:
    """Make sure the entry point ran before this page (call first thing in every page).

    With a pages/ folder, Streamlit's legacy multipage mode runs a page file on its own when a
    fresh server's first request is a direct link (and in AppTest page switches); the sidebar,
    navigation and kept widget values would be missing. Then we go through the entry point,
    which comes straight back here.
    """
    if st.session_state.pop("_entry_ran", False):
        return
    st.session_state["_goto"] = path
    st.switch_page("streamlit_app.py")


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


def lesson(name: str) -> Lesson:
    """This user's state for a lesson, kept under a session key no widget owns."""
    key = f"_lesson.{name}"
    if key not in st.session_state:
        st.session_state[key] = Lesson()
    return st.session_state[key]


def set_values(values: dict) -> None:
    """on_click helper: set widget values (before the widgets are drawn on the rerun)."""
    for k, v in values.items():
        st.session_state[k] = v


def preset_button(label: str, values: dict, key: str, help: str | None = None) -> None:
    """A button that loads a tutorial's settings into this page's widgets."""
    st.button(label, key=key, on_click=set_values, args=(values,), help=help, type="secondary")


def build(lesson_obj: Lesson, make_config, data=None):
    """Build (or keep) the lesson's run for the current widgets; show one sentence on bad input."""
    try:
        return lesson_obj.ensure(make_config(), data)
    except GdError as exc:
        st.error(f"{exc}. The previous run is kept." if lesson_obj.run is not None else str(exc))
        return lesson_obj.run


# -- controls ----------------------------------------------------------------------------------

def _step(lesson_obj: Lesson) -> None:
    lesson_obj.stop()
    if lesson_obj.run is not None:
        lesson_obj.run.run(1)


def _epoch(lesson_obj: Lesson) -> None:
    lesson_obj.stop()
    if lesson_obj.run is not None:
        lesson_obj.run.run_epoch()


def _run_n(lesson_obj: Lesson, key: str) -> None:
    n = int(st.session_state.get(f"w.{key}.run_n") or 100)
    run = lesson_obj.run
    if run is None:
        return
    if n <= SYNC_STEPS:
        lesson_obj.stop()
        run.run(n)
    else:
        lesson_obj.start(n)


def _run_all(lesson_obj: Lesson) -> None:
    lesson_obj.start(None)


def _play(lesson_obj: Lesson, key: str) -> None:
    if lesson_obj.busy:
        lesson_obj.stop()
    else:
        lesson_obj.play(int(st.session_state.get(f"w.{key}.speed") or 1))


def _reset(lesson_obj: Lesson) -> None:
    lesson_obj.reset()


def controls(lesson_obj: Lesson, key: str) -> None:
    """Step / Epoch / Run N / Run to end / Play-Pause / Reset, then the run's status line."""
    run = lesson_obj.run
    disabled = run is None or run.done
    c = st.columns([1, 1, 1.3, 1, 1.2, 1.2, 1])
    c[0].button("Step", key=f"b.{key}.step", on_click=_step, args=(lesson_obj,), disabled=disabled,
                help="Exactly one update: forward, backward, update.", width="stretch")
    c[1].button("Epoch", key=f"b.{key}.epoch", on_click=_epoch, args=(lesson_obj,), disabled=disabled,
                help="Run to the end of the current epoch.", width="stretch")
    st.session_state.setdefault(f"w.{key}.run_n", 100)
    c[2].number_input("N", min_value=1, max_value=1_000_000, step=100, key=f"w.{key}.run_n", persist_state="session",
                      label_visibility="collapsed", help="Steps for 'Run N'.")
    c[3].button("Run N", key=f"b.{key}.run_n_btn", on_click=_run_n, args=(lesson_obj, key), disabled=disabled,
                width="stretch")
    c[4].button("Run to end", key=f"b.{key}.run_all", on_click=_run_all, args=(lesson_obj,),
                disabled=disabled or lesson_obj.busy, width="stretch")
    playing = lesson_obj.mode == "playing"
    label, icon = ("Pause", ":material/pause:") if playing else (
        ("Stop", ":material/stop:") if lesson_obj.busy else ("Play", ":material/play_arrow:"))
    c[5].button(label, icon=icon, key=f"b.{key}.play", on_click=_play, args=(lesson_obj, key),
                disabled=run is None or (run.done and not lesson_obj.busy), width="stretch",
                help="Play animates the run step by step; during a long run this stops it.")
    c[6].button("Reset", key=f"b.{key}.reset", on_click=_reset, args=(lesson_obj,), disabled=run is None,
                width="stretch")


def status(lesson_obj: Lesson) -> None:
    """Where the run is; a progress bar during a long run; the explained stop after divergence."""
    run = lesson_obj.run
    if run is None:
        return
    if lesson_obj.mode == "running":
        st.progress(lesson_obj.progress(),
                    text=f"running: step {run.step_count:,} of {lesson_obj.target:,} (Stop to interrupt)")
    parts = [f"step **{run.step_count:,}** of {run.total_steps:,}",
             f"epoch {run.epoch + (1 if run.batch_in_epoch else 0)} "
             f"(batch {run.batch_in_epoch} of {run.steps_per_epoch})" if run.steps_per_epoch > 1
             else f"epoch {run.epoch:,}"]
    L = run.losses()
    if len(L):
        parts.append(f"last step's loss **{L[-1]:.6g}**")
    if run.status == "diverged":
        st.error(f"⚠️ {run.message}. The history up to step {run.step_count:,} is kept; press Reset "
                 f"(or lower lr) to start again.")
    elif run.done and run.step_count:
        st.success(" · ".join(parts) + " · run complete")
        return
    st.caption(" · ".join(parts))


def live(lesson_obj: Lesson, key: str, draw) -> None:
    """Controls, status and the page's charts in one fragment that ticks while a run is going."""
    every = TICK_S if lesson_obj.busy else None

    @st.fragment(run_every=every)
    def _live():
        if lesson_obj.busy:
            lesson_obj.tick(BUDGET_S)
        if (every is None) == lesson_obj.busy:  # started or finished: re-create the fragment
            st.rerun()
        controls(lesson_obj, key)
        if lesson_obj.mode == "playing":
            st.select_slider("steps per frame", [1, 5, 25, 100], key=f"w.{key}.speed", persist_state="session")
        status(lesson_obj)
        if lesson_obj.run is not None:
            draw(lesson_obj.run)

    _live()


# -- your own data ------------------------------------------------------------------------------

def upload_data(key: str, *, binary_labels: bool, one_feature: bool, two_features: bool = False) -> Dataset | None:
    """A CSV uploader (+ label and feature choice); the accepted Dataset, the same object on every rerun.

    A bad file shows one sentence and the previously accepted data (or None) is returned, so the run on
    it is kept. The file is only parsed as numbers (gdcore.data.load_csv), once per file and label.
    """
    up = st.session_state.get(f"_{key}.upload")
    if not isinstance(up, Upload):
        up = st.session_state[f"_{key}.upload"] = Upload()
    mb = MAX_UPLOAD_BYTES / 1024 / 1024
    need = "one feature column" if one_feature else ("two feature columns" if two_features else "feature columns")
    labels = "0 or 1 labels" if binary_labels else "a numeric label"
    uploaded = st.file_uploader(
        "Your own data (CSV)", type=["csv", "txt"], key=f"u.{key}.csv",
        help=f"A header row, then numbers only: {need} and {labels} (the last column unless you pick another). "
             f"Comma, semicolon or tab separated, UTF-8. At most {mb:g} MB and {MAX_CSV_ROWS:,} rows.")
    kept = " Your previous data and run are kept." if up.accepted is not None else ""
    if uploaded is None:
        if up.accepted is not None:
            st.caption(f"Using your earlier upload ({summary(up.accepted, up.accepted_name)}); "
                       "upload a file to replace it.")
        return up.accepted
    name, raw = uploaded.name, uploaded.getvalue()
    try:
        columns = up.columns(name, raw)
        label = st.selectbox("label column (y)", columns, index=len(columns) - 1, key=f"u.{key}.label.{name}.{len(raw)}",
                             help="The column the model learns to predict; the other columns are the features X.")
        ds = up.table(name, raw, label, binary_labels=binary_labels)
        want = 1 if one_feature else (2 if two_features else None)
        features = None
        if want is not None and ds.n_features < want:
            st.error(f"This lesson needs {want} feature columns besides the label, but the file has "
                     f"{ds.n_features}.{kept}")
            return up.accepted
        if want is not None and ds.n_features > want:
            st.caption(f"This lesson's model uses {'one feature' if want == 1 else 'two features'} "
                       f"(the file has {ds.n_features}): choose {'which' if want == 1 else 'the two'} to train on.")
            if want == 1:
                features = (st.selectbox("feature (x)", ds.feature_names, key=f"u.{key}.f1.{name}.{len(raw)}.{label}",
                                         help="The column used as x; the others are ignored."),)
            else:
                features = tuple(st.multiselect("features (x1, x2)", ds.feature_names, default=ds.feature_names[:2],
                                                max_selections=2, key=f"u.{key}.f2.{name}.{len(raw)}.{label}",
                                                help="Two columns, used as x1 and x2 in this order."))
                if len(features) != 2:
                    st.error(f"Choose exactly two feature columns.{kept}")
                    return up.accepted
        accepted = up.accept(name, ds, features)
    except GdError as exc:
        msg = str(exc)
        st.error(f"{msg[:1].upper()}{msg[1:]}.{kept}")
        return up.accepted
    st.caption("✅ " + summary(accepted, name))
    return accepted


# -- code and downloads ------------------------------------------------------------------------

def code_and_downloads(run, key: str) -> None:
    """'Show the code' (the exact script for these settings) and the downloads."""
    if run is None:
        return
    with st.expander("Show the code: a standalone script that performs exactly this run"):
        try:
            script = export_script(run.config, run.data)
        except GdError as exc:
            st.info(str(exc))
            script = None
        if script:
            st.code(script, language="python", line_numbers=True)
    c1, c2 = st.columns(2)
    if script:
        c1.download_button("⬇ Script (.py)", script, file_name=f"{run.config.preset or key}.py",
                           mime="text/x-python", key=f"b.{key}.dl_py")
    c2.download_button("⬇ History (.csv)", lambda: history_csv(run), file_name=f"{key}_history.csv",
                       mime="text/csv", key=f"b.{key}.dl_csv")


def fmt(v: float) -> str:
    """A number for display (no nan/inf surprises)."""
    if v is None or not math.isfinite(v):
        return "—"
    return f"{v:.6g}"
