"""Every code list of the programme, written once, and the translation family of each.

The code lists of shared/DATA_MODEL.md are the constants below, in the data model's order;
the import format (pie/ingest/rules.py), the demo generator (pie/demo/), the scope, the
figures and the pages import them from here. Code `c` of kind `k` is shown as the i18n key
`code.<k>.<c>` (pie.i18n.label, pie.i18n.code_label), never as the code. A few lists are not
import columns: the roles, the banks the dashboard knows by name (bank codes are open: an
unknown one is shown as written) and the statuses the incubation queries derive.
tests/test_i18n.py checks that every code here has a label in every language, that no
`code.*` key names a code that is not here, and that the import format uses these lists.
"""
from __future__ import annotations

# ------------------------------------------------------------------------------ data model codes
# establishments.kind: Cité des Métiers et des Compétences, ISTA, ITA, other.
ESTABLISHMENT_KINDS = ("cmc", "ista", "ita", "other")
# cohorts.delivery_mode.
DELIVERY_MODES = ("in_person", "online", "blended")
# participants.gender.
GENDERS = ("f", "m")
# participants.profile: stagiaire, lauréat, formateur.
PROFILES = ("trainee", "graduate", "trainer")
# participants.sector and projects.sector (DATA_MODEL.md, Sectors).
SECTORS = ("digital_ai", "industry", "health", "agriculture", "tourism", "renewable_energy",
           "ecommerce", "commerce_services", "construction", "crafts", "other")
# phase_progress.phase, in the order participants go through them.
PHASES = ("awareness", "fundamentals", "immersion")
# phase_progress.status.
PHASE_STATUSES = ("in_progress", "completed", "dropped")
# project_members.role.
MEMBER_ROLES = ("lead", "member")
# business_plans.status.
PLAN_STATUSES = ("draft", "submitted", "validated", "rejected")
# financing_decisions.product.
PRODUCTS = ("intelaka", "microcredit", "honour_loan", "bank_loan", "other")
# financing_decisions.decision.
DECISIONS = ("pending", "approved", "rejected")
# incubation_stages.stage, in the order projects go through them.
STAGES = ("pre_incubation", "incubation", "acceleration", "post_creation")
# incubation_stages.exit_reason: to the next stage, graduated, abandoned.
EXIT_REASONS = ("advanced", "graduated", "abandoned")
# coaching_sessions.kind.
COACHING_KINDS = ("coaching", "mentoring", "bank_advice", "workshop", "study_trip")
# companies.legal_form.
LEGAL_FORMS = ("auto_entrepreneur", "sole_proprietorship", "sarl", "sarl_au", "cooperative", "other")
# companies.status and company_followups.status.
COMPANY_STATUSES = ("active", "closed")
# loan_followups.status.
LOAN_STATUSES = ("current", "late", "repaid", "written_off")
# follow_up_actions (docs/FOLLOW_UP_ACTIONS.md): what was done about a stalled participant, and
# what came of it (an outcome may be left empty).
FOLLOW_UP_ACTIONS = ("called", "no_answer", "message", "meeting", "referred")
FOLLOW_UP_OUTCOMES = ("rejoined", "will_return", "gone_for_good", "unreachable", "resolved")
# targets.metric: indicators leadership sets objectives for (translated as kpi.<metric>).
TARGET_METRICS = ("participants", "immersion_completed", "plans_validated", "projects_financed",
                  "companies_created")
# regions.region_code: the 12 regions, HCP numbering 01 Tanger-Tétouan-Al Hoceima … 12 Dakhla-Oued Ed-Dahab.
REGION_CODES = tuple(f"{n:02d}" for n in range(1, 13))

# ------------------------------------------------------------------------------ other codes
# Account roles (DESIGN.md, Roles).
ROLES = ("admin", "manager", "establishment", "bank", "incubator", "leadership")
# Roles whose account is one partner (a scope code: establishment_id, bank code, incubator
# name): what they see and what they may submit is narrowed to it.
PARTNER_ROLES = ("establishment", "bank", "incubator")
# Roles that approve partners' batches and mark partners as trusted.
REVIEWER_ROLES = ("admin", "manager")
# Banks known by name (DATA_MODEL.md: `bank` is an upper-case short name, not a closed list).
KNOWN_BANKS = ("BOA", "CAM", "CIH", "BP", "BCP", "AWB", "BMCI", "SGMA", "CDM", "ALAMANA", "TAMWILCOM")
# Where an incubated project is now (queries/incubation/stages_now.sql, projects.sql): the
# stage it is still in, else how it left its last stage.
INCUBATION_STATUSES = ("pre_incubation", "incubation", "acceleration", "post_creation",
                       "graduated", "abandoned", "advanced", "exited")

# ------------------------------------------------------------------------------ translation kinds
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
    ("follow_up_actions", "action"): "follow_up_action",
    ("follow_up_actions", "outcome"): "follow_up_outcome",
}
# Code columns translated by another family: a target's metric is an indicator (kpi.<metric>).
OTHER_FAMILIES: dict[tuple[str, str], str] = {("targets", "metric"): "kpi"}

# kind -> its codes, in the data model's order.
CODES: dict[str, tuple[str, ...]] = {
    "establishment_kind": ESTABLISHMENT_KINDS,
    "delivery_mode": DELIVERY_MODES,
    "gender": GENDERS,
    "profile": PROFILES,
    "sector": SECTORS,
    "phase": PHASES,
    "phase_status": PHASE_STATUSES,
    "member_role": MEMBER_ROLES,
    "plan_status": PLAN_STATUSES,
    "product": PRODUCTS,
    "decision": DECISIONS,
    "stage": STAGES,
    "exit_reason": EXIT_REASONS,
    "coaching_kind": COACHING_KINDS,
    "legal_form": LEGAL_FORMS,
    "company_status": COMPANY_STATUSES,
    "loan_status": LOAN_STATUSES,
    "follow_up_action": FOLLOW_UP_ACTIONS,
    "follow_up_outcome": FOLLOW_UP_OUTCOMES,
    "bank": KNOWN_BANKS,
    "incubation_status": INCUBATION_STATUSES,
}


def kind_of(table: str, column: str) -> str | None:
    """The translation kind of a code column of the import format (None if it has another
    family, such as a target's metric)."""
    return COLUMN_KINDS.get((table, column))


def label_keys() -> list[str]:
    """Every `code.<kind>.<code>` key the code lists call for."""
    return [f"code.{kind}.{code}" for kind, codes in CODES.items() for code in codes]
