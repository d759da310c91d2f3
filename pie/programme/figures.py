"""Programme managers' working figures: progression through the phases, and the
follow-up lists (who and what is waiting).

The Phases and Follow-up pages use these functions; `source` is a `pie.db.Reader` or a DuckDB
connection, as in pie.kpis. Every figure is built from the METRICS.md indicators:

- completed / dropped per phase: `awareness_completed`, `fundamentals_completed`,
  `immersion_completed` and `dropped`, counted phase by phase (a participant's row of that
  phase has that status);
- completion rate = participants who completed the phase ÷ participants (of the group);
- drop-off rate = participants who dropped the phase ÷ participants who started it;
- not started (yet) = eligible − started, eligible being every participant for awareness and
  those who completed the previous phase otherwise;
- days to complete = completed_on − the participant's enrolled_on (median over completions);
- completion within N days = completions whose completed_on − the cohort's start_date ≤ N,
  ÷ the cohort's participants (cohorts compared at the same age).

Follow-up lists are dated on a reference date: today, or the latest date recorded in the data
when that is earlier (a database is only as recent as its last import, and the demo's data
end on a fixed day).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd

from pie import codes
from pie import queries
from pie import thresholds
from pie.config import settings
from pie.queries import Source
from pie.scope import Scope


PHASES = codes.PHASES
# What became of the participants who could start a phase, in the order charts stack them.
OUTCOMES = ("completed", "in_progress", "dropped", "not_started")
# Where drop-off happens: the groups participants can be compared by.
BREAKDOWNS = ("establishment", "profile", "sector", "cohort", "gender")
# Cohorts side by side: each cohort, or the cohorts of each academic year pooled.
COMPARISONS = ("cohort", "academic_year")
WITHIN_DAYS = (30, 60, 90, 180, 365)
DEFAULT_WITHIN_DAYS = 90
DEFAULT_IDLE_DAYS = 30
MAX_IDLE_DAYS = 3650
# Codes of DATA_MODEL.md a focus may take, in its order (cohorts come from the data).
PROFILES = codes.PROFILES
GENDERS = codes.GENDERS
SECTORS = codes.SECTORS
# Personal data columns (participant_contacts), dropped unless the scope allows them.
CONTACT_COLUMNS = ("full_name", "phone", "email")
LEAD_CONTACT_COLUMNS = ("lead_name", "lead_phone", "lead_email")


@dataclass(frozen=True)
class Focus:
    """A page's narrowing of the participants in scope (drill-down): one cohort, profile,
    sector and/or gender; None = any. It can only narrow the scope, never widen it."""

    cohort: str | None = None
    profile: str | None = None
    sector: str | None = None
    gender: str | None = None

    def parameters(self) -> dict[str, str | None]:
        return asdict(self)

    def active(self) -> dict[str, str]:
        """The dimensions that narrow (name -> code)."""
        return {name: value for name, value in asdict(self).items() if value}



def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator ÷ denominator, <NA> where the denominator is 0."""
    return (numerator.astype("float64") / denominator.astype("float64").where(denominator > 0)).astype("Float64")


def _unique_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Cohort labels (`establishment · year`) made unique by their id where two cohorts share one."""
    keys = frame.drop_duplicates("group_key")
    shared = set(keys.loc[keys["group_label"].duplicated(keep=False), "group_label"])
    if shared:
        frame["group_label"] = [f"{label} ({key})" if label in shared else label
                                for key, label in zip(frame["group_key"], frame["group_label"])]
    return frame


# ------------------------------------------------------------------------------ phases
GROUP_COUNTS = ("participants", "participants_dropped", "eligible", "started", "not_started", "completed",
                "in_progress", "dropped", *(f"within_{days}" for days in WITHIN_DAYS))


def phase_groups(source: Source, scope: Scope | None, focus: Focus = Focus()) -> pd.DataFrame:
    """Progress through the phases of the participants in `scope` narrowed by `focus`, for every
    grouping at once (queries/programme/phase_groups.sql; one query, so switching breakdown or
    days asks the database nothing): one row per breakdown (all, cohort, establishment,
    academic_year, profile, sector, gender), group and phase, with group_key, group_label,
    start_date and last_start (of the group's cohorts), participants, participants_dropped,
    eligible, started, not_started, completed, in_progress, dropped, median_days_to_complete,
    hours_total, hours_median, within_<N> for N in WITHIN_DAYS, and completion_rate
    (completed ÷ participants) and dropoff_rate (dropped ÷ started). Empty when nobody is in
    scope."""
    frame = queries.run(source, "programme/phase_groups", scope or Scope(), **focus.parameters())
    frame = frame[frame["participants"] > 0].copy()  # the grand total of nobody is a row of zeros
    for column in GROUP_COUNTS:
        frame[column] = frame[column].astype("int64")
    for column in ("median_days_to_complete", "hours_total", "hours_median"):
        frame[column] = frame[column].astype("Float64")
    for column in ("start_date", "last_start"):
        frame[column] = pd.to_datetime(frame[column])
    frame["completion_rate"] = _ratio(frame["completed"], frame["participants"])
    frame["dropoff_rate"] = _ratio(frame["dropped"], frame["started"])
    cohorts = frame["breakdown"] == "cohort"
    frame.loc[cohorts, "group_label"] = _unique_labels(frame[cohorts].copy())["group_label"]
    return frame.reset_index(drop=True)


def phase_by_group(groups: pd.DataFrame, breakdown: str) -> pd.DataFrame:
    """The rows of `phase_groups` for one breakdown ("all", academic_year or one of BREAKDOWNS):
    one row per group and phase, in phase order; cohorts oldest first, other groups by code."""
    if breakdown not in ("all", "academic_year", *BREAKDOWNS):
        raise ValueError(f"unknown breakdown {breakdown!r}")
    part = groups[groups["breakdown"] == breakdown]
    order = ["start_date", "group_key"] if breakdown == "cohort" else ["group_key"]
    part = part.assign(_phase=part["phase"].map(PHASES.index)).sort_values([*order, "_phase"], kind="stable")
    return part.drop(columns="_phase").reset_index(drop=True)


def phase_summary(groups: pd.DataFrame) -> pd.DataFrame:
    """The rows of `phase_groups` for everyone in scope: one row per phase (none if nobody)."""
    return phase_by_group(groups, "all")


def completion_within(groups: pd.DataFrame, comparison: str, days: int, as_of: date) -> pd.DataFrame:
    """Cohorts compared at the same age: for each cohort (or academic year, `comparison`) and
    phase of `phase_groups`, completed_within (completions at most `days` days after the
    cohort's start_date), rate = completed_within ÷ participants, and observed (False when a
    cohort of the group was younger than `days` on `as_of`: its rate may still grow)."""
    if comparison not in COMPARISONS:
        raise ValueError(f"unknown comparison {comparison!r}")
    if days not in WITHIN_DAYS:
        raise ValueError(f"days must be one of {WITHIN_DAYS}")
    frame = phase_by_group(groups, comparison)
    frame["completed_within"] = frame[f"within_{days}"]
    frame["rate"] = _ratio(frame["completed_within"], frame["participants"])
    frame["observed"] = (frame["last_start"] + pd.Timedelta(days=days)) <= pd.Timestamp(as_of)
    return frame


# ------------------------------------------------------------------------------ follow-up
def participants_by_year(source: Source, scope: Scope | None) -> pd.DataFrame:
    """Participants, immersion completed and projects per academic year, oldest first (the
    scope's year is ignored so the trend shows every year)."""
    return queries.run(source, "programme/participants_by_year", scope)


def latest_date(source: Source, scope: Scope | None = None) -> date | None:
    """The latest date recorded anywhere in the programme's data (the filters are ignored, a
    role's restriction is not); None on an empty database."""
    value = queries.run(source, "programme/latest_date", scope or Scope()).iloc[0, 0]
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).date()


def reference_date(source: Source, scope: Scope | None = None, today: date | None = None) -> date:
    """The date follow-up lists count days to: `today` (default: the system's), or the latest
    date recorded in the data when that is earlier."""
    today = today or date.today()
    latest = latest_date(source, scope)
    return min(today, latest) if latest is not None else today


def _without_contacts(frame: pd.DataFrame, scope: Scope, columns: tuple[str, ...]) -> pd.DataFrame:
    """The list without its contact columns when the scope has no personal data. The scope
    macros (scoped_contacts, scoped_project_leads) already returned them empty: this only keeps
    the columns off the page for such a role, as before."""
    return frame if scope.personal_data else frame.drop(columns=list(columns))


def idle_participants(source: Source, scope: Scope | None, idle_days: int, as_of: date,
                      phase: str | None = None) -> pd.DataFrame:
    """Participants with a phase in progress (`phase` only, if given) and no activity for at
    least `idle_days` days on `as_of` — activity being their latest enrolled_on, started_on or
    completed_on — longest idle first. One row per participant and phase in progress:
    participant_id, [full_name, phone, email,] phase, started_on, last_activity_on, idle_days,
    hours_attended, profile, cohort_id, establishment_name, academic_year. Contact details are
    read and returned only when the scope allows personal data."""
    scope = scope or Scope()
    if phase is not None and phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    if not 0 <= int(idle_days) <= MAX_IDLE_DAYS:
        raise ValueError(f"idle_days must be between 0 and {MAX_IDLE_DAYS}")
    frame = queries.run(source, "programme/follow_up_participants", scope, idle_days=int(idle_days),
                   as_of=as_of, phase=phase)
    frame["idle_days"] = frame["idle_days"].astype("int64")
    return _without_contacts(frame, scope, CONTACT_COLUMNS).reset_index(drop=True)


def lost_contact_default() -> int:
    """The lost-contact cut-off the Follow-up page starts with: the PIE_LOST_CONTACT_DAYS
    setting (default 365), kept between 1 and MAX_IDLE_DAYS."""
    return min(max(int(settings().lost_contact_days), 1), MAX_IDLE_DAYS)


def _most_recoverable_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of idle_participants, the easiest to bring back first: the fewest days without
    activity (stalled most recently), then the furthest phase (immersion before fundamentals
    before awareness), then participant_id."""
    furthest = -frame["phase"].map({phase: order for order, phase in enumerate(PHASES)}).astype("int64")
    return (frame.assign(_furthest=furthest)
            .sort_values(["idle_days", "_furthest", "participant_id"], kind="stable")
            .drop(columns="_furthest").reset_index(drop=True))


def call_list(source: Source, scope: Scope | None, idle_days: int, lost_contact_days: int, as_of: date,
              phase: str | None = None) -> pd.DataFrame:
    """Participants to call: those of idle_participants (at least `idle_days` days without
    activity) still within reach — at most `lost_contact_days` days without activity — most
    recoverable first (_most_recoverable_first). Same columns as idle_participants."""
    frame = idle_participants(source, scope, idle_days, as_of, phase)
    return _most_recoverable_first(frame[frame["idle_days"] <= int(lost_contact_days)])


def lost_contact(source: Source, scope: Scope | None, lost_contact_days: int, as_of: date,
                 phase: str | None = None) -> pd.DataFrame:
    """Participants whose phase is still in progress (`phase` only, if given) but who have had
    no activity for more than `lost_contact_days` days on `as_of`: counted apart from the call
    list, in the same order (_most_recoverable_first). Same columns as idle_participants."""
    if not 1 <= int(lost_contact_days) <= MAX_IDLE_DAYS:
        raise ValueError(f"lost_contact_days must be between 1 and {MAX_IDLE_DAYS}")
    frame = idle_participants(source, scope, int(lost_contact_days), as_of, phase)
    return _most_recoverable_first(frame[frame["idle_days"] > int(lost_contact_days)])


def _project_list(source: Source, scope: Scope | None, name: str, as_of: date, **params: object) -> pd.DataFrame:
    scope = scope or Scope()
    frame = queries.run(source, f"programme/{name}", scope, as_of=as_of, **params)
    frame["days_waiting"] = frame["days_waiting"].astype("int64")
    return _without_contacts(frame, scope, LEAD_CONTACT_COLUMNS).reset_index(drop=True)


# Follow-up lists counted from a threshold shared with the Data quality page (pie.thresholds):
# list name -> the days its card names.
WAITING_DAYS = {"to_review": thresholds.PLAN_REVIEW_DAYS, "not_disbursed": thresholds.DISBURSEMENT_DAYS}


def plans_to_review(source: Source, scope: Scope | None, as_of: date) -> pd.DataFrame:
    """Plans submitted and not reviewed more than thresholds.PLAN_REVIEW_DAYS days after their
    submission (on `as_of`; Data quality's plans_not_reviewed, same rule), longest waiting first:
    plan_id, project_id, project_name, version, submitted_on, days_waiting, requested_amount_mad,
    lead_id, [lead_name, lead_phone, lead_email,] establishment_name, academic_year."""
    return _project_list(source, scope, "follow_up_plans_to_review", as_of, days=thresholds.PLAN_REVIEW_DAYS)


def plans_without_decision(source: Source, scope: Scope | None, as_of: date) -> pd.DataFrame:
    """Validated plans with no approved or rejected bank decision, longest waiting since their
    validation first: plan_id, project_id, project_name, version, reviewed_on, days_waiting,
    requested_amount_mad, pending_banks (banks with a pending request), lead_id, [lead
    contacts,] establishment_name, academic_year."""
    return _project_list(source, scope, "follow_up_plans_without_decision", as_of)


def loans_not_disbursed(source: Source, scope: Scope | None, as_of: date) -> pd.DataFrame:
    """Approved decisions still without a disbursement more than thresholds.DISBURSEMENT_DAYS
    days after the decision (on `as_of`; Data quality's approved_not_disbursed, same rule),
    longest waiting first: decision_id, plan_id, project_id, project_name, bank, branch, product,
    decided_on, days_waiting, amount_approved_mad, lead_id, [lead contacts,] establishment_name,
    academic_year."""
    return _project_list(source, scope, "follow_up_loans_not_disbursed", as_of, days=thresholds.DISBURSEMENT_DAYS)


def follow_up_by_establishment(lists: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per establishment, how many items each follow-up list holds (`lists`: list name → the
    frame of idle_participants / plans_to_review / plans_without_decision / loans_not_disbursed,
    each with establishment_id and establishment_name): establishment_id, establishment_name, one
    count column per list in the order of `lists`, total; busiest first, then by name."""
    names = list(lists)
    rows = pd.concat([frame[["establishment_id", "establishment_name"]].assign(list=name)
                      for name, frame in lists.items()])
    counts = (rows.pivot_table(index=["establishment_id", "establishment_name"], columns="list", aggfunc="size",
                               fill_value=0)
              .reindex(columns=names, fill_value=0).reset_index())
    counts.columns.name = None
    counts = counts.assign(total=counts[names].sum(axis=1))
    return counts.sort_values(["total", "establishment_name"], ascending=[False, True]).reset_index(drop=True)


# ------------------------------------------------------------------------------ funnel
# METRICS.md "Funnel": two nested funnels, people then projects; each step holds only the
# people (projects) of the step before it, so no step exceeds the one before. Not the KPI keys
# of pie/kpis.py (e.g. fundamentals_completed), which keep their own, non-nested definitions.
PEOPLE, PROJECTS = "people", "projects"


@dataclass(frozen=True)
class FunnelStep:
    key: str
    unit: str


FUNNEL_STEPS = (
    FunnelStep("participants", PEOPLE),
    FunnelStep("completed_awareness", PEOPLE),
    FunnelStep("completed_awareness_and_fundamentals", PEOPLE),
    FunnelStep("completed_all_phases", PEOPLE),
    FunnelStep("in_project", PEOPLE),
    FunnelStep("projects", PROJECTS),
    FunnelStep("plan_submitted", PROJECTS),
    FunnelStep("plan_validated", PROJECTS),
    FunnelStep("financed", PROJECTS),
    FunnelStep("company_created", PROJECTS),
)
FUNNEL_KEYS = tuple(step.key for step in FUNNEL_STEPS)
# What the funnel may be compared by: groups of cohorts (people and projects), or groups of
# people (gender, profile: people steps only, a project has neither).
FUNNEL_BREAKDOWNS = ("region", "establishment", "cohort", "academic_year")
FUNNEL_PEOPLE_BREAKDOWNS = ("gender", "profile")


def _women_columns(step: FunnelStep) -> tuple[str, str]:
    """(women among the step, those whose gender is known) columns of programme/funnel_nested:
    women for people; for projects, those led by a woman and those with a recorded lead."""
    if step.unit == PEOPLE:
        return f"women_{step.key}", step.key
    suffix = "projects" if step.key == "projects" else step.key
    return f"woman_led_{suffix}", f"with_lead_{suffix}"


def funnel_steps_of(unit: str) -> list[FunnelStep]:
    """The funnel's steps counting `unit` (PEOPLE or PROJECTS), in order."""
    return [step for step in FUNNEL_STEPS if step.unit == unit]


def funnel_by_group(source: Source, scope: Scope | None, breakdown: str) -> pd.DataFrame:
    """The nested funnel per group (queries/programme/funnel_nested.sql): `breakdown` is one of
    FUNNEL_BREAKDOWNS (every step), FUNNEL_PEOPLE_BREAKDOWNS (people steps only; the project
    columns are dropped) or "all" (one row, group_key "all", none when nothing is in scope).
    One row per group: group_key, group_label, each step's count, the women (people) or
    woman-led (projects) counts, and for each step after the first of its unit
    rate_<step> = step ÷ previous step and share_<step> = step ÷ the unit's first step
    (participants or projects), <NA> when the divisor is 0; jobs_created, woman_led_jobs,
    with_lead_jobs, companies_not_financed, jobs_not_financed."""
    if breakdown not in ("all", *FUNNEL_BREAKDOWNS, *FUNNEL_PEOPLE_BREAKDOWNS):
        raise ValueError(f"unknown breakdown {breakdown!r}")
    frame = queries.run(source, "programme/funnel_nested", scope or Scope(), breakdown=breakdown)
    counts = [column for column in frame.columns if column not in ("group_key", "group_label")]
    frame[counts] = frame[counts].astype("int64")
    units = (PEOPLE,) if breakdown in FUNNEL_PEOPLE_BREAKDOWNS else (PEOPLE, PROJECTS)
    if breakdown in FUNNEL_PEOPLE_BREAKDOWNS:
        people = [step.key for step in funnel_steps_of(PEOPLE)]
        frame = frame[["group_key", "group_label", *people, *(f"women_{key}" for key in people)]].copy()
    for unit in units:
        steps = funnel_steps_of(unit)
        for previous, step in zip(steps, steps[1:]):
            frame[f"rate_{step.key}"] = _ratio(frame[step.key], frame[previous.key])
            frame[f"share_{step.key}"] = _ratio(frame[step.key], frame[steps[0].key])
    return frame.reset_index(drop=True)


def funnel_steps(totals: pd.DataFrame) -> pd.DataFrame:
    """The funnel from the `all` row of `funnel_by_group(…, "all")` (no row: every step 0): one
    row per step of FUNNEL_STEPS with key, unit, count, rate (÷ the previous step of the same
    unit), share (÷ the unit's first step: all participants, all projects), women (people of
    gender `f`; projects whose lead is a woman), women_share (women ÷ the step's people; for
    projects ÷ the step's projects with a recorded lead) — rates None for a unit's first step
    or a divisor of 0."""
    row = totals.iloc[0] if len(totals) else None
    rows = []
    for unit in (PEOPLE, PROJECTS):
        steps = funnel_steps_of(unit)
        first = int(row[steps[0].key]) if row is not None else 0
        previous = None
        for step in steps:
            count = int(row[step.key]) if row is not None else 0
            women_column, known_column = _women_columns(step)
            women = int(row[women_column]) if row is not None else 0
            known = int(row[known_column]) if row is not None else 0
            rows.append({
                "key": step.key, "unit": unit, "count": count,
                "rate": count / previous if previous else None,
                "share": count / first if step is not steps[0] and first else None,
                "women": women, "women_share": women / known if known else None,
            })
            previous = count
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class FunnelOutcomes:
    """Beyond the last step: the jobs of the companies counted there (jobs_created) and the share
    of them in companies whose project lead is a woman (over companies with a recorded lead;
    None when none); the companies of projects never financed, which the funnel leaves out
    (companies_not_financed) and their jobs."""

    jobs_created: int
    woman_led_jobs_share: float | None
    companies_not_financed: int
    jobs_not_financed: int


def funnel_outcomes(totals: pd.DataFrame) -> FunnelOutcomes:
    """FunnelOutcomes from the `all` row of `funnel_by_group(…, "all")` (no row: zeros)."""
    if not len(totals):
        return FunnelOutcomes(0, None, 0, 0)
    row = totals.iloc[0]
    known = int(row["with_lead_jobs"])
    return FunnelOutcomes(int(row["jobs_created"]), int(row["woman_led_jobs"]) / known if known else None,
                          int(row["companies_not_financed"]), int(row["jobs_not_financed"]))


def funnel(source: Source, scope: Scope | None = None) -> pd.DataFrame:
    """The nested funnel of `scope` (funnel_steps), for the report and the CLI."""
    return funnel_steps(funnel_by_group(source, scope, "all"))
