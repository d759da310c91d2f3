"""The programme domain: figures.py (answers from queries/programme/) and charts.py (their plotly figures)."""
