"""Import: bring registers into the database, all-or-nothing, checked first. Managers import
every table and approve the partners' batches; a bank, an incubator or an establishment submits
its own rows, which wait for a manager's approval (pie/ui/submissions.py)."""
import streamlit as st

from pie.ui import fixes, imports, layout, session, submissions, tables
from pie.ui.lang import t

user = session.user()
layout.page_header("import", with_scope=False)

st.header(t("import.templates.title"), anchor=False)
st.markdown(t("import.templates.text"))
submissions.what_you_may_send(user)
submissions.template_buttons(user)

st.header(t("import.upload.title"), anchor=False)
if imports.demo_refusal():
    st.stop()
files = st.file_uploader(t("import.upload.label"), type=["csv", "xlsx"], accept_multiple_files=True,
                         key=imports.UPLOADER_KEY, help=t("import.upload.help"))

done = st.session_state.pop(imports.DONE_KEY, None)
if done is not None:
    if done.outcome == "submitted":
        st.success(t("import.submitted", batch=done.batch_id), icon=":material/pending_actions:")
    else:
        st.success(t("import.accepted", batch=done.batch_id), icon=":material/task_alt:")
    tables.dataframe(imports.rows_table(done))

if files:
    work = fixes.work_for(files, imports.fingerprint(files))
    if st.button(t("import.check.button"), type="primary", icon=":material/fact_check:"):
        work.report = imports.run(work.files, user, dry_run=True)
    if work.report is not None:
        imports.show_report(work.report)
        if not work.report.valid:
            fixes.fix_grid(work, lambda corrected: imports.run(corrected, user, dry_run=True))
        fixes.corrected_downloads(work)
        if work.report.valid and st.button(
                t("import.confirm.submit" if work.report.awaits_approval else "import.confirm.button"),
                type="primary", icon=":material/upload:"):
            report = imports.run(work.files, user, dry_run=False)
            if report is not None and report.outcome in ("accepted", "submitted"):
                fixes.forget()
                st.session_state[imports.DONE_KEY] = report
                st.session_state.pop(imports.UPLOADER_KEY, None)
                st.rerun()
            elif report is not None:
                imports.show_report(report)

if submissions.is_partner(user):
    submissions.partner_batches(user)
else:
    submissions.approval_queue(user)
    submissions.trusted_partners(user)
    st.header(t("import.history.title"), anchor=False)
    history = imports.history_table()
    if history.frame.empty:
        st.info(t("import.history.empty"))
    else:
        tables.dataframe(history)
