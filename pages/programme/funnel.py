"""Funnel: where do participants drop out, and which groups convert?"""
import streamlit as st

from pie.programme import charts
from pie.programme import figures as programme
from pie.ui import data, layout
from pie.ui.cards import kpi_cards
from pie.ui.lang import language, md, number, percent, t
from pie.ui.programme_tables import funnel_by_group, funnel_steps

CARDS = (("participants", "immersion_completed", "dropped", "companies_created"),)

scope = layout.open_page("funnel")

kpi_cards(CARDS, scope)
st.caption(t("funnel.cards.caption"))

st.header(t("funnel.chart.title"), anchor=False)
totals = data.ask(programme.funnel_by_group, scope, "all")
steps = programme.funnel_steps(totals)
outcomes = programme.funnel_outcomes(totals)
layout.plotly_chart(layout.figure(charts.funnel, steps, language()), theme=None, key="funnel_chart")
st.caption(t("funnel.chart.caption"))
if outcomes.jobs_created:
    st.caption(md("funnel.jobs", jobs=number(outcomes.jobs_created), share=percent(outcomes.woman_led_jobs_share)))
if outcomes.companies_not_financed:
    st.info(md("funnel.not_financed", companies=number(outcomes.companies_not_financed),
              jobs=number(outcomes.jobs_not_financed)))
layout.show_table(funnel_steps(steps), t("funnel.steps.file"), key="funnel_steps")

st.header(t("funnel.breakdown.title"), anchor=False)
breakdown = st.radio(t("funnel.breakdown.label"), programme.FUNNEL_BREAKDOWNS, horizontal=True,
                     key="funnel_breakdown", format_func=lambda code: t(f"breakdown.{code}"))
layout.show_table(funnel_by_group(data.ask(programme.funnel_by_group, scope, breakdown), breakdown),
                  t("funnel.breakdown.file", breakdown=breakdown), key="funnel_breakdown")

st.header(t("funnel.people.title"), anchor=False)
st.caption(t("funnel.people.caption"))
for column, group in zip(st.columns(len(programme.FUNNEL_PEOPLE_BREAKDOWNS)), programme.FUNNEL_PEOPLE_BREAKDOWNS):
    with column:
        layout.plotly_chart(layout.figure(charts.people_shares, data.ask(programme.funnel_by_group, scope, group),
                                          group, language()),
                            theme=None, key=f"funnel_{group}")
