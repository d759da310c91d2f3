"""Streamlit pieces shared by dashboard.py and the pages (the only package importing streamlit).

- session: `base_scope()` (the user's widest scope, from their account's role) and
  `current_scope()` (narrowed by the sidebar filters) — the one place pages get a Scope.
- choice: choice widgets whose value is a code mirrored into the URL (filters, language,
  the programme and partner pages' own choices).
- filters: the sidebar filters, kept across pages and mirrored into the URL.
- data: cached answers for a Scope — `ask(figure, scope, ...)`, indicators, funnel,
  filter_options, is_demo.
- cards: KPI cards with their year-over-year or latest-year comparison.
- tables, downloads: tables with translated headers and formatted cells; CSV downloads.
- layout: page opening (header, empty state), demo banner, tables, charts, sidebar footer.
- lang: the session's language and pie.i18n bound to it (`t`, number formats).
"""
