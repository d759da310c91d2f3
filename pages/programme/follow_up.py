"""Follow-up: who and what is waiting — participants to call (most recoverable first), plans
awaiting review, plans no bank has decided on, approved loans not disbursed — and, counted
apart, the participants contact was lost with; what was done about the participants (follow-up
actions: recorded here, listed with their download, docs/FOLLOW_UP_ACTIONS.md)."""
import datetime

import streamlit as st

from pie.programme import figures as programme
from pie.programme import actions, charts
from pie.ui import choice, contacts, data, filters, follow_up_actions, layout
from pie.ui import programme_drill as drill
from pie.ui import programme_tables as tables
from pie.ui.lang import day, label, language, number, t

MAX_ESTABLISHMENTS = 15  # establishments drawn in the chart; the lists have them all
MAX_ROWS = 250           # rows of a list on screen (most urgent first); downloads have them all

scope = layout.open_page("follow_up")

as_of = data.reference_date(scope)
st.caption(t("follow_up.as_of.data" if as_of < datetime.date.today() else "follow_up.as_of.today", date=day(as_of)))

# Filters of the page: how long without activity, when contact counts as lost, which phase
# (the sidebar narrows the rest).
idle_column, lost_column, phase_column, _ = st.columns([1, 1, 1, 1])
with idle_column:
    idle_days = int(choice.draw("number", t("follow_up.idle.label"), range(1, programme.MAX_IDLE_DAYS + 1), "idle",
                                default=programme.DEFAULT_IDLE_DAYS, min_value=1, max_value=programme.MAX_IDLE_DAYS,
                                step=1, help=t("follow_up.idle.help")))
with lost_column:
    lost_days = int(choice.draw("number", t("follow_up.lost.label"), range(1, programme.MAX_IDLE_DAYS + 1), "lost",
                                default=programme.lost_contact_default(), min_value=1,
                                max_value=programme.MAX_IDLE_DAYS, step=1,
                                help=t("follow_up.lost.help", days=number(programme.lost_contact_default()))))
with phase_column:
    phase = choice.draw("select", t("follow_up.phase.label"), programme.PHASES, "phase",
                        format_func=lambda code: label("phase", code), all_text=t("follow_up.phase.all")) or None
drill.active_filters({t("follow_up.phase.label"): label("phase", phase)} if phase else {}, keys=("phase",))
if lost_days < idle_days:
    st.warning(t("follow_up.lost.below_idle", lost=number(lost_days), idle=number(idle_days)), icon=":material/warning:")

# Each list's threshold in days, named in its card, tab and caption (the same card on Data
# quality counts with the same one: pie.thresholds).
DAYS = {**programme.WAITING_DAYS, "participants": idle_days, "lost_contact": lost_days}


def title(name: str) -> str:
    return t(f"follow_up.list.{name}", days=number(DAYS.get(name, 0)))


lists = data.follow_up_lists(scope, idle_days, lost_days, as_of, phase)
for column, (name, frame) in zip(st.columns(len(lists)), lists.items()):
    column.metric(title(name), number(len(frame)), border=True,
                  help=t(f"follow_up.help.{name}", days=number(DAYS.get(name, 0)), idle=number(idle_days),
                         lost=number(lost_days)))
acting = actions.may_see_actions(scope)
if acting:
    came_back_column, _ = st.columns([1, 3])
    with came_back_column:
        follow_up_actions.came_back_card(data.came_back_after_contact(scope))

# Where to act: a click on an establishment narrows every list to it.
st.header(t("follow_up.chart.title"), anchor=False)
counts = data.follow_up_by_establishment(scope, idle_days, lost_days, as_of, phase)
key = drill.chart_key("follow_up_where", idle_days, lost_days, phase, scope)
layout.plotly_chart(layout.figure(charts.follow_up_by_establishment, counts.head(MAX_ESTABLISHMENTS), language()), key=key,
                    on_select=drill.on_pick(key, filters.ESTABLISHMENT), selection_mode="points")
st.caption(t("follow_up.chart.caption") + (" " + t("follow_up.chart.top", shown=MAX_ESTABLISHMENTS, total=len(counts))
                                           if len(counts) > MAX_ESTABLISHMENTS else ""))
if not scope.personal_data:
    st.caption(t("follow_up.no_contacts"))

builders = {"participants": follow_up_actions.call_list_table, "to_review": tables.plans_to_review,
            "without_decision": tables.plans_without_decision, "not_disbursed": tables.loans_not_disbursed,
            "lost_contact": follow_up_actions.call_list_table}
tabs = st.tabs([t("follow_up.tab", name=title(name), count=number(len(frame))) for name, frame in lists.items()])
for tab, (name, frame) in zip(tabs, lists.items()):
    with tab:
        st.caption(t(f"follow_up.caption.{name}", days=number(DAYS.get(name, 0)), idle=number(idle_days),
                     lost=number(lost_days)))
        if name == "participants" and acting:
            closed = data.follow_up_closed(scope, idle_days, lost_days, as_of, phase)
            st.caption(t("follow_up.caption.closed", count=number(len(closed))))
        if frame.empty:
            st.success(t(f"follow_up.empty.{name}", days=number(DAYS.get(name, 0))), icon=":material/check_circle:")
        else:
            # contacts masked, revealed one row at a time, every view and download logged (docs/PRIVACY.md)
            contacts.show(frame, builders[name], t(f"follow_up.file.{name}"), key=f"follow_up_{name}",
                          target=f"follow_up/{name}", max_rows=MAX_ROWS)
        if name == "participants" and acting:
            # an action on one of the participants shown (the library re-checks the scope)
            follow_up_actions.form(list(dict.fromkeys(frame["participant_id"].head(MAX_ROWS))))

# What was done: every action recorded in scope, the latest first, with its download.
if acting:
    follow_up_actions.actions_list(data.follow_up_actions_list(scope), key="follow_up_actions", max_rows=MAX_ROWS)
