"""Glossary: what every figure of the dashboard means (METRICS.md), so users trust them."""
import streamlit as st

from pie import kpis
from pie.ui import layout
from pie.ui.lang import t

layout.page_header("glossary", with_scope=False)

st.header(t("glossary.indicators"), anchor=False)
for key in kpis.KEYS:
    with st.expander(t(f"kpi.{key}"), expanded=False):
        st.markdown(t(f"glossary.{key}"))
        st.caption(t("glossary.key", key=key))

st.header(t("glossary.funnel"), anchor=False)
st.markdown(t("glossary.funnel.text"))
st.header(t("glossary.scope"), anchor=False)
st.markdown(t("glossary.scope.text"))
st.header(t("glossary.reach"), anchor=False)
st.markdown(t("glossary.reach.text"))
