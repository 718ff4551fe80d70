"""Home: what the app is, the lessons, the workshop pages, the device in use."""
import streamlit as st

from gdcore import registry
from gdcore.devices import resolve_device
from gdcore.errors import DeviceError
from gdcore.exercises import EXERCISES
from gdcore.presets import SOURCES
from pages import ui

T = ui.tr()

st.title(":material/trending_down: " + T("home.title"))
st.markdown(T("home.intro"))


def _entries(pages) -> None:
    for page in pages:
        with st.container(border=True):
            c1, c2 = st.columns([0.08, 0.92])
            c1.markdown(f"## :material/{page.icon}:")
            c2.page_link(page.script, label=f"**{T(f'home.lesson.{page.slug}.title')}**")
            line = T(f"home.lesson.{page.slug}.line", n=len(EXERCISES))  # the exercise count, from the list itself
            source = " · ".join(SOURCES[p] for p in page.follows)  # the tutorials the lesson follows
            c2.caption(line + (f"  \n{T('home.follows', source=source)}" if source else ""))


st.subheader(T("home.lessons"))
_entries(registry.section("lessons"))
st.subheader(T("home.workshop"))
_entries(registry.section("workshop"))

try:
    device = resolve_device(st.session_state.get("w.device") or "cpu")
    st.info(T("home.device", device=device))
except DeviceError as exc:
    st.warning(T(exc.message))
