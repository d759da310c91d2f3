"""Overview: how big is the programme, and is it growing?"""
import streamlit as st

from pie.programme import charts, figures
from pie.ui import data, layout, targets
from pie.ui.cards import kpi_cards
from pie.ui.lang import language, t
from pie.ui.reporting_status import show_partner_status
from pie.ui.tables import yearly

CARDS = (
    ("participants", "women_share", "immersion_completed", "dropped"),
    ("projects", "plans_validated", "projects_financed", "amount_approved_mad"),
    ("companies_created", "jobs_created", "projects_incubated", "coaching_hours"),
)
TREND = ("participants", "immersion_completed", "projects")

scope = layout.open_page("overview")
show_partner_status()

kpi_cards(CARDS, scope)

# the targets of the filtered (else the latest) year, as the Regions page judges them
targets.section(scope)

st.header(t("overview.trend.title"), anchor=False)
st.caption(t("overview.trend.caption"))
years = data.ask(figures.participants_by_year, scope)
layout.plotly_chart(layout.figure(charts.yearly_trend, years, TREND, language()), theme=None, key="overview_trend")
layout.show_table(yearly(years, TREND), t("overview.trend.file"), key="overview_trend")
