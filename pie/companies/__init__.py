"""The companies domain: figures.py (answers from queries/companies/) and charts.py (their plotly figures)."""
