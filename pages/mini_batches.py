import streamlit as st

st.title("mini_batches")
st.info("This lesson is being written.")
