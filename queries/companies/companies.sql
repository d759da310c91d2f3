-- The companies in scope, narrowed to a year of registration, region, sector and legal form when
-- given ($focus_year, $focus_region, $focus_sector, $focus_legal_form; null = any): project,
-- sector, region, legal form, registration, jobs planned, created and now, status now, latest
-- follow-up and its revenue of the last 12 months; one row per company, latest registered first.
with
companies_in_scope as (
    select *
    from scoped_companies($academic_year, $region, $establishment, $bank, $incubator)
),

latest_followups as (
    select
        cf.company_id,
        max(cf.as_of) as followup_on,
        arg_max(cf.status, cf.as_of) as status,
        arg_max(cf.employees, cf.as_of) as employees,
        arg_max(cf.revenue_mad, cf.as_of) as revenue_mad
    from scoped_company_followups($academic_year, $region, $establishment, $bank, $incubator) as cf
    group by cf.company_id
),

planned as (
    select project_id, planned_jobs
    from scoped_business_plans($academic_year, $region, $establishment, $bank, $incubator)
    where status in ('submitted', 'validated', 'rejected')
    qualify row_number() over (
        partition by project_id order by (status = 'validated') desc, version desc) = 1
),

focused as (
    select co.*
    from companies_in_scope as co
    where ($focus_year is null or cast(year(co.registered_on) as varchar) = $focus_year)
      and ($focus_region is null or co.region_code = $focus_region)
      and ($focus_sector is null or co.sector = $focus_sector)
      and ($focus_legal_form is null or co.legal_form = $focus_legal_form)
),

final as (
    select
        co.company_id,
        co.project_id,
        pr.name as project_name,
        co.sector,
        co.region_code,
        r.name_fr as region_name_fr,
        r.name_ar as region_name_ar,
        e.name as establishment_name,
        co.legal_form,
        co.registered_on,
        pl.planned_jobs,
        co.jobs_created,
        coalesce(lf.status, co.status) as status_now,
        case when coalesce(lf.status, co.status) = 'active'
             then coalesce(lf.employees, co.jobs_created) else 0 end as jobs_now,
        lf.followup_on,
        lf.revenue_mad
    from focused as co
    join projects as pr on pr.project_id = co.project_id
    join establishments as e on e.establishment_id = co.establishment_id
    left join regions as r on r.region_code = co.region_code
    left join latest_followups as lf on lf.company_id = co.company_id
    left join planned as pl on pl.project_id = co.project_id
)

select * from final
order by registered_on desc, company_id
