"""The leadership report (issue 6): an A4 PDF to forward, built from pie.leadership and pie.kpis.

`build_report(db_path, year, region=None, language="fr", out=...)` writes the file,
`report_pdf(...)` returns its bytes (for a download button); the CLI command `report` lives in
pie/report/commands.py.
"""
from pie.report.report import build_report, report_html, report_pdf

__all__ = ["build_report", "report_html", "report_pdf"]
