"""Instructor."""
import streamlit as st

from pages import _ui

_ui.page_guard("pages/instructor.py")
st.title("Instructor")
