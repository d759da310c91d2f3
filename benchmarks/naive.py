"""The naive way, for comparison: load whole tables into pandas, compute the figures in pandas.

This is what a dashboard without a database engine would do (`select * from t` into a
DataFrame once, then filter, join and count in Python). benchmarks/scale.py times it against
the named queries DuckDB runs for the same figures, on the same data, and checks both give
the same answers (so the comparison is between two correct implementations).

Figures computed (METRICS.md): every indicator of `pie.kpis.compute`, the funnel, and the
figures some pages add — participants by academic year (overview), the funnel by region
(funnel), headline counts by region (regions), completion by phase (phases).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import duckdb
import pandas as pd

from pie import kpis, queries
from pie.leadership import figures as leadership
from pie.programme import figures as programme
from pie.scope import Scope

TABLES = ("establishments", "cohorts", "participants", "phase_progress", "projects", "project_members",
          "business_plans", "financing_decisions", "incubation_stages", "coaching_sessions", "companies",
          "loan_followups", "company_followups")

# What each page's headline figures are (pages not listed: the indicators, which every page
# reads for its empty-state check and its cards).
PAGE_FIGURES = {
    "overview": ("indicators", "participants_by_year"),
    "funnel": ("indicators", "funnel", "funnel_by_region"),
    "regions": ("indicators", "by_region"),
    "phases": ("indicators", "phase_summary"),
}
DEFAULT_FIGURES = ("indicators",)
DECIDED = ("approved", "rejected")


def figures_of(page: str) -> tuple[str, ...]:
    return PAGE_FIGURES.get(page, DEFAULT_FIGURES)


def load(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, pd.DataFrame], float]:
    """Every programme table the figures need, whole, as DataFrames; and the seconds it took."""
    started = time.perf_counter()
    frames = {name: con.execute(f'select * from "{name}"').df() for name in TABLES}
    return frames, time.perf_counter() - started


def frames_bytes(frames: dict[str, pd.DataFrame]) -> int:
    return int(sum(frame.memory_usage(deep=True).sum() for frame in frames.values()))


@dataclass
class Scoped:
    """The rows of each table in scope (METRICS.md "Scope", DESIGN.md "Roles")."""

    participants: pd.DataFrame
    phases: pd.DataFrame
    projects: pd.DataFrame
    members: pd.DataFrame
    plans: pd.DataFrame
    decisions: pd.DataFrame
    stages: pd.DataFrame
    sessions: pd.DataFrame
    companies: pd.DataFrame
    loans: pd.DataFrame


def scoped(t: dict[str, pd.DataFrame], scope: Scope, *, ignore_year: bool = False) -> Scoped:
    cohorts = t["cohorts"].merge(t["establishments"][["establishment_id", "region_code"]], on="establishment_id")
    if scope.academic_year and not ignore_year:
        cohorts = cohorts[cohorts["academic_year"] == scope.academic_year]
    if scope.region_code:
        cohorts = cohorts[cohorts["region_code"] == scope.region_code]
    if scope.establishment_id:
        cohorts = cohorts[cohorts["establishment_id"] == scope.establishment_id]
    keys = cohorts[["cohort_id", "academic_year", "region_code", "establishment_id"]]
    projects = t["projects"].merge(keys, on="cohort_id")
    if scope.bank:
        own = t["financing_decisions"].loc[t["financing_decisions"]["bank"] == scope.bank, ["plan_id"]]
        banked = own.merge(t["business_plans"][["plan_id", "project_id"]], on="plan_id")["project_id"]
        projects = projects[projects["project_id"].isin(banked)]
    if scope.incubator:
        stages_all = t["incubation_stages"]
        incubated = stages_all.loc[stages_all["incubator"] == scope.incubator, "project_id"]
        projects = projects[projects["project_id"].isin(incubated)]
    project_ids = projects["project_id"]
    participants = t["participants"].merge(keys, on="cohort_id")
    members_all = t["project_members"]
    members = members_all[members_all["project_id"].isin(project_ids)]
    if scope.bank or scope.incubator:
        participants = participants[participants["participant_id"].isin(members["participant_id"])]
    phases = t["phase_progress"].merge(
        participants[["participant_id", "academic_year", "region_code"]], on="participant_id")
    plans = t["business_plans"]
    plans = plans[plans["project_id"].isin(project_ids)].merge(projects[["project_id", "region_code"]],
                                                                on="project_id")
    decisions = t["financing_decisions"].merge(
        plans[["plan_id", "project_id", "submitted_on", "region_code"]].rename(
            columns={"submitted_on": "plan_submitted_on"}), on="plan_id")
    if scope.bank:
        decisions = decisions[decisions["bank"] == scope.bank]
    stages = t["incubation_stages"]
    stages = stages[stages["project_id"].isin(project_ids)]
    if scope.incubator:
        stages = stages[stages["incubator"] == scope.incubator]
    sessions = t["coaching_sessions"]
    sessions = sessions[sessions["project_id"].isin(project_ids)]
    companies = t["companies"]
    companies = companies[companies["project_id"].isin(project_ids)].merge(
        projects[["project_id", "region_code"]], on="project_id")
    loans = t["loan_followups"]
    loans = loans[loans["decision_id"].isin(decisions["decision_id"])]
    return Scoped(participants, phases, projects, members, plans, decisions, stages, sessions, companies, loans)


def _number(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def indicators(t: dict[str, pd.DataFrame], s: Scoped) -> dict[str, object]:
    """Every METRICS.md indicator, as pie.kpis.compute gives them."""
    people = len(s.participants)
    phases = s.phases
    completed = phases[phases["status"] == "completed"]["phase"].value_counts()
    plans_status = s.plans["status"]
    decisions = s.decisions
    approved = decisions[decisions["decision"] == "approved"]
    decided = decisions[decisions["decision"].isin(DECIDED)]
    days = (decided["decided_on"] - decided["plan_submitted_on"]).dt.days
    # PAR30: the latest follow-up of each approved decision
    loans = s.loans[s.loans["decision_id"].isin(approved["decision_id"])]
    latest_loans = loans.sort_values("as_of").drop_duplicates("decision_id", keep="last")
    outstanding = latest_loans["outstanding_mad"].sum()
    at_risk = latest_loans.loc[latest_loans["days_past_due"] > 30, "outstanding_mad"].sum()
    # companies now: the latest follow-up of each company, else the company's own row
    followups = t["company_followups"].sort_values("as_of").drop_duplicates("company_id", keep="last")
    now = s.companies.merge(followups[["company_id", "status", "employees"]].rename(
        columns={"status": "latest_status"}), on="company_id", how="left")
    status_now = now["latest_status"].fillna(now["status"])
    jobs_now = now["employees"].fillna(now["jobs_created"])
    active = status_now == "active"
    return {
        "participants": people,
        "women_share": (s.participants["gender"] == "f").sum() / people if people else None,
        "awareness_completed": int(completed.get("awareness", 0)),
        "fundamentals_completed": int(completed.get("fundamentals", 0)),
        "immersion_completed": int(completed.get("immersion", 0)),
        "dropped": phases.loc[phases["status"] == "dropped", "participant_id"].nunique(),
        "projects": len(s.projects),
        "plans_submitted": s.plans.loc[plans_status.isin(("submitted", "validated", "rejected")),
                                       "project_id"].nunique(),
        "plans_validated": s.plans.loc[plans_status == "validated", "project_id"].nunique(),
        "projects_financed": approved["project_id"].nunique(),
        "amount_approved_mad": float(approved["amount_approved_mad"].sum()),
        "amount_disbursed_mad": float(decisions["amount_disbursed_mad"].sum()),
        "approval_rate": len(approved) / len(decided) if len(decided) else None,
        "median_days_to_decision": _number(float(days.median())) if len(days) else None,
        "projects_incubated": s.stages["project_id"].nunique(),
        "companies_created": len(s.companies),
        "jobs_created": int(s.companies["jobs_created"].sum()),
        "coaching_hours": float(s.sessions["hours"].sum()),
        "portfolio_at_risk_30": at_risk / outstanding if outstanding else None,
        "companies_active": int(active.sum()),
        "jobs_now": int(jobs_now[active].sum()),
    }


def funnel_by_region(s: Scoped) -> pd.DataFrame:
    """The nested funnel (METRICS.md "Funnel", as pie.programme.figures.funnel_by_group counts
    it) per region: each step holds only the people (projects) of the step before it."""
    done = s.phases[s.phases["status"] == "completed"]
    finished = {phase: done.loc[done["phase"] == phase, "participant_id"] for phase in programme.PHASES}
    people = s.participants[["participant_id", "region_code"]].copy()
    ids = people["participant_id"]
    people["participants"] = True
    people["completed_awareness"] = ids.isin(finished["awareness"])
    people["completed_awareness_and_fundamentals"] = people["completed_awareness"] & ids.isin(finished["fundamentals"])
    people["completed_all_phases"] = people["completed_awareness_and_fundamentals"] & ids.isin(finished["immersion"])
    people["in_project"] = people["completed_all_phases"] & ids.isin(s.members["participant_id"])
    projects = s.projects[["project_id", "region_code"]].copy()
    ids = projects["project_id"]
    plans = s.plans
    projects["projects"] = True
    projects["plan_submitted"] = ids.isin(plans.loc[plans["status"].isin(["submitted", "validated", "rejected"]),
                                                    "project_id"])
    projects["plan_validated"] = projects["plan_submitted"] & ids.isin(plans.loc[plans["status"] == "validated",
                                                                                 "project_id"])
    projects["financed"] = projects["plan_validated"] & ids.isin(
        s.decisions.loc[s.decisions["decision"] == "approved", "project_id"])
    projects["company_created"] = projects["financed"] & ids.isin(s.companies["project_id"])
    steps = [step.key for step in programme.funnel_steps_of(programme.PEOPLE)]
    project_steps = [step.key for step in programme.funnel_steps_of(programme.PROJECTS)]
    return pd.concat([people.groupby("region_code")[steps].sum(),
                      projects.groupby("region_code")[project_steps].sum()], axis=1).fillna(0).astype("int64")


def funnel(s: Scoped) -> list[int]:
    """The nested funnel's step counts, in pie.programme.figures.FUNNEL_KEYS order."""
    per_region = funnel_by_region(s)
    return [int(per_region[key].sum()) for key in programme.FUNNEL_KEYS]


def by_region(s: Scoped) -> pd.DataFrame:
    people = s.participants.groupby("region_code").size().rename("participants")
    immersion = s.phases[(s.phases["phase"] == "immersion") & (s.phases["status"] == "completed")].groupby(
        "region_code").size().rename("immersion_completed")
    validated = s.plans[s.plans["status"] == "validated"].groupby("region_code")["project_id"].nunique()
    financed = s.decisions[s.decisions["decision"] == "approved"].groupby("region_code")["project_id"].nunique()
    companies = s.companies.groupby("region_code").size()
    return pd.concat([people, immersion, validated.rename("plans_validated"),
                      financed.rename("projects_financed"), companies.rename("companies_created")],
                     axis=1).fillna(0)


def participants_by_year(t: dict[str, pd.DataFrame], scope: Scope) -> pd.DataFrame:
    s = scoped(t, scope, ignore_year=True)
    people = s.participants.groupby("academic_year").size().rename("participants")
    immersion = s.phases[(s.phases["phase"] == "immersion") & (s.phases["status"] == "completed")].groupby(
        "academic_year").size().rename("immersion_completed")
    projects = s.projects.groupby("academic_year").size().rename("projects")
    return pd.concat([people, immersion, projects], axis=1).fillna(0).sort_index()


def phase_summary(s: Scoped) -> pd.DataFrame:
    return s.phases.groupby(["phase", "status"]).size().unstack(fill_value=0)


def compute_pandas(t: dict[str, pd.DataFrame], scope: Scope, figures: tuple[str, ...]) -> dict[str, object]:
    """The figures in pandas, from whole tables already in memory."""
    s = scoped(t, scope)
    out: dict[str, object] = {}
    values = indicators(t, s)
    out["indicators"] = values
    if "funnel" in figures:
        out["funnel"] = funnel(s)
    if "funnel_by_region" in figures:
        out["funnel_by_region"] = funnel_by_region(s)
    if "by_region" in figures:
        out["by_region"] = by_region(s)
    if "participants_by_year" in figures:
        out["participants_by_year"] = participants_by_year(t, scope)
    if "phase_summary" in figures:
        out["phase_summary"] = phase_summary(s)
    return out


def compute_duckdb(con: duckdb.DuckDBPyConnection, scope: Scope, figures: tuple[str, ...]) -> dict[str, object]:
    """The same figures through the project's named queries (what the pages call)."""
    out: dict[str, object] = {}
    values = kpis.compute(con, scope)
    out["indicators"] = values
    if "funnel" in figures:
        out["funnel"] = list(programme.funnel(con, scope)["count"])
    if "funnel_by_region" in figures:
        out["funnel_by_region"] = programme.funnel_by_group(con, scope, "region")
    if "by_region" in figures:
        out["by_region"] = leadership.regional_indicators(con, scope)
    if "participants_by_year" in figures:
        out["participants_by_year"] = queries.run(con, "programme/participants_by_year", scope)
    if "phase_summary" in figures:
        # the page's one query computes every breakdown at once (programme.phase_groups)
        out["phase_summary"] = programme.phase_summary(programme.phase_groups(con, scope))
    return out


def differences(pandas_out: dict[str, object], duck_out: dict[str, object]) -> list[str]:
    """Where the two implementations disagree (empty when they agree)."""
    problems = []
    for key, expected in duck_out["indicators"].items():
        got = pandas_out["indicators"][key]
        if expected is None or got is None:
            if not (expected is None and got is None):
                problems.append(f"{key}: duckdb {expected} pandas {got}")
        elif not math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-6):
            problems.append(f"{key}: duckdb {expected} pandas {got}")
    if "funnel" in duck_out and [int(x) for x in duck_out["funnel"]] != pandas_out["funnel"]:
        problems.append(f"funnel: duckdb {duck_out['funnel']} pandas {pandas_out['funnel']}")
    if "by_region" in duck_out:
        duck = duck_out["by_region"].set_index("region_code")
        mine = pandas_out["by_region"]
        for region, row in mine.iterrows():
            if int(row["participants"]) != int(duck.loc[region, "participants"]):
                problems.append(f"by_region {region}: participants differ")
    if "participants_by_year" in duck_out:
        duck = duck_out["participants_by_year"].set_index("academic_year")["participants"]
        mine = pandas_out["participants_by_year"]["participants"]
        if [int(x) for x in duck] != [int(x) for x in mine]:
            problems.append("participants_by_year differ")
    if "phase_summary" in duck_out:
        duck = duck_out["phase_summary"].set_index("phase")["completed"]
        mine = pandas_out["phase_summary"].get("completed")
        for phase, value in duck.items():
            if mine is None or int(mine.get(phase, 0)) != int(value):
                problems.append(f"phase_summary {phase}: completed differ")
    if "funnel_by_region" in duck_out:
        duck = duck_out["funnel_by_region"].set_index("group_key")
        mine = pandas_out["funnel_by_region"]
        for region, row in mine.iterrows():
            for key in programme.FUNNEL_KEYS:
                if region not in duck.index or int(row[key]) != int(duck.loc[region, key]):
                    problems.append(f"funnel_by_region {region}: {key} differs")
    return problems
