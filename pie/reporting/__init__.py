"""Reporting calendar and rates (METRICS.md "Reporting", docs/REPORTING.md): is each partner
reporting every month, on time? `figures.py` computes the months and rates, `charts.py` the
rates over the months."""
