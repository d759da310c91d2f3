"""Accounts: who may log in, with which role and scope; add, disable, enable, reset a password."""
import streamlit as st

from pie.ui import accounts, layout, session, tables
from pie.ui.lang import t

admin = session.user()
layout.page_header("users", with_scope=False)

st.header(t("users.list.title"), anchor=False)
# The list is filled after the forms below have run, so an account added (or disabled) by this
# click shows in it at once, not after the next one.
listing = st.container()

st.header(t("users.add.title"), anchor=False)
accounts.add_form(admin)

st.header(t("users.change.title"), anchor=False)
accounts.change_form(admin)

tables.dataframe(accounts.users_table(), listing)
