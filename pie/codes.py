"""Every code list people see, and the translation family that names its codes.

The code lists of shared/DATA_MODEL.md are written once, in the import format
(pie/ingest/rules.py); this module only says under which *kind* each is translated: code `c`
of kind `k` is shown as the i18n key `code.<k>.<c>` (pie.i18n.label, pie.i18n.code_label),
never as the code. A few lists are not import columns: the banks the dashboard knows by name
(bank codes are open: an unknown one is shown as written) and the statuses the incubation
queries derive. tests/test_i18n.py checks that every code here has a label in every language
and that no `code.*` key names a code that is not here.
"""
from __future__ import annotations

from pie.ingest import rules

# (table, column) of the import format -> the kind its codes are translated under. Columns of
# the same meaning share a kind (sector of participants and of projects); columns whose
# names clash across tables get their own (a phase's status is not a plan's status).
COLUMN_KINDS: dict[tuple[str, str], str] = {
    ("establishments", "kind"): "establishment_kind",
    ("cohorts", "delivery_mode"): "delivery_mode",
    ("participants", "gender"): "gender",
    ("participants", "profile"): "profile",
    ("participants", "sector"): "sector",
    ("phase_progress", "phase"): "phase",
    ("phase_progress", "status"): "phase_status",
    ("projects", "sector"): "sector",
    ("project_members", "role"): "member_role",
    ("business_plans", "status"): "plan_status",
    ("financing_decisions", "product"): "product",
    ("financing_decisions", "decision"): "decision",
    ("incubation_stages", "stage"): "stage",
    ("incubation_stages", "exit_reason"): "exit_reason",
    ("coaching_sessions", "kind"): "coaching_kind",
    ("companies", "legal_form"): "legal_form",
    ("companies", "status"): "company_status",
    ("loan_followups", "status"): "loan_status",
    ("company_followups", "status"): "company_status",
}
# Code columns translated by another family: a target's metric is an indicator (kpi.<metric>).
OTHER_FAMILIES: dict[tuple[str, str], str] = {("targets", "metric"): "kpi"}

# Banks known by name (DATA_MODEL.md: `bank` is an upper-case short name, not a closed list).
KNOWN_BANKS = ("BOA", "CAM", "CIH", "BP", "BCP", "AWB", "BMCI", "SGMA", "CDM", "ALAMANA", "TAMWILCOM")
# Where an incubated project is now (queries/incubation/stages_now.sql, projects.sql): the
# stage it is still in, else how it left its last stage.
INCUBATION_STATUSES = ("pre_incubation", "incubation", "acceleration", "post_creation",
                       "graduated", "abandoned", "advanced", "exited")


def kind_of(table: str, column: str) -> str | None:
    """The translation kind of a code column of the import format (None if it has another
    family, such as a target's metric)."""
    return COLUMN_KINDS.get((table, column))


def _codes() -> dict[str, tuple[str, ...]]:
    lists: dict[str, tuple[str, ...]] = {}
    for table, column in rules.code_columns():
        kind = kind_of(table, column.name)
        if kind is None:
            if (table, column.name) not in OTHER_FAMILIES:
                raise KeyError(f"code column {table}.{column.name} has no translation kind in pie/codes.py")
            continue
        lists[kind] = tuple(dict.fromkeys([*lists.get(kind, ()), *column.codes]))
    lists["bank"] = KNOWN_BANKS
    lists["incubation_status"] = INCUBATION_STATUSES
    return lists


# kind -> its codes, in the data model's order.
CODES: dict[str, tuple[str, ...]] = _codes()


def label_keys() -> list[str]:
    """Every `code.<kind>.<code>` key the code lists call for."""
    return [f"code.{kind}.{code}" for kind, codes in CODES.items() for code in codes]
