-- The companies in scope, narrowed to a year of registration, region, sector and legal form when
-- given ($focus_year, $focus_region, $focus_sector, $focus_legal_form; null = any): project,
-- sector, region, legal form, registration, jobs planned, created and now, status now, latest
-- follow-up and its revenue of the last 12 months; one row per company, latest registered first.
with
companies_in_scope as (
    select *
    from scoped_companies_now($academic_year, $region, $establishment, $bank, $incubator, null)
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
        co.planned_jobs,
        co.jobs_created,
        co.status_now,
        co.jobs_now,
        co.followup_on,
        co.revenue_mad
    from focused as co
    join projects as pr on pr.project_id = co.project_id
    join establishments as e on e.establishment_id = co.establishment_id
    left join regions as r on r.region_code = co.region_code
)

select * from final
order by registered_on desc, company_id
