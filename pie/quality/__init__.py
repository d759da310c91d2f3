"""The quality domain: figures.py (answers from queries/quality/) and charts.py (their plotly figures)."""
