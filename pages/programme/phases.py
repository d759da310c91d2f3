"""Phases: how do participants go through awareness, fundamentals and immersion, where and
when do they drop out, and how do cohorts compare?"""
import streamlit as st

from pie.programme import figures as programme
from pie.programme import charts
from pie.ui import choice, data, filters, layout
from pie.ui import programme_drill as drill
from pie.ui import programme_tables as tables
from pie.ui.cards import share_cards
from pie.ui.lang import day, label, language, number, t

MAX_COHORTS = 12      # cohorts drawn side by side; the table has them all
MAX_GROUPS = 15       # groups drawn in the drop-off chart; the table has them all
BREAKDOWN_TARGETS = {"establishment": filters.ESTABLISHMENT, "cohort": "cohort", "profile": "profile",
                     "sector": "sector", "gender": "gender"}
COMPARISON_TARGETS = {"cohort": "cohort", "academic_year": filters.YEAR}

scope = layout.open_page("phases")

# Filters of the page: a focus on one cohort, profile, sector or gender (a click on a bar sets them).
everyone = data.ask(programme.phase_groups, scope)
cohort_names = tables.group_labels(programme.phase_by_group(everyone, "cohort"), "cohort")
focus = drill.focus_controls(cohort_names)
focus_names = {"cohort": cohort_names}
drill.active_filters({t(f"drill.focus.{key}"): focus_names.get(key, {}).get(code) or label(key, code)
                      for key, code in focus.active().items()})

groups = data.ask(programme.phase_groups, scope, focus) if focus.active() else everyone
summary = programme.phase_summary(groups)
if summary.empty:
    st.info(t("phases.focus.empty"), icon=":material/info:")
    st.stop()
participants = int(summary["participants"].iloc[0])
completed = dict(zip(summary["phase"], summary["completed"]))
st.caption(t("phases.cards.caption", participants=number(participants)))
share_cards([*[(f"{phase}_completed", int(completed[phase]), participants) for phase in programme.PHASES],
             ("dropped", int(summary["participants_dropped"].iloc[0]), participants)],
            t("phases.cards.of_participants"))

# What became of those who could start each phase.
st.header(t("phases.outcomes.title"), anchor=False)
layout.plotly_chart(layout.figure(charts.phase_outcomes, summary, language()), key="phases_outcomes")
st.caption(t("phases.outcomes.caption"))
layout.show_table(tables.phase_summary(summary), t("phases.outcomes.file"), key="phases_outcomes")

# Where participants drop out.
st.header(t("phases.dropoff.title"), anchor=False)
breakdown = choice.draw("radio", t("phases.dropoff.label"), programme.BREAKDOWNS, "breakdown", horizontal=True,
                        format_func=lambda code: t(f"breakdown.{code}"))
dropoff = programme.phase_by_group(groups, breakdown)
totals = dropoff.groupby("group_key", sort=False)["dropped"].sum().sort_values(ascending=False, kind="stable")
dropoff = dropoff.set_index("group_key").loc[totals.index].reset_index()  # most drop-outs first
shown = tables.group_labels(dropoff[dropoff["group_key"].isin(totals.index[:MAX_GROUPS])], breakdown)
key = drill.chart_key("phases_dropoff", breakdown, focus, scope)
layout.plotly_chart(layout.figure(charts.dropoff_by_group, dropoff, breakdown, shown, language()), key=key,
                    on_select=drill.on_pick(key, BREAKDOWN_TARGETS[breakdown]), selection_mode="points")
st.caption(t("phases.dropoff.caption", shown=number(len(shown)), total=number(len(totals)))
           if len(totals) > len(shown) else t("phases.dropoff.caption_all"))
layout.show_table(tables.dropoff(dropoff, breakdown), t("phases.dropoff.file", breakdown=breakdown),
                  key="phases_dropoff")

# Cohorts side by side, then at the same age.
st.header(t("phases.cohorts.title"), anchor=False)
comparison = choice.draw("radio", t("phases.cohorts.label"), programme.COMPARISONS, "compare", horizontal=True,
                         format_func=lambda code: t(f"phases.compare.{code}"),
                         default="cohort" if len(cohort_names) <= MAX_COHORTS else "academic_year")
progress = programme.phase_by_group(groups, comparison)
drawn = progress[progress["group_key"].isin(list(dict.fromkeys(progress["group_key"]))[-MAX_COHORTS:])]
key = drill.chart_key("phases_cohorts", comparison, focus, scope)
layout.plotly_chart(layout.figure(charts.progress_by_group, drawn, "completion_rate", "completed", language()), key=key,
                    on_select=drill.on_pick(key, COMPARISON_TARGETS[comparison]), selection_mode="points")
n_groups = progress["group_key"].nunique()
st.caption(t("phases.cohorts.caption") + (" " + t("phases.cohorts.latest", shown=MAX_COHORTS, total=n_groups)
                                          if n_groups > MAX_COHORTS else ""))
layout.show_table(tables.progress_by_group(progress, comparison), t("phases.cohorts.file", comparison=comparison),
                  key="phases_cohorts")

st.header(t("phases.same_age.title"), anchor=False)
as_of = data.reference_date(scope)
within = int(choice.draw("radio", t("phases.same_age.label"), [str(d) for d in programme.WITHIN_DAYS], "within",
                         horizontal=True, format_func=lambda d: t("unit.days", value=d),
                         default=str(programme.DEFAULT_WITHIN_DAYS)))
same_age = programme.completion_within(groups, comparison, within, as_of)
drawn = same_age[same_age["group_key"].isin(list(dict.fromkeys(same_age["group_key"]))[-MAX_COHORTS:])]
key = drill.chart_key("phases_same_age", comparison, within, focus, scope)
layout.plotly_chart(layout.figure(charts.progress_by_group, drawn, "rate", "completed_within", language(),
                                  partial=~drawn["observed"]),
                    key=key, on_select=drill.on_pick(key, COMPARISON_TARGETS[comparison]), selection_mode="points")
st.caption(t("phases.same_age.caption", days=within, date=day(as_of)))
layout.show_table(tables.completion_within(same_age, comparison, within),
                  t("phases.same_age.file", comparison=comparison, days=within), key="phases_same_age")

# How long it takes and how many hours it asks.
st.header(t("phases.durations.title"), anchor=False)
layout.plotly_chart(layout.figure(charts.durations, summary, language()), key="phases_durations")
st.caption(t("phases.durations.caption"))

# Women and men, trainees, graduates and trainers at each stage.
st.header(t("phases.people.title"), anchor=False)
st.caption(t("phases.people.caption"))
people = {kind: programme.phase_by_group(groups, kind) for kind in ("gender", "profile")}
for column, (kind, frame) in zip(st.columns(len(people)), people.items()):
    with column:
        key = drill.chart_key(f"phases_{kind}", focus, scope)
        layout.plotly_chart(layout.figure(charts.composition, frame, kind, language()), key=key,
                            on_select=drill.on_pick(key, kind), selection_mode="points")
for kind, frame in people.items():
    layout.show_table(tables.composition(frame, kind), t("phases.people.file", kind=kind), key=f"phases_{kind}")
