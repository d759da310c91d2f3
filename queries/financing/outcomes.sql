-- What became of the financed projects in scope (a project with an approved decision in scope,
-- narrowed to a branch, product and region when given: $focus_branch, $focus_product,
-- $focus_region): amount approved, the company created from it if any, its latest status
-- (latest follow-up, else the register) and jobs now; one row per financed project.
with
approvals as (
    select project_id, region_code, amount_approved_mad
    from scoped_financing_decisions($academic_year, $region, $establishment, $bank, $incubator)
    where decision = 'approved'
      and ($focus_branch is null or branch = $focus_branch)
      and ($focus_product is null or product = $focus_product)
      and ($focus_region is null or region_code = $focus_region)
),

financed as (
    select
        project_id,
        any_value(region_code) as region_code,
        count(*) as n_approved,
        sum(amount_approved_mad) as approved_mad
    from approvals
    group by project_id
),

companies_in_scope as (
    select company_id, project_id, legal_form, registered_on, jobs_created, status_now, jobs_now, followup_on
    from scoped_companies_now($academic_year, $region, $establishment, $bank, $incubator, null)
),

final as (
    select
        fi.project_id,
        pr.name as project_name,
        fi.region_code,
        r.name_fr as region_name_fr,
        r.name_ar as region_name_ar,
        fi.n_approved,
        fi.approved_mad,
        co.company_id,
        co.legal_form,
        co.registered_on,
        co.jobs_created,
        co.status_now as company_status,
        co.followup_on,
        coalesce(co.jobs_now, 0) as jobs_now  -- 0 for a financed project without a company
    from financed as fi
    join projects as pr on pr.project_id = fi.project_id
    left join regions as r on r.region_code = fi.region_code
    left join companies_in_scope as co on co.project_id = fi.project_id
)

select * from final
order by approved_mad desc, project_id
