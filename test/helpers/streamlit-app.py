# A Streamlit app for the proxy tests (run by streamlit run).
import streamlit as st

st.title("nbhub streamlit")
st.write("hello from inside a runtime")
