-- Companies in scope per group of $breakdown (all, year of registration, region, sector of the
-- project, legal_form): companies, active now (latest follow-up, else the register), jobs
-- planned in the project's plan, created and now, revenue of the last 12 months (latest
-- follow-up of active companies); one row per group.
with
companies_in_scope as (
    select *
    from scoped_companies_now($academic_year, $region, $establishment, $bank, $incubator, null)
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
        co.planned_jobs,
        co.status_now,
        co.jobs_now,
        co.revenue_mad,
        co.followup_on
    from companies_in_scope as co
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
        coalesce(sum(jobs_now), 0) as jobs_now,
        coalesce(sum(revenue_mad) filter (where status_now = 'active'), 0) as revenue_mad,
        count(revenue_mad) filter (where status_now = 'active') as n_with_revenue,
        count(followup_on) as n_followed_up
    from companies_now
    group by group_key
),

final as (
    select pg.*, rn.region_name_fr, rn.region_name_ar
    from per_group as pg
    left join region_group_names($breakdown) as rn on rn.group_key = pg.group_key
)

select * from final
order by group_key
