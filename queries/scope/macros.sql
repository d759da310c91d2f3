-- The one place where a Scope narrows the data (METRICS.md "Scope", DESIGN.md "Roles").
-- Stored in the database (pie.db re-creates them at every write, so every published snapshot
-- carries the current ones; cursors of a read-only connection do not see temporary macros).
-- A CTE of the calling query shadows a table of the same name inside these macros: never
-- name a CTE after a table (tests/test_queries.py checks it).
-- Every query reads programme tables through these, with the five scope parameters:
--   scoped_x($academic_year, $region, $establishment, $bank, $incubator)
-- Contact details (participant_contacts) are read only through scoped_contacts and
-- scoped_project_leads, which take a sixth parameter, the scope's $personal_data permission,
-- and a seventh, the list of ids the query shows.
-- The shared figures of METRICS.md (approval rate, days to decision, PAR30, a loan's or a
-- company's latest follow-up) are defined once below; queries select from these macros.
-- Filters select cohorts; a bank sees only projects with a decision of its own (and only its
-- own decisions); an incubator only projects with a stage row of its own (and only its rows).
-- An establishment account sees the cohorts of its establishment and everything that follows
-- them: its restriction is p_establishment itself (pie.scope.Scope.establishment: its own
-- establishment whatever the filter says, or an empty id matching nothing when the filter names
-- another one), so every macro below narrows by it through scoped_cohorts / scope_participants.

-- cohorts in scope, with their establishment's region; one row per cohort
create or replace macro scoped_cohorts(p_year, p_region, p_establishment) as table
    select
        c.*,
        e.region_code
    from cohorts as c
    join establishments as e on e.establishment_id = c.establishment_id
    where (p_year is null or c.academic_year = p_year)
      and (p_region is null or e.region_code = p_region)
      and (p_establishment is null or c.establishment_id = p_establishment);

-- projects in scope; one row per project
create or replace macro scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        p.*,
        c.academic_year,
        c.region_code,
        c.establishment_id
    from projects as p
    join scoped_cohorts(p_year, p_region, p_establishment) as c on c.cohort_id = p.cohort_id
    where (p_bank is null or p.project_id in (
              select bp.project_id
              from financing_decisions as fd
              join business_plans as bp on bp.plan_id = fd.plan_id
              where fd.bank = p_bank))
      and (p_incubator is null or p.project_id in (
              select s.project_id from incubation_stages as s where s.incubator = p_incubator));

-- members of the projects a bank or an incubator sees (one row per project and member); empty
-- without such a restriction, so the callers' `in (...)` then costs nothing (DuckDB does not
-- fold parameters: without this the list would hold every member)
create or replace macro scoped_restricted_members(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select pm.participant_id
    from project_members as pm
    join scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as spj
      on spj.project_id = pm.project_id
    where p_bank is not null or p_incubator is not null;

-- participants in scope; for a bank or an incubator, only members of its projects.
-- Reads scope_participants (queries/scope/derived.sql: participants with their cohort's year,
-- region and establishment, rebuilt at every publishing write), so no join is needed to filter.
create or replace macro scoped_participants(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select sp.*
    from scope_participants as sp
    where (p_year is null or sp.academic_year = p_year)
      and (p_region is null or sp.region_code = p_region)
      and (p_establishment is null or sp.establishment_id = p_establishment)
      and ((p_bank is null and p_incubator is null)
           or sp.participant_id in (
                  select participant_id
                  from scoped_restricted_members(p_year, p_region, p_establishment, p_bank, p_incubator)));

-- phase rows of participants in scope; one row per participant and phase, with the
-- participant's cohort_id, academic_year, region_code, establishment_id, gender, profile,
-- sector, enrolled_on and the cohort's start date (cohort_start_date) — scope_phase_progress,
-- queries/scope/derived.sql
create or replace macro scoped_phase_progress(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select spp.*
    from scope_phase_progress as spp
    where (p_year is null or spp.academic_year = p_year)
      and (p_region is null or spp.region_code = p_region)
      and (p_establishment is null or spp.establishment_id = p_establishment)
      and ((p_bank is null and p_incubator is null)
           or spp.participant_id in (
                  select participant_id
                  from scoped_restricted_members(p_year, p_region, p_establishment, p_bank, p_incubator)));

-- the scope columns of projects in scope: project_id, cohort_id, academic_year, region_code,
-- establishment_id (what the macros below add to a project's rows); one row per project
create or replace macro scoped_project_keys(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select sp.project_id, sp.cohort_id, sp.academic_year, sp.region_code, sp.establishment_id
    from scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as sp;

-- memberships of projects in scope; one row per project and member
create or replace macro scoped_project_members(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select pm.*, sk.* exclude (project_id)
    from project_members as pm
    join scoped_project_keys(p_year, p_region, p_establishment, p_bank, p_incubator) as sk
      on sk.project_id = pm.project_id;

-- plans of projects in scope; one row per plan
create or replace macro scoped_business_plans(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select bp.*, sk.* exclude (project_id)
    from business_plans as bp
    join scoped_project_keys(p_year, p_region, p_establishment, p_bank, p_incubator) as sk
      on sk.project_id = bp.project_id;

-- decisions in scope (a bank: its own only), with the plan's project and submission date and
-- the days from the plan's submission to the decision (METRICS.md median_days_to_decision)
create or replace macro scoped_financing_decisions(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        fd.*,
        bp.project_id,
        bp.submitted_on as plan_submitted_on,
        bp.requested_amount_mad,
        bp.cohort_id,
        bp.academic_year,
        bp.region_code,
        bp.establishment_id,
        fd.decided_on - bp.submitted_on as days_to_decision
    from financing_decisions as fd
    join scoped_business_plans(p_year, p_region, p_establishment, p_bank, p_incubator) as bp
      on bp.plan_id = fd.plan_id
    where p_bank is null or fd.bank = p_bank;

-- incubation stage rows in scope (an incubator: its own only); one row per project and stage
create or replace macro scoped_incubation_stages(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select s.*, sk.* exclude (project_id)
    from incubation_stages as s
    join scoped_project_keys(p_year, p_region, p_establishment, p_bank, p_incubator) as sk
      on sk.project_id = s.project_id
    where p_incubator is null or s.incubator = p_incubator;

-- incubation stage rows in scope in the programme's order: every column of
-- scoped_incubation_stages plus stage_order (incubation_stage_order); one row per project and stage
create or replace macro scoped_incubation_stage_rows(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select s.*, incubation_stage_order(s.stage) as stage_order
    from scoped_incubation_stages(p_year, p_region, p_establishment, p_bank, p_incubator) as s;

-- each incubated project's latest stage row in scope (latest entered_on, then latest stage):
-- every column of scoped_incubation_stage_rows plus status_now, the stage when still open, else
-- how it ended (exit_reason, or 'exited' with none); one row per project with a stage row
create or replace macro scoped_latest_incubation_stages(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        s.*,
        case when s.exited_on is null then s.stage else coalesce(s.exit_reason, 'exited') end as status_now
    from scoped_incubation_stage_rows(p_year, p_region, p_establishment, p_bank, p_incubator) as s
    qualify row_number() over (partition by s.project_id order by s.entered_on desc, s.stage_order desc) = 1;

-- coaching sessions of projects in scope; one row per session
create or replace macro scoped_coaching_sessions(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select cs.*, sk.* exclude (project_id)
    from coaching_sessions as cs
    join scoped_project_keys(p_year, p_region, p_establishment, p_bank, p_incubator) as sk
      on sk.project_id = cs.project_id;

-- companies of projects in scope; one row per company
create or replace macro scoped_companies(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        co.*,
        sp.sector,
        sp.cohort_id,
        sp.academic_year,
        sp.region_code,
        sp.establishment_id
    from companies as co
    join scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as sp
      on sp.project_id = co.project_id;

-- loan follow-ups of decisions in scope; one row per decision and date
create or replace macro scoped_loan_followups(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        lf.*,
        fd.bank,
        fd.branch,
        fd.product,
        fd.project_id,
        fd.region_code
    from loan_followups as lf
    join scoped_financing_decisions(p_year, p_region, p_establishment, p_bank, p_incubator) as fd
      on fd.decision_id = lf.decision_id;

-- company follow-ups of companies in scope; one row per company and date
create or replace macro scoped_company_followups(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        cf.*,
        co.project_id,
        co.region_code
    from company_followups as cf
    join scoped_companies(p_year, p_region, p_establishment, p_bank, p_incubator) as co
      on co.company_id = cf.company_id;

-- establishments in scope: the region and establishment filters (an establishment exists
-- whatever the academic year); a bank or an incubator: only establishments of its projects.
-- One row per establishment.
create or replace macro scoped_establishments(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select e.*
    from establishments as e
    where (p_region is null or e.region_code = p_region)
      and (p_establishment is null or e.establishment_id = p_establishment)
      and ((p_bank is null and p_incubator is null)
           or e.establishment_id in (
                  select sp.establishment_id
                  from scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as sp));

-- targets in scope: the year and region filters. Targets are regional objectives for the whole
-- programme, so none apply to one establishment or to one bank's or incubator's share.
-- One row per academic year, region and metric.
create or replace macro scoped_targets(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select t.*
    from targets as t
    where (p_year is null or t.academic_year = p_year)
      and (p_region is null or t.region_code = p_region)
      and p_establishment is null
      and p_bank is null
      and p_incubator is null;

-- contact details of the participants listed in p_participants (a list of ids: the rows the
-- query shows, so no more contacts are read than are shown) that are in scope, only when the
-- scope allows personal data (p_personal_data; none otherwise); one row per participant
create or replace macro scoped_contacts(p_year, p_region, p_establishment, p_bank, p_incubator, p_personal_data,
                                        p_participants) as table
    select ct.participant_id, ct.full_name, ct.phone, ct.email
    from participant_contacts as ct
    where p_personal_data
      and ct.participant_id in (select unnest(p_participants))
      and ct.participant_id in (
          select participant_id
          from scoped_participants(p_year, p_region, p_establishment, p_bank, p_incubator));

-- the lead(s) of each project listed in p_projects (a list of ids: the projects the query shows;
-- aggregating every project's leads cost 4x at 1M participants) that is in scope, ' / '-joined
-- in participant order: lead_id, and lead_name, lead_phone, lead_email only when the scope
-- allows personal data (null otherwise); one row per project with a lead
create or replace macro scoped_project_leads(p_year, p_region, p_establishment, p_bank, p_incubator, p_personal_data,
                                             p_projects) as table
    select
        pm.project_id,
        string_agg(pm.participant_id, ' / ' order by pm.participant_id) as lead_id,
        string_agg(ct.full_name, ' / ' order by pm.participant_id) as lead_name,
        string_agg(ct.phone, ' / ' order by pm.participant_id) as lead_phone,
        string_agg(ct.email, ' / ' order by pm.participant_id) as lead_email
    from scoped_project_members(p_year, p_region, p_establishment, p_bank, p_incubator) as pm
    left join participant_contacts as ct
      on ct.participant_id = pm.participant_id and p_personal_data
    where pm.role = 'lead'
      and pm.project_id in (select unnest(p_projects))
    group by pm.project_id;

-- the projects listed in p_projects (a list of ids: the rows a follow-up list shows) that are in
-- scope, with their name, establishment and academic year and their lead(s) as in
-- scoped_project_leads (lead_id; lead_name, lead_phone, lead_email only when p_personal_data);
-- one row per listed project (columns after project_name: the follow-up lists' closing columns)
create or replace macro scoped_listed_projects(p_year, p_region, p_establishment, p_bank, p_incubator,
                                               p_personal_data, p_projects) as table
    select
        pr.project_id,
        pr.name as project_name,
        ld.lead_id,
        ld.lead_name,
        ld.lead_phone,
        ld.lead_email,
        es.establishment_id,
        es.name as establishment_name,
        pr.academic_year
    from scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as pr
    join establishments as es on es.establishment_id = pr.establishment_id
    left join scoped_project_leads(p_year, p_region, p_establishment, p_bank, p_incubator, p_personal_data,
                                   p_projects) as ld
      on ld.project_id = pr.project_id
    where pr.project_id in (select unnest(p_projects));

-- approved decisions in scope with nothing disbursed (no disbursed_on) more than p_days days
-- after the decision, on p_as_of (Data quality's approved_not_disbursed and Follow-up's loans
-- not disbursed: one rule): every column of scoped_financing_decisions and days_waiting, the
-- whole days since the decision
create or replace macro scoped_loans_not_disbursed(p_year, p_region, p_establishment, p_bank, p_incubator,
                                                   p_as_of, p_days) as table
    select
        fd.*,
        date_diff('day', fd.decided_on, cast(p_as_of as date)) as days_waiting
    from scoped_financing_decisions(p_year, p_region, p_establishment, p_bank, p_incubator) as fd
    where fd.decision = 'approved'
      and fd.disbursed_on is null
      and fd.decided_on < cast(p_as_of as date) - cast(p_days as integer);

-- the latest follow-up of each approved loan in scope (METRICS.md portfolio_at_risk_30), as of
-- p_as_of (null = no cut: loans approved by then, their latest follow-up on or before it):
-- followup_on, outstanding_mad, days_past_due, loan_status; one row per approved decision
-- with a follow-up
create or replace macro scoped_latest_loan_followups(p_year, p_region, p_establishment, p_bank, p_incubator,
                                                     p_as_of) as table
    select
        lf.decision_id,
        max(lf.as_of) as followup_on,
        arg_max(lf.outstanding_mad, lf.as_of) as outstanding_mad,
        arg_max(lf.days_past_due, lf.as_of) as days_past_due,
        arg_max(lf.status, lf.as_of) as loan_status
    from loan_followups as lf
    join scoped_financing_decisions(p_year, p_region, p_establishment, p_bank, p_incubator) as fd
      on fd.decision_id = lf.decision_id
    where fd.decision = 'approved'
      and (p_as_of is null or (fd.decided_on <= p_as_of and lf.as_of <= p_as_of))
    group by lf.decision_id;

-- companies in scope as they are now (METRICS.md companies_active, jobs_now): every column of
-- scoped_companies, plus from the latest follow-up (else the register) status_now,
-- employees_now and jobs_now (employees_now when active, else 0), the latest follow-up's date
-- (followup_on) and revenue of the last 12 months (revenue_mad), and the jobs planned in the
-- project's latest validated plan, else its latest submitted one (planned_jobs; drafts do not
-- count); as of p_as_of (null = no cut): companies registered by then, their latest
-- follow-up on or before it; one row per company
create or replace macro scoped_companies_now(p_year, p_region, p_establishment, p_bank, p_incubator,
                                             p_as_of) as table
    select
        co.*,
        coalesce(lf.status, co.status) as status_now,
        coalesce(lf.employees, co.jobs_created) as employees_now,
        case when coalesce(lf.status, co.status) = 'active'
             then coalesce(lf.employees, co.jobs_created) else 0 end as jobs_now,
        lf.followup_on,
        lf.revenue_mad,
        pl.planned_jobs
    from scoped_companies(p_year, p_region, p_establishment, p_bank, p_incubator) as co
    left join (
        select
            cf.company_id,
            max(cf.as_of) as followup_on,
            arg_max(cf.status, cf.as_of) as status,
            arg_max(cf.employees, cf.as_of) as employees,
            arg_max(cf.revenue_mad, cf.as_of) as revenue_mad
        from company_followups as cf
        where p_as_of is null or cf.as_of <= p_as_of
        group by cf.company_id
    ) as lf on lf.company_id = co.company_id
    left join (
        select project_id, planned_jobs
        from business_plans
        where status in ('submitted', 'validated', 'rejected')
        qualify row_number() over (
            partition by project_id order by (status = 'validated') desc, version desc) = 1
    ) as pl on pl.project_id = co.project_id
    where p_as_of is null or co.registered_on <= p_as_of;

-- METRICS.md approval_rate over a group of decisions: approved / (approved + rejected), null
-- when none is decided (an aggregate: use it in a grouped select)
create or replace macro approval_rate_of(decision) as
    count(*) filter (where decision = 'approved')
        / nullif(count(*) filter (where decision in ('approved', 'rejected')), 0);

-- METRICS.md median_days_to_decision over a group of decisions (approved or rejected only)
create or replace macro median_days_to_decision_of(days_to_decision, decision) as
    median(days_to_decision) filter (where decision in ('approved', 'rejected'));

-- METRICS.md portfolio_at_risk_30 over a group of loans' latest follow-ups: outstanding more
-- than 30 days past due / outstanding; null with no follow-up or nothing outstanding any more
create or replace macro portfolio_at_risk_30_of(outstanding_mad, days_past_due) as
    coalesce(sum(outstanding_mad) filter (where days_past_due > 30), 0) / nullif(sum(outstanding_mad), 0);

-- the group of a decision for a $breakdown of the financing pages (bank, branch, product,
-- region; anything else: 'all')
create or replace macro decision_group_key(p_breakdown, bank, branch, product, region_code) as
    case p_breakdown
        when 'bank' then bank
        when 'branch' then branch
        when 'product' then product
        when 'region' then region_code
        else 'all'
    end;

-- the region names of a $breakdown's groups: for 'region', one row per region (group_key =
-- region_code, region_name_fr, region_name_ar); no row for any other breakdown
create or replace macro region_group_names(p_breakdown) as table
    select r.region_code as group_key, r.name_fr as region_name_fr, r.name_ar as region_name_ar
    from regions as r
    where p_breakdown = 'region';

-- whether a participant's row is in the Phases page's focus ($cohort, $profile, $sector,
-- $gender; null = any)
create or replace macro in_phase_focus(p_cohort, p_profile, p_sector, p_gender, cohort_id, profile, sector, gender) as
    (p_cohort is null or cohort_id = p_cohort)
    and (p_profile is null or profile = p_profile)
    and (p_sector is null or sector = p_sector)
    and (p_gender is null or gender = p_gender);

-- the breakdown of a grouping set of programme/phase_groups.sql from its
-- grouping(cohort_id, establishment_id, academic_year, profile, sector, gender) bits: the one
-- attribute grouped by ('cohort', 'establishment', 'academic_year', 'profile', 'sector',
-- 'gender'), else 'all'
create or replace macro phase_group_breakdown(grouping_bits) as
    case grouping_bits
        when 31 then 'cohort' when 47 then 'establishment' when 55 then 'academic_year'
        when 59 then 'profile' when 61 then 'sector' when 62 then 'gender'
        else 'all'
    end;

-- the group of a participant or a project for a $breakdown by its cohort (region,
-- establishment, cohort, academic_year; null for any other breakdown)
create or replace macro cohort_group_key(p_breakdown, region_code, establishment_id, cohort_id, academic_year) as
    case p_breakdown
        when 'region' then region_code
        when 'establishment' then establishment_id
        when 'cohort' then cohort_id
        when 'academic_year' then academic_year
    end;

-- the group of a participant (or of one of their phase rows) for a breakdown: their cohort's
-- (cohort_group_key), or their gender or profile
create or replace macro person_group_key(p_breakdown, region_code, establishment_id, cohort_id, academic_year,
                                         gender, profile) as
    case p_breakdown
        when 'gender' then gender
        when 'profile' then profile
        else cohort_group_key(p_breakdown, region_code, establishment_id, cohort_id, academic_year)
    end;

-- people who completed each phase (METRICS.md awareness_completed, fundamentals_completed,
-- immersion_completed: one phase row per participant and phase, so completed rows count
-- people) per group of p_breakdown (person_group_key); one row per group with a phase row
create or replace macro phase_completions_by(p_year, p_region, p_establishment, p_bank, p_incubator, p_breakdown) as table
    select
        person_group_key(p_breakdown, region_code, establishment_id, cohort_id, academic_year, gender, profile)
            as group_key,
        count(*) filter (where phase = 'awareness' and status = 'completed') as awareness_completed,
        count(*) filter (where phase = 'fundamentals' and status = 'completed') as fundamentals_completed,
        count(*) filter (where phase = 'immersion' and status = 'completed') as immersion_completed
    from scoped_phase_progress(p_year, p_region, p_establishment, p_bank, p_incubator)
    group by all;

-- the position of an incubation stage in the programme's order (DATA_MODEL.md incubation_stages)
create or replace macro incubation_stage_order(stage) as
    case stage
        when 'pre_incubation' then 1 when 'incubation' then 2
        when 'acceleration' then 3 when 'post_creation' then 4
    end;

-- the actual value of each target metric (DATA_MODEL.md targets.metric, METRICS.md) per region
-- for a scope: participants, immersion_completed, plans_validated, projects_financed,
-- companies_created; one row per region and metric with a value
create or replace macro regional_target_actuals(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select region_code, 'participants' as metric, count(*) as value
    from scoped_participants(p_year, p_region, p_establishment, p_bank, p_incubator)
    group by region_code
    union all
    select region_code, 'immersion_completed', count(*)
    from scoped_phase_progress(p_year, p_region, p_establishment, p_bank, p_incubator)
    where phase = 'immersion' and status = 'completed'
    group by region_code
    union all
    select region_code, 'plans_validated', count(distinct project_id)
    from scoped_business_plans(p_year, p_region, p_establishment, p_bank, p_incubator)
    where status = 'validated'
    group by region_code
    union all
    select region_code, 'projects_financed', count(distinct project_id)
    from scoped_financing_decisions(p_year, p_region, p_establishment, p_bank, p_incubator)
    where decision = 'approved'
    group by region_code
    union all
    select region_code, 'companies_created', count(*)
    from scoped_companies(p_year, p_region, p_establishment, p_bank, p_incubator)
    group by region_code;

-- METRICS.md "Funnel", people: one row per participant in scope (participant_id, cohort_id,
-- academic_year, region_code, establishment_id, gender, profile) with how far they went, each
-- step holding only people of the step before it: completed_awareness,
-- completed_awareness_and_fundamentals, completed_all_phases (the three phases), in_project
-- (completed the three phases and member of a project in scope). Not the KPI keys
-- (fundamentals_completed counts a completed fundamentals row whatever came before).
create or replace macro scoped_people_funnel(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        sp.participant_id,
        sp.cohort_id,
        sp.academic_year,
        sp.region_code,
        sp.establishment_id,
        sp.gender,
        sp.profile,
        coalesce(ph.awareness, false) as completed_awareness,
        coalesce(ph.awareness and ph.fundamentals, false) as completed_awareness_and_fundamentals,
        coalesce(ph.awareness and ph.fundamentals and ph.immersion, false) as completed_all_phases,
        coalesce(ph.awareness and ph.fundamentals and ph.immersion, false)
            and sp.participant_id in (
                select pm.participant_id
                from scoped_project_members(p_year, p_region, p_establishment, p_bank, p_incubator) as pm)
            as in_project
    from scoped_participants(p_year, p_region, p_establishment, p_bank, p_incubator) as sp
    left join (
        -- completed rows only: half the rows to group (one row per participant and phase)
        select
            participant_id,
            bool_or(phase = 'awareness') as awareness,
            bool_or(phase = 'fundamentals') as fundamentals,
            bool_or(phase = 'immersion') as immersion
        from scoped_phase_progress(p_year, p_region, p_establishment, p_bank, p_incubator)
        where status = 'completed'
        group by participant_id
    ) as ph on ph.participant_id = sp.participant_id;

-- METRICS.md "Funnel", projects: one row per project in scope (project_id, cohort_id,
-- academic_year, region_code, establishment_id) with how far it went, each step holding only
-- projects of the step before it: plan_submitted (a plan submitted, validated or rejected),
-- plan_validated, financed (an `approved` decision in scope: a bank sees its own), and
-- company_created (a company, counted among financed projects only); has_company (a company
-- whether financed or not: the funnel leaves out those of projects never financed),
-- jobs_created (its company's, 0 without one); has_lead (a project_members row of role `lead`)
-- and woman_led (a lead of gender `f`; with several leads, a data-quality warning, any of them).
create or replace macro scoped_project_funnel(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        pr.project_id,
        pr.cohort_id,
        pr.academic_year,
        pr.region_code,
        pr.establishment_id,
        coalesce(pl.submitted, false) as plan_submitted,
        coalesce(pl.submitted and pl.validated, false) as plan_validated,
        coalesce(pl.submitted and pl.validated, false) and fi.project_id is not null as financed,
        coalesce(pl.submitted and pl.validated, false) and fi.project_id is not null
            and co.project_id is not null as company_created,
        co.project_id is not null as has_company,
        coalesce(co.jobs_created, 0) as jobs_created,
        ld.project_id is not null as has_lead,
        coalesce(ld.woman_led, false) as woman_led
    from scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as pr
    left join (
        select
            project_id,
            bool_or(status in ('submitted', 'validated', 'rejected')) as submitted,
            bool_or(status = 'validated') as validated
        from scoped_business_plans(p_year, p_region, p_establishment, p_bank, p_incubator)
        group by project_id
    ) as pl on pl.project_id = pr.project_id
    left join (
        select distinct project_id
        from scoped_financing_decisions(p_year, p_region, p_establishment, p_bank, p_incubator)
        where decision = 'approved'
    ) as fi on fi.project_id = pr.project_id
    left join scoped_companies(p_year, p_region, p_establishment, p_bank, p_incubator) as co
      on co.project_id = pr.project_id
    left join (
        select pm.project_id, bool_or(pa.gender = 'f') as woman_led
        from scoped_project_members(p_year, p_region, p_establishment, p_bank, p_incubator) as pm
        join participants as pa on pa.participant_id = pm.participant_id
        where pm.role = 'lead'
        group by pm.project_id
    ) as ld on ld.project_id = pr.project_id;
