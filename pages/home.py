"""Home: what the app is, the lessons, the workshop pages, the device in use."""
import streamlit as st

from gdcore.devices import resolve_device
from gdcore.exercises import EXERCISES
from gdcore.errors import DeviceError
from gdcore.presets import SOURCES
from pages import _ui

_ui.page_guard("pages/home.py")
T = _ui.tr()

st.title(":material/trending_down: " + T("home.title"))
st.markdown(T("home.intro"))

# (page, icon, key of its title and line in home.toml, the tutorial it follows or None)
LESSONS = [
    ("pages/autograd_basics.py", "account_tree", "autograd", SOURCES["linreg-manual"]),
    ("pages/linear_regression.py", "show_chart", "linreg",
     f"{SOURCES['linreg-manual']} · {SOURCES['linreg-minibatch']}"),
    ("pages/mini_batches.py", "view_module", "minibatch", f"{SOURCES['linreg-minibatch']} · {SOURCES['linreg-d2l']}"),
    ("pages/why_squared_loss.py", "bar_chart", "theory", SOURCES["linreg-d2l"]),
    ("pages/optimizers.py", "sports_score", "optim", SOURCES["linreg-module"]),
    ("pages/logistic_regression.py", "scatter_plot", "logreg", SOURCES["logreg-manual"]),
    ("pages/lr_explorer.py", "tune", "lr_explorer", SOURCES["linreg-module"]),
]
WORKSHOP = [
    ("pages/exercises.py", "task_alt", "exercises", None),
    ("pages/instructor.py", "school", "instructor", None),
]


def _entries(entries) -> None:
    for path, icon, name, source in entries:
        with st.container(border=True):
            c1, c2 = st.columns([0.08, 0.92])
            c1.markdown(f"## :material/{icon}:")
            c2.page_link(path, label=f"**{T(f'home.lesson.{name}.title')}**")
            line = T(f"home.lesson.{name}.line", n=len(EXERCISES))  # the exercise count, from the list itself
            c2.caption(line + (f"  \n{T('home.follows', source=source)}" if source else ""))


st.subheader(T("home.lessons"))
_entries(LESSONS)
st.subheader(T("home.workshop"))
_entries(WORKSHOP)

try:
    device = resolve_device(st.session_state.get("w.device") or "cpu")
    st.info(T("home.device", device=device))
except DeviceError as exc:
    st.warning(T(exc.message))
