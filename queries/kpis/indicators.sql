-- Every indicator of METRICS.md for one scope (the scope parameters only); one row, one column
-- per METRICS.md key.
with
people as (
    select participant_id, gender
    from scoped_participants($academic_year, $region, $establishment, $bank, $incubator)
),

phase_rows as (
    select participant_id, phase, status
    from scoped_phase_progress($academic_year, $region, $establishment, $bank, $incubator)
),

plans as (
    select project_id, status
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
),

decisions as (
    select
        decision_id,
        project_id,
        decision,
        amount_approved_mad,
        amount_disbursed_mad,
        days_to_decision
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
),

latest_loan_followups as (
    select outstanding_mad, days_past_due
    from scoped_latest_loan_followups($academic_year, $region, $establishment, $bank, $incubator)
),

companies_now as (
    select company_id, jobs_created, status_now, jobs_now
    from scoped_companies_now($academic_year, $region, $establishment, $bank, $incubator)
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
