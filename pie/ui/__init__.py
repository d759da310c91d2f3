"""Streamlit pieces shared by dashboard.py and the pages (the only package importing streamlit).

- session: `base_scope()` (the user's widest scope; the roles issue replaces it) and
  `current_scope()` (narrowed by the sidebar filters) — the one place pages get a Scope.
- filters: the sidebar filters, kept across pages and mirrored into the URL.
- data: cached answers for a Scope — indicators, funnel, funnel_by_group,
  participants_by_year, filter_options, is_demo.
- cards: KPI cards with their year-over-year or latest-year comparison.
- tables, downloads: tables with translated headers and formatted cells; CSV downloads.
- layout: page header, empty state, demo banner, sidebar footer.
- lang: the session's language and pie.i18n bound to it (`t`, number formats).
"""
