import streamlit as st

st.title("lr_explorer")
st.info("This lesson is being written.")
