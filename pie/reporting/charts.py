"""Plotly figures of the Reporting page, in the house style of pie/charts.py: the reporting
rate and the on-time rate across partners, month by month (pie.reporting.figures.rates_by_month).
No Streamlit here."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
from babel import dates as babel_dates

from pie import charts, i18n
from pie.charts import BLUE, GREEN


def month_label(month: str, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """'YYYY-MM' as the language names it: « février 2024 », "February 2024", « فبراير 2024 »."""
    day = date(int(month[:4]), int(month[5:7]), 1)
    return babel_dates.format_date(day, format="LLLL y", locale=i18n.BABEL_LOCALE[language])


def rates_over_months(frame: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> go.Figure:
    """Two lines over the expected months, oldest first: the share of partners whose report
    of that month was accepted (reporting rate) and accepted by its due day (on-time rate)."""
    fig = charts.figure(language, height=340, margin=dict(l=8, r=8, t=24, b=8), legend_traceorder="normal",
                        yaxis=charts.percent_axis(language), xaxis=dict(title=None, type="category"))
    labels = [month_label(month, language) for month in frame["month"]]
    for column, colour, dash in (("reporting_rate", GREEN, "solid"), ("on_time_rate", BLUE, "dash")):
        values = [float(v) for v in frame[column]]
        fig.add_trace(go.Scatter(
            x=labels, y=values, name=i18n.t(f"reporting.rate.{column}", language), mode="lines+markers",
            line=dict(color=colour, dash=dash, width=3), marker=dict(size=8),
            text=[i18n.fmt_percent(v, language, decimals=0) for v in values],
            hovertemplate="%{x}<br>%{fullData.name}: %{text}<extra></extra>"))
    if frame.empty:
        return charts.empty(fig, i18n.t("reporting.chart.empty", language))
    return fig
