"""Streamlit pieces every lesson page shares: run controls, live updates, code and downloads.

Pages stay thin: they read widgets, build a gdcore Config, and call these helpers to drive and
show the run. All training logic is in gdcore; this module only wires it to widgets.
"""
from __future__ import annotations

import math
import threading

import altair as alt
import streamlit as st

from gdcore.codegen import export_script
from gdcore.data import MAX_CSV_ROWS, MAX_UPLOAD_BYTES, Dataset
from gdcore.devices import resolve_device
from gdcore import weights
from gdcore.errors import GdError
from gdcore.i18n import Translator, translator
from gdcore.links import Field, Note, decode, encode, query_string
from gdcore.session import Lesson, history_csv
from gdcore.uploads import Upload

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
        st.session_state["_page"] = path
        st.session_state[f"_charts.{path}"] = {}  # the charts this rerun draws (for the SVG download)
        return
    st.session_state["_goto"] = (path, st.query_params.to_dict())  # a share link's query survives the detour
    st.switch_page("streamlit_app.py", query_params=st.query_params.to_dict())


def defaults(values: dict) -> None:
    """Give widgets their first values through session state (never also through value=)."""
    for k, v in values.items():
        st.session_state.setdefault(k, v)


def lang() -> str:
    """The learner's language code (the sidebar's choice, or ?lang= on the first visit)."""
    return st.session_state.get("w.lang") or "en"


def tr() -> Translator:
    """The translator for this learner's language: T("key", **values)."""
    return translator(lang())


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
        st.error(tr()("ui.bad_setting_kept", error=exc) if lesson_obj.run is not None else str(exc))
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
    T = tr()
    run = lesson_obj.run
    disabled = run is None or run.done
    c = st.columns([1, 1, 1.3, 1, 1.2, 1.2, 1])
    c[0].button(T("ui.step"), key=f"b.{key}.step", on_click=_step, args=(lesson_obj,), disabled=disabled,
                help=T("ui.step_help"), width="stretch")
    c[1].button(T("ui.epoch"), key=f"b.{key}.epoch", on_click=_epoch, args=(lesson_obj,), disabled=disabled,
                help=T("ui.epoch_help"), width="stretch")
    st.session_state.setdefault(f"w.{key}.run_n", 100)
    c[2].number_input("N", min_value=1, max_value=1_000_000, step=100, key=f"w.{key}.run_n", persist_state="session",
                      label_visibility="collapsed", help=T("ui.run_n_help"))
    c[3].button(T("ui.run_n"), key=f"b.{key}.run_n_btn", on_click=_run_n, args=(lesson_obj, key), disabled=disabled,
                width="stretch")
    c[4].button(T("ui.run_all"), key=f"b.{key}.run_all", on_click=_run_all, args=(lesson_obj,),
                disabled=disabled or lesson_obj.busy, width="stretch")
    playing = lesson_obj.mode == "playing"
    label, icon = (T("ui.pause"), ":material/pause:") if playing else (
        (T("ui.stop"), ":material/stop:") if lesson_obj.busy else (T("ui.play"), ":material/play_arrow:"))
    c[5].button(label, icon=icon, key=f"b.{key}.play", on_click=_play, args=(lesson_obj, key),
                disabled=run is None or (run.done and not lesson_obj.busy), width="stretch",
                help=T("ui.play_help"))
    c[6].button(T("ui.reset"), key=f"b.{key}.reset", on_click=_reset, args=(lesson_obj,), disabled=run is None,
                width="stretch")


def status(lesson_obj: Lesson) -> None:
    """Where the run is; a progress bar during a long run; the explained stop after divergence."""
    T = tr()
    run = lesson_obj.run
    if run is None:
        return
    if lesson_obj.mode == "running":
        st.progress(lesson_obj.progress(), text=T("ui.running", n=run.step_count, total=lesson_obj.target))
    parts = [T("ui.step_of", n=run.step_count, total=run.total_steps),
             T("ui.epoch_batch", epoch=run.epoch + (1 if run.batch_in_epoch else 0), batch=run.batch_in_epoch,
               batches=run.steps_per_epoch) if run.steps_per_epoch > 1 else T("ui.epoch_n", epoch=run.epoch)]
    L = run.losses()
    if len(L):
        parts.append(T("ui.last_loss", loss=f"{L[-1]:.6g}"))
    if run.status == "diverged":
        st.error(T("ui.diverged", message=run.message, n=run.step_count), icon=":material/warning:")
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
            lesson_obj.tick(BUDGET_S)
        if (every is None) == lesson_obj.busy:  # started or finished: re-create the fragment
            st.rerun()
        if shown(key, "controls"):
            controls(lesson_obj, key)
        if fields is not None:
            share_button(key, fields, lesson_obj.run)
        if lesson_obj.mode == "playing":
            st.select_slider(tr()("ui.speed"), [1, 5, 25, 100], key=f"w.{key}.speed", persist_state="session")
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
    T = tr()
    up = st.session_state.get(f"_{key}.upload")
    if not isinstance(up, Upload):
        up = st.session_state[f"_{key}.upload"] = Upload()
    mb = MAX_UPLOAD_BYTES / 1024 / 1024
    need = T("ui.upload.one_feature") if one_feature else (
        T("ui.upload.two_features") if two_features else T("ui.upload.features"))
    labels = T("ui.upload.binary_label") if binary_labels else T("ui.upload.numeric_label")
    uploaded = st.file_uploader(
        T("ui.upload.label"), type=["csv", "txt"], key=f"u.{key}.csv",
        help=T("ui.upload.help", need=need, labels=labels, mb=f"{mb:g}", rows=f"{MAX_CSV_ROWS:,}"))
    kept = T("ui.upload.kept") if up.accepted is not None else ""
    if uploaded is None:
        if up.accepted is not None:
            st.caption(T("ui.upload.earlier", summary=_summary(T, up.accepted, up.accepted_name)))
        return up.accepted
    name, raw = uploaded.name, uploaded.getvalue()
    try:
        columns = up.columns(name, raw)
        label = st.selectbox(T("ui.upload.label_column"), columns, index=len(columns) - 1,
                             key=f"u.{key}.label.{name}.{len(raw)}", help=T("ui.upload.label_column_help"))
        ds = up.table(name, raw, label, binary_labels=binary_labels)
        want = 1 if one_feature else (2 if two_features else None)
        features = None
        if want is not None and ds.n_features < want:
            st.error(T("ui.upload.too_few", want=want, have=ds.n_features) + kept)
            return up.accepted
        if want is not None and ds.n_features > want:
            st.caption(T("ui.upload.choose_one" if want == 1 else "ui.upload.choose_two", have=ds.n_features))
            if want == 1:
                features = (st.selectbox(T("ui.upload.feature_x"), ds.feature_names,
                                         key=f"u.{key}.f1.{name}.{len(raw)}.{label}", help=T("ui.upload.feature_x_help")),)
            else:
                features = tuple(st.multiselect(T("ui.upload.features_x"), ds.feature_names, default=ds.feature_names[:2],
                                                max_selections=2, key=f"u.{key}.f2.{name}.{len(raw)}.{label}",
                                                help=T("ui.upload.features_x_help")))
                if len(features) != 2:
                    st.error(T("ui.upload.exactly_two") + kept)
                    return up.accepted
        accepted = up.accept(name, ds, features)
    except GdError as exc:
        msg = str(exc)
        st.error(f"{msg[:1].upper()}{msg[1:]}." + kept)
        return up.accepted
    st.caption(_summary(T, accepted, name))
    return accepted


def _summary(T: Translator, ds: Dataset, name: str = "") -> str:
    """One line about accepted data: file, rows, features, label."""
    return T("ui.upload.summary", name=name, rows=f"{ds.n:,}", features=", ".join(ds.feature_names),
             label=ds.label_name)


# -- code and downloads ------------------------------------------------------------------------

def code_and_downloads(run, key: str) -> None:
    """'Show the code' (the exact script for these settings) and the downloads."""
    if run is None:
        return
    T = tr()
    with st.expander(T("ui.code.show")):
        try:
            script = export_script(run.config, run.data)
        except GdError as exc:
            st.info(str(exc))
            script = None
        if script:
            st.code(script, language="python", line_numbers=True)
    c1, c2, c3, c4 = st.columns(4)
    if script:
        c1.download_button(T("ui.code.script"), script, icon=":material/download:", file_name=f"{run.config.preset or key}.py",
                           mime="text/x-python", key=f"b.{key}.dl_py")
    c2.download_button(T("ui.code.history"), icon=":material/download:", data=lambda: history_csv(run), file_name=f"{key}_history.csv",
                       mime="text/csv", key=f"b.{key}.dl_csv")
    c3.download_button(T("ui.code.weights"), icon=":material/download:", data=lambda: weights_bytes(run),
                       file_name=f"{run.config.preset or key}_state_dict.pt", mime="application/octet-stream",
                       key=f"b.{key}.dl_pt", help=T("ui.code.weights_help"))
    with st.expander(T("ui.code.load_weights"), icon=":material/upload_file:"):
        load_weights(lesson(key), key)
    drawn = st.session_state.get(f"_charts.{st.session_state.get('_page', '')}", {})
    if drawn:
        with c4.popover(T("ui.code.charts"), icon=":material/image:", help=T("ui.code.charts_help")):
            for name, ch in list(drawn.items()):
                st.download_button(f"{name}.svg", data=lambda ch=ch: _svg(ch), file_name=f"{key}_{name}.svg",
                                   mime="image/svg+xml", key=f"b.{key}.dl_svg.{name}", icon=":material/download:")


def weights_bytes(run) -> bytes:
    """The run's parameters as a torch.save'd state_dict."""
    return weights.save(run.state_dict())


def load_weights(lesson_obj: Lesson, key: str) -> None:
    """An uploader for a saved state_dict: checked, then the run starts over from those weights."""
    T = tr()
    run = lesson_obj.run
    if run is None:
        return
    up = st.file_uploader(T("ui.code.load_weights"), type=["pt", "pth"], key=f"u.{key}.pt",
                          help=T("ui.code.load_weights_help"))
    if up is None:
        return
    raw = up.getvalue()
    stamp = (up.name, len(raw), id(run))
    done = st.session_state.get(f"_{key}.weights_loaded")
    if done is not None and done[0] == stamp:
        st.caption(done[1])
        return
    try:
        state = weights.load(raw, run.state_dict())
    except GdError as exc:
        msg = str(exc)
        st.error(f"{msg[:1].upper()}{msg[1:]}. " + T("ui.bad_setting_kept", error="").lstrip(". "))
        return
    lesson_obj.stop()
    run.start_from(*weights.start_values(run, state))
    w, b = run.params()["w"], run.params()["b"]
    note = T("ui.code.loaded_weights", name=up.name, summary=f"w = {[round(v, 6) for v in w]}, b = {[round(v, 6) for v in b]}")
    st.session_state[f"_{key}.weights_loaded"] = (stamp, note)
    st.caption(note)


def fmt(v: float) -> str:
    """A number for display (no nan/inf surprises)."""
    if v is None or not math.isfinite(v):
        return "—"
    return f"{v:.6g}"


# -- share links and instructor locks ---------------------------------------------------------

def _link_state(key: str) -> dict:
    return st.session_state.setdefault(f"_link.{key}", {"written": None, "hide": (), "lock": False,
                                                         "steps": None, "notes": []})


def share(key: str, fields: list[Field], groups=(), presets: dict | None = None,
          preset_key: str | None = None) -> dict:
    """Apply the page's query string (once per new link) to its widgets; return the link state.

    A link's values are set before the widgets are drawn, so the page builds exactly the run the
    link describes; its `steps` are replayed by `replay()` once the run exists. Malformed values
    are skipped with a note (shown by `link_notes`); the widgets keep their defaults for them.
    """
    state = _link_state(key)
    params = st.query_params.to_dict()
    # A link is applied once, on the page's first visit in this session: within a session the query
    # string only changes by our own writes (the browser's copy can lag a rerun behind them), and a
    # link opened anew always starts a new session.
    first = not state.get("visited")
    state["visited"] = True
    if not first or not params:
        return state
    own_seed = any(f.name == "seed" and f.key != "w.seed" for f in fields)
    link = decode(params, fields, groups, ignore=("lang", "preset") + (() if own_seed else ("seed",)))
    seed_note = st.session_state.pop("_seed_note", None)  # a bad ?seed=, found by the entry point
    if seed_note is not None and not own_seed:
        link.notes.append(seed_note)
    preset = params.get("preset")
    if preset is not None and not (presets and preset in presets):
        link.notes.append(Note("preset", str(preset)[:64], "unknown_choice",
                               Field("preset", "", "choice", choices=tuple(presets or ()))))
    if presets and preset in presets:
        set_values(presets[preset])
        if preset_key:
            st.session_state[preset_key] = preset
    set_values(link.values)
    state.update(hide=link.hide, lock=link.lock, steps=link.steps, notes=link.notes, written=params)
    if link.steps:
        lesson(key).stop()
    return state


def link_pending(key: str) -> bool:
    """True when `share(key, ...)` is about to apply a link (the page's first visit, with a query)."""
    return bool(st.query_params.to_dict()) and not _link_state(key).get("visited")


def shown(key: str, group: str) -> bool:
    """False when an instructor's link hid this control group (or locked the preset, for 'presets')."""
    state = _link_state(key)
    if group == "presets" and state["lock"]:
        return False
    return group not in state["hide"]


def link_notes(key: str) -> None:
    """The link's skipped values, one sentence each, and the instructor banner."""
    T = tr()
    state = _link_state(key)
    if state["lock"] or state["hide"]:
        st.info(T("ui.link.instructor"), icon=":material/school:")
    notes = state["notes"]
    if not notes:
        return
    lines = [T(f"ui.link.reason.{n.reason}", name=n.name, raw=n.raw,
               lo=n.field.lo if n.field else "", hi=n.field.hi if n.field else "",
               choices=", ".join(map(str, n.field.choices)) if n.field else "") for n in notes]
    st.warning(T("ui.link.ignored") + "\n\n" + "\n".join(f"- {line}" for line in lines), icon=":material/link_off:")
    st.button(T("ui.link.dismiss"), key=f"b.{key}.dismiss_notes", on_click=state.update,
              kwargs={"notes": []})


def replay(lesson_obj: Lesson, key: str) -> None:
    """Run the link's `steps` on the freshly built run (long replays tick live, with Stop)."""
    state = _link_state(key)
    steps = state.get("steps")
    run = lesson_obj.run
    if not steps or run is None:
        return
    state["steps"] = None
    if run.step_count:
        run.reset()
    steps = min(steps, run.total_steps)
    if steps <= SYNC_STEPS:
        run.run(steps)
    else:
        lesson_obj.start(steps)


def sync_link(key: str, fields: list[Field], run=None) -> dict:
    """Write the page's current state into the URL (so the address bar is always a share link)."""
    state = _link_state(key)
    values = {f.key: st.session_state[f.key] for f in fields if f.key in st.session_state}
    params = encode(values, fields, steps=run.step_count if run is not None else None,
                    hide=state["hide"], lock=state["lock"], lang=lang())
    if "seed" not in params and st.session_state.get("w.seed") is not None:
        params["seed"] = str(int(st.session_state["w.seed"]))  # the sidebar seed every lesson reads
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    state["written"] = params
    return params


def share_button(key: str, fields: list[Field], run=None) -> None:
    """A 'Share link' popover with the full URL of this exact state, ready to copy."""
    T = tr()
    params = sync_link(key, fields, run)
    base = st.context.url or ""
    with st.popover(T("ui.link.share"), icon=":material/link:"):
        st.caption(T("ui.link.share_help"))
        st.code(base + query_string(params), language=None, wrap_lines=True)


# -- charts ----------------------------------------------------------------------------------

_ALTAIR_GLOBALS = threading.Lock()  # Altair's data transformer and theme are process-wide settings


def _collect(sink: dict):
    def transform(data):
        name = f"data{len(sink)}"  # stable names: the browser updates a chart's data in place
        sink[name] = data
        return {"name": name}
    return transform


alt.data_transformers.register("gdcore_collect", lambda data, sink: _collect(sink)(data))


def chart_spec(chart) -> dict:
    """The Vega-Lite dict for an Altair chart, with its data frames as named datasets.

    The builders' specs are validated against the Vega-Lite schema by their tests (tests call
    `to_dict()`); here validation is skipped because it costs more than drawing the chart.
    """
    datasets: dict = {}
    with _ALTAIR_GLOBALS, alt.data_transformers.enable("gdcore_collect", sink=datasets), alt.theme.enable("none"):
        spec = chart.to_dict(validate=False)
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


def chart(ch, name: str, **kwargs) -> None:
    """Draw an Altair chart (like st.altair_chart) and keep it for this page's SVG download."""
    page = st.session_state.get("_page", "")
    st.session_state.setdefault(f"_charts.{page}", {})[name] = ch
    kwargs.setdefault("width", "stretch")
    st.vega_lite_chart(chart_spec(ch), **kwargs)


def _svg(ch) -> bytes:
    import vl_convert as vlc  # imported on demand: only the download needs it
    return vlc.vegalite_to_svg(ch.to_dict()).encode()
