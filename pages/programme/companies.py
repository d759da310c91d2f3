"""Companies and jobs: how many businesses the PIE created, where and in what, how many are
still active after 12 and 24 months, and the jobs planned, created and there now.

Leadership sees it aggregated only (DESIGN.md, Roles; its scope has no row_level): groups
start by region, and there is no focus and no list of companies."""
from datetime import date

import streamlit as st

from pie.companies import charts, figures
from pie.ui import data, layout
from pie.ui import partner_drill as drill
from pie.ui import partner_views as views
from pie.ui.cards import kpi_cards
from pie.ui.lang import day, language, number, short_amount, t

CARDS = (("companies_created", "companies_active", "jobs_created", "jobs_now"),)
# Breakdowns that can narrow the table, and the page value (URL parameter) of each.
FOCUS = {"year": "focus_year", "region": "focus_region", "sector": "sector", "legal_form": "legal_form"}

drill.begin("companies")
scope = layout.open_page("companies", needs="companies_created", empty="companies.empty")

rows = scope.row_level  # False for leadership: aggregates only, never a company's row
kpi_cards(CARDS, scope)
as_of = date.today()
totals = data.ask(figures.by_group, scope, breakdown="all").iloc[0]
survival = data.ask(figures.survival, scope, as_of=as_of)
views.company_cards(totals, survival)

# ------------------------------------------------------------------ by year, region, sector, legal form
st.header(t("companies.groups.title"), anchor=False)
groups = {dim: data.ask(figures.by_group, scope, breakdown=dim) for dim in FOCUS}
options = {dim: views.group_options(frame, dim) for dim, frame in groups.items()}
focus = {dim: drill.settle(key, options[dim]) if rows else None for dim, key in FOCUS.items()}
by_column, focus_column = st.columns([3, 2], vertical_alignment="bottom")
# aggregates only: by region first, and no focus (a focus only narrows the list of companies)
choices = tuple(FOCUS) if rows else ("region", *(dim for dim in FOCUS if dim != "region"))
by = drill.breakdown("by", choices, t("companies.groups.by"), container=by_column)
if rows:
    drill.select(FOCUS[by], options[by], t("companies.focus.label", breakdown=t(f"breakdown.{by}")),
                 t("companies.focus.all"), container=focus_column)
st.caption(t("companies.groups.caption") if rows else t("companies.groups.caption_aggregated"))
drill.chart(layout.figure(charts.companies_by_group, groups[by], by, language(),
                          focus=drill.value(FOCUS[by]) if rows else None),
            f"companies_{by}", key=FOCUS[by] if rows else None, options=options[by])
views.show_table(views.company_groups(groups[by], by), t("companies.file.groups", breakdown=by),
                  key=f"companies_groups_{by}")

# ------------------------------------------------------------------ jobs
st.header(t("companies.jobs.title"), anchor=False)
st.caption(t("companies.jobs.caption", planned=number(totals["planned_jobs"]), created=number(totals["jobs_created"]),
             now=number(totals["jobs_now"]), with_plan=number(totals["n_with_plan"]),
             companies=number(totals["companies_created"])))
drill.chart(layout.figure(charts.jobs, groups[by], by, language()), f"jobs_{by}")

# ------------------------------------------------------------------ survival
st.header(t("companies.survival.title"), anchor=False)
left, right = st.columns([2, 3], vertical_alignment="center")
with left:
    drill.chart(layout.figure(charts.survival, survival, language()), "survival")
with right:
    st.markdown(t("companies.survival.definition", as_of=day(as_of)))
views.show_table(views.survival(survival), t("companies.file.survival"),
                key="companies_survival")

# ------------------------------------------------------------------ details, narrowed by the focus
if not rows:  # leadership: no company names, no row per company
    st.stop()
st.header(t("companies.details.title"), anchor=False)
drill.active({key: (t(f"breakdown.{dim}"), options[dim].get(focus[dim]) if focus[dim] else None)
              for dim, key in FOCUS.items()}, button_key="companies_clear")
companies = data.ask(figures.companies, scope, **{f"focus_{dim}": focus[dim] for dim in FOCUS})
st.caption(t("companies.details.caption", companies=number(len(companies)),
             revenue=short_amount(float(totals["revenue_mad"])) if totals["n_with_revenue"] else t("common.no_data_yet"),
             with_revenue=number(totals["n_with_revenue"])))
views.show_table(views.companies(companies), t("companies.file.companies"), key="companies_details")
