"""The import page's pieces: upload, dry run and report, confirmation, history. The partners'
and managers' pieces (templates, queue, approval) are in pie/ui/submissions.py, the fix-it-here
grid in pie/ui/fixes.py.

The page calls the same library as `python -m pie ingest` (pie.ingest.check / ingest), so a
batch checked here is checked exactly as on the command line.
"""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from pie import auth, ingest
from pie.config import settings
from pie.errors import PieError
from pie.ingest.validate import LISTED_PER_KIND
from pie.ui import data, tables
from pie.ui.lang import error_text, language, number, t

DONE_KEY = "import_done"              # Report of the last accepted batch, shown once
UPLOADER_KEY = "import_files"


def fingerprint(files) -> str:
    """Identifies a set of uploaded files by name and content (a new upload needs a new check)."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.name):
        digest.update(file.name.encode())
        digest.update(hashlib.sha256(file.getvalue()).digest())
    return digest.hexdigest()


def _progress_bar():
    bar = st.progress(0.0)

    def progress(step: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=t(f"ingest.step.{step}"))
    return bar, progress


def run(files, user: auth.User, dry_run: bool):
    """Check (dry run) or import `files`; the Report, or None after showing why it could not run."""
    bar, progress = _progress_bar()
    try:
        report = (ingest.check if dry_run else ingest.ingest)(
            files, settings().db_path, user=user.user_name, progress=progress, language=language())
    except PieError as error:
        st.error(error_text(error))
        return None
    finally:
        bar.empty()
    return report


def rows_table(report) -> tables.Table:
    """Rows per table of a batch, with translated headers."""
    frame = pd.DataFrame({t("import.table"): list(report.rows), t("import.rows"): list(report.rows.values())})
    return tables.Table(frame, {t("import.table"): tables.TEXT, t("import.rows"): tables.COUNT})


def show_report(report, key: str = "import") -> None:
    """Outcome, rows per table, then every problem and warning (downloadable). `key` tells
    apart the download buttons of several reports on one page."""
    if report.valid:
        st.success(t("import.check.ok_submit" if report.awaits_approval else "import.check.ok",
                     rows=number(sum(report.rows.values())), tables=number(len(report.rows))),
                   icon=":material/check_circle:")
    else:
        st.error(t("import.check.problems", problems=number(report.problems_count)),
                 icon=":material/error:")
    if report.rows:
        tables.dataframe(rows_table(report))
    if report.groups:
        show_groups(report)
    if report.problems or report.warnings:
        with st.expander(t("import.groups.all")):
            frame = report.to_frame(language()).head(1000)
            frame["severity"] = frame["severity"].map(lambda severity: t(f"import.severity.{severity}"))
            frame["row"] = frame["row"].astype("float64")
            frame = frame.rename(columns={c: t(f"import.column.{c}") for c in frame.columns})
            kinds = {column: tables.TEXT for column in frame.columns}
            kinds[t("import.column.row")] = tables.COUNT
            tables.dataframe(tables.Table(frame, kinds))
        if report.truncated:
            st.caption(t("import.truncated", listed=number(len(report.problems)),
                         total=number(report.problems_count)))
            st.caption(t("import.listed_per_kind", per_kind=number(LISTED_PER_KIND)))
        st.download_button(t("import.download_problems"), data=report.to_csv(language()),
                           file_name=f"problemes-{report.batch_id}.csv", mime="text/csv",
                           on_click="ignore", icon=":material/download:", key=f"{key}_problems_csv")


def show_groups(report) -> None:
    """Problems grouped by kind first: kind, column, how many, the first rows, how to fix."""
    st.markdown(f"**{t('import.groups.title')}**")
    groups = report.groups_frame(language())
    frame = pd.DataFrame({
        t("import.column.severity"): [t(f"import.severity.{s}") for s in groups["severity"]],
        t("import.groups.kind"): groups["kind"],
        t("import.groups.column"): groups["column"].fillna("—"),
        t("import.groups.count"): groups["count"],
        t("import.groups.rows"): groups["rows"],
        t("import.groups.how_to_fix"): groups["how_to_fix"],
    })
    kinds = {column: tables.TEXT for column in frame.columns}
    kinds[t("import.groups.count")] = tables.COUNT
    tables.dataframe(tables.Table(frame, kinds))


def history_table() -> tables.Table:
    """The import history, newest first, as people read it."""
    batches = ingest.history(settings().db_path, limit=200)
    frame = pd.DataFrame({
        t("import.history.when"): [b["started_at"] for b in batches],
        t("import.history.who"): [b["user_name"] or "—" for b in batches],
        t("import.history.files"): [", ".join(f["file"] for f in b["files"]) for b in batches],
        t("import.history.rows"): [number(sum(b["rows"].values())) for b in batches],
        t("import.history.outcome"): [t(f"import.outcome.{b['outcome']}") for b in batches],
        t("import.history.problems"): [number(b["problems_count"]) for b in batches],
        t("import.history.reviewed_by"): [b.get("reviewed_by") or "—" for b in batches],
        t("import.history.comment"): [b.get("review_comment") or "" for b in batches],
        t("import.history.batch"): [b["batch_id"] for b in batches],
    })
    frame[t("import.history.when")] = frame[t("import.history.when")].astype("string")
    return tables.Table(frame, {column: tables.TEXT for column in frame.columns})


def demo_refusal() -> bool:
    """On a demo database, say that imports go to a real one and how to create it."""
    if data.is_demo():
        st.warning(t("import.demo_refused"), icon=":material/block:")
        return True
    return False
