"""Entry point: navigation over pages/, the shared sidebar, one torch thread. Nothing else."""
import streamlit as st
import torch

from gdcore.devices import available_devices


@st.cache_resource
def _one_torch_thread() -> bool:
    # All sessions share this one process. The tutorials' tensors are tiny, so extra intra-op
    # threads only add hand-off cost, and on a shared host (a fraction of a core) they would
    # make every user compete for cores: one thread, set once for the process.
    torch.set_num_threads(1)
    return True


_one_torch_thread()
st.set_page_config(page_title="gdcore: gradient descent, step by step", page_icon=":material/trending_down:", layout="wide")

# A widget's value is dropped when the user visits a page that does not draw it; lesson widgets
# use keys starting with "w." and are re-assigned here so every lesson keeps its settings.
for _key in list(st.session_state.keys()):
    if isinstance(_key, str) and _key.startswith("w."):
        st.session_state[_key] = st.session_state[_key]

PAGES = {
    "Start": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)],
    "Lessons": [
        st.Page("pages/autograd_basics.py", title="1 · Autograd basics", icon=":material/account_tree:"),
        st.Page("pages/linear_regression.py", title="2 · Linear regression by hand", icon=":material/show_chart:"),
        st.Page("pages/mini_batches.py", title="3 · Mini-batches", icon=":material/view_module:"),
        st.Page("pages/why_squared_loss.py", title="4 · Why squared loss", icon=":material/bar_chart:"),
        st.Page("pages/optimizers.py", title="5 · nn.Module and optimizers", icon=":material/sports_score:"),
        st.Page("pages/logistic_regression.py", title="6 · Logistic regression", icon=":material/scatter_plot:"),
        st.Page("pages/lr_explorer.py", title="7 · Learning-rate explorer", icon=":material/tune:"),
    ],
}
nav = st.navigation(PAGES)
# Streamlit's legacy pages/ mode can run a lesson file without this script (a direct link to a
# fresh server); the lesson then sends the learner here with its path, and we go on to it.
_goto = st.session_state.pop("_goto", None)
if _goto:
    st.switch_page(_goto)
st.session_state["_entry_ran"] = True

with st.sidebar:
    st.selectbox("Device", available_devices(), key="w.device", persist_state="session",
                 help="Only devices that exist on this server are listed. 'auto' picks a GPU when there is one.")
    st.number_input("Seed", min_value=0, max_value=2**31 - 1, step=1, key="w.seed", value=None, persist_state="session",
                    placeholder="the tutorial's own seed",
                    help="Seeds this run's own random generators. Empty: the tutorial's seed. "
                         "Same seed, same numbers.")

nav.run()
