"""A CSV upload where the learner picks the target column and 1 to 64 feature columns (the linear
regression page). The checks are gdcore's (gdcore/tables.py); a bad choice shows one sentence and
the data and run accepted before are kept.
"""
from __future__ import annotations

import streamlit as st

from gdcore.config import MAX_FEATURES
from gdcore.data import MAX_CSV_ROWS, MAX_UPLOAD_BYTES, Dataset
from gdcore.errors import GdError
from pages.ui.files import _summary, upload_box
from pages.ui.state import tr


def upload_columns(key: str) -> Dataset | None:
    """A CSV uploader, the target column and the feature columns; the accepted Dataset (the same object
    on every rerun while the file and the choice stay), or the one accepted before a bad choice."""
    T = tr()
    mb = MAX_UPLOAD_BYTES / 1024 / 1024
    up, uploaded, kept = upload_box(key, T("features.upload.help", max=MAX_FEATURES, mb=f"{mb:g}",
                                            rows=f"{MAX_CSV_ROWS:,}"))
    if uploaded is None:
        return up.accepted
    name, raw = uploaded.name, uploaded.getvalue()
    try:
        table = up.sheet(name, raw)
        first = table.default_target()
        c1, c2 = st.columns([1, 3])
        target = c1.selectbox(T("features.upload.target"), table.header, index=table.header.index(first),
                              key=f"u.{key}.label.{name}.{len(raw)}", help=T("features.upload.target_help"))
        features = c2.multiselect(T("features.upload.features"), table.header,
                                  default=table.default_features(first), max_selections=MAX_FEATURES,
                                  key=f"u.{key}.features.{name}.{len(raw)}",
                                  help=T("features.upload.features_help", max=MAX_FEATURES))
        accepted = up.choose(name, table, target, features)
    except GdError as exc:
        msg = T(exc.message)
        st.error(T("ui.error_sentence", error=f"{msg[:1].upper()}{msg[1:]}") + kept)
        return up.accepted
    st.caption(_summary(T, accepted, name))
    return accepted
