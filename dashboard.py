"""PIE dashboard, the Streamlit entry point: `streamlit run dashboard.py`.

Page config, the demo database on first run, the shared sidebar (filters, credit), the
demo banner, then the pages. Pages live one folder down (pages/<section>/), never directly
under pages/ (DESIGN.md).
"""
import streamlit as st

from pie.errors import PieError
from pie.ui import data, filters, layout
from pie.ui.lang import language, t

st.set_page_config(page_title=t("app.title"), page_icon=":material/rocket_launch:", layout="wide")

try:
    if not data.database_exists():
        try:
            from pie.demo import build_demo
        except ModuleNotFoundError as error:
            if error.name != "pie.demo":
                raise
            st.error(t("app.demo_missing"))
            st.stop()
        with st.spinner(t("app.building_demo")):
            bar = st.progress(0.0)
            data.build_demo_database(
                build_demo, progress=lambda step, fraction: bar.progress(min(max(fraction, 0.0), 1.0)))
            bar.empty()
    filters.sidebar()
    layout.demo_banner()
except PieError as error:
    st.error(t("app.data_error", message=error.text(language())))
    st.stop()
layout.sidebar_footer()

pages = {
    t("nav.programme"): [
        st.Page("pages/programme/overview.py", title=t("page.overview.nav"),
                icon=":material/dashboard:", default=True),
        st.Page("pages/programme/funnel.py", title=t("page.funnel.nav"),
                icon=":material/filter_alt:"),
    ],
}
st.navigation(pages).run()
