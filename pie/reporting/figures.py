"""Reporting months and rates per partner (METRICS.md "Reporting"; the rules: docs/REPORTING.md).

No Streamlit here. The partners and their calendars come from the accounts store
(`pie.auth.partner_organisations`, read fresh: a calendar change shows at once), the batches
from the published snapshot (`accepted_batches`, the one figure pages ask through
`pie.ui.data.ask`); `months` joins them into one row per partner and month, and `rates`,
`rates_by_month`, `overall` and `partner_status` read that grid.

Rules, in short: a batch made in month N covers month N-1 and is on time when made on or
before the partner's due day of month N; a partner's months run from its `reporting_from`
(else its first account's month) to the last month that has ended; a month is *expected*
(counted in the rates) once its due day has passed, before that it is `due` or already
`on_time`.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable

import pandas as pd

from pie import auth, db, queries
from pie.queries import Source
from pie.scope import Scope

# A month's status (i18n `reporting.status.<status>`).
STATUSES = ("on_time", "late", "missing", "due")
MONTH_COLUMNS = ("role", "scope_code", "contact", "due_day", "month", "due_on", "submitted_at", "status",
                 "expected")
RATE_COLUMNS = ("role", "scope_code", "contact", "due_day", "months_expected", "months_submitted",
                "months_on_time", "months_late", "months_missing", "reporting_rate", "on_time_rate")
# The per-partner keys of `python -m pie reporting --json` (shared/CLI.md), in this order.
CLI_KEYS = ("role", "scope_code", "months_expected", "months_submitted", "months_on_time", "reporting_rate",
            "on_time_rate")


# ------------------------------------------------------------------------------ months
def today() -> date:
    """The as-of date of the page and the CLI: today in UTC (batch times are UTC)."""
    return datetime.now(timezone.utc).date()


def month_of(day: date | datetime) -> str:
    """'YYYY-MM' of a day."""
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"


def due_on(month: str, due_day: int) -> date:
    """When the report of `month` is due: `due_day` of the following month."""
    following = next_month(month)
    return date(int(following[:4]), int(following[5:7]), due_day)


def covered_month(submitted_at: date | datetime) -> str:
    """The month a report made on `submitted_at` covers: the month before."""
    return previous_month(month_of(submitted_at))


def month_range(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included (empty when first > last)."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


# ------------------------------------------------------------------------------ inputs
def accepted_batches(source: Source, scope: Scope) -> pd.DataFrame:
    """The batches that count as a report: batch_id, user_name, submitted_at, outcome (one row
    per accepted or approved batch; `scope` is not used — managers only read this)."""
    return queries.run(source, "reporting/accepted_batches", scope)


def partners(db_path: Path | str | None = None) -> list[dict]:
    """The partner organisations and their calendars (pie.auth.partner_organisations)."""
    return auth.partner_organisations(db_path)


# ------------------------------------------------------------------------------ the grid
def months(partners: Iterable[dict], batches: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per partner and month, from its first month to the last month ended before
    `as_of` (MONTH_COLUMNS): the month's due day (`due_on`), its first report
    (`submitted_at`: the earliest on-time one, else the earliest late one, else NaT), its
    `status` (on_time, late, missing, or due while its due day has not passed), and
    `expected` (True once `as_of` is after its due day: the months the rates count).
    Batches made after `as_of` are left out, so a past `as_of` shows the figures of that day."""
    last_ended = previous_month(month_of(as_of))
    rows = []
    by_user = {name: group["submitted_at"].tolist() for name, group in batches.groupby("user_name")} \
        if len(batches) else {}
    for partner in partners:
        first = partner.get("reporting_from") or month_of(partner["first_account_at"])
        due_day = int(partner["due_day"])
        reports: dict[str, list[datetime]] = {}
        for name in partner["user_names"]:
            for moment in by_user.get(name, []):
                moment = pd.Timestamp(moment).to_pydatetime()
                if moment.date() <= as_of:
                    reports.setdefault(covered_month(moment), []).append(moment)
        for month in month_range(first, last_ended):
            deadline = due_on(month, due_day)
            made = sorted(reports.get(month, []))
            on_time = [m for m in made if m.date() <= deadline]
            submitted = on_time[0] if on_time else (made[0] if made else None)
            if on_time:
                status = "on_time"
            elif made:
                status = "late"
            else:
                status = "missing" if as_of > deadline else "due"
            rows.append({"role": partner["role"], "scope_code": partner["scope_code"],
                         "contact": partner.get("contact") or "", "due_day": due_day, "month": month,
                         "due_on": deadline, "submitted_at": submitted, "status": status,
                         "expected": as_of > deadline})
    frame = pd.DataFrame(rows, columns=list(MONTH_COLUMNS))
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    frame["expected"] = frame["expected"].astype(bool)
    return frame


def through(grid: pd.DataFrame, month: str | None) -> pd.DataFrame:
    """The grid's months up to `month` included (all of them when None)."""
    return grid if month is None else grid[grid["month"] <= month]


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _counts(expected: pd.DataFrame) -> dict[str, int]:
    return {"months_expected": len(expected),
            "months_submitted": int(expected["status"].isin(("on_time", "late")).sum()),
            "months_on_time": int((expected["status"] == "on_time").sum()),
            "months_late": int((expected["status"] == "late").sum()),
            "months_missing": int((expected["status"] == "missing").sum())}


def rates(grid: pd.DataFrame, partners: Iterable[dict] | None = None) -> pd.DataFrame:
    """One row per partner (RATE_COLUMNS) over the grid's expected months: reporting_rate =
    months submitted ÷ months expected, on_time_rate = months on time ÷ months expected (None
    when no month is expected yet). `partners` adds those without any month yet (with zeros).
    Sorted as the page shows them: the most months missing or late first, then by role, scope."""
    keys = ["role", "scope_code", "contact", "due_day"]
    rows = []
    for key, group in grid.groupby(keys, sort=False):
        counts = _counts(group[group["expected"]])
        rows.append({**dict(zip(keys, key)), **counts})
    seen = {(row["role"], row["scope_code"]) for row in rows}
    for partner in partners or ():
        if (partner["role"], partner["scope_code"]) not in seen:
            rows.append({"role": partner["role"], "scope_code": partner["scope_code"],
                         "contact": partner.get("contact") or "", "due_day": int(partner["due_day"]),
                         **_counts(grid.iloc[0:0])})
    for row in rows:
        row["reporting_rate"] = _rate(row["months_submitted"], row["months_expected"])
        row["on_time_rate"] = _rate(row["months_on_time"], row["months_expected"])
    frame = pd.DataFrame(rows, columns=list(RATE_COLUMNS))
    if frame.empty:
        return frame
    frame["behind"] = frame["months_missing"] + frame["months_late"]
    frame = frame.sort_values(["behind", "months_missing", "role", "scope_code"],
                              ascending=[False, False, True, True], kind="stable")
    return frame.drop(columns="behind").reset_index(drop=True)


def overall(grid: pd.DataFrame) -> dict[str, int | float | None]:
    """The rates across partners: every partner's expected months pooled (a partner with more
    months weighs more), with the same counts as `rates`."""
    counts = _counts(grid[grid["expected"]])
    return {**counts, "reporting_rate": _rate(counts["months_submitted"], counts["months_expected"]),
            "on_time_rate": _rate(counts["months_on_time"], counts["months_expected"])}


def rates_by_month(grid: pd.DataFrame) -> pd.DataFrame:
    """One row per expected month, oldest first: n_partners expected, n_submitted, n_on_time,
    reporting_rate and on_time_rate across the partners expected that month."""
    expected = grid[grid["expected"]]
    rows = []
    for month, group in expected.groupby("month", sort=True):
        counts = _counts(group)
        rows.append({"month": month, "n_partners": counts["months_expected"],
                     "n_submitted": counts["months_submitted"], "n_on_time": counts["months_on_time"],
                     "reporting_rate": _rate(counts["months_submitted"], counts["months_expected"]),
                     "on_time_rate": _rate(counts["months_on_time"], counts["months_expected"])})
    return pd.DataFrame(rows, columns=["month", "n_partners", "n_submitted", "n_on_time", "reporting_rate",
                                       "on_time_rate"])


def statuses(grid: pd.DataFrame, month: str) -> pd.DataFrame:
    """Each partner's status for one month: role, scope_code, status, due_on, submitted_at."""
    return grid.loc[grid["month"] == month, ["role", "scope_code", "status", "due_on", "submitted_at"]]


def report_months(grid: pd.DataFrame) -> list[str]:
    """The months of the grid, newest first (the page's month filter)."""
    return sorted(grid["month"].unique(), reverse=True)


def latest_expected_month(grid: pd.DataFrame) -> str | None:
    """The newest month whose due day has passed for some partner (the filter's default), or
    None when none has."""
    expected = grid.loc[grid["expected"], "month"]
    return None if expected.empty else str(expected.max())


# ------------------------------------------------------------------------------ one partner
def partner_status(partners: Iterable[dict], batches: pd.DataFrame, role: str, scope_code: str | None,
                   as_of: date) -> dict | None:
    """What a partner sees on its landing page: the last ended month (`month`), its `status`
    and `due_on`, `submitted_at`, and when the next report is due (`next_month`,
    `next_due_on`: the current month's, due the following month). None when (role,
    scope_code) is not a partner with a month to report yet."""
    mine = [p for p in partners if p["role"] == role and p["scope_code"] == scope_code]
    if not mine:
        return None
    grid = months(mine, batches, as_of)
    current = month_of(as_of)
    due_day = int(mine[0]["due_day"])
    result = {"month": None, "status": None, "due_on": None, "submitted_at": None,
              "next_month": current, "next_due_on": due_on(current, due_day)}
    if grid.empty:
        return result
    last = grid.iloc[-1]
    submitted = last["submitted_at"]
    result.update(month=last["month"], status=last["status"], due_on=last["due_on"],
                  submitted_at=None if pd.isna(submitted) else submitted.to_pydatetime())
    if last["status"] == "due":
        result.update(next_month=last["month"], next_due_on=last["due_on"])
    return result


# ------------------------------------------------------------------------------ one call
def summary(db_path: Path | str | None, as_of: date, month: str | None = None) -> pd.DataFrame:
    """Every partner's rates as of `as_of` over its months up to `month` (all when None):
    what `python -m pie reporting` prints (RATE_COLUMNS)."""
    found = partners(db_path)
    grid = months(found, accepted_batches(db.reader(db_path), Scope()), as_of)
    return rates(through(grid, month), found)
