"""Tables and extra cards of the Financing, Incubation and Companies-and-jobs pages.

Each table builder takes a frame of a pie.financing, pie.incubation or pie.companies figure and
returns a `Table` (pie.ui.tables): translated headers, raw values (what the CSV/XLSX downloads
hold), codes shown through their translation. `figure_cards` draws cards for figures that are
not METRICS.md indicators (pending decisions, outstanding, survival…), in the same style as
kpi_cards.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd
import streamlit as st

from pie import i18n
from pie.ui import downloads, tables
from pie.ui.lang import language, number, percent, short_amount, t
from pie.ui.tables import AMOUNT, COUNT, DATE, DAYS, DECIMAL, RATE, TEXT, Table


def _col(name: str) -> str:
    return t(f"partners.col.{name}")


def _codes(series: pd.Series, kind: str) -> pd.Series:
    """Codes as their labels, each distinct code translated once; a missing code stays missing
    (drawn as a dash)."""
    lang = language()
    labels = {code: i18n.code_label(kind, code, lang) for code in series.dropna().unique()}
    return series.map(labels)  # a dict maps in one pass, without a Python call per row


def _region(frame: pd.DataFrame) -> pd.Series:
    names = frame["region_name_ar" if language() == "ar" else "region_name_fr"]
    return names.where(names.notna(), frame["region_code"])


def _int(series: pd.Series) -> pd.Series:
    return series.astype("Int64")


def _table(columns: list[tuple[str, pd.Series, str]], views: dict[str, list[str]] | None = None) -> Table:
    """A Table from (column name, values, kind) triples; names are partners.col.<name> keys."""
    frame = pd.DataFrame({_col(name): values.reset_index(drop=True) for name, values, _ in columns})
    kinds = {_col(name): kind for name, _, kind in columns}
    decimals = {_col(name): 1 for name, _, kind in columns if kind == DECIMAL}
    table_views = {view: [_col(name) for name in names] for view, names in (views or {}).items()}
    return Table(frame, kinds, table_views, decimals=decimals)


def show_table(table: Table, file_name: str, key: str) -> None:
    """As pie.ui.layout.show_table (one tab per view, CSV and XLSX downloads of the whole
    table), drawing at most tables.SCREEN_ROWS rows on screen and saying so when there are
    more; an empty table is a short sentence, without download buttons."""
    total, limit = len(table.frame), tables.SCREEN_ROWS
    if not total:
        st.caption(t("partners.table.empty"))
        return
    shown = table if total <= limit else Table(table.frame.head(limit), table.kinds, table.views,
                                               decimals=table.decimals, colours=table.colours)
    if shown is not table:
        st.caption(t("partners.table.truncated", shown=number(limit), total=number(total)))
    if shown.views:
        for tab, columns in zip(st.tabs([t(f"table.view.{name}") for name in shown.views]), shown.views.values()):
            tables.dataframe(shown.view(columns), tab)
    else:
        tables.dataframe(shown)
    downloads.download_buttons(table, file_name, key=key)


def group_options(frame: pd.DataFrame, breakdown: str) -> dict[str, str]:
    """The groups of a by-group answer as select-box options: code → label (groups without a
    code, such as a branch not given, cannot be chosen)."""
    labels = i18n.group_labels(frame, breakdown, language())
    return {str(key): label for key, label in zip(frame["group_key"], labels) if isinstance(key, str) and key}


def loan_cards(health: pd.DataFrame) -> None:
    """Cards of financing/loan_health (breakdown "all"): loans, outstanding, repaid, written off."""
    row = health.iloc[0] if not health.empty else pd.Series(
        {"n_loans": 0, "outstanding_mad": 0.0, "n_repaid": 0, "n_written_off": 0})
    figure_cards([
        ("financing.card.loans", number(row["n_loans"]), "financing.card.loans.help"),
        ("financing.card.outstanding", short_amount(float(row["outstanding_mad"])), "financing.card.outstanding.help"),
        ("financing.card.repaid", number(row["n_repaid"]), "financing.card.repaid.help"),
        ("financing.card.written_off", number(row["n_written_off"]), "financing.card.written_off.help"),
    ])


def company_cards(totals: pd.Series, survival: pd.DataFrame) -> None:
    """Cards of the Companies page beyond METRICS.md: share still active, survival after 12 and
    24 months (companies/survival), revenue of the last 12 months (the "all" row of companies/by_group)."""
    rates = dict(zip(survival["months"], survival["survival_rate"]))
    figure_cards([
        ("companies.card.active_share", percent(totals["active_share"]), "companies.card.active_share.help"),
        ("companies.card.survival_12", percent(rates.get(12)), "companies.card.survival.help"),
        ("companies.card.survival_24", percent(rates.get(24)), "companies.card.survival.help"),
        ("companies.card.revenue", short_amount(float(totals["revenue_mad"])) if totals["n_with_revenue"]
         else t("common.no_data_yet"), "companies.card.revenue.help"),
    ])


def figure_cards(items: Sequence[tuple[str, str, str]]) -> None:
    """One bordered card per (label key, figure as text, help key), side by side."""
    for column, (label_key, text, help_key) in zip(st.columns(len(items)), items):
        column.metric(t(label_key), text, border=True, help=t(help_key))


# ------------------------------------------------------------------------------ financing
def financing_groups(groups: pd.DataFrame, loans: pd.DataFrame, breakdown: str) -> Table:
    """financing/by_group and financing/loan_health of the same breakdown, one row per group,
    in three views: decisions, amounts, loans."""
    merged = groups.merge(loans.drop(columns=["region_name_fr", "region_name_ar"]), on="group_key", how="left")
    merged = merged.sort_values(["n_decisions", "group_key"], ascending=[False, True])
    label = pd.Series(i18n.group_labels(merged, breakdown, language()))
    group = f"group_{breakdown}"
    columns = [
        (group, label, TEXT),
        ("n_decisions", _int(merged["n_decisions"]), COUNT),
        ("n_approved", _int(merged["n_approved"]), COUNT),
        ("n_rejected", _int(merged["n_rejected"]), COUNT),
        ("n_pending", _int(merged["n_pending"]), COUNT),
        ("approval_rate", merged["approval_rate"].astype("float64"), RATE),
        ("median_days_to_decision", merged["median_days_to_decision"].astype("float64"), DAYS),
        ("asked_in_files_mad", merged["asked_in_files_mad"].astype("float64"), AMOUNT),
        ("approved_mad", merged["approved_mad"].astype("float64"), AMOUNT),
        ("disbursed_mad", merged["disbursed_mad"].astype("float64"), AMOUNT),
        ("n_loans", _int(merged["n_loans"].fillna(0)), COUNT),
        ("outstanding_mad", merged["outstanding_mad"].fillna(0).astype("float64"), AMOUNT),
        ("at_risk_mad", merged["at_risk_mad"].fillna(0).astype("float64"), AMOUNT),
        ("portfolio_at_risk_30", merged["portfolio_at_risk_30"].astype("float64"), RATE),
        ("n_current", _int(merged["n_current"].fillna(0)), COUNT),
        ("n_late", _int(merged["n_late"].fillna(0)), COUNT),
        ("n_repaid", _int(merged["n_repaid"].fillna(0)), COUNT),
        ("n_written_off", _int(merged["n_written_off"].fillna(0)), COUNT),
    ]
    views = {
        "decisions": [group, "n_decisions", "n_approved", "n_rejected", "n_pending", "approval_rate",
                      "median_days_to_decision"],
        "amounts": [group, "n_decisions", "asked_in_files_mad", "approved_mad", "disbursed_mad"],
        "loans": [group, "n_loans", "outstanding_mad", "at_risk_mad", "portfolio_at_risk_30", "n_current",
                  "n_late", "n_repaid", "n_written_off"],
    }
    return _table(columns, views)


def decisions(frame: pd.DataFrame) -> Table:
    """financing/decisions: one row per decision, in two views (the decision, the loan)."""
    columns = [
        ("decision_id", frame["decision_id"], TEXT),
        ("bank", _codes(frame["bank"], "bank"), TEXT),
        ("branch", _codes(frame["branch"], "free"), TEXT),
        ("product", _codes(frame["product"], "product"), TEXT),
        ("decision", _codes(frame["decision"], "decision"), TEXT),
        ("project_id", frame["project_id"], TEXT),
        ("project_name", frame["project_name"], TEXT),
        ("plan_version", _int(frame["plan_version"]), COUNT),
        ("region", _region(frame), TEXT),
        ("establishment", frame["establishment_name"], TEXT),
        ("submitted_on", frame["plan_submitted_on"], DATE),
        ("decided_on", frame["decided_on"], DATE),
        ("days_to_decision", _int(frame["days_to_decision"]), COUNT),
        ("asked_in_file_mad", frame["requested_amount_mad"].astype("float64"), AMOUNT),
        ("approved_mad", frame["amount_approved_mad"].astype("float64"), AMOUNT),
        ("disbursed_on", frame["disbursed_on"], DATE),
        ("disbursed_mad", frame["amount_disbursed_mad"].astype("float64"), AMOUNT),
        ("rejection_reason", frame["rejection_reason"], TEXT),
        ("followup_on", frame["followup_on"], DATE),
        ("outstanding_mad", frame["outstanding_mad"].astype("float64"), AMOUNT),
        ("days_past_due", _int(frame["days_past_due"]), COUNT),
        ("loan_status", _codes(frame["loan_status"], "loan_status"), TEXT),
    ]
    views = {
        "decision": ["decision_id", "bank", "branch", "product", "decision", "project_name", "region",
                     "submitted_on", "decided_on", "days_to_decision", "asked_in_file_mad", "approved_mad",
                     "rejection_reason"],
        "loan": ["decision_id", "branch", "project_name", "approved_mad", "disbursed_on", "disbursed_mad",
                 "followup_on", "outstanding_mad", "days_past_due", "loan_status"],
    }
    return _table(columns, views)


def outcomes(frame: pd.DataFrame) -> Table:
    """financing/outcomes: one row per financed project, what became of it."""
    return _table([
        ("project_id", frame["project_id"], TEXT),
        ("project_name", frame["project_name"], TEXT),
        ("region", _region(frame), TEXT),
        ("n_approved", _int(frame["n_approved"]), COUNT),
        ("approved_mad", frame["approved_mad"].astype("float64"), AMOUNT),
        ("company_id", frame["company_id"], TEXT),
        ("legal_form", _codes(frame["legal_form"], "legal_form"), TEXT),
        ("registered_on", frame["registered_on"], DATE),
        ("jobs_created", _int(frame["jobs_created"]), COUNT),
        ("company_status", _codes(frame["company_status"], "company_status"), TEXT),
        ("followup_on", frame["followup_on"], DATE),
        ("jobs_now", _int(frame["jobs_now"]), COUNT),
    ])


# ------------------------------------------------------------------------------ incubation
def time_in_stage(frame: pd.DataFrame) -> Table:
    """incubation/time_in_stage: one row per stage."""
    return _table([
        ("stage", _codes(frame["stage"], "stage"), TEXT),
        ("n_entered", _int(frame["n_entered"]), COUNT),
        ("n_exited", _int(frame["n_exited"]), COUNT),
        ("n_open", _int(frame["n_open"]), COUNT),
        ("median_days", frame["median_days"].astype("float64"), DAYS),
        ("q1_days", frame["q1_days"].astype("float64"), DAYS),
        ("q3_days", frame["q3_days"].astype("float64"), DAYS),
    ])


def coaching(frame: pd.DataFrame) -> Table:
    """incubation/coaching: one row per partner and kind."""
    return _table([
        ("partner", frame["partner"], TEXT),
        ("kind", _codes(frame["kind"], "coaching_kind"), TEXT),
        ("n_sessions", _int(frame["n_sessions"]), COUNT),
        ("hours", frame["hours"].astype("float64"), DECIMAL),
        ("n_projects", _int(frame["n_projects"]), COUNT),
    ])


def incubated_projects(frame: pd.DataFrame) -> Table:
    """incubation/projects: one row per incubated project."""
    return _table([
        ("project_id", frame["project_id"], TEXT),
        ("project_name", frame["project_name"], TEXT),
        ("sector", _codes(frame["sector"], "sector"), TEXT),
        ("region", _region(frame), TEXT),
        ("establishment", frame["establishment_name"], TEXT),
        ("incubator", frame["incubator"], TEXT),
        ("status_now", _codes(frame["status_now"], "incubation_status"), TEXT),
        ("stage_entered_on", frame["entered_on"], DATE),
        ("first_entered_on", frame["first_entered_on"], DATE),
        ("n_stages", _int(frame["n_stages"]), COUNT),
        ("coaching_hours", frame["coaching_hours"].astype("float64"), DECIMAL),
        ("company_id", frame["company_id"], TEXT),
    ])


def sessions(frame: pd.DataFrame) -> Table:
    """incubation/sessions: one row per coaching session."""
    return _table([
        ("session_id", frame["session_id"], TEXT),
        ("held_on", frame["held_on"], DATE),
        ("partner", frame["partner"], TEXT),
        ("kind", _codes(frame["kind"], "coaching_kind"), TEXT),
        ("hours", frame["hours"].astype("float64"), DECIMAL),
        ("project_id", frame["project_id"], TEXT),
        ("project_name", frame["project_name"], TEXT),
    ])


# ------------------------------------------------------------------------------ companies
def company_groups(frame: pd.DataFrame, breakdown: str) -> Table:
    """companies/by_group: one row per group."""
    group = f"group_{breakdown}"
    return _table([
        (group, pd.Series(i18n.group_labels(frame, breakdown, language())), TEXT),
        ("companies_created", _int(frame["companies_created"]), COUNT),
        ("companies_active", _int(frame["companies_active"]), COUNT),
        ("active_share", frame["active_share"].astype("float64"), RATE),
        ("planned_jobs", _int(frame["planned_jobs"]), COUNT),
        ("jobs_created", _int(frame["jobs_created"]), COUNT),
        ("jobs_now", _int(frame["jobs_now"]), COUNT),
        ("revenue_mad", frame["revenue_mad"].astype("float64"), AMOUNT),
        ("n_with_revenue", _int(frame["n_with_revenue"]), COUNT),
    ])


def survival(frame: pd.DataFrame) -> Table:
    """companies/survival: one row per horizon."""
    return _table([
        ("horizon", frame["months"].map(lambda m: t("companies.survival.horizon", months=m)), TEXT),
        ("n_companies", _int(frame["n_companies"]), COUNT),
        ("n_too_recent", _int(frame["n_too_recent"]), COUNT),
        ("n_eligible", _int(frame["n_eligible"]), COUNT),
        ("n_active", _int(frame["n_active"]), COUNT),
        ("n_closed", _int(frame["n_closed"]), COUNT),
        ("n_unknown", _int(frame["n_unknown"]), COUNT),
        ("survival_rate", frame["survival_rate"].astype("float64"), RATE),
    ])


def companies(frame: pd.DataFrame) -> Table:
    """companies/companies: one row per company."""
    return _table([
        ("company_id", frame["company_id"], TEXT),
        ("project_id", frame["project_id"], TEXT),
        ("project_name", frame["project_name"], TEXT),
        ("sector", _codes(frame["sector"], "sector"), TEXT),
        ("region", _region(frame), TEXT),
        ("establishment", frame["establishment_name"], TEXT),
        ("legal_form", _codes(frame["legal_form"], "legal_form"), TEXT),
        ("registered_on", frame["registered_on"], DATE),
        ("planned_jobs", _int(frame["planned_jobs"]), COUNT),
        ("jobs_created", _int(frame["jobs_created"]), COUNT),
        ("company_status", _codes(frame["status_now"], "company_status"), TEXT),
        ("jobs_now", _int(frame["jobs_now"]), COUNT),
        ("followup_on", frame["followup_on"], DATE),
        ("revenue_mad", frame["revenue_mad"].astype("float64"), AMOUNT),
    ])


# ------------------------------------------------------------------------------ who is waiting, banks side by side
def pending_decisions(frame: pd.DataFrame) -> Table:
    """financing.figures.pending_decisions: one row per pending decision, read as a call sheet —
    the project, the days it has waited, its lead and phone (when the scope has them; masked on
    screen by pie.ui.contacts), then the plan, the bank's branch and product, the amount asked."""
    lead = {t("follow_up.col.lead_name"): (frame["lead_name"], TEXT)} if "lead_name" in frame else {}
    phone = {t("follow_up.col.phone"): (frame["lead_phone"], TEXT)} if "lead_phone" in frame else {}
    columns = {
        _col("project_name"): (frame["project_name"], TEXT),
        _col("days_waiting"): (_int(frame["days_waiting"]), COUNT),
        **lead,
        **phone,
        _col("submitted_on"): (frame["plan_submitted_on"], DATE),
        _col("bank"): (_codes(frame["bank"], "bank"), TEXT),
        _col("branch"): (_codes(frame["branch"], "free"), TEXT),
        _col("product"): (_codes(frame["product"], "product"), TEXT),
        _col("asked_in_file_mad"): (frame["requested_amount_mad"].astype("float64"), AMOUNT),
        _col("plan_id"): (frame["plan_id"], TEXT),
        _col("decision_id"): (frame["decision_id"], TEXT),
        t("follow_up.col.lead"): (frame["lead_id"], TEXT),
        _col("project_id"): (frame["project_id"], TEXT),
        _col("establishment"): (frame["establishment_name"], TEXT),
        t("breakdown.academic_year"): (frame["academic_year"], TEXT),
    }
    table = pd.DataFrame({header: values.reset_index(drop=True) for header, (values, _) in columns.items()})
    return Table(table, {header: kind for header, (_, kind) in columns.items()})


def par30_by_month(frame: pd.DataFrame) -> Table:
    """financing.figures.par30_by_month: one row per month end, latest first."""
    part = frame.iloc[::-1]
    return _table([
        ("month_end", part["month_end"], DATE),
        ("portfolio_at_risk_30", part["portfolio_at_risk_30"], RATE),
        ("at_risk_mad", part["at_risk_mad"], AMOUNT),
        ("outstanding_mad", part["outstanding_mad"], AMOUNT),
        ("n_loans_reported", _int(part["n_loans_reported"]), COUNT),
    ])


def banks_side_by_side(frame: pd.DataFrame) -> Table:
    """leadership.figures.banks_side_by_side: one row per bank, then every bank together, in
    three views: the headline figures, decisions, loans. No client row: figures per bank only."""
    lang = language()
    names = pd.Series([t("banks.total") if total else i18n.bank_name(bank, lang)
                       for bank, total in zip(frame["bank"], frame["is_total"])])
    columns = [
        ("group_bank", names, TEXT),
        ("n_decisions", _int(frame["n_decisions"]), COUNT),
        ("n_approved", _int(frame["n_approved"]), COUNT),
        ("n_rejected", _int(frame["n_rejected"]), COUNT),
        ("n_pending", _int(frame["n_pending"]), COUNT),
        ("approval_rate", frame["approval_rate"].astype("float64"), RATE),
        ("median_days_to_decision", frame["median_days_to_decision"].astype("float64"), DECIMAL),
        ("projects_financed", _int(frame["projects_financed"]), COUNT),
        ("approved_mad", frame["amount_approved_mad"].astype("float64"), AMOUNT),
        ("disbursed_mad", frame["amount_disbursed_mad"].astype("float64"), AMOUNT),
        ("n_loans_reported", _int(frame["n_loans_reported"]), COUNT),
        ("outstanding_mad", frame["outstanding_mad"].astype("float64"), AMOUNT),
        ("at_risk_mad", frame["at_risk_mad"].astype("float64"), AMOUNT),
        ("portfolio_at_risk_30", frame["portfolio_at_risk_30"].astype("float64"), RATE),
    ]
    views = {
        "summary": ["group_bank", "n_decisions", "approval_rate", "median_days_to_decision", "portfolio_at_risk_30",
                    "approved_mad", "disbursed_mad"],
        "decisions": ["group_bank", "n_decisions", "n_approved", "n_rejected", "n_pending", "approval_rate",
                      "median_days_to_decision", "projects_financed"],
        "loans": ["group_bank", "n_loans_reported", "outstanding_mad", "at_risk_mad", "portfolio_at_risk_30"],
    }
    return _table(columns, views)
