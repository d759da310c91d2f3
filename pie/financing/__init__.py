"""The financing domain: figures.py (answers from queries/financing/) and charts.py (their plotly figures)."""
