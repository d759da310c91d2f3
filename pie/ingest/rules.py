"""The import format of every programme table, in one place (shared/DATA_MODEL.md).

Each table is a list of `Column`s read as a table of the contract: name, kind (how a cell
is parsed), required, key, allowed codes (the lists of pie.codes), reference, bounds. The
reader, the validator, the loader, the export and the templates all derive what they need
from `TABLES`;
tests/test_ingest_rules.py checks it against pie/schema.sql and DATA_MODEL.md.

Rules that involve several columns of one row are `RowRule`s (SQL conditions over the
staged batch); rules across tables live in pie/ingest/validate.py, next to their queries.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from pie import codes, i18n

# ------------------------------------------------------------------------------ cell kinds
# How a cell is read. Every kind maps to one SQL parse expression in pie/ingest/parse.py.
ID = "id"                    # identifier: text, trimmed
TEXT = "text"                # free text, trimmed
CODE = "code"                # one of `codes`, any case, surrounding spaces
DATE = "date"                # ISO 2023-10-02 or French 02/10/2023
AMOUNT = "amount"            # dirhams, DECIMAL(14,2); 12500.50, 12 500,50, 12500,50
DECIMAL = "decimal"          # hours, DECIMAL(precision, scale)
INTEGER = "integer"          # whole number
REGION = "region"            # 01..12, `9` read as `09`
ACADEMIC_YEAR = "academic_year"  # YYYY-YYYY, consecutive years
BANK = "bank"                # upper-case short name
PHONE = "phone"              # Moroccan number, stored as +212XXXXXXXXX
CIN = "cin"                  # national identity card: 1-2 letters then 1-6 digits
ICE = "ice"                  # company identifier: exactly 15 digits

SQL_TYPES = {
    ID: "varchar", TEXT: "varchar", CODE: "varchar", DATE: "date", AMOUNT: "decimal(14,2)",
    INTEGER: "integer", REGION: "varchar", ACADEMIC_YEAR: "varchar", BANK: "varchar",
    PHONE: "varchar", CIN: "varchar", ICE: "varchar",
}
NUMERIC_KINDS = frozenset({AMOUNT, DECIMAL, INTEGER})
# Free-text kinds: stored as typed, so exported with a formula-injection guard.
TEXT_KINDS = frozenset({ID, TEXT})

# The region codes and sectors of the import format (pie.codes; the parser and messages read them here).
REGION_CODES = codes.REGION_CODES
SECTORS = codes.SECTORS
MIN_BIRTH_YEAR = 1940
MIN_AGE = 14


@dataclass(frozen=True)
class Column:
    """One column of an import file, as in DATA_MODEL.md."""

    name: str
    kind: str
    required: bool = False
    key: bool = False
    codes: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()     # extra accepted spellings -> code
    labels: tuple[tuple[str, str], ...] = ()      # folded labels (fr, ar, en, short forms) -> code
    ref: tuple[str, str] | None = None            # (table, column) it refers to
    minimum: float | None = None
    minimum_inclusive: bool = True
    maximum: float | None = None
    max_years_ago: int | None = None              # maximum = this year − n (birth_year)
    precision: int = 14
    scale: int = 2

    @property
    def sql_type(self) -> str:
        if self.kind == DECIMAL:
            return f"decimal({self.precision},{self.scale})"
        return SQL_TYPES[self.kind]

    @property
    def not_null(self) -> bool:
        return self.required or self.key

    def upper_bound(self, today: date | None = None) -> float | None:
        """The largest allowed value, if any (birth_year: this year − 14)."""
        if self.max_years_ago is not None:
            return (today or date.today()).year - self.max_years_ago
        return self.maximum


@dataclass(frozen=True)
class RowRule:
    """A rule between columns of one row: `when` (SQL over the staged row, where `x` is the
    parsed value and `x__raw` the trimmed text, NULL when empty) flags a violation; the
    problem is reported on `column` with the reason `reason` (an i18n key under
    `ingest.rule.`), whose placeholders are filled from `params` (name -> SQL expression)."""

    column: str
    when: str
    reason: str
    type: str = "rule-violation"
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    unique: tuple[tuple[str, ...], ...] = ()      # unique column sets besides the key
    row_rules: tuple[RowRule, ...] = ()

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.not_null)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _c(name: str, kind: str, **options) -> Column:
    return Column(name, kind, **options)


def _not_before(column: str, other: str) -> RowRule:
    """The rule that date `column` is not before date `other` of the same row."""
    return RowRule(column, f"{column} < {other}", "not_before",
                   params=(("other", f"'{other}'"), ("other_value", f"strftime({other}, '%Y-%m-%d')")))


GENDER_ALIASES = (("femme", "f"), ("homme", "m"))
# Obvious spellings of a code that the dashboard's labels lack (accepted like the labels).
SHORT_FORMS: dict[str, tuple[tuple[str, str], ...]] = {
    "gender": (("h", "m"), ("feminin", "f"), ("masculin", "m"), ("female", "f"), ("male", "m"),
               ("أنثى", "f"), ("ذكر", "m")),
}

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("establishments", (
        _c("establishment_id", ID, key=True),
        _c("name", TEXT, required=True),
        _c("kind", CODE, required=True, codes=codes.ESTABLISHMENT_KINDS),
        _c("region_code", REGION, required=True, ref=("regions", "region_code")),
        _c("city", TEXT),
        _c("pie_launch_date", DATE),
    )),
    Table("cohorts", (
        _c("cohort_id", ID, key=True),
        _c("establishment_id", ID, required=True, ref=("establishments", "establishment_id")),
        _c("academic_year", ACADEMIC_YEAR, required=True),
        _c("start_date", DATE, required=True),
        _c("delivery_mode", CODE, required=True, codes=codes.DELIVERY_MODES),
    )),
    Table("participants", (
        _c("participant_id", ID, key=True),
        _c("cohort_id", ID, required=True, ref=("cohorts", "cohort_id")),
        _c("gender", CODE, required=True, codes=codes.GENDERS, aliases=GENDER_ALIASES),
        _c("birth_year", INTEGER, minimum=MIN_BIRTH_YEAR, max_years_ago=MIN_AGE),
        _c("profile", CODE, required=True, codes=codes.PROFILES),
        _c("sector", CODE, required=True, codes=codes.SECTORS),
        _c("enrolled_on", DATE, required=True),
    )),
    Table("participant_contacts", (
        _c("participant_id", ID, key=True, ref=("participants", "participant_id")),
        _c("full_name", TEXT, required=True),
        _c("national_id", CIN),
        _c("phone", PHONE),
        _c("email", TEXT),
    )),
    Table("phase_progress", (
        _c("participant_id", ID, key=True, ref=("participants", "participant_id")),
        _c("phase", CODE, key=True, codes=codes.PHASES),
        _c("status", CODE, required=True, codes=codes.PHASE_STATUSES),
        _c("started_on", DATE, required=True),
        _c("completed_on", DATE),
        _c("hours_attended", DECIMAL, minimum=0, precision=6, scale=1),
    ), row_rules=(
        RowRule("completed_on", "status = 'completed' and completed_on__raw is null",
                "completed_on_required", type="missing-value"),
        RowRule("completed_on", "status in ('in_progress', 'dropped') and completed_on__raw is not null",
                "completed_on_forbidden", params=(("status", "status"),)),
        _not_before("completed_on", "started_on"),
    )),
    Table("projects", (
        _c("project_id", ID, key=True),
        _c("cohort_id", ID, required=True, ref=("cohorts", "cohort_id")),
        _c("name", TEXT, required=True),
        _c("sector", CODE, required=True, codes=codes.SECTORS),
        _c("created_on", DATE, required=True),
    )),
    Table("project_members", (
        _c("project_id", ID, key=True, ref=("projects", "project_id")),
        _c("participant_id", ID, key=True, ref=("participants", "participant_id")),
        _c("role", CODE, required=True, codes=codes.MEMBER_ROLES),
    )),
    Table("business_plans", (
        _c("plan_id", ID, key=True),
        _c("project_id", ID, required=True, ref=("projects", "project_id")),
        _c("version", INTEGER, required=True, minimum=1),
        _c("status", CODE, required=True, codes=codes.PLAN_STATUSES),
        _c("submitted_on", DATE),
        _c("reviewed_on", DATE),
        _c("requested_amount_mad", AMOUNT, minimum=0),
        _c("planned_jobs", INTEGER, minimum=0),
    ), unique=(("project_id", "version"),), row_rules=(
        RowRule("submitted_on", "status in ('submitted', 'validated', 'rejected') and submitted_on__raw is null",
                "submitted_on_required", type="missing-value", params=(("status", "status"),)),
        RowRule("reviewed_on", "status in ('validated', 'rejected') and reviewed_on__raw is null",
                "reviewed_on_required", type="missing-value", params=(("status", "status"),)),
        _not_before("reviewed_on", "submitted_on"),
    )),
    Table("financing_decisions", (
        _c("decision_id", ID, key=True),
        _c("plan_id", ID, required=True, ref=("business_plans", "plan_id")),
        _c("bank", BANK, required=True),
        _c("branch", TEXT),
        _c("product", CODE, codes=codes.PRODUCTS),
        _c("decision", CODE, required=True, codes=codes.DECISIONS),
        _c("decided_on", DATE),
        _c("amount_approved_mad", AMOUNT, minimum=0, minimum_inclusive=False),
        _c("disbursed_on", DATE),
        _c("amount_disbursed_mad", AMOUNT, minimum=0, minimum_inclusive=False),
        _c("rejection_reason", TEXT),
    ), row_rules=(
        RowRule("decided_on", "decision in ('approved', 'rejected') and decided_on__raw is null",
                "decided_on_required", type="missing-value", params=(("decision", "decision"),)),
        RowRule("amount_approved_mad", "decision = 'approved' and amount_approved_mad__raw is null",
                "amount_approved_required", type="missing-value"),
        RowRule("amount_approved_mad", "decision in ('pending', 'rejected') and amount_approved_mad__raw is not null",
                "amount_approved_forbidden", params=(("decision", "decision"),)),
        RowRule("disbursed_on", "decision in ('pending', 'rejected') and disbursed_on__raw is not null",
                "disbursed_on_forbidden", params=(("decision", "decision"),)),
        _not_before("disbursed_on", "decided_on"),
        RowRule("amount_disbursed_mad", "disbursed_on__raw is null and amount_disbursed_mad__raw is not null",
                "amount_disbursed_without_date"),
        RowRule("amount_disbursed_mad", "disbursed_on__raw is not null and amount_disbursed_mad__raw is null",
                "amount_disbursed_required", type="missing-value"),
        RowRule("amount_disbursed_mad", "amount_disbursed_mad > amount_approved_mad", "disbursed_above_approved",
                params=(("approved", "cast(amount_approved_mad as varchar)"),)),
    )),
    Table("incubation_stages", (
        _c("project_id", ID, key=True, ref=("projects", "project_id")),
        _c("stage", CODE, key=True, codes=codes.STAGES),
        _c("incubator", TEXT, required=True),
        _c("entered_on", DATE, required=True),
        _c("exited_on", DATE),
        _c("exit_reason", CODE, codes=codes.EXIT_REASONS),
    ), row_rules=(
        _not_before("exited_on", "entered_on"),
        RowRule("exit_reason", "exited_on__raw is null and exit_reason__raw is not null",
                "exit_reason_without_exit"),
    )),
    Table("coaching_sessions", (
        _c("session_id", ID, key=True),
        _c("project_id", ID, required=True, ref=("projects", "project_id")),
        _c("partner", TEXT, required=True),
        _c("kind", CODE, required=True, codes=codes.COACHING_KINDS),
        _c("held_on", DATE, required=True),
        _c("hours", DECIMAL, minimum=0, minimum_inclusive=False, precision=5, scale=1),
    )),
    Table("companies", (
        _c("company_id", ID, key=True),
        _c("project_id", ID, required=True, ref=("projects", "project_id")),
        _c("legal_form", CODE, required=True, codes=codes.LEGAL_FORMS),
        _c("registered_on", DATE, required=True),
        _c("ice", ICE),
        _c("jobs_created", INTEGER, required=True, minimum=0),
        _c("status", CODE, required=True, codes=codes.COMPANY_STATUSES),
    ), unique=(("project_id",),)),
    Table("loan_followups", (
        _c("decision_id", ID, key=True, ref=("financing_decisions", "decision_id")),
        _c("as_of", DATE, key=True),
        _c("outstanding_mad", AMOUNT, required=True, minimum=0),
        _c("days_past_due", INTEGER, required=True, minimum=0),
        _c("status", CODE, required=True, codes=codes.LOAN_STATUSES),
    )),
    Table("company_followups", (
        _c("company_id", ID, key=True, ref=("companies", "company_id")),
        _c("as_of", DATE, key=True),
        _c("employees", INTEGER, required=True, minimum=0),
        _c("revenue_mad", AMOUNT, minimum=0),
        _c("status", CODE, required=True, codes=codes.COMPANY_STATUSES),
    )),
    Table("targets", (
        _c("academic_year", ACADEMIC_YEAR, key=True),
        _c("region_code", REGION, key=True, ref=("regions", "region_code")),
        _c("metric", CODE, key=True, codes=codes.TARGET_METRICS),
        _c("target_value", INTEGER, required=True, minimum=0),
    )),
    # Our own table, recorded on the Follow-up page (docs/FOLLOW_UP_ACTIONS.md); imported after
    # the programme tables so that an export re-imported changes nothing. A note, like every
    # text, is at most parse.MAX_TEXT (500) characters.
    Table("follow_up_actions", (
        _c("action_id", ID, key=True),
        _c("participant_id", ID, required=True, ref=("participants", "participant_id")),
        _c("action_on", DATE, required=True),
        _c("action", CODE, required=True, codes=codes.FOLLOW_UP_ACTIONS),
        _c("outcome", CODE, codes=codes.FOLLOW_UP_OUTCOMES),
        _c("note", TEXT),
        _c("next_action_on", DATE),
        _c("recorded_by", TEXT),
        _c("recorded_at", TEXT),
    ), row_rules=(
        _not_before("next_action_on", "action_on"),
    )),
)}



def _with_labels(spec: Table) -> Table:
    """`spec` whose code columns accept the labels the dashboard shows (i18n `code.<kind>.<code>`,
    or `kpi.<metric>` for targets) and the SHORT_FORMS of their kind."""
    columns = []
    for column in spec.columns:
        kind = codes.kind_of(spec.name, column.name)
        family = f"code.{kind}" if kind else codes.OTHER_FAMILIES.get((spec.name, column.name))
        if column.codes and family:
            extra = SHORT_FORMS.get(kind or "", ())
            column = replace(column, labels=i18n.code_labels(family, column.codes, extra))
        columns.append(column)
    return replace(spec, columns=tuple(columns))


TABLES = {name: _with_labels(spec) for name, spec in TABLES.items()}
TABLE_NAMES = tuple(TABLES)          # load order: parents first (= pie.db.IMPORTED_TABLES)
# Sheet of the template workbook that lists the codes; the reader ignores it.
CODES_SHEET = "codes"


def table(name: str) -> Table:
    return TABLES[name]


def code_columns() -> list[tuple[str, Column]]:
    """(table, column) of every column with a code list, in table order."""
    return [(t.name, c) for t in TABLES.values() for c in t.columns if c.codes]
