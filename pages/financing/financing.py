"""Financing: which plans reach the banks, what they decide and how fast, what became of the
financed projects, and how the loans are doing. A bank sees only its own decisions."""
import streamlit as st

from pie import i18n
from pie.financing import charts, figures
from pie.ui import contacts, data, filters, layout, session
from pie.ui import partner_drill as drill
from pie.ui import partner_views as views
from pie.ui.cards import kpi_cards
from pie.ui.lang import day, indicator, language, md, number, t
from pie.ui.reporting_status import show_partner_status

CARDS = (("projects_financed", "amount_approved_mad", "amount_disbursed_mad"),
         ("approval_rate", "median_days_to_decision", "portfolio_at_risk_30"))
# Breakdowns that can narrow the tables, and the page value (URL parameter) of each.
FOCUS = {"product": "product", "branch": "branch", "region": "focus_region"}
PENDING_ROWS = 250  # pending decisions on screen (longest waiting first); downloads have them all

drill.begin("financing")
scope = session.current_scope()
layout.page_header("financing", with_scope=False)
show_partner_status()
scope, bank = drill.bank_scope(scope)
st.caption(t("financing.scope", scope=filters.summary(),
             bank=md("financing.bank.only", bank=i18n.bank_name(bank, language())) if bank
             else t("financing.bank.every")))
values = layout.indicators(scope)
totals = data.ask(figures.by_group, scope, breakdown="all")
if totals.empty:
    st.info(t("financing.empty"), icon=":material/info:")
    st.stop()
totals = totals.iloc[0]

kpi_cards(CARDS, scope)

# ------------------------------------------------------------------ pipeline and amounts
st.header(t("financing.pipeline.title"), anchor=False)
st.caption(t("financing.pipeline.caption", pending=number(totals["n_pending"])))
left, right = st.columns([3, 2])
with left:
    drill.chart(layout.figure(charts.pipeline, data.ask(figures.pipeline, scope), language()), "pipeline")
with right:
    drill.chart(layout.figure(charts.amounts, data.ask(figures.amounts, scope), language()), "amounts")

# ------------------------------------------------------------------ pending decisions, oldest first
# Who has waited longest for the bank, and how to reach the project's lead: contacts masked,
# revealed one row at a time, every view and download logged (pie.ui.contacts, docs/PRIVACY.md).
st.header(t("financing.pending.title"), anchor=False)
pending = data.ask(figures.pending_decisions, scope)
st.caption(t("financing.pending.caption", date=day(pending.attrs["as_of"])))
if pending.empty:
    st.success(t("financing.pending.none"), icon=":material/check_circle:")
else:
    contacts.show(pending, views.pending_decisions, t("financing.file.pending"), key="financing_pending",
                  target="financing/pending", max_rows=PENDING_ROWS)

# ------------------------------------------------------------------ time to decide
st.header(t("financing.days.title"), anchor=False)
days = data.ask(figures.days_to_decision, scope)
st.caption(t("financing.days.caption", decisions=number(len(days)),
             median=indicator("median_days_to_decision", values["median_days_to_decision"])))
drill.chart(layout.figure(charts.days_to_decision, days[["decision", "days_to_decision"]],
                          values["median_days_to_decision"], language()), "days")

# ------------------------------------------------------------------ by product, branch, region (drill-down)
st.header(t("financing.groups.title"), anchor=False)
groups = {dim: data.ask(figures.by_group, scope, breakdown=dim) for dim in (*FOCUS, "bank")}
options = {dim: views.group_options(frame, dim) for dim, frame in groups.items()}
focus = {dim: drill.settle(key, options[dim]) for dim, key in FOCUS.items()}
choices = (*FOCUS, "bank") if bank is None else tuple(FOCUS)
by_column, focus_column = st.columns([3, 2], vertical_alignment="bottom")
by = drill.breakdown("by", choices, t("financing.groups.by"), container=by_column)
focus_key = FOCUS.get(by, "bank")
if by != "bank":
    drill.select(focus_key, options[by], t("financing.focus.label", breakdown=t(f"breakdown.{by}")),
                 t("financing.focus.all"), container=focus_column)
st.caption(t("financing.groups.caption"))
drill.chart(layout.figure(charts.decisions_by_group, groups[by], by, language(),
                          focus=drill.value(focus_key)),
            f"groups_{by}", key=focus_key, options=options[by])
loans = data.ask(figures.loan_health, scope, breakdown=by)
views.show_table(views.financing_groups(groups[by], loans, by), t("financing.file.groups", breakdown=by),
                 key=f"financing_groups_{by}")

# ------------------------------------------------------------------ rejection reasons
st.header(t("financing.reasons.title"), anchor=False)
reasons = data.ask(figures.rejection_reasons, scope)
st.caption(t("financing.reasons.caption", rejected=number(totals["n_rejected"])))
drill.chart(layout.figure(charts.rejection_reasons, reasons, language()), "reasons")

# ------------------------------------------------------------------ loans' health
st.header(t("financing.loans.title"), anchor=False)
views.loan_cards(data.ask(figures.loan_health, scope, breakdown="all"))
st.caption(t("financing.loans.caption", breakdown=t(f"breakdown.{by}")))
drill.chart(layout.figure(charts.portfolio_at_risk, loans, by, language(),
                          focus=drill.value(focus_key)),
            f"loans_{by}", key=focus_key, options=options[by])

# PAR30 at each month end of the follow-up history, the same definition as the card
st.markdown(f"**{t('financing.par30_month.title')}**")
par30_months = data.ask(figures.par30_by_month, scope)
st.caption(t("financing.par30_month.caption"))
drill.chart(layout.figure(charts.par30_by_month, par30_months, language()), "par30_month")
views.show_table(views.par30_by_month(par30_months), t("financing.file.par30_month"), key="financing_par30_month")

# ------------------------------------------------------------------ details, narrowed by the focus
st.header(t("financing.details.title"), anchor=False)
drill.active({key: (t(f"breakdown.{dim}"), options[dim].get(focus[dim]) if focus[dim] else None)
              for dim, key in FOCUS.items()}, button_key="financing_clear")
params = {f"focus_{dim}": focus[dim] for dim in FOCUS}
outcomes = data.ask(figures.outcomes, scope, **params)
summary = figures.outcome_summary(outcomes)
st.markdown(t("financing.outcomes.title"))
if summary["financed"]:
    st.caption(t("financing.outcomes.caption", jobs_created=number(summary["jobs_created"]),
                 jobs_now=number(summary["jobs_now"])))
    drill.chart(layout.figure(charts.outcomes, summary, language()), "outcomes")
    views.show_table(views.outcomes(outcomes), t("financing.file.outcomes"), key="financing_outcomes")
else:
    st.caption(t("financing.outcomes.none"))

st.markdown(t("financing.decisions.title"))
decisions = data.ask(figures.decisions, scope, **params)
st.caption(t("financing.decisions.caption", decisions=number(len(decisions))))
views.show_table(views.decisions(decisions), t("financing.file.decisions"), key="financing_decisions")
