-- The one place where a Scope narrows the data (METRICS.md "Scope", DESIGN.md "Roles").
-- Stored in the database (pie.db re-creates them at every write, so every published snapshot
-- carries the current ones; cursors of a read-only connection do not see temporary macros).
-- A CTE of the calling query shadows a table of the same name inside these macros: never
-- name a CTE after a table (tests/test_queries.py checks it).
-- Every query reads programme tables through these, with the five scope parameters:
--   scoped_x($academic_year, $region, $establishment, $bank, $incubator)
-- Filters select cohorts; a bank sees only projects with a decision of its own (and only its
-- own decisions); an incubator only projects with a stage row of its own (and only its rows).

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

-- memberships of projects in scope; one row per project and member
create or replace macro scoped_project_members(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        pm.*,
        sp.cohort_id,
        sp.academic_year,
        sp.region_code,
        sp.establishment_id
    from project_members as pm
    join scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as sp
      on sp.project_id = pm.project_id;

-- plans of projects in scope; one row per plan
create or replace macro scoped_business_plans(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        bp.*,
        sp.cohort_id,
        sp.academic_year,
        sp.region_code,
        sp.establishment_id
    from business_plans as bp
    join scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as sp
      on sp.project_id = bp.project_id;

-- decisions in scope (a bank: its own only), with the plan's project and submission date
create or replace macro scoped_financing_decisions(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        fd.*,
        bp.project_id,
        bp.submitted_on as plan_submitted_on,
        bp.requested_amount_mad,
        bp.cohort_id,
        bp.academic_year,
        bp.region_code,
        bp.establishment_id
    from financing_decisions as fd
    join scoped_business_plans(p_year, p_region, p_establishment, p_bank, p_incubator) as bp
      on bp.plan_id = fd.plan_id
    where p_bank is null or fd.bank = p_bank;

-- incubation stage rows in scope (an incubator: its own only); one row per project and stage
create or replace macro scoped_incubation_stages(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        s.*,
        sp.cohort_id,
        sp.academic_year,
        sp.region_code,
        sp.establishment_id
    from incubation_stages as s
    join scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as sp
      on sp.project_id = s.project_id
    where p_incubator is null or s.incubator = p_incubator;

-- coaching sessions of projects in scope; one row per session
create or replace macro scoped_coaching_sessions(p_year, p_region, p_establishment, p_bank, p_incubator) as table
    select
        cs.*,
        sp.cohort_id,
        sp.academic_year,
        sp.region_code,
        sp.establishment_id
    from coaching_sessions as cs
    join scoped_projects(p_year, p_region, p_establishment, p_bank, p_incubator) as sp
      on sp.project_id = cs.project_id;

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
