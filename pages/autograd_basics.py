import streamlit as st

st.title("autograd_basics")
st.info("This lesson is being written.")
