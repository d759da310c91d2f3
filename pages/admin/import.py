"""Import: bring the partners' registers into the database, all-or-nothing, checked first."""
import streamlit as st

from pie.ui import imports, layout, session, tables
from pie.ui.lang import t

user = session.user()
layout.page_header("import", with_scope=False)

st.header(t("import.templates.title"))
st.markdown(t("import.templates.text"))
imports.template_buttons()

st.header(t("import.upload.title"))
if imports.demo_refusal():
    st.stop()
files = st.file_uploader(t("import.upload.label"), type=["csv", "xlsx"], accept_multiple_files=True,
                         key=imports.UPLOADER_KEY, help=t("import.upload.help"))

done = st.session_state.pop(imports.DONE_KEY, None)
if done is not None:
    st.success(t("import.accepted", batch=done.batch_id), icon=":material/task_alt:")
    tables.dataframe(imports.rows_table(done))

if files:
    fingerprint = imports.fingerprint(files)
    checked = st.session_state.get(imports.REPORT_KEY)
    if st.button(t("import.check.button"), type="primary", icon=":material/fact_check:"):
        report = imports.run(files, user, dry_run=True)
        checked = (fingerprint, report) if report is not None else None
        st.session_state[imports.REPORT_KEY] = checked
    if checked is not None and checked[0] == fingerprint:
        imports.show_report(checked[1])
        if checked[1].valid and st.button(t("import.confirm.button"), type="primary",
                                          icon=":material/upload:"):
            report = imports.run(files, user, dry_run=False)
            if report is not None and report.accepted:
                st.session_state.pop(imports.REPORT_KEY, None)
                st.session_state[imports.DONE_KEY] = report
                st.session_state.pop(imports.UPLOADER_KEY, None)
                st.rerun()
            elif report is not None:
                imports.show_report(report)

st.header(t("import.history.title"))
history = imports.history_table()
if history.frame.empty:
    st.info(t("import.history.empty"))
else:
    tables.dataframe(history)
