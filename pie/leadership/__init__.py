"""The leadership domain: figures.py (answers from queries/leadership/) and charts.py (their plotly figures)."""
