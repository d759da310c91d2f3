"""Tables of the Funnel, Phases and Follow-up pages (pie.ui.tables.Table: translated headers, raw
values, a kind per column), built from the frames of pie.programme."""
from __future__ import annotations

import pandas as pd

from pie import i18n
from pie.programme.figures import FUNNEL_STEPS, PHASES
from pie.ui.lang import label, language, t
from pie.ui.tables import AMOUNT, COUNT, DATE, DAYS, DECIMAL, RATE, TEXT, Table, once_per_value

CODED = ("profile", "sector", "gender")  # breakdowns whose groups are codes with a translation


def group_labels(frame: pd.DataFrame, breakdown: str) -> dict[str, str]:
    """Each group's code -> the text users read (a translation, an establishment's name, a
    cohort's `establishment · year`), in the frame's order."""
    groups = frame.drop_duplicates("group_key")
    if breakdown in CODED:
        return {code: label(breakdown, code) for code in groups["group_key"]}
    if breakdown == "region":  # the queries name regions in French
        return {code: i18n.region_name(code, language()) for code in groups["group_key"]}
    return dict(zip(groups["group_key"], groups["group_label"]))


def _phase(phase: str) -> str:
    return t(f"phases.short.{phase}")


def _dates(series: pd.Series) -> pd.Series:
    """Dates as date objects (written as dates in the XLSX, ISO in the CSV)."""
    return pd.to_datetime(series).dt.date.astype("object").where(series.notna(), None)


def _build(columns: dict[str, tuple[pd.Series, str]], **options: object) -> Table:
    frame = pd.DataFrame({header: values for header, (values, _) in columns.items()})
    return Table(frame.reset_index(drop=True), {header: kind for header, (_, kind) in columns.items()}, **options)


# ------------------------------------------------------------------------------ funnel
def _step_name(key: str) -> str:
    return t(f"funnel.step.{key}")


def funnel_steps(steps: pd.DataFrame) -> Table:
    """The nested funnel (pie.programme.figures.funnel_steps) as a table: one row per step with
    its unit, count, share of the previous step, share of the unit's first step (all
    participants, all projects) and the women's share (projects: led by a woman); every header
    says what its percentage is a share of."""
    columns = {
        t("funnel.col.step"): (steps["key"].map(_step_name), TEXT),
        t("funnel.col.unit"): (steps["unit"].map(lambda unit: t(f"funnel.unit.{unit}")), TEXT),
        t("funnel.col.count"): (steps["count"].astype("int64"), COUNT),
        t("funnel.col.rate"): (steps["rate"].astype("float64"), RATE),
        t("funnel.col.share"): (steps["share"].astype("float64"), RATE),
        t("funnel.col.women_share"): (steps["women_share"].astype("float64"), RATE),
    }
    return _build(columns)


def funnel_by_group(frame: pd.DataFrame, breakdown: str) -> Table:
    """pie.programme.figures.funnel_by_group as a table: the group, then each step's count and,
    after a unit's first step, its share of the previous step (the header says so). On screen
    two views, the rates (with the participants and projects, for scale) and the counts."""
    labels = group_labels(frame, breakdown)
    group_header = t(f"breakdown.{breakdown}")
    columns: dict[str, tuple[pd.Series, str]] = {group_header: (frame["group_key"].map(labels), TEXT)}
    firsts = []
    for step in FUNNEL_STEPS:
        if step.key not in frame.columns:
            continue
        header = _step_name(step.key)
        columns[header] = (frame[step.key].astype("int64"), COUNT)
        if f"rate_{step.key}" in frame.columns:
            rate_header = t("funnel.col.step_rate", step=t(f"funnel.short.{step.key}"))
            columns[rate_header] = (frame[f"rate_{step.key}"].astype("float64"), RATE)
        else:
            firsts.append(header)
    table = _build(columns)
    if breakdown == "academic_year":
        table = Table(table.frame.sort_values(group_header).reset_index(drop=True), table.kinds)
    kinds = table.kinds
    views = {"rates": [group_header] + [h for h in kinds if h in firsts or kinds[h] == RATE],
             "counts": [h for h in kinds if kinds[h] != RATE]}
    return Table(table.frame, kinds, views)


# ------------------------------------------------------------------------------ phases
def phase_summary(summary: pd.DataFrame) -> Table:
    """One row per phase: eligible, started, each outcome, drop-off rate, median days from
    enrolment to completion, hours attended (median and total)."""
    columns = {
        t("phases.col.phase"): (summary["phase"].map(once_per_value(_phase)), TEXT),
        t("phases.col.eligible"): (summary["eligible"], COUNT),
        t("phases.col.started"): (summary["started"], COUNT),
        t("phases.outcome.completed"): (summary["completed"], COUNT),
        t("phases.outcome.in_progress"): (summary["in_progress"], COUNT),
        t("phases.outcome.dropped"): (summary["dropped"], COUNT),
        t("phases.outcome.not_started"): (summary["not_started"], COUNT),
        t("phases.col.dropoff_rate"): (summary["dropoff_rate"].astype("float64"), RATE),
        t("phases.col.median_days"): (summary["median_days_to_complete"].astype("float64"), DAYS),
        t("phases.col.hours_median"): (summary["hours_median"].astype("float64"), DECIMAL),
        t("phases.col.hours_total"): (summary["hours_total"].astype("float64"), DECIMAL),
    }
    headers = list(columns)
    return _build(columns, decimals={headers[9]: 1, headers[10]: 1})


def _wide(frame: pd.DataFrame, breakdown: str, labels: dict[str, str], first: dict[str, str],
          per_phase: list[tuple[str, str, str]]) -> tuple[dict[str, tuple[pd.Series, str]], pd.DataFrame]:
    """One row per group: the group's label, `first` (column -> header, from the first phase's
    row) then for each phase the `per_phase` (column, header key, kind) columns."""
    keys = list(labels)
    rows = {phase: frame[frame["phase"] == phase].set_index("group_key").reindex(keys) for phase in PHASES}
    base = rows[PHASES[0]]
    columns: dict[str, tuple[pd.Series, str]] = {
        t(f"breakdown.{breakdown}"): (pd.Series([labels[k] for k in keys]), TEXT)}
    for column, header in first.items():
        values = base[column]
        kind = DATE if column == "start_date" else COUNT
        columns[header] = ((_dates(values) if kind == DATE else values).reset_index(drop=True), kind)
    for phase in PHASES:
        for column, header_key, kind in per_phase:
            values = rows[phase][column]
            values = values.astype("float64") if kind == RATE else values.fillna(0).astype("int64")
            columns[t(header_key, phase=_phase(phase))] = (values.reset_index(drop=True), kind)
    return columns, base


def _views(columns: dict[str, tuple[pd.Series, str]], keep: int, rates: str) -> dict[str, list[str]]:
    """A view of rates named `rates` (the first `keep` columns, then the rates) and a view of
    counts (each is a tab, table.view.<name>)."""
    headers = list(columns)
    return {rates: headers[:keep] + [h for h in headers[keep:] if columns[h][1] == RATE],
            "counts": [h for h in headers if columns[h][1] != RATE]}


def progress_by_group(frame: pd.DataFrame, comparison: str) -> Table:
    """Cohorts (or years) side by side: participants, then per phase completed and completion
    rate (completed ÷ participants). Two views on screen: rates and counts."""
    labels = group_labels(frame, comparison)
    first = {"participants": t("kpi.participants")}
    if comparison == "cohort":
        first = {"start_date": t("phases.col.start_date"), **first}
    columns, _ = _wide(frame, comparison, labels, first,
                       [("completed", "phases.col.completed", COUNT), ("completion_rate", "phases.col.rate", RATE)])
    return _build(columns, views=_views(columns, len(first) + 1, "completion_rates"))


def completion_within(frame: pd.DataFrame, comparison: str, days: int) -> Table:
    """Cohorts at the same age: participants, per phase completed within `days` days and its
    rate, and whether every cohort of the row had reached that age."""
    labels = group_labels(frame, comparison)
    columns, base = _wide(frame, comparison, labels, {"participants": t("kpi.participants")},
                          [("completed_within", "phases.col.completed_within", COUNT),
                           ("rate", "phases.col.rate", RATE)])
    observed = t("phases.col.observed", days=days)
    columns[observed] = (
        base["observed"].map(once_per_value(lambda seen: t("common.yes") if seen else t("common.no")))
        .reset_index(drop=True), TEXT)
    views = _views(columns, 2, "completion_rates")
    views["completion_rates"].append(observed)
    return _build(columns, views=views)


def dropoff(frame: pd.DataFrame, breakdown: str) -> Table:
    """Drop-off per group: participants, then per phase started, dropped and the drop-off rate
    (dropped ÷ started). Two views on screen: rates and counts."""
    labels = group_labels(frame, breakdown)
    columns, _ = _wide(frame, breakdown, labels, {"participants": t("kpi.participants")},
                       [("started", "phases.col.started_phase", COUNT),
                        ("dropped", "phases.col.dropped_phase", COUNT),
                        ("dropoff_rate", "phases.col.dropoff_phase", RATE)])
    return _build(columns, views=_views(columns, 2, "dropoff_rates"))


def composition(frame: pd.DataFrame, kind: str) -> Table:
    """Per gender or profile: participants, completions of each phase and drop-outs, each with
    the group's share of the stage's total."""
    labels = group_labels(frame, kind)
    keys = list(labels)
    stages = [("participants", t("kpi.participants"))]
    stages += [(phase, t("phases.col.completed", phase=_phase(phase))) for phase in PHASES]
    stages += [("dropped", t("kpi.dropped"))]
    counts = {}
    for key in keys:
        part = frame[frame["group_key"] == key].set_index("phase")
        counts[key] = {"participants": int(part["participants"].iloc[0]),
                       "dropped": int(part["participants_dropped"].iloc[0]),
                       **{phase: int(part.at[phase, "completed"]) for phase in PHASES}}
    columns: dict[str, tuple[pd.Series, str]] = {t(f"breakdown.{kind}"): (pd.Series([labels[k] for k in keys]), TEXT)}
    for stage, header in stages:
        values = pd.Series([counts[k][stage] for k in keys], dtype="int64")
        total = values.sum()
        columns[header] = (values, COUNT)
        columns[t("phases.col.share_of", stage=header)] = (values / total if total else values * float("nan"), RATE)
    return _build(columns)


# ------------------------------------------------------------------------------ follow-up
# Each list reads left to right as a call sheet: who, how long it has waited, how to reach them,
# then the details. Contact columns are absent when the scope hides personal data.
def _contacts(frame: pd.DataFrame, name: str, columns: tuple[str, str, str]) -> dict[str, tuple[pd.Series, str]]:
    headers = (name, "follow_up.col.phone", "follow_up.col.email")
    return {t(header): (frame[column], TEXT) for column, header in zip(columns, headers) if column in frame.columns}


def _where(frame: pd.DataFrame) -> dict[str, tuple[pd.Series, str]]:
    return {t("breakdown.establishment"): (frame["establishment_name"], TEXT),
            t("breakdown.academic_year"): (frame["academic_year"], TEXT)}


def _lead(frame: pd.DataFrame) -> dict[str, tuple[pd.Series, str]]:
    return _contacts(frame, "follow_up.col.lead_name", ("lead_name", "lead_phone", "lead_email"))


def _ids(frame: pd.DataFrame) -> dict[str, tuple[pd.Series, str]]:
    return {t("follow_up.col.lead"): (frame["lead_id"], TEXT),
            t("follow_up.col.project_id"): (frame["project_id"], TEXT)}


def idle_participants(frame: pd.DataFrame) -> Table:
    """Participants to call: who, how long without activity, in which phase, how to reach them
    (when allowed), then since when and where they are enrolled."""
    contacts = _contacts(frame, "follow_up.col.name", ("full_name", "phone", "email"))
    name = t("follow_up.col.name")
    columns = {
        t("follow_up.col.participant"): (frame["participant_id"], TEXT),
        **({name: contacts.pop(name)} if name in contacts else {}),
        t("follow_up.col.idle_days"): (frame["idle_days"], COUNT),
        t("follow_up.col.phase"): (frame["phase"].map(once_per_value(_phase)), TEXT),
        **contacts,
        t("follow_up.col.last_activity_on"): (_dates(frame["last_activity_on"]), DATE),
        t("follow_up.col.started_on"): (_dates(frame["started_on"]), DATE),
        t("follow_up.col.hours"): (frame["hours_attended"].astype("float64"), DECIMAL),
        t("follow_up.col.profile"): (frame["profile"].map(once_per_value(lambda code: label("profile", code))), TEXT),
        **_where(frame),
        t("follow_up.col.cohort"): (frame["cohort_id"], TEXT),
    }
    return _build(columns)


def _waiting_plans(frame: pd.DataFrame, days: str, dated: str, date_column: str, **first: tuple) -> Table:
    """Plans waiting for a step: the project, the days waited (header `days`), the `first`
    columns, the lead, the plan and the date it started waiting (header `dated`)."""
    columns = {
        t("follow_up.col.project"): (frame["project_name"], TEXT),
        t(f"follow_up.col.{days}"): (frame["days_waiting"], COUNT),
        **{t(f"follow_up.col.{name}"): column for name, column in first.items()},
        **_lead(frame),
        t("follow_up.col.plan"): (frame["plan_id"], TEXT),
        t("follow_up.col.version"): (frame["version"].astype("int64"), COUNT),
        t(f"follow_up.col.{dated}"): (_dates(frame[date_column]), DATE),
        t("follow_up.col.requested"): (frame["requested_amount_mad"].astype("float64"), AMOUNT),
        **_ids(frame),
        **_where(frame),
    }
    return _build(columns)


def plans_to_review(frame: pd.DataFrame) -> Table:
    """Plans waiting for review: the project, days since submission, its lead, the plan."""
    return _waiting_plans(frame, "days_waiting", "submitted_on", "submitted_on")


def plans_without_decision(frame: pd.DataFrame) -> Table:
    """Validated plans no bank has decided on: days since validation, banks asked, the lead."""
    return _waiting_plans(frame, "days_since_validation", "validated_on", "reviewed_on",
                          pending_banks=(frame["pending_banks"], TEXT))


def loans_not_disbursed(frame: pd.DataFrame) -> Table:
    """Approved loans not disbursed: days since the decision, the bank and branch, the amount,
    the lead."""
    columns = {
        t("follow_up.col.project"): (frame["project_name"], TEXT),
        t("follow_up.col.days_since_decision"): (frame["days_waiting"], COUNT),
        t("follow_up.col.bank"): (frame["bank"], TEXT),
        t("follow_up.col.branch"): (frame["branch"], TEXT),
        t("follow_up.col.approved"): (frame["amount_approved_mad"].astype("float64"), AMOUNT),
        **_lead(frame),
        t("follow_up.col.product"): (
            frame["product"].map(once_per_value(lambda code: label("product", code) if code else None)), TEXT),
        t("follow_up.col.decided_on"): (_dates(frame["decided_on"]), DATE),
        t("follow_up.col.decision"): (frame["decision_id"], TEXT),
        **_ids(frame),
        **_where(frame),
    }
    return _build(columns)
