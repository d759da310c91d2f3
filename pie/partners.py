"""The questions of the Financing, Incubation and Companies-and-jobs pages, answered from the
named queries of queries/financing/, queries/incubation/ and queries/companies/.

No Streamlit here: each question is `function(source, scope, **params) -> DataFrame`, where
`source` is a `pie.db.Reader` or a DuckDB connection and `scope` a `pie.scope.Scope` (its role
restriction included). Pages reach them through `pie.ui.data.partner(name, scope, …)`.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

import duckdb
import pandas as pd

from pie import i18n
from pie.db import run_query
from pie.scope import Scope

# Breakdowns each by_group query accepts ("all" = one row for the whole scope).
FINANCING_BREAKDOWNS = ("product", "branch", "region", "bank")
COMPANY_BREAKDOWNS = ("year", "region", "sector", "legal_form")
STAGES = ("pre_incubation", "incubation", "acceleration", "post_creation")
STAGE_EXITS = ("graduated", "abandoned", "in_progress", "next_missing", "exited")
SURVIVAL_HORIZONS = (12, 24)

# Codes whose label comes from the translations (code.<kind>.<code>); other columns (branch,
# rejection reason, partner, incubator) are free text shown as stored.
CODE_KINDS = {"product": "product", "decision": "decision", "stage": "stage", "status_now": "stage",
              "kind": "coaching_kind", "legal_form": "legal_form", "sector": "sector",
              "loan_status": "loan_status", "company_status": "company_status"}


def _query(source, name: str, scope: Scope, **params: object) -> pd.DataFrame:
    if isinstance(source, duckdb.DuckDBPyConnection):
        return run_query(source, name, scope, **params)
    return source.query(name, scope, **params)


def _named(name: str, *required: str) -> Callable[..., pd.DataFrame]:
    """A question that runs queries/<name>.sql; its parameters in `required` default to None."""
    def answer(source, scope: Scope, **params: object) -> pd.DataFrame:
        values = {key: params.get(key) for key in required}
        return _query(source, name, scope, **values)
    answer.__doc__ = f"queries/{name}.sql for a scope"
    return answer


def _checked(name: str, allowed: tuple[str, ...]) -> Callable[..., pd.DataFrame]:
    """A by-group question: refuses a breakdown it does not know instead of running a query."""
    def answer(source, scope: Scope, breakdown: str = "all", **params: object) -> pd.DataFrame:
        if breakdown not in ("all", *allowed):
            raise ValueError(f"unknown breakdown {breakdown!r}")
        return _query(source, name, scope, breakdown=breakdown, **params)
    return answer


def _survival(source, scope: Scope, as_of: date | None = None) -> pd.DataFrame:
    return _query(source, "companies/survival", scope, as_of=as_of or date.today())


_FOCUS = ("focus_branch", "focus_product", "focus_region")

QUESTIONS: dict[str, Callable[..., pd.DataFrame]] = {
    "financing/banks": _named("financing/banks"),
    "financing/pipeline": _named("financing/pipeline"),
    "financing/by_group": _checked("financing/by_group", FINANCING_BREAKDOWNS),
    "financing/loan_health": _checked("financing/loan_health", FINANCING_BREAKDOWNS),
    "financing/days_to_decision": _named("financing/days_to_decision"),
    "financing/rejection_reasons": _named("financing/rejection_reasons"),
    "financing/decisions": _named("financing/decisions", *_FOCUS),
    "financing/outcomes": _named("financing/outcomes", *_FOCUS),
    "incubation/incubators": _named("incubation/incubators"),
    "incubation/stages_now": _named("incubation/stages_now"),
    "incubation/flows": _named("incubation/flows"),
    "incubation/time_in_stage": _named("incubation/time_in_stage"),
    "incubation/coaching": _named("incubation/coaching"),
    "incubation/projects": _named("incubation/projects", "focus_stage"),
    "incubation/sessions": _named("incubation/sessions", "focus_partner"),
    "companies/by_group": _checked("companies/by_group", COMPANY_BREAKDOWNS),
    "companies/companies": _named("companies/companies", "focus_year", "focus_region", "focus_sector",
                                   "focus_legal_form"),
    "companies/survival": _survival,
}


def answer(name: str, source, scope: Scope | None = None, **params: object) -> pd.DataFrame:
    """The answer of question `name` (a key of QUESTIONS) for `scope`."""
    return QUESTIONS[name](source, scope or Scope(), **params)


# ------------------------------------------------------------------------------ labels
def has_label(kind: str, code: str, language: str = i18n.DEFAULT_LANGUAGE) -> bool:
    key = f"code.{kind}.{code}"
    return key in i18n.catalog(language) or key in i18n.catalog(i18n.DEFAULT_LANGUAGE)


def code_label(kind: str, code: object, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """A code as people read it: its translation when there is one (`code.<kind>.<code>`), else
    the code as stored (a bank code we do not know, a free-text branch); "not given" for None."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code is pd.NA or code == "":
        return i18n.t("partners.not_given", language)
    code = str(code)
    return i18n.t(f"code.{kind}.{code}", language) if has_label(kind, code, language) else code


def bank_name(code: object, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """`Bank Of Africa` for BOA; a bank code without a translation stays as it is."""
    return code_label("bank", code, language)


def group_labels(frame: pd.DataFrame, breakdown: str, language: str = i18n.DEFAULT_LANGUAGE) -> list[str]:
    """The label of each row's group_key in a by-group answer (region names from the query)."""
    if breakdown == "region" and "region_name_fr" in frame.columns:
        names = frame["region_name_ar" if language == "ar" else "region_name_fr"]
        return [name if isinstance(name, str) else code_label("region", key, language)
                for key, name in zip(frame["group_key"], names)]
    if breakdown == "year":
        return [str(key) for key in frame["group_key"]]
    kind = {"bank": "bank", "product": "product", "sector": "sector", "legal_form": "legal_form"}.get(breakdown)
    if kind is None:  # branch: free text
        return [code_label("free", key, language) for key in frame["group_key"]]
    return [code_label(kind, key, language) for key in frame["group_key"]]


# ------------------------------------------------------------------------------ summaries
def outcome_summary(outcomes: pd.DataFrame) -> dict[str, int]:
    """What became of the financed projects of financing/outcomes: how many were financed,
    created a company, whose company is still active, and the jobs created and now."""
    with_company = outcomes["company_id"].notna()
    return {
        "financed": int(len(outcomes)),
        "with_company": int(with_company.sum()),
        "active": int((outcomes["company_status"] == "active").sum()),
        "jobs_created": int(outcomes.loc[with_company, "jobs_created"].fillna(0).sum()),
        "jobs_now": int(outcomes["jobs_now"].fillna(0).sum()),
    }


def stage_counts(stages_now: pd.DataFrame) -> dict[str, int]:
    """Projects in a stage now, graduated and abandoned, from incubation/stages_now."""
    counts = dict(zip(stages_now["status_now"], stages_now["n_projects"].astype(int)))
    return {
        "in_stage": sum(counts.get(stage, 0) for stage in STAGES),
        "graduated": counts.get("graduated", 0),
        "abandoned": counts.get("abandoned", 0),
    }
