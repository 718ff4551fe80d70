"""Entry point: navigation over the pages of gdcore.registry, the shared sidebar, one torch thread.

The page scripts live in pages/views/ and their helpers in pages/ui/: nothing sits at the top of
pages/, so Streamlit's legacy folder mode (which runs before the first st.navigation call of a
server process) finds no page of its own and runs this script, whatever the first URL.
"""

import streamlit as st
import torch

from gdcore import housekeeping, registry
from gdcore.devices import available_devices
from gdcore.i18n import LANG_NAMES, LANGS, normalize, translator
from gdcore.limits import MAX_SEED
from gdcore.links import DTYPE_FIELD, SEED_FIELD, Note
from gdcore.precision import DEFAULT_DTYPE, DTYPES
from pages.ui import board, session_reaper, state, widget_guard

# The icon is served as a static file (server.enableStaticServing, from static/ beside this script):
# one fixed URL the browser caches. Given as a file path, Streamlit would keep it as a media file of
# each session, dropped and registered again around every full run, and a browser asking for it in
# between (a busy server, a page opened mid-run) got a 404.
FAVICON = "/app/static/favicon.png"


@st.cache_resource
def _process_setup() -> bool:
    """Once per server process. All sessions share this process: the tutorials' tensors are tiny,
    so extra intra-op threads only add hand-off cost, and on a shared host (a fraction of a core)
    they would make every user compete for cores: one thread, set once for the process."""
    torch.set_num_threads(1)
    # what is alive now (the imported modules: torch, Streamlit, pandas, Altair) lives as long as the
    # process: out of the collector's walks, a full collection under a room takes half the time
    housekeeping.settle_startup()
    # a full collection once a minute instead of after every script run; before it, the sessions whose
    # disconnected time is up are let go (pages/ui/session_reaper.py)
    housekeeping.start(before=session_reaper.reap)
    return True


_process_setup()
widget_guard.install()  # a forged, wrong-typed widget value reads as no value (pages/ui/widget_guard.py)
# the icon is a file of the app's own: a Material icon name would make every page load ask Google's font
# server for it, which fails in a classroom without internet (and tells a third party who is learning)
st.set_page_config(page_title="gdcore: gradient descent, step by step", page_icon=FAVICON, layout="wide")

# A link's ?lang= (and, below, ?seed=) are applied on the session's first run, before the sidebar
# draws them (a page cannot set a widget that is already drawn). Later the address bar only follows
# the sidebar: within a session the query string changes by our own writes alone.
if "_link_read" not in st.session_state:
    st.session_state["_link_read"] = True
    _lang = st.query_params.get("lang")
    if _lang is not None:
        st.session_state["w.lang"] = normalize(_lang)
st.session_state.setdefault("w.lang", "en")


def _language_changed() -> None:
    # the address bar follows the sidebar (also on pages without a share link)
    lang = st.session_state["w.lang"]
    if lang == "en":
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang


T = translator(st.session_state.get("w.lang") or "en")
PAGES = {
    T(f"ui.app.section_{section}"): [
        st.Page(page.script, title=T(page.title), icon=f":material/{page.icon}:", default=page.slug == registry.DEFAULT)
        for page in registry.section(section)]
    for section in registry.SECTIONS
}
nav = st.navigation(PAGES)
if "_seed_read" not in st.session_state:  # a link's sidebar seed, unless its page has a seed of its own
    st.session_state["_seed_read"] = True
    _seed = st.query_params.get("seed")
    if _seed is not None and not registry.owns_seed(nav.url_path):
        try:
            st.session_state["w.seed"] = SEED_FIELD.parse(_seed)
        except ValueError as _exc:  # the page lists it with the link's other skipped values
            st.session_state["_seed_note"] = Note("seed", _seed[:64], str(_exc), SEED_FIELD)
    _dtype = st.query_params.get("dtype")  # the precision every lesson's run uses, likewise
    if _dtype is not None:
        try:
            st.session_state["w.dtype"] = DTYPE_FIELD.parse(_dtype)
        except ValueError as _exc:
            st.session_state["_dtype_note"] = Note("dtype", _dtype[:64], str(_exc), DTYPE_FIELD)
st.session_state.setdefault("w.dtype", DEFAULT_DTYPE)
state.open_page(nav.url_path or registry.DEFAULT)

with st.sidebar:
    st.selectbox(T("ui.app.language"), LANGS, format_func=LANG_NAMES.get, key="w.lang", persist_state="session",
                 on_change=_language_changed, help=T("ui.app.language_help"))
    st.selectbox(T("ui.app.device"), available_devices(), key="w.device", persist_state="session",
                 help=T("ui.app.device_help"))
    st.selectbox(T("ui.app.dtype"), DTYPES, key="w.dtype", persist_state="session", help=T("ui.app.dtype_help"))
    st.number_input(T("ui.app.seed"), min_value=0, max_value=MAX_SEED, step=1, key="w.seed", value=None,
                    persist_state="session", placeholder=T("ui.app.seed_placeholder"), help=T("ui.app.seed_help"))
    board.sidebar()  # a room to join (from a learners' link), or the room this learner is in

nav.run()
