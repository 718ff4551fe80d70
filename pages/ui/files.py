"""Files and charts for the lesson pages (pages reach it as ui.*): uploads, the code view,
downloads (script, history, state_dict, SVG) and drawing Altair charts.
"""
from __future__ import annotations

import math
import threading

import altair as alt
import pandas as pd
import streamlit as st

from gdcore import weights
from gdcore.charts import vl
from gdcore.codegen import export_script
from gdcore.data import MAX_CSV_ROWS, MAX_UPLOAD_BYTES, Dataset
from gdcore.errors import GdError
from gdcore.i18n import Translator
from gdcore.session import Lesson, history_csv
from gdcore.uploads import Upload
from pages.ui.state import lesson, tr

# -- your own data ------------------------------------------------------------------------------

def upload_box(key: str, help_text: str):
    """The lesson's CSV uploader and what it kept: (its Upload, the file or None, the "kept" note a bad
    file's sentence ends with). With no file, says which data the lesson still uses."""
    T = tr()
    up = st.session_state.get(f"_{key}.upload")
    if not isinstance(up, Upload):
        up = st.session_state[f"_{key}.upload"] = Upload()
    uploaded = st.file_uploader(T("ui.upload.label"), type=["csv", "txt"], key=f"u.{key}.csv", help=help_text)
    kept = T("ui.upload.kept") if up.accepted is not None else ""
    if uploaded is None and up.accepted is not None:
        st.caption(T("ui.upload.earlier", summary=_summary(T, up.accepted, up.accepted_name)))
    return up, uploaded, kept


def upload_data(key: str, *, binary_labels: bool, one_feature: bool, two_features: bool = False) -> Dataset | None:
    """A CSV uploader (+ label and feature choice); the accepted Dataset, the same object on every rerun.

    A bad file shows one sentence and the previously accepted data (or None) is returned, so the run on
    it is kept. The file is only parsed as numbers (gdcore.data.load_csv), once per file and label.
    """
    T = tr()
    mb = MAX_UPLOAD_BYTES / 1024 / 1024
    need = T("ui.upload.one_feature") if one_feature else (
        T("ui.upload.two_features") if two_features else T("ui.upload.features"))
    labels = T("ui.upload.binary_label") if binary_labels else T("ui.upload.numeric_label")
    up, uploaded, kept = upload_box(key, T("ui.upload.help", need=need, labels=labels, mb=f"{mb:g}",
                                            rows=f"{MAX_CSV_ROWS:,}"))
    if uploaded is None:
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
                                         key=f"u.{key}.f1.{name}.{len(raw)}.{label}",
                                         help=T("ui.upload.feature_x_help")),)
            else:
                features = tuple(st.multiselect(T("ui.upload.features_x"), ds.feature_names,
                                                default=ds.feature_names[:2], max_selections=2,
                                                key=f"u.{key}.f2.{name}.{len(raw)}.{label}",
                                                help=T("ui.upload.features_x_help")))
                if len(features) != 2:
                    st.error(T("ui.upload.exactly_two") + kept)
                    return up.accepted
        accepted = up.accept(name, ds, features)
    except GdError as exc:
        msg = T(exc.message)
        st.error(T("ui.error_sentence", error=f"{msg[:1].upper()}{msg[1:]}") + kept)
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
            script = export_script(run.config, run.data, getattr(run, "moves", ()))  # with (w, b) set by hand
        except GdError as exc:
            st.info(T(exc.message))
            script = None
        if script:
            st.code(script, language="python", line_numbers=True, wrap_lines=True)
    c1, c2, c3, c4 = st.columns(4)
    if script:
        c1.download_button(T("ui.code.script"), script, icon=":material/download:",
                           file_name=f"{run.config.preset or key}.py", mime="text/x-python", key=f"b.{key}.dl_py")
    lock = lesson(key).lock  # the worker may be training this run while a download is read
    c2.download_button(T("ui.code.history"), icon=":material/download:", data=lambda: _locked(lock, history_csv, run),
                       file_name=f"{key}_history.csv", mime="text/csv", key=f"b.{key}.dl_csv")
    c3.download_button(T("ui.code.weights"), icon=":material/download:", data=lambda: _locked(lock, weights_bytes, run),
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


def _locked(lock, fn, *args):
    with lock:
        return fn(*args)


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
        msg = T(exc.message)
        st.error(T("ui.bad_setting_kept", error=f"{msg[:1].upper()}{msg[1:]}"))
        return
    with lesson_obj.lock:
        lesson_obj.stop()
        run.start_from(*weights.start_values(run, state))
        w, b = run.params()["w"], run.params()["b"]
    note = T("ui.code.loaded_weights", name=up.name,
             summary=f"w = {[round(v, 6) for v in w]}, b = {[round(v, 6) for v in b]}")
    st.session_state[f"_{key}.weights_loaded"] = (stamp, note)
    # the step-0 numbers and the charts above were drawn from the old start in this same script
    # run: draw the page again, so everything shows the loaded w, b before the first Step
    st.rerun()


# -- charts ----------------------------------------------------------------------------------

_ALTAIR_GLOBALS = threading.Lock()  # Altair's data transformer and theme are process-wide settings


INLINE_ROWS = vl.INLINE_ROWS  # a layer this small goes inside the spec as JSON (see gdcore.charts.vl)


def _collect(data, sink: dict) -> dict:
    """Altair data transformer: keep the frame in `sink` under a stable name the spec refers to.

    A few rows (a line's two ends, the current point) go inline instead, as plain values.
    """
    if isinstance(data, pd.DataFrame) and len(data) <= INLINE_ROWS:
        return {"values": _json_rows(data)}
    name = f"data{len(sink)}"  # stable names: the browser updates a chart's data in place
    sink[name] = data
    return {"name": name}


def _json_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-safe dicts: plain Python numbers (tolist), NaN and infinities as null."""
    names = [str(c) for c in frame.columns]
    columns = []
    for c in frame.columns:
        values = frame[c].tolist()
        columns.append([None if isinstance(v, float) and not math.isfinite(v) else v for v in values])
    return [dict(zip(names, row)) for row in zip(*columns)]


alt.data_transformers.register("gdcore_collect", _collect)


def chart_spec(chart) -> dict:
    """The Vega-Lite dict for an Altair chart, with its data frames as named datasets.

    The builders' specs are validated against the Vega-Lite schema by their tests (tests call
    `to_dict()`); here validation is skipped because it costs more than drawing the chart.
    """
    datasets: dict = {}
    with _ALTAIR_GLOBALS, alt.data_transformers.enable("gdcore_collect", sink=datasets), alt.theme.enable("none"):
        consolidate = alt.data_transformers.consolidate_datasets
        alt.data_transformers.consolidate_datasets = False  # inline values stay in their layer, as JSON
        try:
            spec = chart.to_dict(validate=False)
        finally:
            alt.data_transformers.consolidate_datasets = consolidate
    spec["datasets"] = {**spec.get("datasets", {}), **{k: _compact(v) for k, v in datasets.items()}}
    return spec


def _compact(frame):
    """A frame as the Arrow table the browser receives, without pandas' metadata and index, as compact
    as the plain specs' tables (gdcore.charts.vl.Table.arrow): float32 where that holds the numbers
    exactly, int16/int32 for whole numbers, long columns of a few names as codes."""
    if not isinstance(frame, pd.DataFrame):
        return frame
    return vl.Table.from_frame(frame).arrow()[0]


def chart(ch, name: str, **kwargs) -> None:
    """Draw a chart and keep it for this page's SVG download: a plain spec (gdcore.charts.vl: the
    charts a Step redraws, sent as they are) or an Altair chart (converted by chart_spec)."""
    page = st.session_state.get("_page", "")
    st.session_state.setdefault(f"_charts.{page}", {})[name] = ch
    kwargs.setdefault("width", "stretch")
    st.vega_lite_chart(vl.wire(ch) if isinstance(ch, dict) else chart_spec(ch), **kwargs)


def _svg(ch) -> bytes:
    import vl_convert as vlc  # imported on demand: only the download needs it
    with _ALTAIR_GLOBALS:  # never while another session's chart_spec has its transformer enabled
        spec = (vl.altair(ch) if isinstance(ch, dict) else ch).to_dict()
    return vlc.vegalite_to_svg(spec).encode()
