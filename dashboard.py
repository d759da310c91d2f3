"""PIE dashboard, the Streamlit entry point: `streamlit run dashboard.py`.

Page config, the demo database on first run (only when PIE_DEMO asks for it), the demo
banner, the login, then for the logged-in user the shared sidebar (filters, account, credit)
and the pages of their role (pie/ui/navigation.py). Pages live one folder down
(pages/<section>/), never directly under pages/ (DESIGN.md).

Errors: a page's unexpected error is logged on the server with a short reference the user
can quote, and the page says only "something went wrong (reference …)"; a busy database
says to try again in a moment (pie.ui.layout.run_safely).
"""
from pathlib import Path

import streamlit as st

from pie.config import settings
from pie.errors import DatabaseMissing, PieError
from pie.ui import data, filters, layout, login, navigation, uploads
from pie.ui.lang import document_language, error_text, right_to_left, selector, t

# The favicon is served by the app itself (/media/…), never fetched from a font server.
st.set_page_config(page_title=t("app.title"), page_icon=str(Path(__file__).parent / "static" / "favicon.png"),
                   layout="wide")
document_language()  # lang and dir on <html>, the styles every page needs (accessibility)
selector()        # language, in the sidebar of every page (the login page too) and the URL
right_to_left()   # Arabic: the whole app laid out right to left

try:
    if settings().demo and not data.database_exists():
        from pie.demo import build_demo

        with st.spinner(t("app.building_demo")):
            bar = st.progress(0.0)
            data.build_demo_database(
                build_demo, progress=lambda step, fraction: bar.progress(min(max(fraction, 0.0), 1.0)))
            bar.empty()
    layout.demo_banner()
except DatabaseMissing as error:
    layout.no_database(error)
    st.stop()
except PieError as error:
    st.error(t("app.data_error", message=error_text(error)))
    st.stop()

user = layout.run_safely(login.current_user)
session_id = uploads.current_session_id()
if session_id is not None:  # only a user whose role has the import page may upload files
    uploads.allow_uploads(session_id, user is not None and uploads.may_import(user.role))
if user is None:
    # Whatever URL was asked for, the login page answers it (registered under every page's
    # path, so a bookmark such as /funnel?region=09 opens that page once logged in).
    login_pages = st.navigation([st.Page(login.login_page, title=t("login.title"), icon=":material/login:",
                                         url_path=url_path, default=not url_path)
                                 for url_path in ("", *navigation.url_paths())], position="hidden")
    layout.run_safely(login_pages.run)
    st.stop()

try:
    filters.sidebar(user.scope().home_establishment)
except PieError as error:
    st.error(t("app.data_error", message=error_text(error)))
    st.stop()
login.account_box(user)
layout.sidebar_footer()

# Only the pages of the user's role are registered: no URL reaches the others. One flat menu,
# in section order: Streamlit 1.67 draws a menu grouped by section as a <ul> whose children are
# <div>s holding the <li>s, which is invalid list markup for screen readers (axe: list,
# listitem; docs/ACCESSIBILITY.md). A flat menu is a valid <ul> of <li>.
# Each page keeps its own URL, the landing page included: Streamlit serves its default page at
# "/" only (its url_path is ""), so a landing page registered as default answered a bookmark of
# its own URL (/financing) with "Page not found". The landing page is registered twice: hidden,
# as the default at "/", and in the menu under its own path like every other page.
landing = navigation.default_page(user.role)
pages = [st.Page(landing.path, title=t(f"page.{landing.name}.nav"), icon=landing.icon, url_path="",
                 default=True, visibility="hidden"),
         *(st.Page(spec.path, title=t(f"page.{spec.name}.nav"), icon=spec.icon)
           for spec in navigation.pages_for(user.role))]
# expanded: every page of the role in the menu (Streamlit folds a long menu behind "View more")
layout.run_safely(st.navigation(pages, expanded=True).run)
