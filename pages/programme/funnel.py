"""Funnel: where do participants drop out, and which groups convert?"""
import streamlit as st

from pie import kpis
from pie.programme import charts
from pie.ui import data, layout
from pie.ui.cards import kpi_cards
from pie.ui.lang import language, t
from pie.ui.tables import funnel_by_group

CARDS = (("participants", "immersion_completed", "dropped", "companies_created"),)
BREAKDOWNS = ("region", "establishment", "cohort", "academic_year")
PEOPLE_BREAKDOWNS = ("gender", "profile")

scope = layout.open_page("funnel")

kpi_cards(CARDS, scope)

st.header(t("funnel.chart.title"))
layout.plotly_chart(layout.figure(charts.funnel, data.funnel(scope), language()), theme=None, key="funnel_chart")
st.caption(t("funnel.chart.caption"))

st.header(t("funnel.breakdown.title"))
breakdown = st.radio(t("funnel.breakdown.label"), BREAKDOWNS, horizontal=True, key="funnel_breakdown",
                     format_func=lambda code: t(f"breakdown.{code}"))
layout.show_table(funnel_by_group(data.ask(kpis.funnel_by_group, scope, breakdown), breakdown),
                  t("funnel.breakdown.file", breakdown=breakdown), key="funnel_breakdown")

st.header(t("funnel.people.title"))
st.caption(t("funnel.people.caption"))
for column, group in zip(st.columns(len(PEOPLE_BREAKDOWNS)), PEOPLE_BREAKDOWNS):
    with column:
        layout.plotly_chart(layout.figure(charts.people_shares, data.ask(kpis.funnel_by_group, scope, group), group, language()),
                        theme=None, key=f"funnel_{group}")
