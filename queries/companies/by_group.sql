-- Companies in scope per group of $breakdown (all, year of registration, region, sector of the
-- project, legal_form): companies, active now (latest follow-up, else the register), jobs
-- planned in the project's plan, created and now, revenue of the last 12 months (latest
-- follow-up of active companies); one row per group.
with
companies_in_scope as (
    select company_id, project_id, legal_form, registered_on, jobs_created, status, sector, region_code
    from scoped_companies($academic_year, $region, $establishment, $bank, $incubator)
),

latest_followups as (
    select
        cf.company_id,
        arg_max(cf.status, cf.as_of) as status,
        arg_max(cf.employees, cf.as_of) as employees,
        arg_max(cf.revenue_mad, cf.as_of) as revenue_mad,
        max(cf.as_of) as followup_on
    from scoped_company_followups($academic_year, $region, $establishment, $bank, $incubator) as cf
    group by cf.company_id
),

planned as (
    -- the project's latest validated plan, else its latest submitted one (drafts do not count)
    select project_id, planned_jobs
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
    where status in ('submitted', 'validated', 'rejected')
    qualify row_number() over (
        partition by project_id order by (status = 'validated') desc, version desc) = 1
),

companies_now as (
    select
        case $breakdown
            when 'year' then cast(year(co.registered_on) as varchar)
            when 'region' then co.region_code
            when 'sector' then co.sector
            when 'legal_form' then co.legal_form
            else 'all'
        end as group_key,
        co.company_id,
        co.jobs_created,
        pl.planned_jobs,
        coalesce(lf.status, co.status) as status_now,
        coalesce(lf.employees, co.jobs_created) as employees_now,
        lf.revenue_mad,
        lf.followup_on
    from companies_in_scope as co
    left join latest_followups as lf on lf.company_id = co.company_id
    left join planned as pl on pl.project_id = co.project_id
),

per_group as (
    select
        group_key,
        count(*) as companies_created,
        count(*) filter (where status_now = 'active') as companies_active,
        count(*) filter (where status_now = 'active') / count(*) as active_share,
        coalesce(sum(planned_jobs), 0) as planned_jobs,
        count(planned_jobs) as n_with_plan,
        coalesce(sum(jobs_created), 0) as jobs_created,
        coalesce(sum(employees_now) filter (where status_now = 'active'), 0) as jobs_now,
        coalesce(sum(revenue_mad) filter (where status_now = 'active'), 0) as revenue_mad,
        count(revenue_mad) filter (where status_now = 'active') as n_with_revenue,
        count(followup_on) as n_followed_up
    from companies_now
    group by group_key
),

final as (
    select
        pg.*,
        r.name_fr as region_name_fr,
        r.name_ar as region_name_ar
    from per_group as pg
    left join regions as r on $breakdown = 'region' and r.region_code = pg.group_key
)

select * from final
order by group_key
