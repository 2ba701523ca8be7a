# The Streamlit app of the named-app tests (run by `streamlit run`).
import streamlit as st

st.title("nbhub board")
st.write("numbers from inside a runtime")
