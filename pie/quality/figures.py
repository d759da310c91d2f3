"""Data-quality checks over the whole database: the warnings that do not
reject an import but that a programme manager should fix or chase.

Each check is one named query in queries/quality/ with a threshold in days (where it has one)
counted back from a reference date (today, or the latest date in the data when earlier). The
checks the Follow-up page also counts (plans awaiting review, loans not disbursed) take their
threshold from pie.thresholds, so both pages give the same number under the same label.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from pie import queries, thresholds
from pie.queries import Source
from pie.scope import Scope


@dataclass(frozen=True)
class Check:
    key: str            # quality.<key>.* translation keys; queries/quality/<key>.sql
    days: int | None    # the threshold in days, None when the check has none


CHECKS = (
    Check("projects_without_one_lead", None),
    Check("participants_without_phase", 60),
    Check("plans_not_reviewed", thresholds.PLAN_REVIEW_DAYS),
    Check("approved_not_disbursed", thresholds.DISBURSEMENT_DAYS),
    Check("companies_without_followup", 365),
)


def run(source: Source, scope: Scope | None, check: Check, as_of: date) -> pd.DataFrame:
    """The rows that fail `check` in `scope` at `as_of` (source: a Reader or a connection)."""
    params = {} if check.days is None else {"days": check.days, "as_of": as_of}
    name = f"quality/{check.key}"
    return queries.run(source, name, scope, **params)
