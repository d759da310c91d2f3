-- Every indicator of METRICS.md for one scope; one row, one column per METRICS.md key.
-- $as_of (a date, null = no cut): counted from the rows whose event date is on or before it
-- (METRICS.md "As of"): participants enrolled_on, completed phases completed_on, dropped phases
-- started_on, projects created_on, plans submitted_on (validated/rejected: reviewed_on),
-- decisions decided_on (pending until then), disbursements disbursed_on, incubation stages
-- entered_on, sessions held_on, companies registered_on, follow-ups as_of.
with
people as (
    select participant_id, gender
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
    where $as_of is null or enrolled_on <= $as_of
),

phase_rows as (
    select
        participant_id,
        phase,
        -- as of $as_of: a phase completed later was still in progress, one started later not begun
        case
            when $as_of is null then status
            when status = 'completed' and completed_on <= $as_of then 'completed'
            when status = 'dropped' then 'dropped'
            else 'in_progress'
        end as status
    from scoped_phase_progress($academic_year, $region, $establishment, $bank, $incubator)
    where $as_of is null or started_on <= $as_of
),

plans as (
    select
        project_id,
        case
            when $as_of is null then status
            when status in ('validated', 'rejected') and reviewed_on <= $as_of then status
            else 'submitted'
        end as status
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
    where $as_of is null or submitted_on <= $as_of
),

decisions as (
    select
        decision_id,
        project_id,
        case when $as_of is null or decided_on <= $as_of then decision else 'pending' end as decision,
        amount_approved_mad,
        case when $as_of is null or disbursed_on <= $as_of then amount_disbursed_mad end as amount_disbursed_mad,
        days_to_decision
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
),

latest_loan_followups as (
    select outstanding_mad, days_past_due
    from scoped_latest_loan_followups($academic_year, $region, $establishment, $bank, $incubator, $as_of)
),

companies_now as (
    select company_id, jobs_created, status_now, jobs_now
    from scoped_companies_now($academic_year, $region, $establishment, $bank, $incubator, $as_of)
),

people_figures as (
    select
        count(*) as participants,
        count(*) filter (where gender = 'f') / nullif(count(*), 0) as women_share
    from people
),

phase_figures as (
    select
        count(*) filter (where phase = 'awareness' and status = 'completed') as awareness_completed,
        count(*) filter (where phase = 'fundamentals' and status = 'completed') as fundamentals_completed,
        count(*) filter (where phase = 'immersion' and status = 'completed') as immersion_completed,
        -- a subquery, so the distinct count runs on the dropped rows only (a filtered distinct
        -- aggregate hashed every phase row)
        (select count(distinct participant_id) from phase_rows where status = 'dropped') as dropped
    from phase_rows
),

project_figures as (
    select count(*) as projects
    from scoped_projects($academic_year, $region, $establishment, $bank, $incubator)
    where $as_of is null or created_on <= $as_of
),

plan_figures as (
    select
        count(distinct project_id) filter (where status in ('submitted', 'validated', 'rejected'))
            as plans_submitted,
        count(distinct project_id) filter (where status = 'validated') as plans_validated
    from plans
),

decision_figures as (
    select
        count(distinct project_id) filter (where decision = 'approved') as projects_financed,
        coalesce(sum(amount_approved_mad) filter (where decision = 'approved'), 0) as amount_approved_mad,
        coalesce(sum(amount_disbursed_mad), 0) as amount_disbursed_mad,
        approval_rate_of(decision) as approval_rate,
        median_days_to_decision_of(days_to_decision, decision) as median_days_to_decision
    from decisions
),

incubation_figures as (
    select count(distinct project_id) as projects_incubated
    from scoped_incubation_stages($academic_year, $region, $establishment, $bank, $incubator)
    where $as_of is null or entered_on <= $as_of
),

company_figures as (
    select
        count(*) as companies_created,
        coalesce(sum(jobs_created), 0) as jobs_created,
        count(*) filter (where status_now = 'active') as companies_active,
        coalesce(sum(jobs_now) filter (where status_now = 'active'), 0) as jobs_now
    from companies_now
),

coaching_figures as (
    select coalesce(sum(hours), 0) as coaching_hours
    from scoped_coaching_sessions($academic_year, $region, $establishment, $bank, $incubator)
    where $as_of is null or held_on <= $as_of
),

loan_figures as (
    select
        portfolio_at_risk_30_of(outstanding_mad, days_past_due) as portfolio_at_risk_30
    from latest_loan_followups
),

final as (
    select
        pf.participants,
        pf.women_share,
        ph.awareness_completed,
        ph.fundamentals_completed,
        ph.immersion_completed,
        ph.dropped,
        pr.projects,
        pl.plans_submitted,
        pl.plans_validated,
        df.projects_financed,
        df.amount_approved_mad,
        df.amount_disbursed_mad,
        df.approval_rate,
        df.median_days_to_decision,
        inc.projects_incubated,
        cf.companies_created,
        cf.jobs_created,
        co.coaching_hours,
        lf.portfolio_at_risk_30,
        cf.companies_active,
        cf.jobs_now
    from people_figures as pf
    cross join phase_figures as ph
    cross join project_figures as pr
    cross join plan_figures as pl
    cross join decision_figures as df
    cross join incubation_figures as inc
    cross join company_figures as cf
    cross join coaching_figures as co
    cross join loan_figures as lf
)

select * from final
