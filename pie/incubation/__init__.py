"""The incubation domain: figures.py (answers from queries/incubation/) and charts.py (their plotly figures)."""
