"""Leadership figures: regions, reach, targets vs actuals, rollout, the map's points.

The regions page and the PDF report (pie/report/) both use these functions, so the page and
the document always say the same thing. `source` is a `pie.db.Reader` or a DuckDB connection,
as in pie.kpis. Actual values follow METRICS.md exactly (tests compare each region's figures
with `kpis.compute` for that region).

Targets (METRICS.md "Targets"): `targets.target_value` for (academic_year, region, metric);
progress = actual ÷ target. Targets are yearly objectives, so they need a chosen academic
year, and they apply to the whole programme of a region: none for an establishment, a bank
or an incubator (queries/scope/macros.sql, scoped_targets). A finished year: met (≥ 100 % of
the target), close (≥ 90 %), missed. A year in progress at the data date T (kpis.data_date) is
judged against the expected value at T = target × the share of its final value the previous
year's cohorts had reached at T − 1 year (linear from 1 September without a previous year):
ahead (≥ 110 % of expected), on_pace (≥ 90 %), behind (kpis.target_status). No target → no_target.

Reach (METRICS.md "Penetration"): participants per 10,000 people aged 15–29 of the region
(regions.youth_15_29_2024, an HCP RGPH 2024 estimate: docs/DATA_SOURCES.md).
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from pie.leadership import geo
from pie import codes, kpis, queries
from pie.db import meta
from pie.queries import Source
from pie.errors import PieError
from pie.scope import Scope

# The `targets` metrics (DATA_MODEL.md), in the order tables show them.
TARGET_METRICS = codes.TARGET_METRICS
# What the map can be coloured by (columns of `regional_indicators`); progress_<metric> for
# each target metric is accepted too.
MAP_INDICATORS = ("participants", "reach_per_10k", "immersion_completed", "projects_financed",
                  "companies_created", "progress_participants")
PROGRESS_INDICATORS = tuple(f"progress_{metric}" for metric in TARGET_METRICS)

STATUSES = ("ahead", "on_pace", "behind", "met", "close", "missed", "no_target")

YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")




def _absent(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def status(target: object, progress: object) -> str:
    """met / close / missed / no_target for a finished year's target and its progress."""
    if _absent(target):
        return "no_target"
    if target == 0 or (not _absent(progress) and progress >= kpis.MET):
        return "met"
    return "close" if not _absent(progress) and progress >= kpis.CLOSE else "missed"


def year_end(academic_year: str) -> date:
    """The last day of an academic year: 31 August of its second calendar year (as
    queries/leadership/establishments_on_map.sql counts it)."""
    return date(int(academic_year[5:9]), 8, 31)


def in_progress(academic_year: str, today: date | None = None) -> bool:
    """True while `academic_year` has not ended (its cohorts are still going through)."""
    return (today or date.today()) <= year_end(academic_year)


def previous_year(academic_year: str) -> str:
    """'2023-2024' → '2022-2023'."""
    start = int(academic_year[:4]) - 1
    return f"{start}-{start + 1}"


# ------------------------------------------------------------------------------ regions
def regional_indicators(source: Source, scope: Scope | None = None) -> pd.DataFrame:
    """One row per region in scope (all 12 without a region filter, zeros included):
    region_code, name_fr, name_ar, youth_15_29_2024, participants, immersion_completed,
    plans_validated, projects_financed, companies_created, reach_per_10k, and with an academic
    year target_<metric> and progress_<metric> for each TARGET_METRICS (null without a target)."""
    frame = queries.run(source, "leadership/regional_indicators", scope or Scope())
    for column in frame.columns:
        if column.startswith("target_"):
            frame[column] = frame[column].astype("Int64")
        elif column.startswith("progress_") or column == "reach_per_10k":
            frame[column] = frame[column].astype("Float64")
    return frame


def reach_per_10k(participants: int, youth: int) -> float | None:
    """Participants per 10,000 people aged 15–29 (None without a population)."""
    return participants * 10000 / youth if youth else None


def reach_decimals(value: object) -> int:
    """Digits to show a reach with: 1 (5,0), 2 below 1 so a small programme does not read 0,0."""
    return 2 if not _absent(value) and 0 < value < 1 else 1


# ------------------------------------------------------------------------------ targets
def targets_vs_actuals(source: Source, scope: Scope, on: date | None = None) -> pd.DataFrame:
    """For the scope's academic year (required), one row per region in scope and target metric:
    region_code, name_fr, name_ar, metric, target (<NA> when none), actual, previous_actual (the
    previous academic year, same scope: as of T − 1 year while the year is in progress, else
    whole), previous_final, change = actual − previous_actual, progress = actual ÷ target,
    expected (the value expected at T for a year in progress, else the target), pace
    ('previous_year', 'linear' or None for a finished year), status (module docstring).
    `on` is the data date T (default kpis.data_date)."""
    if not scope.academic_year:
        raise PieError("targets vs actuals need an academic year", key="leadership.error.year_needed")
    on = on if on is not None else kpis.data_date(source, scope)
    running = kpis.in_progress(scope.academic_year, on)
    frame = queries.run(source, "leadership/targets_vs_actuals", scope,
                        previous_year=previous_year(scope.academic_year),
                        as_of=on if running else None,
                        previous_as_of=kpis.year_earlier(on) if running else None)
    frame["target"] = frame["target"].astype("Int64")
    for column in ("actual", "previous_actual", "previous_final"):
        frame[column] = frame[column].astype("int64")
    frame["progress"] = frame["progress"].astype("Float64")
    frame["change"] = frame["actual"] - frame["previous_actual"]
    frame = _judge(frame.drop(columns="metric_order"), scope.academic_year, on if running else None)
    # what `totals` judges the national line with, and what pages and the report say
    frame.attrs.update(academic_year=scope.academic_year, data_date=on, in_progress=running)
    return frame


def _judge(frame: pd.DataFrame, academic_year: str, on: date | None) -> pd.DataFrame:
    """Add expected, pace and status to rows with target, actual, previous_actual and
    previous_final; `on` is the data date of a year in progress, None for a finished year."""
    expected, pace, statuses = [], [], []
    for row in frame.itertuples():
        target = None if _absent(row.target) else row.target
        if on is None:
            expected.append(target)
            pace.append(None)
            statuses.append(kpis.target_status(target, row.actual))
            continue
        share, reference = kpis.pace_share(row.previous_actual, row.previous_final, academic_year, on)
        value = None if target is None else target * share
        expected.append(value)
        pace.append(reference)
        statuses.append(kpis.target_status(target, row.actual, value, in_progress_year=True))
    frame["expected"] = pd.array(expected, dtype="Float64")
    frame["pace"] = pace
    frame["status"] = statuses
    return frame


def totals(targets: pd.DataFrame, academic_year: str | None = None, on: date | None = None) -> pd.DataFrame:
    """The national (or, with a region filter, regional) line of each metric from
    `targets_vs_actuals`: target = sum of the regions' targets (<NA> when none has one),
    actual, previous_actual and previous_final = sums over every region in scope, progress,
    change, and expected, pace and status judged as a region's (`on`: the data date of a
    year in progress, None for a finished year)."""
    rows = []
    for metric in TARGET_METRICS:
        part = targets[targets["metric"] == metric]
        has_target = part["target"].notna().any()
        target = int(part["target"].sum()) if has_target else None
        actual = int(part["actual"].sum())
        previous = int(part["previous_actual"].sum())
        final = int(part["previous_final"].sum()) if "previous_final" in part else previous
        progress = actual / target if target else None
        rows.append({"metric": metric, "target": target, "actual": actual, "previous_actual": previous,
                     "previous_final": final, "change": actual - previous, "progress": progress})
    frame = pd.DataFrame(rows)
    frame["target"] = frame["target"].astype("Int64")
    frame["progress"] = frame["progress"].astype("Float64")
    academic_year = academic_year or targets.attrs.get("academic_year")
    on = on or targets.attrs.get("data_date")
    running = bool(academic_year) and kpis.in_progress(academic_year, on)
    frame = _judge(frame, academic_year or "", on if running else None)
    frame.attrs.update(academic_year=academic_year, data_date=on, in_progress=running)
    return frame


# ------------------------------------------------------------------------------ banks side by side
def banks_side_by_side(source: Source, scope: Scope | None = None) -> pd.DataFrame:
    """The partner banks side by side (queries/leadership/banks_side_by_side.sql): per bank,
    n_decisions, n_approved, n_rejected, n_pending, approval_rate, median_days_to_decision,
    projects_financed, amount_approved_mad, amount_disbursed_mad, n_loans_reported,
    outstanding_mad, at_risk_mad, portfolio_at_risk_30 — most decisions first — then the row of
    every bank together (is_total, bank null), whose figures are kpis.compute's for the scope.
    Aggregates only: no decision, project or client row. Empty when no decision is in scope."""
    return queries.run(source, "leadership/banks_side_by_side", scope or Scope()).reset_index(drop=True)


# ------------------------------------------------------------------------------ the map's points
def establishments_on_map(source: Source, scope: Scope | None = None) -> pd.DataFrame:
    """Establishments where the PIE runs in scope (queries/leadership/establishments_on_map.sql):
    establishment_id, name, kind, city, region_code, pie_launch_date, n_cohorts, participants,
    plus lat, lon and location_exact (False: unknown city, drawn at its region's centre)."""
    frame = queries.run(source, "leadership/establishments_on_map", scope or Scope())
    places = [geo.locate(city, region) for city, region in zip(frame["city"], frame["region_code"])]
    frame["lat"] = [p.lat for p in places]
    frame["lon"] = [p.lon for p in places]
    frame["location_exact"] = [p.exact for p in places]
    return frame


def cities_on_map(establishments: pd.DataFrame) -> pd.DataFrame:
    """One row per place (city, or region centre for unknown cities) of `establishments_on_map`:
    region_code, city, lat, lon, location_exact, participants (sum), n_establishments,
    first_launch_date and `establishments` (the rows, launch date first)."""
    rows = []
    keys = ["region_code", "lat", "lon", "location_exact"]
    for (region, lat, lon, exact), part in establishments.groupby(keys, sort=True):
        part = part.sort_values(["pie_launch_date", "name"], na_position="last")
        known = geo.city_name(part["city"].iloc[0]) if exact else None
        launches = part["pie_launch_date"].dropna()
        rows.append({
            "region_code": region, "city": known or part["city"].iloc[0], "lat": lat, "lon": lon,
            "location_exact": bool(exact), "participants": int(part["participants"].sum()),
            "n_establishments": len(part),
            "first_launch_date": launches.min() if len(launches) else None,
            "establishments": part.reset_index(drop=True),
        })
    return pd.DataFrame(rows, columns=["region_code", "city", "lat", "lon", "location_exact", "participants",
                                       "n_establishments", "first_launch_date", "establishments"])


# ------------------------------------------------------------------------------ rollout
@dataclass(frozen=True)
class Rollout:
    by_year: pd.DataFrame   # region × academic year: participants, n_cohorts, n_establishments (0s filled)
    launches: pd.DataFrame  # one row per region: first_launch_date, n_establishments_launched, first_academic_year


def rollout(source: Source, scope: Scope | None = None) -> Rollout:
    """How the PIE spread: every academic year whatever the scope's year (the rest of the scope
    applies). `by_year` has a row for every region that has participants × every academic year
    seen, with zeros where a region had none that year; `launches` one row per region in scope."""
    all_years = dataclasses.replace(scope or Scope(), academic_year=None)
    by_year = queries.run(source, "leadership/rollout_by_year", all_years)
    launches = queries.run(source, "leadership/region_launches", all_years)
    if len(by_year):
        names = by_year[["region_code", "name_fr", "name_ar"]].drop_duplicates("region_code")
        grid = names.merge(pd.DataFrame({"academic_year": sorted(by_year["academic_year"].unique())}),
                           how="cross")
        by_year = grid.merge(by_year, how="left", on=["region_code", "name_fr", "name_ar", "academic_year"])
        for column in ("participants", "n_cohorts", "n_establishments"):
            by_year[column] = by_year[column].fillna(0).astype("int64")
    return Rollout(by_year=by_year.reset_index(drop=True), launches=launches)


# ------------------------------------------------------------------------------ the data's date
@dataclass(frozen=True)
class DataStamp:
    """What the data are and how recent: the last accepted import, or when the (demo) database
    was built."""

    is_demo: bool
    last_import_at: pd.Timestamp | None
    created_at: pd.Timestamp | None


def data_stamp(source: Source) -> DataStamp:
    frame = queries.run(source, "leadership/last_import", Scope())
    if isinstance(source, duckdb.DuckDBPyConnection):
        facts = meta(source)
    else:
        facts = source.meta()
    last = frame["last_import_at"].iloc[0] if len(frame) else None
    created = facts.get("created_at")
    return DataStamp(is_demo=facts.get("is_demo") == "true",
                     last_import_at=None if _absent(last) or last is pd.NaT else pd.Timestamp(last),
                     created_at=pd.Timestamp(created) if created else None)


def academic_years(source: Source) -> list[str]:
    """Academic years that have a cohort or a target, newest first."""
    frame = queries.run(source, "leadership/academic_years", Scope())
    return list(frame["academic_year"])


def target_years(source: Source, scope: Scope | None = None) -> list[str]:
    """Academic years with at least one target in `scope` (its year ignored), newest first;
    empty with an establishment, bank or incubator restriction (targets are per region)."""
    all_years = dataclasses.replace(scope or Scope(), academic_year=None)
    frame = queries.run(source, "leadership/target_years", all_years)
    return list(frame["academic_year"])


def check_year(source: Source, academic_year: str) -> str:
    """`academic_year` if it is a YYYY-YYYY year with data (cohorts or targets), else PieError."""
    match = YEAR_PATTERN.match(academic_year or "")
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise PieError(f"academic year must look like 2023-2024, not {academic_year!r}",
                       key="leadership.error.bad_year", year=academic_year)
    years = academic_years(source)
    if academic_year not in years:
        known = ", ".join(sorted(years)) or "—"
        raise PieError(f"no cohort nor target for academic year {academic_year}; years with data: {known}",
                       key="leadership.error.unknown_year", year=academic_year, years=known)
    return academic_year


def check_region(region: str | None) -> str | None:
    """A region code '01'..'12' ('9' is read as '09'), None for the whole country; else PieError."""
    if region is None:
        return None
    text = str(region).strip()
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise PieError(f"unknown region {region!r}: region codes are 01..12",
                       key="leadership.error.unknown_region", region=region)
    return f"{int(text):02d}"
