"""Exercises (filled below)."""
import streamlit as st

from pages import _ui

_ui.page_guard("pages/exercises.py")
st.title("Exercises")
