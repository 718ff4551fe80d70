import streamlit as st

st.title("optimizers")
st.info("This lesson is being written.")
