"""The per-session basics every page helper needs: the language, the translator, a lesson's state."""
from __future__ import annotations

import streamlit as st

from gdcore import trainer
from gdcore.i18n import Translator, translator
from gdcore.session import Lesson

SYNC_STEPS = 2000  # "Run N" up to this many steps finishes inside the click; longer runs tick live


def lang() -> str:
    """The learner's language code (the sidebar's choice, or ?lang= on the first visit)."""
    return st.session_state.get("w.lang") or "en"


def tr() -> Translator:
    """The translator for this learner's language: T("key", **values)."""
    return translator(lang())


def lesson(name: str) -> Lesson:
    """This user's state for a lesson, kept under a session key no widget owns."""
    key = f"_lesson.{name}"
    if key not in st.session_state:
        st.session_state[key] = Lesson(trainer.shared())
    return st.session_state[key]


def set_values(values: dict) -> None:
    """on_click helper: set widget values (before the widgets are drawn on the rerun)."""
    for k, v in values.items():
        st.session_state[k] = v


def open_page(slug: str) -> None:
    """Before a page runs (the entry point calls it): which page this is, and no charts drawn yet.

    The SVG download lists the charts the current run of the page drew (pages/ui/files.py).
    """
    st.session_state["_page"] = slug
    st.session_state[f"_charts.{slug}"] = {}
