"""Help: for the logged-in role, what each of its pages answers and how to read it, with a
screenshot, then what every page shares and — for roles that send files — how to submit and
fix a file. Texts are `help.<page>.answers` / `help.<page>.read` in every language."""
import streamlit as st

from pie.ui import help_content, layout, session
from pie.ui.lang import language, t

user = session.user()
layout.page_header("help", with_scope=False)
st.markdown(t("help.intro", role=t(f"role.{user.role}")))

for spec in help_content.pages_explained(user.role):
    st.header(t(f"page.{spec.name}.nav"), anchor=False)
    st.page_link(spec.path, label=t("help.open"), icon=spec.icon)
    st.subheader(t("help.answers"), anchor=False)
    st.markdown(t(f"help.{spec.name}.answers"))
    st.subheader(t("help.read"), anchor=False)
    st.markdown(t(f"help.{spec.name}.read"))
    screenshot = help_content.screenshot(spec.name, language())
    if screenshot is not None:
        description = t("help.screenshot", page=t(f"page.{spec.name}.nav"))
        st.image(str(screenshot), caption=description, alt=description)

st.header(t("help.everywhere.title"), anchor=False)
st.markdown(t("help.everywhere.text"))

if help_content.sends_files(user.role):
    st.header(t("help.submit.title"), anchor=False)
    st.markdown(t("help.submit.text"))
