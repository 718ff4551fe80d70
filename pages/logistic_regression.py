import streamlit as st

st.title("logistic_regression")
st.info("This lesson is being written.")
