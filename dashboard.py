"""PIE dashboard, the Streamlit entry point: `streamlit run dashboard.py`.

Page config, the demo database on first run, the demo banner, the login, then for the
logged-in user the shared sidebar (filters, account, credit) and the pages of their role
(pie/ui/navigation.py). Pages live one folder down (pages/<section>/), never directly
under pages/ (DESIGN.md).
"""
import streamlit as st

from pie.errors import PieError
from pie.ui import data, filters, layout, login, navigation
from pie.ui.lang import language, right_to_left, selector, t

st.set_page_config(page_title=t("app.title"), page_icon=":material/rocket_launch:", layout="wide")
selector()        # language, in the sidebar of every page (the login page too) and the URL
right_to_left()   # Arabic: the whole app laid out right to left

try:
    if not data.database_exists():
        from pie.demo import build_demo

        with st.spinner(t("app.building_demo")):
            bar = st.progress(0.0)
            data.build_demo_database(
                build_demo, progress=lambda step, fraction: bar.progress(min(max(fraction, 0.0), 1.0)))
            bar.empty()
    layout.demo_banner()
except PieError as error:
    st.error(t("app.data_error", message=error.text(language())))
    st.stop()

user = login.current_user()
if user is None:
    # Whatever URL was asked for, the login page answers it (registered under every page's
    # path, so a bookmark such as /funnel?region=09 opens that page once logged in).
    st.navigation([st.Page(login.login_page, title=t("login.title"), icon=":material/login:",
                           url_path=url_path, default=not url_path)
                   for url_path in ("", *navigation.url_paths())], position="hidden").run()
    st.stop()

try:
    filters.sidebar()
except PieError as error:
    st.error(t("app.data_error", message=error.text(language())))
    st.stop()
login.account_box(user)
layout.sidebar_footer()

# Only the pages of the user's role are registered: no URL reaches the others.
landing = navigation.default_page(user.role)
pages: dict[str, list] = {}
for spec in navigation.pages_for(user.role):
    pages.setdefault(t(f"nav.{spec.section}"), []).append(
        st.Page(spec.path, title=t(f"page.{spec.name}.nav"), icon=spec.icon, default=spec is landing))
st.navigation(pages).run()
