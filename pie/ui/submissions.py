"""The import page's partner and approval pieces (DESIGN.md, Roles; pie/ingest/submissions.py).

- Partners (establishment, bank, incubator): the tables they may send, their template (only
  those sheets, their own code offered), their own batches with the managers' comments.
- Managers and admins: the queue of batches awaiting approval — what each would change
  (pie.ingest.preview), approve or return with a comment —, the trusted partners, and the count
  of waiting batches under the sidebar on every page.

Every call passes the logged-in account's name and nothing else: the library reads the role and
scope from the accounts store and refuses what the account may not do (ReviewRefused for a
partner approving, outside-scope problems for rows of another partner). The page draws the
reviewers' widgets only for reviewers, and each function checks the role again before writing.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pie import auth, ingest, queries
from pie.codes import PARTNER_ROLES, REVIEWER_ROLES
from pie.config import settings
from pie.errors import PieError
from pie.ingest import partners, templates
from pie.ingest.report import RETURNED
from pie.safety import escape_markdown
from pie.ui import data, tables
from pie.ui.lang import error_text, indicator, language, md, number, t

PREVIEW_KEY = "import_previews"       # batch id -> preview, computed on the manager's demand
REVIEWED_KEY = "import_reviewed"      # the message of the last approval or return, shown once
TRUSTED_KEY = "import_trusted"


def is_partner(user: auth.User) -> bool:
    return user.role in PARTNER_ROLES


def is_reviewer(user: auth.User) -> bool:
    return user.role in REVIEWER_ROLES


# ------------------------------------------------------------------------------ partners
def allowed_tables(user: auth.User) -> tuple[str, ...] | None:
    """The tables this account may submit (None: every table), as the library decides."""
    return partners.ALLOWED_TABLES.get(user.role, ()) if is_partner(user) else None


def _cohorts(source, scope) -> pd.DataFrame:
    return queries.run(source, "filters/cohorts", scope)


def template_fixed(user: auth.User) -> dict[tuple[str, str], list[str]]:
    """The values a partner's template offers where a column names the partner: its own bank
    code or incubator name, an establishment's cohorts — from the account, never a widget."""
    code = user.scope_code or ""
    if user.role == "bank":
        return {("financing_decisions", "bank"): [code]}
    if user.role == "incubator":
        return {("incubation_stages", "incubator"): [code], ("coaching_sessions", "partner"): [code]}
    if user.role == "establishment":
        cohorts = list(data.ask(_cohorts, user.scope())["cohort_id"])
        return {("participants", "cohort_id"): cohorts, ("projects", "cohort_id"): cohorts}
    return {}


def template_workbook(user: auth.User, lang: str) -> bytes:
    """The template workbook of this account: every table for a manager; a partner's tables
    only, with its own code offered (pie.ingest.templates)."""
    if not is_partner(user):
        return templates.template_workbook(lang)
    return templates.template_workbook(lang, tables=allowed_tables(user), fixed=template_fixed(user))


def template_buttons(user: auth.User) -> None:
    """The empty import workbook: a sheet per table and the allowed codes; for a partner only
    its tables, its own code offered (template_workbook)."""
    lang = language()
    st.download_button(t("import.templates.xlsx"), data=lambda: template_workbook(user, lang),
                       file_name="modeles-import-pie.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", icon=":material/table_view:", key="import_template_xlsx")


def what_you_may_send(user: auth.User) -> None:
    """For a partner: the tables it may send and whose rows (its scope, from its account)."""
    if not is_partner(user):
        return
    st.markdown(t(f"import.partner.may_send.{user.role}", tables=", ".join(f"`{name}`" for name in allowed_tables(user)),
                  scope=escape_markdown(user.scope_code or "")))


def partner_batches(user: auth.User) -> None:
    """A partner's own batches, newest first: state, who reviewed it, the comment of a returned
    batch (the latest one also in a box above the table)."""
    st.header(t("import.mine.title"), anchor=False)
    batches = [b for b in ingest.history(settings().db_path, limit=200, user_name=user.user_name)
               if not b["dry_run"]]
    if not batches:
        st.info(t("import.mine.empty"))
        return
    returned = next((b for b in batches if b["outcome"] == RETURNED), None)
    if returned is not None and returned is batches[0]:
        st.warning(md("import.mine.returned", batch=returned["batch_id"], by=returned["reviewed_by"] or "—",
                      comment=returned["review_comment"] or ""), icon=":material/undo:")
    frame = pd.DataFrame({
        t("import.history.when"): [str(b["started_at"]) for b in batches],
        t("import.history.files"): [", ".join(f["file"] for f in b["files"]) for b in batches],
        t("import.history.rows"): [number(sum(b["rows"].values())) for b in batches],
        t("import.history.outcome"): [t(f"import.outcome.{b['outcome']}") for b in batches],
        t("import.history.reviewed_by"): [b["reviewed_by"] or "—" for b in batches],
        t("import.history.comment"): [b["review_comment"] or "" for b in batches],
        t("import.history.batch"): [b["batch_id"] for b in batches],
    })
    tables.dataframe(tables.Table(frame, {column: tables.TEXT for column in frame.columns}))


# ------------------------------------------------------------------------------ the queue
def _pending_count(source, scope) -> int:
    return len(ingest.pending(source.db_path))


def pending_count() -> int:
    """How many batches await approval (cached per data version: a submission publishes)."""
    return data.ask(_pending_count)


def sidebar_count(user: auth.User | None) -> None:
    """Under the sidebar, for a manager or admin: how many batches await approval."""
    if user is None or not is_reviewer(user):
        return
    count = pending_count()
    if count:
        st.caption(t("import.queue.sidebar", count=number(count)))


def _figures_table(figures: dict) -> tables.Table:
    changed = [(key, values) for key, values in figures.items() if values["before"] != values["after"]]
    frame = pd.DataFrame({
        t("import.preview.indicator"): [t(f"kpi.{key}") for key, _ in changed],
        t("import.preview.before"): [indicator(key, values["before"]) for key, values in changed],
        t("import.preview.after"): [indicator(key, values["after"]) for key, values in changed],
    })
    return tables.Table(frame, {column: tables.TEXT for column in frame.columns})


def _show_preview(preview: dict) -> None:
    from pie.ui import imports

    report = preview["report"]
    if not report.valid:
        st.error(t("import.preview.refused", problems=number(report.problems_count)), icon=":material/error:")
        imports.show_report(report, key=f"preview_{preview['batch_id']}")
        return
    st.markdown(f"**{t('import.preview.rows')}**")
    frame = pd.DataFrame({
        t("import.table"): list(preview["tables"]),
        t("import.preview.added"): [c["added"] for c in preview["tables"].values()],
        t("import.preview.updated"): [c["updated"] for c in preview["tables"].values()],
        t("import.preview.unchanged"): [c["unchanged"] for c in preview["tables"].values()],
    })
    kinds = {column: tables.COUNT for column in frame.columns}
    kinds[t("import.table")] = tables.TEXT
    tables.dataframe(tables.Table(frame, kinds))
    st.markdown(md("import.preview.figures", partner=preview["partner"] or ""))
    figures = _figures_table(preview["figures"])
    if figures.frame.empty:
        st.caption(t("import.preview.no_change"))
    else:
        tables.dataframe(figures)


def _approve(user: auth.User, batch_id: str) -> None:
    if not is_reviewer(user):
        return
    try:
        report = ingest.approve(settings().db_path, batch_id, user=user.user_name, language=language())
    except PieError as error:
        st.error(error_text(error))
        return
    if report.outcome == "approved":
        st.session_state[REVIEWED_KEY] = t("import.queue.approved", batch=batch_id,
                                           rows=number(sum(report.rows.values())))
        st.session_state.get(PREVIEW_KEY, {}).pop(batch_id, None)
        st.rerun()
    # refused on the current database: shown in place of the preview (the problems, nothing written)
    st.session_state.setdefault(PREVIEW_KEY, {})[batch_id] = {"batch_id": batch_id, "partner": None,
                                                              "report": report, "tables": {}, "figures": {}}
    st.rerun()


def _return(user: auth.User, batch_id: str, comment: str) -> None:
    if not is_reviewer(user):
        return
    try:
        ingest.return_batch(settings().db_path, batch_id, comment, user=user.user_name)
    except PieError as error:
        st.error(error_text(error))
        return
    st.session_state[REVIEWED_KEY] = t("import.queue.returned", batch=batch_id)
    st.session_state.get(PREVIEW_KEY, {}).pop(batch_id, None)
    st.rerun()


def approval_queue(user: auth.User) -> None:
    """The batches awaiting approval: for each, its partner, files and rows; what it would
    change (on demand: it costs about one import); approve, or return with a comment."""
    if not is_reviewer(user):
        return
    st.header(t("import.queue.title"), anchor=False)
    reviewed = st.session_state.pop(REVIEWED_KEY, None)
    if reviewed:
        st.success(reviewed, icon=":material/task_alt:")
    batches = ingest.pending(settings().db_path)
    if not batches:
        st.info(t("import.queue.empty"))
        return
    st.markdown(t("import.queue.text", count=number(len(batches))))
    previews = st.session_state.setdefault(PREVIEW_KEY, {})
    for batch in batches:
        batch_id = batch["batch_id"]
        title = md("import.queue.batch", partner=batch["user_name"] or "—", when=str(batch["started_at"])[:16],
                   rows=number(sum(batch["rows"].values())))
        with st.expander(title, expanded=len(batches) == 1 or batch_id in previews, icon=":material/pending_actions:"):
            st.caption(md("import.queue.files", files=", ".join(f["file"] for f in batch["files"]), batch=batch_id))
            if st.button(t("import.preview.button"), key=f"import_preview_{batch_id}", icon=":material/visibility:"):
                with st.spinner(t("import.preview.running")):
                    try:
                        previews[batch_id] = ingest.preview(settings().db_path, batch_id, language=language())
                    except PieError as error:
                        st.error(error_text(error))
            if batch_id in previews:
                _show_preview(previews[batch_id])
            if st.button(t("import.queue.approve"), key=f"import_approve_{batch_id}", type="primary",
                         icon=":material/check:"):
                _approve(user, batch_id)
            comment = st.text_area(t("import.queue.comment"), key=f"import_comment_{batch_id}",
                                   max_chars=2000, help=t("import.queue.comment_help"))
            if st.button(t("import.queue.return"), key=f"import_return_{batch_id}", icon=":material/undo:"):
                _return(user, batch_id, comment)


def trusted_partners(user: auth.User) -> None:
    """Which partners are trusted (their batches publish without waiting); audit-logged by
    pie.auth.set_trusted. Managers and admins only."""
    if not is_reviewer(user):
        return
    st.subheader(t("import.trusted.title"), anchor=False)
    st.markdown(t("import.trusted.text"))
    accounts = {u["user_name"]: u for u in auth.list_users(settings().db_path)
                if u["role"] in PARTNER_ROLES and not u["disabled"]}
    if not accounts:
        st.caption(t("import.trusted.none"))
        return
    current = [name for name in accounts if auth.is_trusted(settings().db_path, name)]
    chosen = st.multiselect(
        t("import.trusted.label"), list(accounts), default=current, key=TRUSTED_KEY,
        placeholder=t("import.trusted.placeholder"),
        format_func=lambda name: f"{name} · {t('role.' + accounts[name]['role'])} {accounts[name]['scope_code'] or ''}")
    if st.button(t("import.trusted.save"), key="import_trusted_save", icon=":material/verified_user:"):
        for name in accounts:                  # only partner accounts: a forged name is ignored
            if (name in chosen) != (name in current):
                auth.set_trusted(settings().db_path, name, name in chosen, by=user.user_name)
        st.success(t("import.trusted.saved"), icon=":material/verified_user:")
