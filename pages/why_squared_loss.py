import streamlit as st

st.title("why_squared_loss")
st.info("This lesson is being written.")
