"""The figures of the Financing page: pipeline, decisions, amounts, time to decide, loans' health
and what became of financed projects.

No Streamlit here: each figure is `function(source, scope, ...) -> DataFrame`, where `source` is
a `pie.db.Reader` or a DuckDB connection and `scope` a `pie.scope.Scope` (its role restriction
included); each runs one named query of queries/financing/. Pages ask for them through
`pie.ui.data.ask(figure, scope, ...)`.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from pie import kpis, queries
from pie.errors import PieError
from pie.queries import Source
from pie.scope import Scope


# Breakdowns the by-group questions accept ("all" = one row for the whole scope).
BREAKDOWNS = ("product", "branch", "region", "bank")


def banks(source: Source, scope: Scope) -> pd.DataFrame:
    """The banks with a decision in scope, by code."""
    return queries.run(source, "financing/banks", scope)


def pipeline(source: Source, scope: Scope) -> pd.DataFrame:
    """Projects at each step from a submitted plan to a disbursed loan (step_order, step,
    n_projects); the amounts are `amounts`."""
    return queries.run(source, "financing/pipeline", scope)


# The amounts of the financing chain, in the order the page names them (each once).
AMOUNTS = ("asked_in_plans_mad", "asked_in_files_mad", "approved_mad", "disbursed_mad")


def amounts(source: Source, scope: Scope) -> pd.Series:
    """The four amounts of the chain, in AMOUNTS order: asked in plans (each project's latest
    submitted plan), asked in the files sent to banks (one per decision, pending included),
    approved and disbursed (the METRICS.md amount_approved_mad and amount_disbursed_mad)."""
    return queries.run(source, "financing/amounts", scope).iloc[0][list(AMOUNTS)].astype("float64")


def by_group(source: Source, scope: Scope, breakdown: str = "all") -> pd.DataFrame:
    """Decisions, approval rate, amounts and delays per group. `breakdown` is "all" (one row for the whole scope) or one of BREAKDOWNS."""
    if breakdown not in ("all", *BREAKDOWNS):
        raise ValueError(f"unknown breakdown {breakdown!r}")
    return queries.run(source, "financing/by_group", scope, breakdown=breakdown)


def loan_health(source: Source, scope: Scope, breakdown: str = "all") -> pd.DataFrame:
    """Loans outstanding, late and PAR30 per group. `breakdown` is "all" (one row for the whole scope) or one of BREAKDOWNS."""
    if breakdown not in ("all", *BREAKDOWNS):
        raise ValueError(f"unknown breakdown {breakdown!r}")
    return queries.run(source, "financing/loan_health", scope, breakdown=breakdown)


def days_to_decision(source: Source, scope: Scope) -> pd.DataFrame:
    """Days from submission to decision of each decided file."""
    return queries.run(source, "financing/days_to_decision", scope)


def rejection_reasons(source: Source, scope: Scope) -> pd.DataFrame:
    """Rejections per reason, most frequent first."""
    return queries.run(source, "financing/rejection_reasons", scope)


def decisions(source: Source, scope: Scope, focus_branch: str | None = None, focus_product: str | None = None, focus_region: str | None = None) -> pd.DataFrame:
    """Every decision in scope (narrowed by the page's focus), with its project."""
    return queries.run(source, "financing/decisions", scope, focus_branch=focus_branch, focus_product=focus_product, focus_region=focus_region)


def outcomes(source: Source, scope: Scope, focus_branch: str | None = None, focus_product: str | None = None, focus_region: str | None = None) -> pd.DataFrame:
    """What became of each financed project: company, status, jobs."""
    return queries.run(source, "financing/outcomes", scope, focus_branch=focus_branch, focus_product=focus_product, focus_region=focus_region)


def outcome_summary(outcomes: pd.DataFrame) -> dict[str, int]:
    """What became of the financed projects of `outcomes`: how many were financed, created a
    company, whose company is still active, and the jobs created and now."""
    with_company = outcomes["company_id"].notna()
    return {
        "financed": int(len(outcomes)),
        "with_company": int(with_company.sum()),
        "active": int((outcomes["company_status"] == "active").sum()),
        "jobs_created": int(outcomes.loc[with_company, "jobs_created"].fillna(0).sum()),
        "jobs_now": int(outcomes["jobs_now"].fillna(0).sum()),
    }


# Contact columns of a pending decision's project lead (the Financing page shows name and phone;
# pie.ui.contacts masks and logs them).
LEAD_CONTACT_COLUMNS = ("lead_name", "lead_phone")


def pending_decisions(source: Source, scope: Scope, as_of: date | None = None) -> pd.DataFrame:
    """The decisions still pending in scope (a bank: its own), oldest first (longest waiting):
    decision_id, bank, branch, product, project_id, project_name, plan_id, plan_submitted_on,
    days_waiting (whole days from the plan's submission to `as_of`, default the data date T,
    kpis.data_date), requested_amount_mad, lead_id, [lead_name, lead_phone,] establishment_id,
    establishment_name, academic_year. The lead's name and phone are read and returned only
    when the scope allows personal data; a scope without row-level access (leadership) gets a
    PieError."""
    if not scope.row_level:
        raise PieError(key="scope.error.aggregates_only")
    as_of = as_of or kpis.data_date(source, scope) or date.today()
    frame = queries.run(source, "financing/pending_decisions", scope, as_of=as_of)
    frame = frame.drop(columns=["lead_email"])
    if not scope.personal_data:
        frame = frame.drop(columns=list(LEAD_CONTACT_COLUMNS))
    frame["days_waiting"] = frame["days_waiting"].astype("Int64")
    frame.attrs["as_of"] = as_of
    return frame.reset_index(drop=True)


def par30_by_month(source: Source, scope: Scope) -> pd.DataFrame:
    """PAR30 (METRICS.md portfolio_at_risk_30) at each month end of the loan follow-up history
    in scope (a bank: its own loans), as of that date (the definition of kpis with --as-of):
    month_end, n_loans_reported, outstanding_mad, at_risk_mad, portfolio_at_risk_30 (null when
    nothing is outstanding); one row per month end from the first follow-up's month to the
    latest's, none without a follow-up."""
    frame = queries.run(source, "financing/par30_by_month", scope)
    frame["month_end"] = pd.to_datetime(frame["month_end"]).dt.date
    for column in ("outstanding_mad", "at_risk_mad", "portfolio_at_risk_30"):
        frame[column] = frame[column].astype("float64")
    return frame
