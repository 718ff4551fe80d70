"""Entry point: navigation over pages/, the shared sidebar, one torch thread. Nothing else."""
import streamlit as st
import torch

from gdcore import housekeeping
from gdcore.devices import available_devices
from gdcore.i18n import LANG_NAMES, LANGS, normalize, translator
from gdcore.links import SEED_FIELD, Note, page_owns_seed
from pages import _board, _guard


@st.cache_resource
def _process_setup() -> bool:
    """Once per server process. All sessions share this process: the tutorials' tensors are tiny,
    so extra intra-op threads only add hand-off cost, and on a shared host (a fraction of a core)
    they would make every user compete for cores: one thread, set once for the process."""
    torch.set_num_threads(1)
    housekeeping.start()  # a full collection once a minute instead of after every script run
    return True


_process_setup()
_guard.install()  # a forged, wrong-typed widget value reads as no value (pages/_guard.py)
st.set_page_config(page_title="gdcore: gradient descent, step by step", page_icon=":material/trending_down:", layout="wide")

# A widget's value is dropped when the user visits a page that does not draw it; lesson widgets
# use keys starting with "w." and are re-assigned here so every lesson keeps its settings.
for _key in list(st.session_state.keys()):
    if isinstance(_key, str) and _key.startswith("w."):
        st.session_state[_key] = st.session_state[_key]

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
    T("ui.app.section_start"): [st.Page("pages/home.py", title=T("ui.app.home"), icon=":material/home:", default=True)],
    T("ui.app.section_lessons"): [
        st.Page("pages/autograd_basics.py", title=T("ui.app.autograd"), icon=":material/account_tree:"),
        st.Page("pages/linear_regression.py", title=T("ui.app.linreg"), icon=":material/show_chart:"),
        st.Page("pages/mini_batches.py", title=T("ui.app.minibatch"), icon=":material/view_module:"),
        st.Page("pages/why_squared_loss.py", title=T("ui.app.theory"), icon=":material/bar_chart:"),
        st.Page("pages/optimizers.py", title=T("ui.app.optim"), icon=":material/sports_score:"),
        st.Page("pages/logistic_regression.py", title=T("ui.app.logreg"), icon=":material/scatter_plot:"),
        st.Page("pages/lr_explorer.py", title=T("ui.app.lr_explorer"), icon=":material/tune:"),
    ],
    T("ui.app.section_workshop"): [
        st.Page("pages/exercises.py", title=T("ui.app.exercises"), icon=":material/task_alt:"),
        st.Page("pages/instructor.py", title=T("ui.app.instructor"), icon=":material/school:"),
        st.Page("pages/class_board.py", title=T("board.title"), icon=":material/groups:"),
    ],
}
nav = st.navigation(PAGES)
if "_seed_read" not in st.session_state:  # a link's sidebar seed, unless its page has a seed of its own
    st.session_state["_seed_read"] = True
    _seed = st.query_params.get("seed")
    _target = st.session_state["_goto"][0] if "_goto" in st.session_state else nav.url_path
    if _seed is not None and not page_owns_seed(_target):
        try:
            st.session_state["w.seed"] = SEED_FIELD.parse(_seed)
        except ValueError as _exc:  # the page lists it with the link's other skipped values
            st.session_state["_seed_note"] = Note("seed", _seed[:64], str(_exc), SEED_FIELD)
# Streamlit's legacy pages/ mode can run a lesson file without this script (a direct link to a
# fresh server); the lesson then sends the learner here with its path, and we go on to it.
_goto = st.session_state.pop("_goto", None)
if _goto:
    st.switch_page(_goto[0], query_params=_goto[1])
st.session_state["_entry_ran"] = True

with st.sidebar:
    st.selectbox(T("ui.app.language"), LANGS, format_func=LANG_NAMES.get, key="w.lang", persist_state="session",
                 on_change=_language_changed, help=T("ui.app.language_help"))
    st.selectbox(T("ui.app.device"), available_devices(), key="w.device", persist_state="session",
                 help=T("ui.app.device_help"))
    st.number_input(T("ui.app.seed"), min_value=0, max_value=2**31 - 1, step=1, key="w.seed", value=None,
                    persist_state="session", placeholder=T("ui.app.seed_placeholder"), help=T("ui.app.seed_help"))
    _board.sidebar()  # a room to join (from a learners' link), or the room this learner is in

nav.run()
