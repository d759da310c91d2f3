"""Reporting: does every partner send its monthly report, and on time? (METRICS.md
"Reporting"; the rules in docs/REPORTING.md.) Late partners first, with their contact; the
calendar of each partner is set at the bottom."""
import streamlit as st

from pie.config import settings
from pie.reporting import charts, figures
from pie.ui import data, layout, session
from pie.ui import reporting_views as views
from pie.ui.lang import day, language, number, percent, t
from pie.ui.partner_views import figure_cards

manager = session.user()
layout.page_header("reporting", with_scope=False)
as_of = figures.today()
partners = figures.partners(settings().db_path)
grid = figures.months(partners, data.ask(figures.accepted_batches), as_of)
if grid.empty:
    st.info(t("reporting.none_yet" if partners else "reporting.empty"), icon=":material/info:")
    views.calendar_editor(partners, manager)
    st.stop()

months = figures.report_months(grid)
default = figures.latest_expected_month(grid)
month = st.selectbox(t("reporting.month"), months, index=months.index(default) if default else 0,
                     key="reporting_month", format_func=lambda m: charts.month_label(m, language()),
                     help=t("reporting.month.help"))
shown = figures.through(grid, month)
st.caption(t("reporting.as_of", day=day(as_of), month=charts.month_label(month, language())))

overall = figures.overall(shown)
figure_cards([
    ("reporting.rate.reporting_rate", percent(overall["reporting_rate"]), "reporting.rate.reporting_rate.help"),
    ("reporting.rate.on_time_rate", percent(overall["on_time_rate"]), "reporting.rate.on_time_rate.help"),
    ("reporting.card.months_expected", number(overall["months_expected"]), "reporting.card.months_expected.help"),
])

st.header(t("reporting.chart.title"), anchor=False)
st.caption(t("reporting.chart.caption"))
layout.plotly_chart(layout.figure(charts.rates_over_months, figures.rates_by_month(shown), language()),
                    key="reporting_rates")

st.header(t("reporting.table.title"), anchor=False)
st.caption(t("reporting.table.caption", month=charts.month_label(month, language())))
layout.show_table(views.partners_table(figures.rates(shown, partners), figures.statuses(grid, month)),
                  t("reporting.table.file"), key="reporting_partners")

st.header(t("reporting.calendar.title"), anchor=False)
st.caption(t("reporting.calendar.caption"))
views.calendar_editor(partners, manager)
