import streamlit as st

st.title("linear_regression")
st.info("This lesson is being written.")
