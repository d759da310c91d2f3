"""Incubation: where the incubated projects are now, how they move between stages, how long
they stay in each, and the coaching they get. An incubator sees only the projects it accompanies."""
import streamlit as st

from pie import i18n
from pie.incubation import charts, figures
from pie.ui import data, filters, layout, session
from pie.ui import partner_drill as drill
from pie.ui import partner_views as views
from pie.ui.cards import kpi_cards
from pie.ui.lang import language, md, number, t
from pie.ui.reporting_status import show_partner_status

CARDS = (("projects_incubated", "coaching_hours", "companies_created"),)

drill.begin("incubation")
scope = session.current_scope()
layout.page_header("incubation", with_scope=False)
show_partner_status()
scope, incubator = drill.incubator_scope(scope)
st.caption(t("incubation.scope", scope=filters.summary(),
             incubator=md("incubation.incubator.only", incubator=incubator) if incubator
             else t("incubation.incubator.every")))
layout.indicators(scope, needs="projects_incubated", empty="incubation.empty")

kpi_cards(CARDS, scope)
stages_now = data.ask(figures.stages_now, scope)
counts = figures.stage_counts(stages_now)
views.figure_cards([
    ("incubation.card.in_stage", number(counts["in_stage"]), "incubation.card.in_stage.help"),
    ("incubation.card.graduated", number(counts["graduated"]), "incubation.card.graduated.help"),
    ("incubation.card.abandoned", number(counts["abandoned"]), "incubation.card.abandoned.help"),
])

# ------------------------------------------------------------------ stages now and flows
stage_options = {str(code): i18n.code_label("incubation_status", code, language())
                 for code in stages_now["status_now"]}
st.header(t("incubation.now.title"), anchor=False)
st.caption(t("incubation.now.caption"))
left, right = st.columns([3, 2], vertical_alignment="top")
with right:
    drill.select("stage", stage_options, t("incubation.focus.stage"), t("incubation.focus.all_stages"))
with left:
    drill.chart(layout.figure(charts.stages_now, stages_now, language(), focus=drill.value("stage")), "stages_now",
                key="stage", options=stage_options)
st.markdown(t("incubation.flows.title"))
st.caption(t("incubation.flows.caption"))
drill.chart(layout.figure(charts.flows, data.ask(figures.flows, scope), language()), "flows")

# ------------------------------------------------------------------ time in stage
st.header(t("incubation.time.title"), anchor=False)
st.caption(t("incubation.time.caption"))
time_in_stage = data.ask(figures.time_in_stage, scope)
drill.chart(layout.figure(charts.time_in_stage, time_in_stage, language()), "time_in_stage")
views.show_table(views.time_in_stage(time_in_stage), t("incubation.file.time"), key="incubation_time")

# ------------------------------------------------------------------ coaching
st.header(t("incubation.coaching.title"), anchor=False)
coaching = data.ask(figures.coaching, scope)
partner_options = {str(p): str(p) for p in sorted(set(coaching["partner"]))}
st.caption(t("incubation.coaching.caption"))
drill.select("partner", partner_options, t("incubation.focus.partner"), t("incubation.focus.all_partners"))
drill.chart(layout.figure(charts.coaching, coaching, language(), focus=drill.value("partner")), "coaching",
            key="partner", options=partner_options)
views.show_table(views.coaching(coaching), t("incubation.file.coaching"), key="incubation_coaching")

# ------------------------------------------------------------------ details, narrowed by the focus
st.header(t("incubation.details.title"), anchor=False)
drill.active({"stage": (t("incubation.focus.stage"), stage_options.get(drill.value("stage") or "")),
              "partner": (t("incubation.focus.partner"), drill.value("partner"))},
             button_key="incubation_clear")
projects = data.ask(figures.projects, scope, focus_stage=drill.value("stage"))
st.markdown(t("incubation.projects.title"))
st.caption(t("incubation.projects.caption", projects=number(len(projects))))
views.show_table(views.incubated_projects(projects), t("incubation.file.projects"), key="incubation_projects")
sessions = data.ask(figures.sessions, scope, focus_partner=drill.value("partner"))
st.markdown(t("incubation.sessions.title"))
st.caption(t("incubation.sessions.caption", sessions=number(len(sessions))))
views.show_table(views.sessions(sessions), t("incubation.file.sessions"), key="incubation_sessions")
