-- DDL of ../shared/DATA_MODEL.md (the contract: names are exact), plus the tables the app needs.
-- Foreign keys are not declared: DuckDB refuses to update a row that another row references,
-- which would break the importer's upserts. References are checked by pie/ingest (database
-- plus batch) and by tests/test_demo.py on generated data.

-- ---------------------------------------------------------------- reference data (built in)
create table if not exists regions (
    region_code       varchar(2) primary key check (region_code similar to '(0[1-9]|1[0-2])'),
    name_fr           varchar not null,
    name_ar           varchar not null,
    population_2024   integer check (population_2024 >= 0),
    youth_15_29_2024  integer check (youth_15_29_2024 >= 0)
);

-- ---------------------------------------------------------------- programme data (imported)
create table if not exists establishments (
    establishment_id  varchar primary key,
    name              varchar not null,
    kind              varchar not null check (kind in ('cmc', 'ista', 'ita', 'other')),
    region_code       varchar(2) not null,
    city              varchar,
    pie_launch_date   date
);

create table if not exists cohorts (
    cohort_id         varchar primary key,
    establishment_id  varchar not null,
    academic_year     varchar not null check (
        academic_year similar to '[0-9]{4}-[0-9]{4}'
        and cast(substr(academic_year, 6, 4) as integer) = cast(substr(academic_year, 1, 4) as integer) + 1),
    start_date        date not null,
    delivery_mode     varchar not null check (delivery_mode in ('in_person', 'online', 'blended'))
);

create table if not exists participants (
    participant_id    varchar primary key,
    cohort_id         varchar not null,
    gender            varchar not null check (gender in ('f', 'm')),
    birth_year        integer check (birth_year >= 1940),
    profile           varchar not null check (profile in ('trainee', 'graduate', 'trainer')),
    sector            varchar not null check (sector in ('digital_ai', 'industry', 'health', 'agriculture',
        'tourism', 'renewable_energy', 'ecommerce', 'commerce_services', 'construction', 'crafts', 'other')),
    enrolled_on       date not null
);

create table if not exists participant_contacts (
    participant_id    varchar primary key,
    full_name         varchar not null,
    national_id       varchar check (regexp_full_match(national_id, '[A-Z]{1,2}[0-9]{1,6}')),
    phone             varchar check (regexp_full_match(phone, '\+212[0-9]{9}')),
    email             varchar
);

create table if not exists phase_progress (
    participant_id    varchar not null,
    phase             varchar not null check (phase in ('awareness', 'fundamentals', 'immersion')),
    status            varchar not null check (status in ('in_progress', 'completed', 'dropped')),
    started_on        date not null,
    completed_on      date check (completed_on >= started_on),
    hours_attended    decimal(6, 1) check (hours_attended >= 0),
    primary key (participant_id, phase),
    check ((status = 'completed') = (completed_on is not null))
);

create table if not exists projects (
    project_id        varchar primary key,
    cohort_id         varchar not null,
    name              varchar not null,
    sector            varchar not null check (sector in ('digital_ai', 'industry', 'health', 'agriculture',
        'tourism', 'renewable_energy', 'ecommerce', 'commerce_services', 'construction', 'crafts', 'other')),
    created_on        date not null
);

create table if not exists project_members (
    project_id        varchar not null,
    participant_id    varchar not null,
    role              varchar not null check (role in ('lead', 'member')),
    primary key (project_id, participant_id)
);

create table if not exists business_plans (
    plan_id               varchar primary key,
    project_id            varchar not null,
    version               integer not null check (version >= 1),
    status                varchar not null check (status in ('draft', 'submitted', 'validated', 'rejected')),
    submitted_on          date,
    reviewed_on           date check (reviewed_on >= submitted_on),
    requested_amount_mad  decimal(14, 2) check (requested_amount_mad >= 0),
    planned_jobs          integer check (planned_jobs >= 0),
    unique (project_id, version),
    check (status = 'draft' or submitted_on is not null),
    check (status not in ('validated', 'rejected') or reviewed_on is not null)
);

create table if not exists financing_decisions (
    decision_id           varchar primary key,
    plan_id               varchar not null,
    bank                  varchar not null check (bank = upper(bank)),
    branch                varchar,
    product               varchar check (product in ('intelaka', 'microcredit', 'honour_loan', 'bank_loan', 'other')),
    decision              varchar not null check (decision in ('pending', 'approved', 'rejected')),
    decided_on            date,
    amount_approved_mad   decimal(14, 2),
    disbursed_on          date check (disbursed_on >= decided_on),
    amount_disbursed_mad  decimal(14, 2),
    rejection_reason      varchar,
    check (decision = 'pending' or decided_on is not null),
    check ((decision = 'approved') = (amount_approved_mad is not null)),
    check (amount_approved_mad is null or amount_approved_mad > 0),
    check (disbursed_on is null or decision = 'approved'),
    check ((disbursed_on is null) = (amount_disbursed_mad is null)),
    check (amount_disbursed_mad is null or (amount_disbursed_mad > 0 and amount_disbursed_mad <= amount_approved_mad))
);

create table if not exists incubation_stages (
    project_id        varchar not null,
    stage             varchar not null check (stage in ('pre_incubation', 'incubation', 'acceleration', 'post_creation')),
    incubator         varchar not null,
    entered_on        date not null,
    exited_on         date check (exited_on >= entered_on),
    exit_reason       varchar check (exit_reason in ('advanced', 'graduated', 'abandoned')),
    primary key (project_id, stage),
    check (exit_reason is null or exited_on is not null)
);

create table if not exists coaching_sessions (
    session_id        varchar primary key,
    project_id        varchar not null,
    partner           varchar not null,
    kind              varchar not null check (kind in ('coaching', 'mentoring', 'bank_advice', 'workshop', 'study_trip')),
    held_on           date not null,
    hours             decimal(5, 1) check (hours > 0)
);

create table if not exists companies (
    company_id        varchar primary key,
    project_id        varchar not null unique,
    legal_form        varchar not null check (legal_form in ('auto_entrepreneur', 'sole_proprietorship', 'sarl',
        'sarl_au', 'cooperative', 'other')),
    registered_on     date not null,
    ice               varchar check (regexp_full_match(ice, '[0-9]{15}')),
    jobs_created      integer not null check (jobs_created >= 0),
    status            varchar not null check (status in ('active', 'closed'))
);

create table if not exists loan_followups (
    decision_id       varchar not null,
    as_of             date not null,
    outstanding_mad   decimal(14, 2) not null check (outstanding_mad >= 0),
    days_past_due     integer not null check (days_past_due >= 0),
    status            varchar not null check (status in ('current', 'late', 'repaid', 'written_off')),
    primary key (decision_id, as_of)
);

create table if not exists company_followups (
    company_id        varchar not null,
    as_of             date not null,
    employees         integer not null check (employees >= 0),
    revenue_mad       decimal(14, 2) check (revenue_mad >= 0),
    status            varchar not null check (status in ('active', 'closed')),
    primary key (company_id, as_of)
);

create table if not exists targets (
    academic_year     varchar not null check (
        academic_year similar to '[0-9]{4}-[0-9]{4}'
        and cast(substr(academic_year, 6, 4) as integer) = cast(substr(academic_year, 1, 4) as integer) + 1),
    region_code       varchar(2) not null,
    metric            varchar not null check (metric in ('participants', 'immersion_completed', 'plans_validated',
        'projects_financed', 'companies_created')),
    target_value      integer not null check (target_value >= 0),
    primary key (academic_year, region_code, metric)
);

-- what a manager or an establishment did about a stalled participant (docs/FOLLOW_UP_ACTIONS.md):
-- recorded on the Follow-up page, exported and re-imported like the tables above
create table if not exists follow_up_actions (
    action_id         varchar primary key,
    participant_id    varchar not null,
    action_on         date not null,
    action            varchar not null check (action in ('called', 'no_answer', 'message', 'meeting', 'referred')),
    outcome           varchar check (outcome in ('rejoined', 'will_return', 'gone_for_good', 'unreachable',
                                                 'resolved')),
    note              varchar check (length(note) <= 500),
    next_action_on    date check (next_action_on >= action_on),
    recorded_by       varchar,
    recorded_at       varchar             -- ISO 8601 UTC, e.g. 2024-07-01T09:30:00Z
);

-- ---------------------------------------------------------------- the app's own tables
-- key/value facts about this database: schema_version, is_demo, demo_participants, demo_seed,
-- created_at, data_version (bumped by every write that changes what pages show).
create table if not exists app_meta (
    key               varchar primary key,
    value             varchar
);

-- one row per import batch, accepted or rejected (DATA_MODEL.md, Import rules)
create table if not exists import_batches (
    batch_id          varchar primary key,
    started_at        timestamp not null,
    finished_at       timestamp,
    user_name         varchar,
    dry_run           boolean not null default false,
    -- a partner's batch: submitted, then approved or returned (DESIGN.md, Roles)
    outcome           varchar not null check (outcome in ('accepted', 'rejected', 'checked', 'submitted',
                                                          'approved', 'returned')),
    files_json        varchar not null,   -- [{"file", "sha256", "size", "archived_as"}]
    rows_json         varchar not null,   -- {table: rows}
    problems_count    integer not null default 0,
    warnings_count    integer not null default 0,
    reviewed_by       varchar,            -- the manager who approved or returned a submitted batch
    reviewed_at       timestamp,
    review_comment    varchar             -- why it was returned (the partner sees it)
);

-- Accounts, sessions, login attempts and the audit log are not here: they live in their own
-- store beside the database (pie/auth.py), so no published snapshot holds a hash.

