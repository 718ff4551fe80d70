"""The app's Streamlit side: page scripts in pages/views/, their shared helpers in pages/ui/.

Nothing else lives at this level on purpose: Streamlit runs a page script found directly in
pages/ on its own (its legacy multipage mode, active until the first st.navigation call of a
server process), without streamlit_app.py's navigation and sidebar.
"""
